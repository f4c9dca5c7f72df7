/* SPDX-License-Identifier: MIT */
/* runtime/cgroup*.c against fake cgroup trees of plain files in a temp dir (v1, v2, hybrid):
 * which values land in which control files, stats parsing, layout names, error sentences and
 * removal. The real kernel is tests/integration/test-cgroup-real.c. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "io-util.h"
#include "test-util.h"

#define TIMEOUT 10
#define PARENT	"sandboxd"

static char *root;

static void setup(void)
{
	root = test_mkdtemp();
}

static void teardown(void)
{
	test_rm_rf(root);
	free(root);
}

static const char *pathf(const char *fmt, ...) _printf_(1, 2);
static const char *pathf(const char *fmt, ...)
{
	static char bufs[4][4096];
	static unsigned next;
	char rel[2048];
	char *b = bufs[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(b, sizeof(bufs[0]), "%s/%s", root, rel);
	return b;
}

static void mkdir_p(const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		ck_assert(mkdir(p, 0755) == 0 || errno == EEXIST);
		*s = '/';
	}
	ck_assert(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void put(const char *rel, const char *content)
{
	ck_assert_ok(write_file_at(AT_FDCWD, pathf("%s", rel), content, 0644));
}

static void expect(const char *rel, const char *content)
{
	char buf[4096];
	ssize_t n;

	n = read_file_at(AT_FDCWD, pathf("%s", rel), buf, sizeof(buf));
	ck_assert_msg(n >= 0, "read %s: %s", rel, strerror((int)-n));
	ck_assert_str_eq(buf, content);
}

static bool exists(const char *rel)
{
	return access(pathf("%s", rel), F_OK) == 0;
}

/* A v1 hierarchy with its parent cgroup and the file the backend recognises it by. */
static void fake_v1_hier(const char *hier, const char *probe)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/" PARENT, hier);
	mkdir_p(rel);
	snprintf(rel, sizeof(rel), "%s/" PARENT "/%s", hier, probe);
	put(rel, "");
}

static void fake_v1(bool cpuacct_comounted)
{
	fake_v1_hier("memory", "memory.limit_in_bytes");
	fake_v1_hier("pids", "pids.max");
	fake_v1_hier("cpu", "cpu.cfs_quota_us");
	if (cpuacct_comounted) {
		put("cpu/" PARENT "/cpuacct.usage", "");
		ck_assert_int_eq(symlink("cpu", pathf("cpuacct")), 0);
	} else {
		fake_v1_hier("cpuacct", "cpuacct.usage");
	}
}

static void fake_v2(const char *controllers)
{
	put("cgroup.controllers", controllers);
	put("cgroup.subtree_control", "\n");
}

/* mkdir in a plain directory makes no control files; the backends created the ones they wrote.
 * Removes those so that rmdir, as on cgroupfs, can succeed. */
static void clear_dir(const char *rel)
{
	_cleanup_closedir_ DIR *d = opendir(pathf("%s", rel));
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (de->d_type == DT_REG)
			ck_assert_int_eq(unlinkat(dirfd(d), de->d_name, 0), 0);
}

static const struct cgroup_limits limits = {
	.memory_max = 64ULL << 20,
	.pids_max = 100,
	.cpu_millis = 1500,
};

START_TEST(test_layout_strings)
{
	ck_assert_str_eq(cgroup_layout_to_string(CGROUP_LAYOUT_V1), "v1");
	ck_assert_str_eq(cgroup_layout_to_string(CGROUP_LAYOUT_HYBRID), "hybrid");
	ck_assert_str_eq(cgroup_layout_to_string(CGROUP_LAYOUT_V2), "v2");
	ck_assert_ptr_null(cgroup_layout_to_string(_CGROUP_LAYOUT_MAX));
	ck_assert_ptr_null(cgroup_layout_to_string(_CGROUP_LAYOUT_INVALID));
}
END_TEST

START_TEST(test_v1_limits)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct sbx_error e = {};

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, &e));
	ck_assert_int_eq(cgroup_host_layout(h), CGROUP_LAYOUT_V1);
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, &e));

	expect("memory/" PARENT "/box/memory.limit_in_bytes", "67108864");
	/* memory+swap equal to memory: no swap at all */
	expect("memory/" PARENT "/box/memory.memsw.limit_in_bytes", "67108864");
	expect("memory/" PARENT "/box/memory.swappiness", "0");
	expect("pids/" PARENT "/box/pids.max", "100");
	expect("cpu/" PARENT "/box/cpu.cfs_period_us", "100000");
	expect("cpu/" PARENT "/box/cpu.cfs_quota_us", "150000");
	ck_assert(exists("cpuacct/" PARENT "/box"));
	ck_assert_int_eq(cgroup_clone_fd(cg), -EBADF);
}
END_TEST

START_TEST(test_v1_no_limits)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	const struct cgroup_limits none = {};

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, PARENT, CGROUP_LAYOUT_V1, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &none, &cg, NULL));
	ck_assert(!exists("memory/" PARENT "/box/memory.limit_in_bytes"));
	ck_assert(!exists("pids/" PARENT "/box/pids.max"));
	ck_assert(!exists("cpu/" PARENT "/box/cpu.cfs_quota_us"));
	expect("memory/" PARENT "/box/memory.swappiness", "0");
}
END_TEST

START_TEST(test_v1_stats)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct cgroup_stats s;

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	put("memory/" PARENT "/box/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	put("memory/" PARENT "/box/memory.max_usage_in_bytes", "1048576\n");
	put("pids/" PARENT "/box/pids.events", "max 7\n");
	put("cpuacct/" PARENT "/box/cpuacct.usage", "2500000\n");
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.oom_kills, 3);
	ck_assert_uint_eq(s.memory_peak, 1048576);
	ck_assert_uint_eq(s.pids_max_hits, 7);
	ck_assert_uint_eq(s.cpu_usec, 2500);

	/* Kernels before 4.13 have no oom_kill line: reported as 0, not an error. */
	put("memory/" PARENT "/box/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.oom_kills, 0);

	/* Whatever a cgroup file says is hostile: malformed numbers are errors, never garbage. */
	put("pids/" PARENT "/box/pids.events", "max 7x\n");
	ck_assert_errno(cgroup_read_stats(cg, &s), EINVAL);
	put("pids/" PARENT "/box/pids.events", "max 99999999999999999999999\n");
	ck_assert_int_lt(cgroup_read_stats(cg, &s), 0);
}
END_TEST

START_TEST(test_v1_cpuacct_comounted)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct cgroup_stats s;

	fake_v1(true);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	put("memory/" PARENT "/box/memory.max_usage_in_bytes", "1\n");
	put("cpu/" PARENT "/box/cpuacct.usage", "7000\n");
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.cpu_usec, 7);

	/* One hierarchy, one directory: nothing is created twice through the symlink. */
	clear_dir("memory/" PARENT "/box");
	clear_dir("pids/" PARENT "/box");
	clear_dir("cpu/" PARENT "/box");
	cg = cgroup_destroy(cg);
	ck_assert(!exists("cpu/" PARENT "/box"));
}
END_TEST

START_TEST(test_v1_freeze)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;

	fake_v1(false);
	fake_v1_hier("freezer", "freezer.state");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	ck_assert_ok(cgroup_freeze(cg, true));
	expect("freezer/" PARENT "/box/freezer.state", "FROZEN");
	ck_assert_ok(cgroup_freeze(cg, false));
	expect("freezer/" PARENT "/box/freezer.state", "THAWED");
	/* Nothing listed in cgroup.procs: killing is a no-op that succeeds. */
	ck_assert_ok(cgroup_kill(cg));
}
END_TEST

START_TEST(test_v1_no_freezer)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	ck_assert_errno(cgroup_freeze(cg, true), EOPNOTSUPP);
	ck_assert_ok(cgroup_kill(cg));
}
END_TEST

START_TEST(test_v1_missing_controller)
{
	static const char *const missing[] = {"memory", "pids", "cpu"};
	struct cgroup_host *h = NULL;
	struct sbx_error e = {};
	char want[128];

	fake_v1(false);
	for (size_t i = 0; i < ELEMENTSOF(missing); i++) {
		char moved[4096];

		snprintf(moved, sizeof(moved), "%s.away", pathf("%s", missing[i]));
		ck_assert_int_eq(rename(pathf("%s", missing[i]), moved), 0);
		ck_assert_errno(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, &e), ENOENT);
		ck_assert_ptr_null(h);
		snprintf(want, sizeof(want), "cgroup controller '%s' is not available", missing[i]);
		ck_assert_msg(strstr(e.msg, want), "got '%s'", e.msg);
		ck_assert_int_eq(rename(moved, pathf("%s", missing[i])), 0);
	}

	/* A directory that is there but is not that controller (no pids.max in the parent). */
	ck_assert_int_eq(unlink(pathf("pids/" PARENT "/pids.max")), 0);
	ck_assert_errno(cgroup_host_open(root, NULL, CGROUP_LAYOUT_HYBRID, &h, &e), ENOENT);
	ck_assert_msg(strstr(e.msg, "cgroup controller 'pids' is not available: no pids.max"),
		      "got '%s'", e.msg);
}
END_TEST

START_TEST(test_v2_host_open)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;

	fake_v2("cpuset cpu io memory hugetlb pids rdma misc\n");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, NULL));
	ck_assert_int_eq(cgroup_host_layout(h), CGROUP_LAYOUT_V2);
	expect("cgroup.subtree_control", "+memory +pids +cpu");
	expect(PARENT "/cgroup.subtree_control", "+memory +pids +cpu");
}
END_TEST

START_TEST(test_v2_already_delegated)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;

	fake_v2("cpu memory pids\n");
	put("cgroup.subtree_control", "cpu memory pids io\n");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, NULL));
	/* Left alone: already enabled, and a write could fail on a delegated subtree. */
	expect("cgroup.subtree_control", "cpu memory pids io\n");
}
END_TEST

START_TEST(test_v2_limits)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct sbx_error e = {};

	fake_v2("cpu memory pids");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, &e));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, &e));
	expect(PARENT "/box/memory.max", "67108864");
	expect(PARENT "/box/memory.swap.max", "0");
	expect(PARENT "/box/pids.max", "100");
	expect(PARENT "/box/cpu.max", "150000 100000");
	ck_assert_int_ge(cgroup_clone_fd(cg), 0);
}
END_TEST

START_TEST(test_v2_stats)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct cgroup_stats s;

	fake_v2("cpu memory pids");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	/* "oom" is a prefix of "oom_kill" and comes first: keys must match whole. */
	put(PARENT "/box/memory.events",
	    "low 0\nhigh 0\nmax 12\noom 5\noom_kill 2\noom_group_kill 0\n");
	put(PARENT "/box/memory.peak", "4096\n");
	put(PARENT "/box/pids.events", "max 4\n");
	put(PARENT "/box/cpu.stat", "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\n");
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.oom_kills, 2);
	ck_assert_uint_eq(s.memory_peak, 4096);
	ck_assert_uint_eq(s.pids_max_hits, 4);
	ck_assert_uint_eq(s.cpu_usec, 1234);

	/* memory.peak is Linux 5.19+: without it the peak is unknown (0), not an error. */
	ck_assert_int_eq(unlink(pathf(PARENT "/box/memory.peak")), 0);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.memory_peak, 0);
	ck_assert_uint_eq(s.oom_kills, 2);

	put(PARENT "/box/cpu.stat", "usage_usec -1\n");
	ck_assert_errno(cgroup_read_stats(cg, &s), EINVAL);
}
END_TEST

START_TEST(test_v2_missing_controller)
{
	struct cgroup_host *h = NULL;
	struct sbx_error e = {};

	fake_v2("hugetlb\n");
	ck_assert_errno(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, &e), EOPNOTSUPP);
	ck_assert_ptr_null(h);
	ck_assert_msg(strstr(e.msg, "cgroup controller 'memory' is not available in"), "got '%s'",
		      e.msg);
	ck_assert_msg(strstr(e.msg, "(cgroup.controllers: 'hugetlb')"), "got '%s'", e.msg);
	/* Nothing was created on a host that cannot run sandboxes. */
	ck_assert(!exists(PARENT));
	expect("cgroup.subtree_control", "\n");

	fake_v2("memory cpu");
	ck_assert_errno(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, &e), EOPNOTSUPP);
	ck_assert_msg(strstr(e.msg, "cgroup controller 'pids' is not available in"), "got '%s'",
		      e.msg);
	/* "cpuset" is not "cpu" */
	fake_v2("memory cpuset pids");
	ck_assert_errno(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, &e), EOPNOTSUPP);
	ck_assert_msg(strstr(e.msg, "cgroup controller 'cpu' is not available in"), "got '%s'",
		      e.msg);
}
END_TEST

START_TEST(test_v2_freeze_kill)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;

	fake_v2("cpu memory pids");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V2, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	put(PARENT "/box/cgroup.events", "populated 1\nfrozen 1\n");
	ck_assert_ok(cgroup_freeze(cg, true));
	expect(PARENT "/box/cgroup.freeze", "1");
	/* The kernel never reports thawed here: a bounded wait, then -ETIMEDOUT. */
	ck_assert_errno(cgroup_freeze(cg, false), ETIMEDOUT);
	expect(PARENT "/box/cgroup.freeze", "0");
	ck_assert_ok(cgroup_kill(cg));
	expect(PARENT "/box/cgroup.kill", "1");
}
END_TEST

START_TEST(test_hybrid)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct cgroup_stats s;

	fake_v1(false);
	/* The v1 freezer exists on such hosts but the unified tree's cgroup.freeze is used. */
	fake_v1_hier("freezer", "freezer.state");
	mkdir_p("unified");
	put("unified/cgroup.controllers", "hugetlb\n");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_HYBRID, &h, NULL));
	ck_assert_int_eq(cgroup_host_layout(h), CGROUP_LAYOUT_HYBRID);
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));

	ck_assert(exists("unified/" PARENT "/box"));
	ck_assert(!exists("freezer/" PARENT "/box"));
	ck_assert_int_ge(cgroup_clone_fd(cg), 0);
	/* Limits go to v1; the v2 tree has no controllers. */
	expect("memory/" PARENT "/box/memory.limit_in_bytes", "67108864");
	expect("memory/" PARENT "/box/memory.memsw.limit_in_bytes", "67108864");
	expect("pids/" PARENT "/box/pids.max", "100");
	expect("cpu/" PARENT "/box/cpu.cfs_quota_us", "150000");
	ck_assert(!exists("unified/" PARENT "/box/memory.max"));

	put("unified/" PARENT "/box/cgroup.events", "populated 0\nfrozen 1\n");
	ck_assert_ok(cgroup_freeze(cg, true));
	expect("unified/" PARENT "/box/cgroup.freeze", "1");
	ck_assert_ok(cgroup_kill(cg));
	expect("unified/" PARENT "/box/cgroup.kill", "1");

	put("memory/" PARENT "/box/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 1\noom_kill 1\n");
	put("memory/" PARENT "/box/memory.max_usage_in_bytes", "33554432\n");
	put("pids/" PARENT "/box/pids.events", "max 0\n");
	put("cpuacct/" PARENT "/box/cpuacct.usage", "999\n");
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_eq(s.oom_kills, 1);
	ck_assert_uint_eq(s.memory_peak, 33554432);
	ck_assert_uint_eq(s.pids_max_hits, 0);
	ck_assert_uint_eq(s.cpu_usec, 0);
}
END_TEST

START_TEST(test_hybrid_needs_unified)
{
	struct cgroup_host *h = NULL;
	struct sbx_error e = {};

	fake_v1(false);
	ck_assert_errno(cgroup_host_open(root, NULL, CGROUP_LAYOUT_HYBRID, &h, &e), ENOENT);
	ck_assert_msg(strstr(e.msg, "cgroup2 tree is not available: open"), "got '%s'", e.msg);
}
END_TEST

START_TEST(test_attach)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct sbx_error e = {};
	char pid[32];

	fake_v1(false);
	mkdir_p("unified");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_HYBRID, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	ck_assert_int_eq(cgroup_count_procs(cg), 0);

	/* Cloned into the v2 cgroup already: only the v1 hierarchies are written. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	ck_assert_ok(cgroup_attach(cg, getpid(), true, &e));
	expect("memory/" PARENT "/box/cgroup.procs", pid);
	expect("pids/" PARENT "/box/cgroup.procs", pid);
	expect("cpu/" PARENT "/box/cgroup.procs", pid);
	expect("cpuacct/" PARENT "/box/cgroup.procs", pid);
	ck_assert(!exists("unified/" PARENT "/box/cgroup.procs"));

	ck_assert_ok(cgroup_attach(cg, getpid(), false, &e));
	expect("unified/" PARENT "/box/cgroup.procs", pid);
	ck_assert_int_eq(cgroup_count_procs(cg), 1);

	ck_assert_errno(cgroup_attach(cg, 0, false, &e), EINVAL);
	put("unified/" PARENT "/box/cgroup.procs", "12\nnot-a-pid\n");
	ck_assert_errno(cgroup_count_procs(cg), EBADMSG);
}
END_TEST

START_TEST(test_names)
{
	static const char *const bad[] = {
		"",	     ".",
		"..",	     "a/b",
		"/x",	     "../escape",
		"new\nline", "0123456789012345678901234567890123456789012345678901234567890123",
	};
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	struct cgroup *cg = NULL;
	struct sbx_error e = {};

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ck_assert_errno(cgroup_create(h, bad[i], &limits, &cg, &e), EINVAL);
		ck_assert_ptr_null(cg);
		ck_assert_msg(strstr(e.msg, "invalid cgroup name"), "got '%s'", e.msg);
	}
	ck_assert_errno(cgroup_create(h, NULL, &limits, &cg, &e), EINVAL);
	/* 63 characters is the longest name. */
	ck_assert_ok(
		cgroup_create(h, "012345678901234567890123456789012345678901234567890123456789012",
			      &limits, &cg, &e));
	cg = cgroup_destroy(cg);

	ck_assert_errno(cgroup_host_open(root, "../etc", CGROUP_LAYOUT_V1, &h, &e), EINVAL);
	ck_assert_msg(strstr(e.msg, "invalid cgroup parent name '../etc'"), "got '%s'", e.msg);
	ck_assert_errno(cgroup_host_open(root, NULL, _CGROUP_LAYOUT_MAX, &h, &e), EINVAL);
}
END_TEST

START_TEST(test_cpu_range)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	struct cgroup *cg = NULL;
	struct sbx_error e = {};
	struct cgroup_limits l = limits;

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	l.cpu_millis = 5;
	ck_assert_errno(cgroup_create(h, "box", &l, &cg, &e), ERANGE);
	ck_assert_msg(strstr(e.msg, "cpu limit of 5 millicpus is outside"), "got '%s'", e.msg);
	/* Checked before anything is created. */
	ck_assert(!exists("memory/" PARENT "/box"));
	l.cpu_millis = UINT64_MAX / 10;
	ck_assert_errno(cgroup_create(h, "box", &l, &cg, &e), ERANGE);
}
END_TEST

START_TEST(test_destroy_removes_dirs)
{
	static const char *const v1[] = {"memory", "pids", "cpu", "cpuacct", "unified"};
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	struct cgroup *cg = NULL;
	char rel[256];

	fake_v1(false);
	mkdir_p("unified");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_HYBRID, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, NULL));
	for (size_t i = 0; i < ELEMENTSOF(v1); i++) {
		snprintf(rel, sizeof(rel), "%s/" PARENT "/box", v1[i]);
		ck_assert(exists(rel));
		/* The backends created control files here; the kernel would remove its own. */
		clear_dir(rel);
	}
	ck_assert_ptr_null(cgroup_destroy(cg));
	for (size_t i = 0; i < ELEMENTSOF(v1); i++) {
		snprintf(rel, sizeof(rel), "%s/" PARENT "/box", v1[i]);
		ck_assert_msg(!exists(rel), "%s left behind", rel);
		snprintf(rel, sizeof(rel), "%s/" PARENT, v1[i]);
		ck_assert(exists(rel));
	}
	ck_assert_ptr_null(cgroup_destroy(NULL));
}
END_TEST

START_TEST(test_destroy_half_built)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	struct cgroup *cg = NULL;
	struct sbx_error e = {};

	fake_v1(false);
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	/* A file where the cpuacct cgroup should go: create fails after making the memory, pids
	 * and cpu directories, and must take those back (and leave the file alone). */
	put("cpuacct/" PARENT "/box", "");
	ck_assert_errno(cgroup_create(h, "box", &limits, &cg, &e), ENOTDIR);
	ck_assert_ptr_null(cg);
	ck_assert_msg(strstr(e.msg, "open cgroup '" PARENT "/box' in the cpuacct hierarchy"),
		      "got '%s'", e.msg);
	ck_assert(!exists("memory/" PARENT "/box"));
	ck_assert(!exists("pids/" PARENT "/box"));
	ck_assert(!exists("cpu/" PARENT "/box"));
	ck_assert(exists("cpuacct/" PARENT "/box"));
}
END_TEST

START_TEST(test_leftover)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	struct sbx_error e = {};

	fake_v1(false);
	/* An empty leftover in one hierarchy (a crash mid-create): removed, then made anew. */
	mkdir_p("pids/" PARENT "/box");
	ck_assert_ok(cgroup_host_open(root, NULL, CGROUP_LAYOUT_V1, &h, NULL));
	ck_assert_ok(cgroup_create(h, "box", &limits, &cg, &e));
	expect("pids/" PARENT "/box/pids.max", "100");
	cg = cgroup_destroy(cg);

	/* One that cannot be removed fails with the sentence, never reuses its old state. */
	ck_assert_errno(cgroup_create(h, "box", &limits, &cg, &e), ENOTEMPTY);
	ck_assert_ptr_null(cg);
	ck_assert_msg(strstr(e.msg, "remove leftover cgroup '" PARENT "/box'"), "got '%s'", e.msg);
}
END_TEST

START_TEST(test_detect_rejects_plain_dirs)
{
	struct cgroup_host *h = NULL;
	struct sbx_error e = {};

	fake_v1(false);
	ck_assert_errno(cgroup_host_detect(root, NULL, &h, &e), ENODEV);
	ck_assert_ptr_null(h);
	ck_assert_msg(strstr(e.msg, "cgroup controller 'memory' is not available"), "got '%s'",
		      e.msg);
	ck_assert_errno(cgroup_host_detect(pathf("missing"), NULL, &h, &e), ENOENT);
	ck_assert_msg(strstr(e.msg, "detect cgroup layout: statfs"), "got '%s'", e.msg);
}
END_TEST

static Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc;

	tc = tcase_create("names");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_layout_strings);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_cpu_range);
	tcase_add_test(tc, test_detect_rejects_plain_dirs);
	suite_add_tcase(s, tc);

	tc = tcase_create("v1");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v1_limits);
	tcase_add_test(tc, test_v1_no_limits);
	tcase_add_test(tc, test_v1_stats);
	tcase_add_test(tc, test_v1_cpuacct_comounted);
	tcase_add_test(tc, test_v1_freeze);
	tcase_add_test(tc, test_v1_no_freezer);
	tcase_add_test(tc, test_v1_missing_controller);
	suite_add_tcase(s, tc);

	tc = tcase_create("v2");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v2_host_open);
	tcase_add_test(tc, test_v2_already_delegated);
	tcase_add_test(tc, test_v2_limits);
	tcase_add_test(tc, test_v2_stats);
	tcase_add_test(tc, test_v2_missing_controller);
	tcase_add_test(tc, test_v2_freeze_kill);
	suite_add_tcase(s, tc);

	tc = tcase_create("hybrid");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hybrid);
	tcase_add_test(tc, test_hybrid_needs_unified);
	tcase_add_test(tc, test_attach);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifecycle");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_destroy_removes_dirs);
	tcase_add_test(tc, test_destroy_half_built);
	tcase_add_test(tc, test_leftover);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return test_run_suite(cgroup_suite());
}
