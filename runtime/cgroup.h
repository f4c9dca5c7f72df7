/* SPDX-License-Identifier: MIT */
/* Backend-neutral cgroup front: detects the host layout (v1, v2, or hybrid: v1 controllers plus a
 * v2 tree with no controllers), creates one cgroup per sandbox, sets limits, reads usage and kill
 * reasons, kills and removes. Backends: cgroup-v1.c, cgroup-v2.c. Spawning into it is spawn.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define CGROUP_ROOT_DEFAULT   "/sys/fs/cgroup"
#define CGROUP_PARENT_DEFAULT "sandboxd"
#define CGROUP_NAME_MAX	      64

enum cgroup_layout {
	CGROUP_LAYOUT_V1,     /* controllers on per-controller v1 hierarchies, no usable v2 */
	CGROUP_LAYOUT_HYBRID, /* v1 controllers plus a cgroup2 tree at <root>/unified (core files
				 only) */
	CGROUP_LAYOUT_V2,     /* unified: <root> is cgroup2 with the controllers */
	_CGROUP_LAYOUT_MAX,
	_CGROUP_LAYOUT_INVALID = -EINVAL,
};

struct cgroup_limits {
	uint64_t memory_max; /* bytes, 0 = none; swap is always off */
	uint64_t pids_max;   /* 0 = none */
	uint64_t cpu_millis; /* thousandths of a CPU, 0 = none */
};

struct cgroup_stats {
	uint64_t oom_kills;	 /* processes killed by the OOM killer in this cgroup */
	uint64_t pids_max_hits;	 /* forks refused by pids.max */
	uint64_t memory_peak;	 /* bytes, 0 when unknown */
	uint64_t cpu_usec;	 /* user+system, 0 when unknown */
	uint64_t memory_current; /* bytes in use now */
	uint64_t pids_current;	 /* processes and threads now */
};

struct cgroup_host;
struct cgroup;

const char *cgroup_layout_to_string(enum cgroup_layout l);

/* Detects the layout under root (NULL = /sys/fs/cgroup) from the filesystem types, checks that the
 * memory, pids and cpu controllers are usable, and prepares the parent cgroup (NULL = "sandboxd").
 * Fails with a sentence naming the missing piece: sandboxes never run without their limits. */
int cgroup_host_detect(const char *root, const char *parent, struct cgroup_host **ret,
		       struct sbx_error *reterr);

/* Like cgroup_host_detect() but trusts the given layout instead of filesystem types, so the
 * backends can be tested against a fake tree of plain files. A hierarchy that is a plain
 * directory is accepted, and control files in it are created when first written. */
int cgroup_host_open(const char *root, const char *parent, enum cgroup_layout layout,
		     struct cgroup_host **ret, struct sbx_error *reterr);

struct cgroup_host *cgroup_host_free(struct cgroup_host *h);
DEFINE_CLEANUP(struct cgroup_host *, cgroup_host_free)

enum cgroup_layout cgroup_host_layout(const struct cgroup_host *h);

/* Creates <parent>/<name> in every hierarchy the layout uses and applies the limits. A leftover
 * cgroup of the same name (from a crashed holder) is killed and removed first. */
int cgroup_create(struct cgroup_host *h, const char *name, const struct cgroup_limits *limits,
		  struct cgroup **ret, struct sbx_error *reterr);

/* cgroup_create() in two halves, so that a sandbox's clone need not wait for the whole cgroup:
 * begin checks the limits and makes only the directory clone3 places the child in (the cgroup2
 * one; none on pure v1), finish makes the rest and writes the limits. Finish must return before
 * the child is attached or runs anything but the runtime's own setup. */
int cgroup_create_begin(struct cgroup_host *h, const char *name, const struct cgroup_limits *limits,
			struct cgroup **ret, struct sbx_error *reterr);
int cgroup_create_finish(struct cgroup *cg, struct sbx_error *reterr);

/* Opens an existing <parent>/<name> in every hierarchy the layout uses: a cgroup made by an
 * earlier process (a daemon that restarted), which cgroup_destroy() then removes as its own.
 * -ENOENT when it is missing in any hierarchy. */
int cgroup_open(struct cgroup_host *h, const char *name, struct cgroup **ret,
		struct sbx_error *reterr);

/* Frees cg and closes its directories, leaving the cgroup as it is (its processes outlive us).
 * Accepts NULL; returns NULL. */
struct cgroup *cgroup_close(struct cgroup *cg);
DEFINE_CLEANUP(struct cgroup *, cgroup_close)

/* Names of the cgroups under the parent (from the first hierarchy the layout uses), as a
 * NULL-terminated malloc'd list; at most CGROUP_LIST_MAX. */
#define CGROUP_LIST_MAX 65536
int cgroup_list(struct cgroup_host *h, char ***ret_names);

/* Kills and removes a leftover cgroup <parent>/<name> in every hierarchy; 0 also when absent. */
int cgroup_remove_leftover(struct cgroup_host *h, const char *name);

/* Sets (raises from none) the limits of a cgroup made without them, e.g. one prepared ahead. */
int cgroup_set_limits(struct cgroup *cg, const struct cgroup_limits *limits,
		      struct sbx_error *reterr);

/* The cgroup2 directory fd usable with CLONE_INTO_CGROUP, or -EBADF when the layout has none. */
int cgroup_clone_fd(const struct cgroup *cg);

/* Moves pid into every hierarchy it is not already in (all v1 hierarchies; v2 unless the process
 * was cloned into it). */
int cgroup_attach(struct cgroup *cg, pid_t pid, bool cloned_into_v2, struct sbx_error *reterr);

/* Reads usage and kill counters; fields that a layout cannot report stay 0. */
int cgroup_read_stats(struct cgroup *cg, struct cgroup_stats *ret);

/* Number of processes in the cgroup now (>= 0) or -errno. */
int cgroup_count_procs(struct cgroup *cg);

/* Freezes (true) or thaws (false) every process in the cgroup. */
int cgroup_freeze(struct cgroup *cg, bool frozen);

/* SIGKILLs every process in the cgroup (cgroup.kill where a v2 tree exists, else freeze, kill
 * each listed pid, thaw, repeat until empty). */
int cgroup_kill(struct cgroup *cg);

/* Kills what is left, waits (bounded) for the cgroup to empty, removes every directory it created
 * and frees cg. Accepts NULL; returns NULL. */
struct cgroup *cgroup_destroy(struct cgroup *cg);
DEFINE_CLEANUP(struct cgroup *, cgroup_destroy)
