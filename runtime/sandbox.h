/* SPDX-License-Identifier: MIT */
/* Public API of the runtime: a per-process context (detected cgroup layout, the compiled seccomp
 * program, sandbox-init in a sealed memfd, the uid range pool) and sandboxes created from a
 * validated struct sandbox_spec. The confinement order is written once, in sandbox.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "spec.h"
#include "uid-range.h"

enum sandbox_end {
	SANDBOX_EXITED,	  /* the command exited with exit_code */
	SANDBOX_SIGNALED, /* the command was killed by signal (not by the sandbox) */
	SANDBOX_TIMEOUT,  /* the wall-clock limit killed it */
	SANDBOX_OOM,	  /* the memory limit killed it */
	SANDBOX_KILLED,	  /* sandbox_kill() was called */
	_SANDBOX_END_MAX,
	_SANDBOX_END_INVALID = -EINVAL,
};

struct sandbox_result {
	enum sandbox_end end;
	int exit_code; /* EXITED: the code; otherwise 128 + signal */
	int signal;    /* the signal that ended the command, 0 if it exited */
	uint64_t wall_usec;
	struct cgroup_stats stats;
};

struct runtime_config {
	const char *cgroup_root;   /* NULL = /sys/fs/cgroup */
	const char *cgroup_parent; /* NULL = "sandboxd" */
	const char *init_path;	   /* the sandbox-init executable */
	const char *images_dir;	   /* where named images live; NULL = /var/lib/sandboxd/images */
	struct uid_range_pool uids;
	bool kill_on_parent_death; /* sandbox dies with the process that created it (sbx-run) */
};

struct sandbox_runtime;
struct sandbox;

const char *sandbox_end_to_string(enum sandbox_end e);

/* Finds sandbox-init: next to the calling executable (build tree: also ../runtime/), else the
 * installed one. Returns buf or the installed path. */
const char *sandbox_init_locate(char *buf, size_t len);

/* Checks the host (user namespaces, seccomp, cgroup controllers), loads sandbox-init into a sealed
 * memfd and prepares everything reused by every sandbox of this process. */
int sandbox_runtime_new(const struct runtime_config *cfg, struct sandbox_runtime **ret,
			struct sbx_error *reterr);
struct sandbox_runtime *sandbox_runtime_free(struct sandbox_runtime *rt);
DEFINE_CLEANUP(struct sandbox_runtime *, sandbox_runtime_free)

/* Creates and starts one sandbox running spec->argv; returns once the command was exec'd by
 * sandbox-init's parent step, or with the failed step's sentence. */
int sandbox_create(struct sandbox_runtime *rt, const struct sandbox_spec *spec,
		   struct sandbox **ret, struct sbx_error *reterr);

/* The pidfd of sandbox-init (PID 1 inside), for event loops. */
int sandbox_pidfd(const struct sandbox *sb);

/* Host pid of sandbox-init. */
pid_t sandbox_pid(const struct sandbox *sb);

/* Host uid that root inside the sandbox maps to. */
uid_t sandbox_host_uid(const struct sandbox *sb);

/* Gives a sandbox created without limits (a warm one) its memory, pids and cpu limits. */
int sandbox_set_limits(struct sandbox *sb, const struct sandbox_limits *limits,
		       struct sbx_error *reterr);

/* Reads the sandbox cgroup's usage and kill counters now. */
int sandbox_read_stats(struct sandbox *sb, struct cgroup_stats *ret);

/* Waits until the sandbox ends or its wall-clock limit passes (then kills it), and fills *ret. */
int sandbox_wait(struct sandbox *sb, struct sandbox_result *ret, struct sbx_error *reterr);

/* Bytes used on the sandbox's /workspace now (statvfs through its root). */
int sandbox_disk_used(struct sandbox *sb, uint64_t *ret);

/* Freezes (true) or thaws (false) every process of the sandbox (the cgroup freezer). */
int sandbox_freeze(struct sandbox *sb, bool frozen);

/* Sends sig to sandbox-init, which forwards it to the command. */
int sandbox_signal(struct sandbox *sb, int sig);

/* Kills every process of the sandbox; sandbox_wait() then reports SANDBOX_KILLED. */
int sandbox_kill(struct sandbox *sb);

/* What identifies a running session sandbox to a later process (a restarted daemon): its uid
 * range slot, which also names its cgroup, and sandbox-init's host pid and start time (in clock
 * ticks since boot, so a reused pid is told apart). */
struct sandbox_ident {
	uint32_t slot;
	pid_t pid;
	uint64_t start_ticks;
};

int sandbox_ident(const struct sandbox *sb, struct sandbox_ident *ret);

/* Takes over a session sandbox that another process created and let go (sandbox_release(), or
 * its death): opens sandbox-init by pid, checks its start time, reopens its cgroup. -ESRCH when
 * that sandbox-init is gone. The uid range lock comes later, from sandbox-init itself
 * (sandbox_adopt_lock()). sandbox_wait() is not available: PID 1 is not our child. */
int sandbox_adopt(struct sandbox_runtime *rt, const struct sandbox_ident *id, struct sandbox **ret,
		  struct sbx_error *reterr);

/* Holds the uid range lock that sandbox-init passed back (takes the fd). */
void sandbox_adopt_lock(struct sandbox *sb, int lock_fd);

/* Lets go of a session sandbox without stopping it: it runs on, for a later process to adopt
 * (its sandbox-init holds the uid range lock meanwhile). Frees sb; accepts NULL. */
struct sandbox *sandbox_release(struct sandbox *sb);
DEFINE_CLEANUP(struct sandbox *, sandbox_release)

/* Kills what is left, reaps, removes the cgroup and releases the uid range. Accepts NULL. */
struct sandbox *sandbox_free(struct sandbox *sb);
DEFINE_CLEANUP(struct sandbox *, sandbox_free)
