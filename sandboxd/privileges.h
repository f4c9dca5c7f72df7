/* SPDX-License-Identifier: MIT */
/* The daemon's own privileges, trimmed at startup to the table in privileges.c. */
#pragma once

#include "error.h"

/* Keeps only the capabilities sandboxd needs (effective, permitted, bounding), clears the
 * inheritable and ambient sets, and sets no_new_privs. */
int privileges_trim(struct sbx_error *reterr);
