/* SPDX-License-Identifier: MIT */
/* Formatting of struct sbx_error. Callers decide the sentence; this file only assembles it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int sbx_fail(struct sbx_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (code >= 0)
		code = -EIO;
	if (!e)
		return code;

	e->code = code;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(-code));
	return code;
}

int sbx_wrap(struct sbx_error *e, const char *fmt, ...)
{
	char prefix[SBX_ERROR_MSG_MAX];
	char old[SBX_ERROR_MSG_MAX];
	char joined[2 * SBX_ERROR_MSG_MAX + 2];
	va_list ap;

	if (!e)
		return -EIO;
	if (e->code >= 0)
		e->code = -EIO;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	snprintf(joined, sizeof(joined), "%s: %s", prefix, old);
	/* Keep the head of the sentence when it no longer fits: it says what was tried. */
	memcpy(e->msg, joined, sizeof(e->msg) - 1);
	e->msg[sizeof(e->msg) - 1] = '\0';
	return e->code;
}

void sbx_error_sanitize(struct sbx_error *e)
{
	e->msg[sizeof(e->msg) - 1] = '\0';
	if (e->code >= 0 || e->code < -4095)
		e->code = -EPROTO;
	/* The text came from another process: keep it printable on one line. */
	for (char *p = e->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
}
