/* SPDX-License-Identifier: MIT */
/* cgroup v1 backend: limits and stats through the memory, pids, cpu and cpuacct hierarchies, and
 * kill/freeze through the v1 freezer. The hybrid layout is this backend plus the unified cgroup2
 * tree, whose core files (cgroup.kill, cgroup.freeze) come from cgroup-v2.c. */
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-internal.h"
#include "io-util.h"

struct v1_hier {
	enum cgroup_hier hier;
	const char *dirs[2]; /* tried in order: systemd's name, then the co-mounted one */
	const char *probe;   /* a file every non-root cgroup of this controller has */
	bool required;
};

static const struct v1_hier v1_hiers[] = {
	{CGROUP_HIER_MEMORY, {"memory", NULL}, "memory.limit_in_bytes", true},
	{CGROUP_HIER_PIDS, {"pids", NULL}, "pids.max", true},
	/* Without cpu.cfs_quota_us (no CONFIG_CFS_BANDWIDTH) there is no cpu limit at all. */
	{CGROUP_HIER_CPU, {"cpu", "cpu,cpuacct"}, "cpu.cfs_quota_us", true},
	/* Only for cpu usage; a host without it reports cpu_usec 0. */
	{CGROUP_HIER_CPUACCT, {"cpuacct", "cpu,cpuacct"}, "cpuacct.usage", false},
	/* Only for kill and freeze on a pure v1 host; the hybrid layout uses cgroup.freeze. */
	{CGROUP_HIER_FREEZER, {"freezer", NULL}, "freezer.state", false},
};

static int v1_open_one(struct cgroup_host *h, int root_fd, const struct v1_hier *v, bool strict,
		       int *ret_fd, struct sbx_error *reterr)
{
	size_t i;
	int r = -ENOENT;

	for (i = 0; i < ELEMENTSOF(v->dirs) && v->dirs[i]; i++) {
		r = cgroup_host_open_hier(h, root_fd, v->hier, v->dirs[i], strict, ret_fd, NULL);
		if (r != -ENOENT)
			break;
	}
	if (r >= 0 || !reterr)
		return r;
	/* Again, for the sentence: about the directory that is there but wrong, else about
	 * the usual name rather than the last alternative tried. */
	return cgroup_host_open_hier(h, root_fd, v->hier, v->dirs[r == -ENOENT ? 0 : i], strict,
				     ret_fd, reterr);
}

static bool same_dir(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int v1_host_open_common(struct cgroup_host *h, int root_fd, bool strict, bool with_freezer,
			       struct sbx_error *reterr)
{
	_cleanup_close_ int cpu_fd = -EBADF;
	int r = 0;

	for (size_t i = 0; i < ELEMENTSOF(v1_hiers); i++) {
		const struct v1_hier *v = &v1_hiers[i];
		_cleanup_close_ int fd = -EBADF;

		if (v->hier == CGROUP_HIER_FREEZER && !with_freezer)
			continue;
		r = v1_open_one(h, root_fd, v, strict, &fd, v->required ? reterr : NULL);
		if (r < 0) {
			if (v->required)
				return r;
			continue;
		}
		/* "cpu,cpuacct" co-mounted (cpu and cpuacct are symlinks to it on systemd hosts):
		 * one directory serves both. */
		if (v->hier == CGROUP_HIER_CPUACCT && h->parent_fd[CGROUP_HIER_CPU] >= 0 &&
		    same_dir(fd, cpu_fd)) {
			h->cpuacct_in_cpu = true;
			continue;
		}
		r = cgroup_host_make_parent(h, v->hier, fd, v->probe, v->required ? reterr : NULL);
		if (r < 0 && v->required)
			return r;
		if (v->hier == CGROUP_HIER_CPU)
			cpu_fd = TAKE_FD(fd);
	}
	if (h->parent_fd[CGROUP_HIER_CPUACCT] < 0 && !h->cpuacct_in_cpu)
		h->cpuacct_in_cpu =
			faccessat(h->parent_fd[CGROUP_HIER_CPU], "cpuacct.usage", F_OK, 0) == 0;
	return 0;
}

static int v1_host_open(struct cgroup_host *h, int root_fd, bool strict, struct sbx_error *reterr)
{
	return v1_host_open_common(h, root_fd, strict, true, reterr);
}

static int v1_hybrid_host_open(struct cgroup_host *h, int root_fd, bool strict,
			       struct sbx_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	int r;

	r = v1_host_open_common(h, root_fd, strict, false, reterr);
	if (r < 0)
		return r;
	r = cgroup_host_open_hier(h, root_fd, CGROUP_HIER_UNIFIED, "unified", strict, &fd, reterr);
	if (r < 0)
		return r;
	return cgroup_host_make_parent(h, CGROUP_HIER_UNIFIED, fd, NULL, reterr);
}

static int v1_set_limits(struct cgroup *cg, const struct cgroup_limits *l, struct sbx_error *reterr)
{
	int r;

	if (l->memory_max > 0) {
		r = cgroup_write_u64(cg, CGROUP_HIER_MEMORY, "memory.limit_in_bytes",
				     l->memory_max);
		if (r < 0)
			return sbx_fail(reterr, r,
					"set memory limit of %" PRIu64 " bytes on cgroup '%s'",
					l->memory_max, cg->name);
		/* memory+swap == memory: no swap at all. Written after the memory limit, which it
		 * may never be below. Without swap accounting (swapaccount=0) the file is missing;
		 * that is only acceptable when the host has no swap to escape to. */
		r = cgroup_write_u64(cg, CGROUP_HIER_MEMORY, "memory.memsw.limit_in_bytes",
				     l->memory_max);
		if (r < 0 && !(r == -ENOENT && !cg->host->host_swap))
			return sbx_fail(
				reterr, r,
				"turn swap off (memory.memsw.limit_in_bytes) on cgroup '%s'",
				cg->name);
	}
	r = cgroup_write(cg, CGROUP_HIER_MEMORY, "memory.swappiness", "0");
	if (r < 0)
		return sbx_fail(reterr, r, "set memory.swappiness 0 on cgroup '%s'", cg->name);

	if (l->pids_max > 0) {
		r = cgroup_write_u64(cg, CGROUP_HIER_PIDS, "pids.max", l->pids_max);
		if (r < 0)
			return sbx_fail(reterr, r, "set pids limit of %" PRIu64 " on cgroup '%s'",
					l->pids_max, cg->name);
	}

	if (l->cpu_millis > 0) {
		r = cgroup_write_u64(cg, CGROUP_HIER_CPU, "cpu.cfs_period_us",
				     CGROUP_CPU_PERIOD_USEC);
		if (r >= 0)
			r = cgroup_write_u64(cg, CGROUP_HIER_CPU, "cpu.cfs_quota_us",
					     l->cpu_millis * (CGROUP_CPU_PERIOD_USEC / 1000));
		if (r < 0)
			return sbx_fail(reterr, r,
					"set cpu limit of %" PRIu64 " millicpus on cgroup '%s'",
					l->cpu_millis, cg->name);
	}
	return 0;
}

/* Missing optional counters (older kernels) read as 0. */
static int zero_if_absent(int r, uint64_t *v)
{
	if (r == -ENOENT || r == -ENODATA || r == -EBADF) {
		*v = 0;
		return 0;
	}
	return r;
}

static int v1_read_stats(struct cgroup *cg, struct cgroup_stats *ret)
{
	enum cgroup_hier acct = cg->host->cpuacct_in_cpu ? CGROUP_HIER_CPU : CGROUP_HIER_CPUACCT;
	uint64_t ns = 0;
	int r;

	/* "oom_kill" exists since Linux 4.13. */
	r = cgroup_read_keyed(cg, CGROUP_HIER_MEMORY, "memory.oom_control", "oom_kill",
			      &ret->oom_kills);
	r = zero_if_absent(r, &ret->oom_kills);
	if (r < 0)
		return r;
	r = cgroup_read_u64(cg, CGROUP_HIER_MEMORY, "memory.max_usage_in_bytes", &ret->memory_peak);
	if (r < 0)
		return r;
	r = cgroup_read_u64(cg, CGROUP_HIER_MEMORY, "memory.usage_in_bytes", &ret->memory_current);
	r = zero_if_absent(r, &ret->memory_current);
	if (r < 0)
		return r;
	r = cgroup_read_u64(cg, CGROUP_HIER_PIDS, "pids.current", &ret->pids_current);
	r = zero_if_absent(r, &ret->pids_current);
	if (r < 0)
		return r;
	r = cgroup_read_keyed(cg, CGROUP_HIER_PIDS, "pids.events", "max", &ret->pids_max_hits);
	r = zero_if_absent(r, &ret->pids_max_hits);
	if (r < 0)
		return r;
	r = cgroup_read_u64(cg, acct, "cpuacct.usage", &ns);
	r = zero_if_absent(r, &ns);
	if (r < 0)
		return r;
	ret->cpu_usec = ns / 1000;
	return 0;
}

static int v1_freezer_state(struct cgroup *cg, const char *want)
{
	char buf[32];
	ssize_t n;

	n = read_file_at(cg->fd[CGROUP_HIER_FREEZER], "freezer.state", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return strcmp(buf, want) == 0;
}

static int v1_freeze(struct cgroup *cg, bool frozen, bool wait)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	uint64_t deadline, delay = 0;
	int r;

	if (cg->fd[CGROUP_HIER_FREEZER] < 0)
		return -EOPNOTSUPP;
	r = cgroup_write(cg, CGROUP_HIER_FREEZER, "freezer.state", want);
	if (r < 0 || !wait)
		return r;
	/* The state reads FREEZING until every task stopped. */
	deadline = cgroup_now_usec() + CGROUP_FREEZE_TIMEOUT_USEC;
	for (;;) {
		r = v1_freezer_state(cg, want);
		if (r != 0)
			return r < 0 ? r : 0;
		if (cgroup_now_usec() >= deadline)
			return -ETIMEDOUT;
		cgroup_backoff(&delay);
	}
}

static int v1_kill(struct cgroup *cg)
{
	return cgroup_kill_loop(cg, cg->fd[CGROUP_HIER_FREEZER] >= 0 ? v1_freeze : NULL);
}

const struct cgroup_ops cgroup_v1_ops = {
	.host_open = v1_host_open,
	.set_limits = v1_set_limits,
	.read_stats = v1_read_stats,
	.freeze = v1_freeze,
	.kill = v1_kill,
};

const struct cgroup_ops cgroup_v1_hybrid_ops = {
	.host_open = v1_hybrid_host_open,
	.set_limits = v1_set_limits,
	.read_stats = v1_read_stats,
	.freeze = cgroup_v2_freeze,
	.kill = cgroup_v2_kill,
};
