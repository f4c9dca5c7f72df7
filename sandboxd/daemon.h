/* SPDX-License-Identifier: MIT */
/* The daemon's state, shared by the server, connections and handlers: configuration, the event
 * loop, counters. Created in main.c; the only global-like object, passed explicitly. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "frame.h"
#include "sandbox.h"
#include "session-params.h"

#define DAEMON_SOCKET_DEFAULT	 "/run/sandboxd/sandboxd.sock"
#define DAEMON_STATE_DIR_DEFAULT "/var/lib/sandboxd"
#define DAEMON_CONFIG_DEFAULT	 "/etc/sandboxd/sandboxd.yaml"
#define DAEMON_SOCKET_GROUP	 "sandboxd"
#define DAEMON_ALLOWED_MAX	 64
#define DAEMON_CONNECTIONS_MAX	 1024

struct daemon_config {
	const char *socket_path;
	const char *state_dir;
	uint32_t frame_max;
	/* Peers allowed to connect besides root and the daemon's own uid. */
	uid_t allowed_uids[DAEMON_ALLOWED_MAX];
	size_t n_allowed_uids;
	gid_t allowed_gids[DAEMON_ALLOWED_MAX];
	size_t n_allowed_gids;
	unsigned sessions_max;
	struct session_defaults session_defaults;
	unsigned warm_pool;
	const char *config_path;
	/* What the command line set, which a config file (and its reloads) does not override. */
	bool socket_from_cli, state_dir_from_cli, sessions_max_from_cli, warm_pool_from_cli;
	size_t n_cli_uids, n_cli_gids;
	const char *init_path; /* sandbox-init; NULL: found next to us or installed */
	const char *cgroup_parent;
	const char *uid_lock_dir;
	const char *policy_dir;	       /* named policies: *.yaml here, plus the built-in default */
	bool inline_policies;	       /* CreateSession may carry policy text */
	bool sessions_end_with_daemon; /* no session outlives this daemon (not taken over later) */
	bool policy_dir_from_cli, inline_policies_from_cli;
};

struct session;
struct job;
struct pool;
struct policy_set;

struct daemon {
	struct daemon_config cfg;
	sd_event *event;
	uint64_t start_usec; /* CLOCK_MONOTONIC */
	unsigned n_connections;
	unsigned n_sessions;
	struct sandbox_runtime *runtime;
	struct session *sessions; /* list */
	struct pool *pool;	  /* warm sandboxes for new sessions */
	struct job *jobs;	  /* list, newest first */
	unsigned n_jobs;
	int jobs_dirfd;		     /* <state_dir>/jobs */
	int sessions_dirfd;	     /* <state_dir>/sessions: records of live sessions */
	int init_dirfd;		     /* <state_dir>/init: where sandbox-init takes a new daemon */
	struct policy_set *policies; /* replaced whole on SIGHUP; sessions hold a reference */
	int landlock_abi;	     /* 0: the kernel has none, the policy layer alone confines */
	char state_dir_real[4096];   /* the state dir, resolved: no data source may lie in it */
	char browse_dir[4096];	     /* holds sandbox-browse, bound into sessions; "": none */
};
