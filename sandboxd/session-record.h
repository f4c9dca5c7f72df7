/* SPDX-License-Identifier: MIT */
/* A session's record in <state_dir>/sessions/<id>.pb (proto/state.proto): what a restarted
 * daemon needs to take the session over. Written on create, extend, pause and resume; removed
 * with the session. Not fsync'd: a session does not survive the machine, only the daemon, and
 * the page cache outlives a killed daemon. */
#pragma once

#include "session.h"

#define SESSION_RECORD_MAX (256U << 10)

/* Opens (creating) <state_dir>/sessions into d->sessions_dirfd. */
int session_record_setup(struct daemon *d, struct sbx_error *reterr);

int session_record_save(const struct session *s);

/* Fills the fields of a zeroed s from the record file name (id, owner, image, limits, labels,
 * times, paused, warm, sandbox identity, init socket); -EBADMSG when it is not a sound record. */
int session_record_load(struct daemon *d, const char *name, struct session *s,
			struct sandbox_ident *ret_ident);

void session_record_remove(struct daemon *d, const char *id);
