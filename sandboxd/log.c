/* SPDX-License-Identifier: MIT */
/* Log lines: "<prio>text" for journald (JOURNAL_STREAM set), "sandboxd: text" otherwise. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static int max_priority = LOG_INFO;

void log_set_max_priority(int priority)
{
	max_priority = priority;
}

void log_msg(int priority, const char *fmt, ...)
{
	static int journal = -1;
	char line[1024];
	va_list ap;

	if (priority > max_priority)
		return;
	if (journal < 0)
		journal = getenv("JOURNAL_STREAM") != NULL;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (journal)
		fprintf(stderr, "<%d>%s\n", priority, line);
	else
		fprintf(stderr, "sandboxd: %s\n", line);
}
