/* SPDX-License-Identifier: MIT */
/* Private to cgroup*.c: the host and cgroup objects, the per-layout operations table (as crun's
 * cgroup-internal.h) and the control-file helpers the backends share. cgroup.c owns the objects
 * and the layout-neutral steps (mkdir, attach, rmdir); cgroup-v1.c and cgroup-v2.c own which
 * control files a layout uses and what they mean. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

#define CGROUP_REMOVE_TIMEOUT_USEC (1000 * 1000ULL) /* destroy: kill, then wait this long */
#define CGROUP_FREEZE_TIMEOUT_USEC (1000 * 1000ULL) /* cgroup_freeze() waits this long */
#define CGROUP_BACKOFF_MIN_USEC	   100ULL
#define CGROUP_BACKOFF_MAX_USEC	   (20 * 1000ULL)
#define CGROUP_KILL_ROUNDS	   64	/* kill-each-pid rounds: about 1 s */
#define CGROUP_FILE_MAX		   4096 /* keyed stat files are far smaller */
#define CGROUP_CPU_PERIOD_USEC	   100000ULL
#define CGROUP_CPU_MILLIS_MIN	   10ULL /* the kernel refuses quotas below 1 ms per period */
#define CGROUP_CPU_MILLIS_MAX	   (1000ULL * 1000 * 1000)
#define CGROUP_CONTROL_FILE_MODE   0644 /* plain-directory test trees only */

/* Where a cgroup lives, one directory per hierarchy. */
enum cgroup_hier {
	CGROUP_HIER_UNIFIED, /* v2: <root> itself; hybrid: <root>/unified (core files only) */
	CGROUP_HIER_MEMORY,  /* v1 hierarchies from here on */
	CGROUP_HIER_PIDS,
	CGROUP_HIER_CPU,
	CGROUP_HIER_CPUACCT, /* unused when co-mounted with cpu ("cpu,cpuacct") */
	CGROUP_HIER_FREEZER, /* v1 layout only, optional: kill and freeze without a v2 tree */
	_CGROUP_HIER_MAX,
	_CGROUP_HIER_INVALID = -EINVAL,
};

struct cgroup_ops;

struct cgroup_host {
	enum cgroup_layout layout;
	const struct cgroup_ops *ops;
	char *root;   /* for messages */
	char *parent; /* one path component */
	/* <hierarchy>/<parent>; -EBADF where the layout has none */
	int parent_fd[_CGROUP_HIER_MAX];
	/* A hierarchy that is a plain directory (a test tree from cgroup_host_open()): control
	 * files there are created on write, since mkdir makes none. Never set after detection. */
	bool plain[_CGROUP_HIER_MAX];
	bool cpuacct_in_cpu; /* v1 cpuacct.usage lives in the cpu directory (co-mounted) */
	bool host_swap;	     /* swap on at open: a missing swap limit is fatal */
};

struct cgroup {
	struct cgroup_host *host;	/* borrowed: the host outlives its cgroups */
	int fd[_CGROUP_HIER_MAX];	/* <parent>/<name> in each hierarchy, -EBADF if unused */
	bool created[_CGROUP_HIER_MAX]; /* directories that still have to be removed */
	struct cgroup_limits limits;	/* written by cgroup_create_finish() */
	char name[CGROUP_NAME_MAX];
};

/* One table per layout; cgroup.c calls only through it for what differs between layouts. */
struct cgroup_ops {
	/* Opens the hierarchies under root_fd into h->parent_fd, creating the parent, and checks
	 * that the memory, pids and cpu controllers are usable. strict: every hierarchy must be a
	 * real cgroup filesystem (detection); otherwise plain directories are accepted (tests). */
	int (*host_open)(struct cgroup_host *h, int root_fd, bool strict, struct sbx_error *reterr);
	/* Writes the limits into a freshly created cgroup. */
	int (*set_limits)(struct cgroup *cg, const struct cgroup_limits *l,
			  struct sbx_error *reterr);
	/* Fills every field the layout can report; *ret is zeroed by the caller. */
	int (*read_stats)(struct cgroup *cg, struct cgroup_stats *ret);
	/* Requests frozen or thawed; with wait, returns once the kernel reports that state. */
	int (*freeze)(struct cgroup *cg, bool frozen, bool wait);
	/* SIGKILLs every process; see cgroup_kill(). */
	int (*kill)(struct cgroup *cg);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v1_hybrid_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* cgroup-v2.c: core cgroup2 files, also used on the hybrid layout's unified tree. */
int cgroup_v2_freeze(struct cgroup *cg, bool frozen, bool wait);
int cgroup_v2_kill(struct cgroup *cg);

/* cgroup.c: shared by the backends. */

/* The hierarchy's name as used in messages and as its directory under a v1 root. */
const char *cgroup_hier_to_string(enum cgroup_hier hier);

/* Opens <root_fd>/<dir> as hierarchy hier into *ret_fd; checks its filesystem type when strict,
 * else marks a plain directory in h->plain. Fills reterr naming the controller. */
int cgroup_host_open_hier(struct cgroup_host *h, int root_fd, enum cgroup_hier hier,
			  const char *dir, bool strict, int *ret_fd, struct sbx_error *reterr);

/* Creates <hier_fd>/<parent> (an existing one is fine), opens it into h->parent_fd[hier] and,
 * if probe is set, checks the controller's file probe exists there. */
int cgroup_host_make_parent(struct cgroup_host *h, enum cgroup_hier hier, int hier_fd,
			    const char *probe, struct sbx_error *reterr);

/* Mode to pass to write_file_at() for a control file of hierarchy hier (0 = never create). */
int cgroup_host_file_mode(const struct cgroup_host *h, enum cgroup_hier hier);

/* Writes value to a control file of the cgroup in hierarchy hier; -EBADF if it has none. */
int cgroup_write(struct cgroup *cg, enum cgroup_hier hier, const char *file, const char *value);
int cgroup_write_u64(struct cgroup *cg, enum cgroup_hier hier, const char *file, uint64_t v);

/* Reads a single-number control file ("123\n"). */
int cgroup_read_u64(struct cgroup *cg, enum cgroup_hier hier, const char *file, uint64_t *ret);

/* Reads the value of key from a "key value" per line control file; -ENODATA if key is absent. */
int cgroup_read_keyed(struct cgroup *cg, enum cgroup_hier hier, const char *file, const char *key,
		      uint64_t *ret);

/* Finds "key value" in text (lines "key value\n"); -ENODATA if absent, -EINVAL if malformed. */
int cgroup_parse_keyed(const char *text, const char *key, uint64_t *ret);

/* Counts the pids listed in <dirfd>/cgroup.procs, SIGKILLing each when kill_each; a removed
 * cgroup counts as empty. Returns the count or -errno. */
int cgroup_procs_scan(int dirfd, bool kill_each);

/* Freezes (when freeze is set and works), SIGKILLs every pid listed in any hierarchy, thaws,
 * and repeats until nothing is listed; -EBUSY after CGROUP_KILL_ROUNDS rounds. */
int cgroup_kill_loop(struct cgroup *cg, int (*freeze)(struct cgroup *cg, bool frozen, bool wait));

/* Monotonic clock in microseconds. */
uint64_t cgroup_now_usec(void);

/* Sleeps *delay_usec (starting at CGROUP_BACKOFF_MIN_USEC) and doubles it up to the maximum. */
void cgroup_backoff(uint64_t *delay_usec);
