/* SPDX-License-Identifier: MIT */
/* runtime/cgroup*.c against this machine's kernel, as root: layout detection, create with limits,
 * attach (and CLONE_INTO_CGROUP), freeze, kill, stats after a real OOM kill and a real pids.max
 * refusal, leftover replacement, and destroy leaving nothing behind. v2 limits where the v2 tree
 * has the controllers are test-cgroup-v2-limits.c; the fake-tree unit tests are test-cgroup.c. */
#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup-helpers.h"
#include "cgroup.h"
#include "test-util.h"

#define TIMEOUT 30

static char parent[64];
static enum cgroup_layout expected;

static bool fs_is(const char *path, long magic)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

/* Worked out here independently of cgroup.c, from the same definition. */
static enum cgroup_layout expected_layout(void)
{
	if (fs_is(HELPER_CGROUP_FS, CGROUP2_SUPER_MAGIC))
		return CGROUP_LAYOUT_V2;
	if (fs_is(HELPER_CGROUP_FS "/unified", CGROUP2_SUPER_MAGIC))
		return CGROUP_LAYOUT_HYBRID;
	return CGROUP_LAYOUT_V1;
}

/* The hierarchies a cgroup of the expected layout lives in ("" = the v2 root itself). */
static const char *const *hiers(size_t *n)
{
	static const char *const v1[] = {"memory", "pids", "cpu", "cpuacct"};
	static const char *const hybrid[] = {"memory", "pids", "cpu", "cpuacct", "unified"};
	static const char *const v2[] = {""};

	switch (expected) {
	case CGROUP_LAYOUT_V1:
		*n = ELEMENTSOF(v1);
		return v1;
	case CGROUP_LAYOUT_HYBRID:
		*n = ELEMENTSOF(hybrid);
		return hybrid;
	default:
		*n = ELEMENTSOF(v2);
		return v2;
	}
}

/* Path of a file of cgroup name in hierarchy hier; file may be "". */
static const char *cg_path(const char *hier, const char *name, const char *file)
{
	static char bufs[4][512];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s%s%s/%s/%s%s%s", HELPER_CGROUP_FS, hier[0] ? "/" : "", hier,
		 parent, name, file[0] ? "/" : "", file);
	return b;
}

/* Where the v2 core files of a cgroup are, NULL on a pure v1 host. */
static const char *v2_hier(void)
{
	switch (expected) {
	case CGROUP_LAYOUT_HYBRID:
		return "unified";
	case CGROUP_LAYOUT_V2:
		return "";
	default:
		return NULL;
	}
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void expect_file(const char *path, const char *want)
{
	char buf[256];

	helper_read(path, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, want) == 0, "%s: '%s', expected '%s'", path, buf, want);
}

static void expect_dirs(const char *name, bool present)
{
	size_t n;
	const char *const *h = hiers(&n);

	for (size_t i = 0; i < n; i++) {
		const char *p = cg_path(h[i], name, "");

		ck_assert_msg((access(p, F_OK) == 0) == present, "%s %s", p,
			      present ? "missing" : "left behind");
	}
}

/* Fails unless pid is in cgroup name in every hierarchy of the layout. */
static void expect_member(pid_t pid, const char *name)
{
	char want[256];

	snprintf(want, sizeof(want), "/%s/%s", parent, name);
	if (expected != CGROUP_LAYOUT_V2) {
		ck_assert_msg(helper_in_cgroup(pid, "memory", want), "not in memory:%s", want);
		ck_assert_msg(helper_in_cgroup(pid, "pids", want), "not in pids:%s", want);
		ck_assert_msg(helper_in_cgroup(pid, "cpu", want), "not in cpu:%s", want);
		ck_assert_msg(helper_in_cgroup(pid, "cpuacct", want), "not in cpuacct:%s", want);
	}
	if (expected != CGROUP_LAYOUT_V1)
		ck_assert_msg(helper_in_cgroup(pid, "", want), "not in 0::%s", want);
}

static struct cgroup_host *host_new(void)
{
	struct cgroup_host *h = NULL;
	struct sbx_error e = {};

	ck_assert_msg(cgroup_host_detect(NULL, parent, &h, &e) >= 0, "%s", e.msg);
	return h;
}

static struct cgroup *cg_new(struct cgroup_host *h, const char *name, const struct cgroup_limits *l)
{
	struct cgroup *cg = NULL;
	struct sbx_error e = {};

	ck_assert_msg(cgroup_create(h, name, l, &cg, &e) >= 0, "%s", e.msg);
	return cg;
}

static void attach(struct cgroup *cg, pid_t pid, bool cloned)
{
	struct sbx_error e = {};

	ck_assert_msg(cgroup_attach(cg, pid, cloned, &e) >= 0, "%s", e.msg);
}

static int wait_status(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_killed(pid_t pid)
{
	int status = wait_status(pid);

	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status 0x%x", status);
}

static void setup(void)
{
	/* Grandchildren of the tests are reparented here and reaped. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

static const struct cgroup_limits limits = {
	.memory_max = 64ULL << 20,
	.pids_max = 64,
	.cpu_millis = 500,
};

START_TEST(test_detect)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();

	fprintf(stderr, "cgroup layout here: %s\n", cgroup_layout_to_string(cgroup_host_layout(h)));
	ck_assert_int_eq(cgroup_host_layout(h), expected);
}
END_TEST

START_TEST(test_lifecycle)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	struct cgroup *cg = cg_new(h, "box", &limits);
	const char *v2 = v2_hier();
	struct cgroup_stats s;
	int gate;
	pid_t pid;

	expect_dirs("box", true);
	if (expected == CGROUP_LAYOUT_V2) {
		expect_file(cg_path("", "box", "memory.max"), "67108864");
		expect_file(cg_path("", "box", "memory.swap.max"), "0");
		expect_file(cg_path("", "box", "pids.max"), "64");
		expect_file(cg_path("", "box", "cpu.max"), "50000 100000");
	} else {
		expect_file(cg_path("memory", "box", "memory.limit_in_bytes"), "67108864");
		expect_file(cg_path("memory", "box", "memory.memsw.limit_in_bytes"), "67108864");
		expect_file(cg_path("memory", "box", "memory.swappiness"), "0");
		expect_file(cg_path("pids", "box", "pids.max"), "64");
		expect_file(cg_path("cpu", "box", "cpu.cfs_period_us"), "100000");
		expect_file(cg_path("cpu", "box", "cpu.cfs_quota_us"), "50000");
	}
	ck_assert_int_eq(cgroup_count_procs(cg), 0);

	pid = helper_fork_gated(HELPER_CHILD_SLEEP, &gate);
	attach(cg, pid, false);
	helper_open_gate(gate);
	expect_member(pid, "box");
	ck_assert_int_eq(cgroup_count_procs(cg), 1);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.oom_kills, 0);
	ck_assert_uint_eq(s.pids_max_hits, 0);

	if (v2) {
		char ev[256];

		ck_assert_ok(cgroup_freeze(cg, true));
		helper_read(cg_path(v2, "box", "cgroup.events"), ev, sizeof(ev));
		ck_assert_msg(strstr(ev, "populated 1") && strstr(ev, "frozen 1"),
			      "cgroup.events: %s", ev);
		ck_assert_ok(cgroup_freeze(cg, false));
		helper_read(cg_path(v2, "box", "cgroup.events"), ev, sizeof(ev));
		ck_assert_msg(strstr(ev, "frozen 0"), "cgroup.events: %s", ev);
	} else if (access(HELPER_CGROUP_FS "/freezer", F_OK) == 0) {
		ck_assert_ok(cgroup_freeze(cg, true));
		expect_file(cg_path("freezer", "box", "freezer.state"), "FROZEN");
		ck_assert_ok(cgroup_freeze(cg, false));
	}

	ck_assert_ok(cgroup_kill(cg));
	expect_killed(pid);
	ck_assert_ptr_null(cgroup_destroy(cg));
	expect_dirs("box", false);
}
END_TEST

START_TEST(test_clone_into)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	struct cgroup *cg = cg_new(h, "cloned", &limits);
	int gate;
	pid_t pid;

	if (expected == CGROUP_LAYOUT_V1) {
		ck_assert_int_eq(cgroup_clone_fd(cg), -EBADF);
		cgroup_destroy(cg);
		return;
	}
	/* Born in the v2 cgroup: never for an instant outside it (what spawn.c relies on). */
	pid = helper_clone_into_gated(cgroup_clone_fd(cg), HELPER_CHILD_SLEEP, &gate);
	attach(cg, pid, true);
	helper_open_gate(gate);
	expect_member(pid, "cloned");
	ck_assert_ok(cgroup_kill(cg));
	expect_killed(pid);
	cgroup_destroy(cg);
	expect_dirs("cloned", false);
}
END_TEST

START_TEST(test_destroy_populated)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	struct cgroup *cg = cg_new(h, "busy", &limits);
	pid_t pids[3];
	uint64_t t0, ms;

	for (size_t i = 0; i < ELEMENTSOF(pids); i++) {
		int gate;

		pids[i] = helper_fork_gated(HELPER_CHILD_SLEEP, &gate);
		attach(cg, pids[i], false);
		helper_open_gate(gate);
	}
	ck_assert_int_eq(cgroup_count_procs(cg), 3);

	t0 = now_usec();
	ck_assert_ptr_null(cgroup_destroy(cg));
	ms = (now_usec() - t0) / 1000;
	fprintf(stderr, "destroy with 3 live processes: %" PRIu64 " ms\n", ms);
	ck_assert_uint_lt(ms, 1000);
	expect_dirs("busy", false);
	/* Our own children stay zombies until reaped: they must not have pinned the cgroup. */
	for (size_t i = 0; i < ELEMENTSOF(pids); i++)
		expect_killed(pids[i]);
}
END_TEST

START_TEST(test_destroy_empty_is_fast)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	uint64_t t0, us;

	t0 = now_usec();
	for (int i = 0; i < 20; i++) {
		struct cgroup *cg = cg_new(h, "fast", &limits);

		cgroup_destroy(cg);
	}
	us = now_usec() - t0;
	fprintf(stderr, "create+destroy (empty): %" PRIu64 " us each\n", us / 20);
	/* No sleeping on the common path: far below the first backoff step times 20. */
	ck_assert_uint_lt(us / 20, 50000);
	expect_dirs("fast", false);
}
END_TEST

START_TEST(test_oom)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	const struct cgroup_limits l = {.memory_max = 32ULL << 20};
	struct cgroup *cg = cg_new(h, "oom", &l);
	struct cgroup_stats s;
	int gate;
	pid_t pid;

	pid = helper_fork_gated(HELPER_CHILD_BALLOON, &gate);
	attach(cg, pid, false);
	helper_open_gate(gate);
	expect_killed(pid);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	fprintf(stderr, "oom: oom_kills %" PRIu64 ", peak %" PRIu64 "\n", s.oom_kills,
		s.memory_peak);
	ck_assert_uint_ge(s.oom_kills, 1);
	ck_assert_uint_gt(s.memory_peak, 0);
	ck_assert_uint_le(s.memory_peak, 32ULL << 20);
	cgroup_destroy(cg);
	expect_dirs("oom", false);
}
END_TEST

START_TEST(test_pids)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	const struct cgroup_limits l = {.pids_max = 8};
	struct cgroup *cg = cg_new(h, "pids", &l);
	struct cgroup_stats s;
	int gate, status;
	pid_t pid;

	pid = helper_fork_gated(HELPER_CHILD_FORKS, &gate);
	attach(cg, pid, false);
	helper_open_gate(gate);
	status = wait_status(pid);
	/* 0: fork failed with EAGAIN at the limit (1: other errno, 2: never failed). */
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_ge(s.pids_max_hits, 1);
	/* The forking child is gone; its 7 children (8 with it) are still there. */
	ck_assert_int_eq(cgroup_count_procs(cg), 7);
	cgroup_destroy(cg);
	expect_dirs("pids", false);
	helper_reap_all();
}
END_TEST

START_TEST(test_leftover)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	const struct cgroup_limits l = {.pids_max = 5};
	struct cgroup *old = cg_new(h, "left", &limits), *cg;
	struct cgroup_stats s;
	int gate;
	pid_t pid;

	/* A holder "crashed" with a process in its cgroup. */
	pid = helper_fork_gated(HELPER_CHILD_SLEEP, &gate);
	attach(old, pid, false);
	helper_open_gate(gate);

	cg = cg_new(h, "left", &l);
	expect_killed(pid);
	ck_assert_int_eq(cgroup_count_procs(cg), 0);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	if (expected == CGROUP_LAYOUT_V2)
		expect_file(cg_path("", "left", "pids.max"), "5");
	else
		expect_file(cg_path("pids", "left", "pids.max"), "5");
	cgroup_destroy(cg);
	expect_dirs("left", false);
	/* The stale object finds its directories gone and only frees itself. */
	cgroup_destroy(old);
}
END_TEST

/* The pure v1 backend on this kernel's v1 hierarchies, ignoring any unified tree: kill by
 * freezer + kill-each-pid rounds, freeze through the v1 freezer. */
START_TEST(test_v1_backend)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	const struct cgroup_limits l = {.memory_max = 64ULL << 20, .pids_max = 32};
	bool freezer = access(HELPER_CGROUP_FS "/freezer", F_OK) == 0;
	struct sbx_error e = {};
	struct cgroup *cg;
	int gate, status;
	pid_t sleeper, forker;

	if (expected == CGROUP_LAYOUT_V2)
		return;
	ck_assert_msg(cgroup_host_open(NULL, parent, CGROUP_LAYOUT_V1, &h, &e) >= 0, "%s", e.msg);
	cg = cg_new(h, "v1", &l);
	ck_assert_int_eq(cgroup_clone_fd(cg), -EBADF);

	sleeper = helper_fork_gated(HELPER_CHILD_SLEEP, &gate);
	attach(cg, sleeper, false);
	helper_open_gate(gate);
	forker = helper_fork_gated(HELPER_CHILD_FORKS, &gate);
	attach(cg, forker, false);
	helper_open_gate(gate);
	status = wait_status(forker);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	/* 32 = the sleeper, the forker and 30 children; the forker has exited. */
	ck_assert_int_eq(cgroup_count_procs(cg), 31);

	if (freezer) {
		ck_assert_ok(cgroup_freeze(cg, true));
		expect_file(cg_path("freezer", "v1", "freezer.state"), "FROZEN");
		ck_assert_ok(cgroup_freeze(cg, false));
		expect_file(cg_path("freezer", "v1", "freezer.state"), "THAWED");
	} else {
		ck_assert_errno(cgroup_freeze(cg, true), EOPNOTSUPP);
	}
	/* On v1 the kill returns once nothing is listed any more. */
	ck_assert_ok(cgroup_kill(cg));
	ck_assert_int_eq(cgroup_count_procs(cg), 0);
	expect_killed(sleeper);
	cgroup_destroy(cg);
	expect_dirs("v1", false);
	if (freezer)
		ck_assert_int_ne(access(cg_path("freezer", "v1", ""), F_OK), 0);
	helper_reap_all();
}
END_TEST

/* Runs last: every test removed its cgroups; the per-run parent goes now, and nothing named
 * after it may remain in any hierarchy. */
START_TEST(test_no_leak)
{
	size_t n;
	const char *const *h = hiers(&n);

	/* The freezer has the parent only if test_v1_backend ran with one. */
	for (size_t i = 0; i <= n; i++) {
		const char *hier = i < n ? h[i] : "freezer";
		char p[512];
		DIR *d;
		struct dirent *de;

		snprintf(p, sizeof(p), "%s%s%s/%s", HELPER_CGROUP_FS, hier[0] ? "/" : "", hier,
			 parent);
		d = opendir(p);
		if (!d && i == n)
			break;
		ck_assert_msg(d, "%s: %s", p, strerror(errno));
		while ((de = readdir(d)))
			ck_assert_msg(de->d_type != DT_DIR || de->d_name[0] == '.',
				      "leaked cgroup %s/%s", p, de->d_name);
		closedir(d);
		ck_assert_msg(rmdir(p) == 0, "rmdir %s: %s", p, strerror(errno));
	}
	helper_remove_parent(parent);
	ck_assert_int_eq(helper_count_leaks(parent), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cgroup-real");
	TCase *tc;
	int r;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: cgroup tests need root\n");
		return 77;
	}
	if (access(HELPER_CGROUP_FS, F_OK) < 0) {
		fprintf(stderr, "SKIP: no %s\n", HELPER_CGROUP_FS);
		return 77;
	}
	snprintf(parent, sizeof(parent), "sandboxd-test-%d", (int)getpid());
	expected = expected_layout();

	tc = tcase_create("real");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_clone_into);
	tcase_add_test(tc, test_destroy_populated);
	tcase_add_test(tc, test_destroy_empty_is_fast);
	tcase_add_test(tc, test_oom);
	tcase_add_test(tc, test_pids);
	tcase_add_test(tc, test_leftover);
	tcase_add_test(tc, test_v1_backend);
	suite_add_tcase(s, tc);

	tc = tcase_create("leaks");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_test(tc, test_no_leak);
	suite_add_tcase(s, tc);

	r = test_run_suite(s);
	/* A test that failed midway may have left its cgroups: clean up, and fail the run. */
	helper_remove_parent(parent);
	if (helper_count_leaks(parent) > 0) {
		fprintf(stderr, "leaked cgroups named %s\n", parent);
		r = EXIT_FAILURE;
	}
	return r;
}
