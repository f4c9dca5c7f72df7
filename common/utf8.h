/* SPDX-License-Identifier: MIT */
/* Strict UTF-8 validation for strings from outside (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8. */
bool utf8_is_valid(const char *s, size_t len);
