/* SPDX-License-Identifier: MIT */
/* Sessions: a long-lived sandbox in session mode (runtime/init-session.c) owned by the uid
 * that created it, with limits, labels and two expiry timers (idle and absolute). Running
 * commands in it is exec.c; the wire side is rpc-session.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"
#include "error.h"
#include "ids.h"
#include "init-link.h"
#include "session-policy.h"
#include "session-params.h"

#define SESSION_ID_LEN ID_LEN /* "s-" + 16 hex digits (ids.h) */
struct exec;

struct session {
	struct daemon *daemon;
	struct session *next;
	char id[SESSION_ID_LEN + 1];
	uid_t owner;
	char *image;
	uint64_t memory_bytes, pids, cpu_millis, disk_bytes;
	struct session_label *labels;
	size_t n_labels;
	uint64_t created_ms; /* realtime */
	uint64_t expires_ms; /* realtime, absolute TTL */
	uint64_t idle_ttl_ms;
	uint64_t idle_expires_ms; /* realtime, moves with every call */
	struct sandbox *sandbox;
	int ctl; /* control channel to sandbox-init */
	sd_event_source *ctl_source;
	sd_event_source *expire_source; /* fires at min(expires, idle_expires) */
	bool paused;
	bool warm;     /* its sandbox came from the warm pool */
	bool adopting; /* taken over from an earlier daemon; its snapshot has not all come yet */
	char init_socket[INIT_LINK_NAME_LEN + 1]; /* where a later daemon reaches its PID 1 */
	struct exec *execs;
	uint64_t next_exec_id;
	struct session_policy policy;
	int root_fd; /* its root for the file tools, opened at the first file call */
	struct session_upload *uploads;
	unsigned n_uploads;
	struct rpc_watch *watches;     /* WatchDir calls (rpc-watch.c) */
	struct session_egress *egress; /* its egress proxies, one per network skill */
	unsigned n_watches;
	int history_fd; /* <id>.history, opened at the first entry (history.c) */
	size_t history_size;
	uint64_t history_dropped;
};

/* The environment every command in a session starts from (requests add to it). */
extern const char *const session_default_env[];

/* Where sandbox-browse appears inside every session (read-only), when the daemon has it. */
#define SESSION_TOOLS_DIR "/run/sandboxd-tools"

/* The sandbox a session with these parameters runs in (session mode; control_fd left to the
 * caller); binds is room for its binds (the data sources and the tools directory). */
void session_sandbox_spec(struct daemon *d, const struct session_params *p,
			  struct sandbox_spec *ret, struct sandbox_bind *binds);

/* Starts a session sandbox with its control channel (non-blocking, into *ret_ctl) and a
 * listening socket through which a later daemon takes it over (named into init_socket). */
int session_sandbox_start(struct daemon *d, const struct session_params *p, struct sandbox **ret_sb,
			  int *ret_ctl, char init_socket[static INIT_LINK_NAME_LEN + 1],
			  struct sbx_error *reterr);

/* Creates and starts a session for owner under the resolved policy sp (taken, also on
 * failure); -EUSERS when the daemon is at its maximum. */
int session_create(struct daemon *d, uid_t owner, const struct session_params *p,
		   struct session_policy *sp, struct session **ret, struct sbx_error *reterr);

/* The session with this id if uid owns it (root sees all); NULL otherwise, so another uid's
 * session is indistinguishable from a missing one. */
struct session *session_find(struct daemon *d, const char *id, uid_t uid);

/* Notes a call on the session: pushes the idle expiry back. */
void session_touch(struct session *s);

/* Adds ms to the absolute TTL, at most SESSION_TTL_MAX_MS after creation. */
int session_extend(struct session *s, uint64_t ms, struct sbx_error *reterr);

/* Whether every label of the filter is on the session. */
bool session_has_labels(const struct session *s, const struct session_label *filter, size_t n);

/* Freezes or thaws every process of the session; a paused session's idle timer stops. */
int session_pause(struct session *s, bool paused, struct sbx_error *reterr);

/* Cancels its commands, kills the sandbox, removes it and frees s. */
void session_destroy(struct session *s, const char *why);

/* Lets go of every session (the daemon stops): they run on, with their jobs, for the next
 * daemon to take over; other commands are cancelled. */
void session_release_all(struct daemon *d);

/* Takes over the sessions an earlier daemon left (their records in the state dir); those whose
 * sandbox is gone are forgotten, and their running jobs are LOST. */
void session_adopt_all(struct daemon *d);
