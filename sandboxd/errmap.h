/* SPDX-License-Identifier: MIT */
/* The one place where a -errno becomes a wire Error code (STYLE.md section 5). */
#pragma once

#include "sandboxd.pb-c.h"

/* The wire code for a negative errno (INTERNAL for anything not listed). */
Sandboxd__V1__Code errmap_code(int negative_errno);

/* The name of a wire code as clients print it ("INVALID_ARGUMENT"). */
const char *errmap_code_name(Sandboxd__V1__Code code);
