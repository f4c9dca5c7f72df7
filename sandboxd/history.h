/* SPDX-License-Identifier: MIT */
/* A session's history: every tool call with the policy's decision, appended to
 * <state_dir>/sessions/<id>.history as length-prefixed HistoryEntry messages. Nothing of it is
 * kept in memory; the file is bounded (HISTORY_FILE_MAX: past it the older half goes, and the
 * count of what went is kept with the session). Read by GetHistory; removed with the session. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"
#include "sandboxd.pb-c.h"

#define HISTORY_FILE_MAX  (2U << 20)
#define HISTORY_ENTRY_MAX 4096 /* bytes of one packed entry; longer strings are cut */

struct session;

struct history_call {
	const char *tool;   /* "exec", "file.read", ... */
	const char *skill;  /* NULL or "" when none could be chosen */
	const char *target; /* argv[0] or language, path, host */
	bool allowed;
	const char *rule;
	const char *reason;
};

/* Appends one entry (best effort: a full disk costs history, never the call). */
void history_append(struct session *s, const struct history_call *c);

/* The newest limit entries (0: all) as the wire message, oldest first; free with
 * history_free(). */
int history_read(struct session *s, uint32_t limit, Sandboxd__V1__History **ret);
void history_free(Sandboxd__V1__History *h);

/* Removes the file (the session is gone). */
void history_remove(struct daemon *d, const char *session_id);
