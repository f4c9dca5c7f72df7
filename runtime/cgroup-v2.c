/* SPDX-License-Identifier: MIT */
/* cgroup v2 backend: controller delegation (subtree_control), limits (memory.max, swap off,
 * pids.max, cpu.max) and stats from the unified tree; and the core cgroup2 files (cgroup.kill,
 * cgroup.freeze, cgroup.events) that the hybrid layout in cgroup-v1.c borrows. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "io-util.h"

static const char *const v2_controllers[] = {"memory", "pids", "cpu"};
#define V2_SUBTREE_CONTROL "+memory +pids +cpu"

static bool word_in(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; *p;) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
	}
	return false;
}

static void chomp(char *s, ssize_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = '\0';
}

/* Children of dirfd get the controllers only once dirfd's cgroup.subtree_control lists them. */
static int v2_enable_controllers(struct cgroup_host *h, int dirfd, const char *where,
				 struct sbx_error *reterr)
{
	char buf[CGROUP_FILE_MAX];
	bool all = true;
	ssize_t n;
	int r;

	n = read_file_at(dirfd, "cgroup.subtree_control", buf, sizeof(buf));
	if (n == -ENOENT && h->plain[CGROUP_HIER_UNIFIED]) {
		/* A test tree's new parent has no control files yet. */
		n = 0;
		buf[0] = '\0';
	}
	if (n < 0)
		return sbx_fail(reterr, (int)n, "read '%s/cgroup.subtree_control'", where);
	for (size_t i = 0; i < ELEMENTSOF(v2_controllers); i++)
		all = all && word_in(buf, v2_controllers[i]);
	if (all)
		return 0;
	/* Fails with EBUSY when this cgroup holds processes and is not the root ("no internal
	 * processes"): the host must delegate a cgroup whose processes live in a leaf. */
	r = write_file_at(dirfd, "cgroup.subtree_control", V2_SUBTREE_CONTROL,
			  cgroup_host_file_mode(h, CGROUP_HIER_UNIFIED));
	if (r < 0)
		return sbx_fail(
			reterr, r,
			"enable controllers memory, pids, cpu in '%s/cgroup.subtree_control'",
			where);
	return 0;
}

static int v2_host_open(struct cgroup_host *h, int root_fd, bool strict, struct sbx_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	char buf[CGROUP_FILE_MAX], where[512];
	ssize_t n;
	int r;

	r = cgroup_host_open_hier(h, root_fd, CGROUP_HIER_UNIFIED, ".", strict, &fd, reterr);
	if (r < 0)
		return r;

	/* Checked before anything is created, so a host without them is left untouched. */
	n = read_file_at(fd, "cgroup.controllers", buf, sizeof(buf));
	if (n < 0)
		return sbx_fail(reterr, (int)n, "read '%s/cgroup.controllers'", h->root);
	chomp(buf, n);
	for (size_t i = 0; i < ELEMENTSOF(v2_controllers); i++)
		if (!word_in(buf, v2_controllers[i]))
			return sbx_fail(reterr, -EOPNOTSUPP,
					"cgroup controller '%s' is not available in '%s' "
					"(cgroup.controllers: '%s')",
					v2_controllers[i], h->root, buf);

	r = v2_enable_controllers(h, fd, h->root, reterr);
	if (r < 0)
		return r;
	r = cgroup_host_make_parent(h, CGROUP_HIER_UNIFIED, fd, NULL, reterr);
	if (r < 0)
		return r;
	snprintf(where, sizeof(where), "%s/%s", h->root, h->parent);
	return v2_enable_controllers(h, h->parent_fd[CGROUP_HIER_UNIFIED], where, reterr);
}

static int v2_set_limits(struct cgroup *cg, const struct cgroup_limits *l, struct sbx_error *reterr)
{
	const enum cgroup_hier u = CGROUP_HIER_UNIFIED;
	char buf[64];
	int r;

	if (l->memory_max > 0) {
		r = cgroup_write_u64(cg, u, "memory.max", l->memory_max);
		if (r < 0)
			return sbx_fail(reterr, r,
					"set memory limit of %" PRIu64 " bytes on cgroup '%s'",
					l->memory_max, cg->name);
	}
	/* Swap off always. Without swap accounting (no CONFIG_SWAP, swapaccount=0) the file is
	 * missing; that is only acceptable when the host has no swap to escape to. */
	r = cgroup_write(cg, u, "memory.swap.max", "0");
	if (r < 0 && !(r == -ENOENT && !cg->host->host_swap))
		return sbx_fail(reterr, r, "turn swap off (memory.swap.max) on cgroup '%s'",
				cg->name);

	if (l->pids_max > 0) {
		r = cgroup_write_u64(cg, u, "pids.max", l->pids_max);
		if (r < 0)
			return sbx_fail(reterr, r, "set pids limit of %" PRIu64 " on cgroup '%s'",
					l->pids_max, cg->name);
	}

	if (l->cpu_millis > 0) {
		uint64_t quota = l->cpu_millis * (CGROUP_CPU_PERIOD_USEC / 1000);

		snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64, quota,
			 (uint64_t)CGROUP_CPU_PERIOD_USEC);
		r = cgroup_write(cg, u, "cpu.max", buf);
		if (r < 0)
			return sbx_fail(reterr, r,
					"set cpu limit of %" PRIu64 " millicpus on cgroup '%s'",
					l->cpu_millis, cg->name);
	}
	return 0;
}

static int v2_read_stats(struct cgroup *cg, struct cgroup_stats *ret)
{
	const enum cgroup_hier u = CGROUP_HIER_UNIFIED;
	int r;

	r = cgroup_read_keyed(cg, u, "memory.events", "oom_kill", &ret->oom_kills);
	if (r < 0 && r != -ENODATA)
		return r;
	/* memory.peak is Linux 5.19+. */
	r = cgroup_read_u64(cg, u, "memory.peak", &ret->memory_peak);
	if (r < 0 && r != -ENOENT)
		return r;
	r = cgroup_read_keyed(cg, u, "pids.events", "max", &ret->pids_max_hits);
	if (r < 0 && r != -ENODATA)
		return r;
	r = cgroup_read_keyed(cg, u, "cpu.stat", "usage_usec", &ret->cpu_usec);
	if (r < 0 && r != -ENODATA)
		return r;
	r = cgroup_read_u64(cg, u, "memory.current", &ret->memory_current);
	if (r < 0 && r != -ENOENT)
		return r;
	r = cgroup_read_u64(cg, u, "pids.current", &ret->pids_current);
	if (r < 0 && r != -ENOENT)
		return r;
	return 0;
}

int cgroup_v2_freeze(struct cgroup *cg, bool frozen, bool wait)
{
	uint64_t deadline, delay = 0, state;
	int r;

	r = cgroup_write(cg, CGROUP_HIER_UNIFIED, "cgroup.freeze", frozen ? "1" : "0");
	if (r < 0 || !wait)
		return r;
	/* The write only requests it; cgroup.events says when every task got there. */
	deadline = cgroup_now_usec() + CGROUP_FREEZE_TIMEOUT_USEC;
	for (;;) {
		r = cgroup_read_keyed(cg, CGROUP_HIER_UNIFIED, "cgroup.events", "frozen", &state);
		if (r < 0)
			return r;
		if (state == (frozen ? 1 : 0))
			return 0;
		if (cgroup_now_usec() >= deadline)
			return -ETIMEDOUT;
		cgroup_backoff(&delay);
	}
}

int cgroup_v2_kill(struct cgroup *cg)
{
	int r;

	/* One write kills every process, including ones forking at that moment. */
	r = cgroup_write(cg, CGROUP_HIER_UNIFIED, "cgroup.kill", "1");
	if (r >= 0)
		return 0;
	/* cgroup.kill is Linux 5.14+. On the hybrid layout the unified directory may also be
	 * gone already while a process attached only to v1 hierarchies remains. */
	return cgroup_kill_loop(cg, cg->fd[CGROUP_HIER_UNIFIED] >= 0 ? cgroup_v2_freeze : NULL);
}

const struct cgroup_ops cgroup_v2_ops = {
	.host_open = v2_host_open,
	.set_limits = v2_set_limits,
	.read_stats = v2_read_stats,
	.freeze = cgroup_v2_freeze,
	.kill = cgroup_v2_kill,
};
