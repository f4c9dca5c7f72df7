/* SPDX-License-Identifier: MIT */
/* What the file tools keep per session: its root directory as they resolve paths in it (opened
 * once, through its PID 1's root), and the chunked uploads under way (WriteFile with `more`),
 * each a temporary file renamed into place by its last chunk and dropped after
 * SESSION_UPLOAD_IDLE_MS without one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "ids.h"
#include "files.h"

#define SESSION_UPLOAD_ID_LEN  ID_LEN /* "u-" + 16 hex digits (ids.h) */
#define SESSION_UPLOADS_MAX    16
#define SESSION_UPLOAD_IDLE_MS 60000

struct session;

struct session_upload {
	struct session_upload *next;
	struct session *session;
	char id[SESSION_UPLOAD_ID_LEN + 1];
	char *path;
	uid_t owner;	    /* the uid that started it: only it continues it */
	uint64_t max_bytes; /* the skill's files.max_bytes for the whole; 0: none */
	struct files_upload *upload;
	sd_event_source *idle;
};

/* Acts as the session's root on the file system until session_files_leave(): what a file call
 * creates belongs to the session (a filesystem mounted in the sandbox's user namespace cannot
 * hold a file of the host's root at all) and permissions are met as the session's root meets
 * them. Only the fs ids change (setfsuid), for the daemon's single thread. */
void session_files_enter(const struct files_root *root);
void session_files_leave(void);

/* The session's root for tools/files.h. */
int session_files_root(struct session *s, struct files_root *ret, struct sbx_error *reterr);

/* Starts an upload of path (atomic replace when it ends). */
int session_upload_start(struct session *s, uid_t owner, const char *path, uint32_t mode,
			 bool make_parents, struct session_upload **ret, struct sbx_error *reterr);

/* The upload with this id started by owner, or NULL. Each use pushes its idle end back. */
struct session_upload *session_upload_find(struct session *s, uid_t owner, const char *id);

/* Ends an upload: renamed into place (commit) or removed. */
int session_upload_end(struct session_upload *up, bool commit, struct sbx_error *reterr);

/* Drops every upload and closes the root (the session is going away). */
void session_files_done(struct session *s);
