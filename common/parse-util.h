/* SPDX-License-Identifier: MIT */
/* Checked parsing of numbers from outside: no atoi/strtol at call sites.
 * Sizes and durations with units are units.h. */
#pragma once

#include <stdint.h>

/* Parses a plain decimal unsigned integer (no sign, no spaces, no empty string); 0 or
 * -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t *ret);

/* parse_u64() limited to [min, max]; -ERANGE outside. */
int parse_u64_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
