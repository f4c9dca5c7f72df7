/* SPDX-License-Identifier: MIT */
/* The error object every client-visible failure carries: a negative errno and one sentence.
 * Fixed size and allocation-free so a cloned child can fill it and send it whole (runtime/sync.c).
 */
#pragma once

#include <stdbool.h>
#include "macro.h"

#define SBX_ERROR_MSG_MAX 512

struct sbx_error {
	int code;		     /* negative errno, 0 when unset */
	char msg[SBX_ERROR_MSG_MAX]; /* "what was tried: detail" */
};

/* Fills *e (if not NULL) with code and "<formatted>: strerror(-code)"; returns code. */
int sbx_fail(struct sbx_error *e, int code, const char *fmt, ...) _printf_(3, 4);

/* Prefixes e->msg with "<formatted>: "; returns e->code (or -EIO when e holds no error). */
int sbx_wrap(struct sbx_error *e, const char *fmt, ...) _printf_(2, 3);

/* Makes an error record received from a less trusted process safe to print and return:
 * forces NUL termination and a code within [-4095, -1]. */
void sbx_error_sanitize(struct sbx_error *e);
