/* SPDX-License-Identifier: MIT */
/* The daemon's log: one line per event on stderr, with a syslog priority prefix that journald
 * understands when stderr is the journal. Only sandboxd/ logs (STYLE.md section 5). */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Sets the lowest priority written (LOG_DEBUG .. LOG_ERR); LOG_INFO by default. */
void log_set_max_priority(int priority);

/* Writes one line at priority. */
void log_msg(int priority, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
