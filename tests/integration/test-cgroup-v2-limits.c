/* SPDX-License-Identifier: MIT */
/* cgroup v2 limits against the real kernel, wherever a cgroup2 tree (<root> or <root>/unified)
 * has the memory, pids and cpu controllers: limit files, a real OOM kill, a real pids.max
 * refusal, CLONE_INTO_CGROUP. Skipped (77) with the reason where no v2 tree has them, as on
 * hybrid hosts whose unified tree is empty. The layout-generic tests are test-cgroup-real.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup-helpers.h"
#include "cgroup.h"
#include "test-util.h"

#define TIMEOUT 30

static char parent[64];
static const char *v2_root;

static const char *cg_path(const char *name, const char *file)
{
	static char bufs[4][512];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s/%s%s%s", v2_root, parent, name, file[0] ? "/" : "",
		 file);
	return b;
}

static void expect_file(const char *path, const char *want)
{
	char buf[256];

	helper_read(path, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, want) == 0, "%s: '%s', expected '%s'", path, buf, want);
}

static struct cgroup_host *host_new(void)
{
	struct cgroup_host *h = NULL;
	struct sbx_error e = {};

	ck_assert_msg(cgroup_host_detect(v2_root, parent, &h, &e) >= 0, "%s", e.msg);
	ck_assert_int_eq(cgroup_host_layout(h), CGROUP_LAYOUT_V2);
	return h;
}

static struct cgroup *cg_new(struct cgroup_host *h, const char *name, const struct cgroup_limits *l)
{
	struct cgroup *cg = NULL;
	struct sbx_error e = {};

	ck_assert_msg(cgroup_create(h, name, l, &cg, &e) >= 0, "%s", e.msg);
	return cg;
}

static int wait_status(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void setup(void)
{
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

START_TEST(test_limits)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	const struct cgroup_limits l = {
		.memory_max = 64ULL << 20, .pids_max = 64, .cpu_millis = 250};
	struct cgroup *cg = cg_new(h, "limits", &l);

	expect_file(cg_path("limits", "memory.max"), "67108864");
	expect_file(cg_path("limits", "memory.swap.max"), "0");
	expect_file(cg_path("limits", "pids.max"), "64");
	expect_file(cg_path("limits", "cpu.max"), "25000 100000");
	cgroup_destroy(cg);
	ck_assert_int_ne(access(cg_path("limits", ""), F_OK), 0);
}
END_TEST

START_TEST(test_oom)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = host_new();
	const struct cgroup_limits l = {.memory_max = 32ULL << 20};
	struct cgroup *cg = cg_new(h, "oom", &l);
	struct cgroup_stats s;
	int gate, status;
	pid_t pid;

	pid = helper_clone_into_gated(cgroup_clone_fd(cg), HELPER_CHILD_BALLOON, &gate);
	helper_open_gate(gate);
	status = wait_status(pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status 0x%x", status);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_ge(s.oom_kills, 1);
	cgroup_destroy(cg);
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

	pid = helper_clone_into_gated(cgroup_clone_fd(cg), HELPER_CHILD_FORKS, &gate);
	helper_open_gate(gate);
	status = wait_status(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	ck_assert_ok(cgroup_read_stats(cg, &s));
	ck_assert_uint_ge(s.pids_max_hits, 1);
	ck_assert_int_eq(cgroup_count_procs(cg), 7);
	cgroup_destroy(cg);
	ck_assert_int_ne(access(cg_path("pids", ""), F_OK), 0);
	helper_reap_all();
}
END_TEST

START_TEST(test_no_leak)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", v2_root, parent);
	ck_assert_msg(rmdir(p) == 0, "rmdir %s: %s", p, strerror(errno));
	ck_assert_int_eq(helper_count_leaks(parent), 0);
}
END_TEST

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (long)sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int main(void)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	struct sbx_error e = {};
	Suite *s;
	TCase *tc;
	int r;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: cgroup v2 limit tests need root\n");
		return 77;
	}
	if (is_cgroup2(HELPER_CGROUP_FS))
		v2_root = HELPER_CGROUP_FS;
	else if (is_cgroup2(HELPER_CGROUP_FS "/unified"))
		v2_root = HELPER_CGROUP_FS "/unified";
	else {
		fprintf(stderr, "SKIP: no cgroup2 tree at %s or %s/unified\n", HELPER_CGROUP_FS,
			HELPER_CGROUP_FS);
		return 77;
	}
	snprintf(parent, sizeof(parent), "sandboxd-test-%d", (int)getpid());

	/* The same check sandboxd makes: a v2 tree without the controllers cannot hold limits. */
	if (cgroup_host_detect(v2_root, parent, &h, &e) < 0) {
		fprintf(stderr, "SKIP: cgroup v2 limits cannot be tested on this host: %s\n",
			e.msg);
		helper_remove_parent(parent);
		return 77;
	}
	h = cgroup_host_free(h);

	s = suite_create("cgroup-v2-limits");
	tc = tcase_create("v2");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_oom);
	tcase_add_test(tc, test_pids);
	tcase_add_test(tc, test_no_leak);
	suite_add_tcase(s, tc);

	r = test_run_suite(s);
	helper_remove_parent(parent);
	if (helper_count_leaks(parent) > 0) {
		fprintf(stderr, "leaked cgroups named %s\n", parent);
		r = EXIT_FAILURE;
	}
	return r;
}
