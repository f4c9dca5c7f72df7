/* SPDX-License-Identifier: MIT */
/* What a sandbox shares with the host and with other sandboxes (DESIGN.md section 6: pid, net,
 * ipc, uts and cgroup namespaces; a netns with only lo; no descriptor of the caller crosses in;
 * the environment is exactly the explicit list). The steps are runtime/sandbox.c (clone flags,
 * fds), netns.c and sandbox-init.c. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/utsname.h>

#include "macro.h"
#include "sbx-harness.h"

#define FIND_USEC (10ULL * 1000000ULL)

static struct sbx_harness_result *result_new(void)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));

	ck_assert_ptr_nonnull(res);
	return res;
}

/* No host process is visible: every pid in the sandbox's /proc is small. */
START_TEST(test_no_host_pids)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("pids")) == 0, "%s", res->out);
}
END_TEST

/* ls /proc shows only the sandbox's own processes: sandbox-init (1) and ls itself. */
START_TEST(test_proc_lists_only_sandbox)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	char *save = NULL, self[16];
	bool init_seen = false;
	int n = 0;

	snprintf(self, sizeof(self), "%d", (int)getpid());
	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/ls", "-1", "/proc")), 0);
	for (char *e = strtok_r(res->out, "\n", &save); e; e = strtok_r(NULL, "\n", &save)) {
		if (strspn(e, "0123456789") != strlen(e))
			continue;
		ck_assert_msg(strcmp(e, self) != 0, "the test's own pid %s is visible", self);
		ck_assert_msg(atoi(e) <= 3, "pid %s is visible inside", e);
		init_seen = init_seen || strcmp(e, "1") == 0;
		n++;
	}
	ck_assert_msg(init_seen, "PID 1 is not in the sandbox's /proc");
	ck_assert_int_le(n, 3);
}
END_TEST

/* The network namespace has lo, up, and nothing else. */
START_TEST(test_only_lo)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("net")) == 0, "%s", res->out);
	ck_assert_str_eq(res->out, "net: lo(up)\n");
}
END_TEST

/* A sandbox neither sees nor signals another sandbox's processes, and the two run under
 * different host uid ranges. */
START_TEST(test_other_sandbox_unreachable)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_free_ char *kill_one = NULL, *kill_pg = NULL, *proc_path = NULL;
	struct sbx_harness_proc a, b;
	uint64_t a_uids[4], b_uids[4];
	pid_t a_probe, b_probe;
	int r;

	sbx_harness_start_probe(&a, NULL, SBX_ARGS("sleep", "30"));
	a_probe = sbx_harness_find_descendant(a.pid, "sbx-probe", FIND_USEC);
	sbx_harness_start_probe(&b, NULL, SBX_ARGS("sleep", "30"));
	b_probe = sbx_harness_find_descendant(b.pid, "sbx-probe", FIND_USEC);

	ck_assert(sbx_harness_read_ids(a_probe, "Uid", a_uids));
	ck_assert(sbx_harness_read_ids(b_probe, "Uid", b_uids));
	ck_assert_msg(a_uids[0] != b_uids[0], "two live sandboxes share host uid %llu",
		      (unsigned long long)a_uids[0]);

	/* From a third sandbox: A's host pid does not exist, by path or by signal. */
	ck_assert_int_gt(asprintf(&proc_path, "/proc/%d", (int)a_probe), 0);
	ck_assert_int_gt(asprintf(&kill_one, "kill -KILL %d", (int)a_probe), 0);
	ck_assert_int_gt(asprintf(&kill_pg, "kill -KILL -- -%d", (int)a_probe), 0);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("stat", proc_path)), ENOENT);
	r = sbx_harness_run(res, NULL, SBX_ARGS("/bin/sh", "-c", kill_one));
	ck_assert_msg(r != 0, "kill of another sandbox's pid succeeded");
	ck_assert_msg(strstr(res->err, "No such process"), "kill failed otherwise: %s", res->err);
	r = sbx_harness_run(res, NULL, SBX_ARGS("/bin/sh", "-c", kill_pg));
	ck_assert_msg(r != 0, "kill of another sandbox's process group succeeded");
	/* Everything this sandbox may signal: only its own processes. */
	(void)sbx_harness_run(res, NULL, SBX_ARGS("/bin/sh", "-c", "kill -KILL -1; exit 0"));
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("pids")), 0);

	/* Both are still there. */
	ck_assert_int_eq(kill(a_probe, 0), 0);
	ck_assert_int_eq(kill(b_probe, 0), 0);
	ck_assert_int_eq(sbx_harness_parent(sbx_harness_parent(a_probe)), a.pid);
	ck_assert_int_eq(sbx_harness_parent(sbx_harness_parent(b_probe)), b.pid);

	ck_assert_int_eq(kill(a_probe, SIGKILL), 0);
	ck_assert_int_eq(kill(b_probe, SIGKILL), 0);
	sbx_harness_finish(&a, res);
	ck_assert_int_eq(res->exit_code, 128 + SIGKILL);
	sbx_harness_finish(&b, res);
	ck_assert_int_eq(res->exit_code, 128 + SIGKILL);
}
END_TEST

START_TEST(test_no_fds_cross)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("fds")) == 0, "%s", res->out);
	ck_assert_str_eq(res->out, "fds: 0 1 2\n");
}
END_TEST

/* An fd the caller leaked into sbx-run (not close-on-exec) does not reach the command. */
START_TEST(test_no_leaked_fd_crosses)
{
	static const int numbers[] = {3, 9, 100};
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	int fd = _i < (int)ELEMENTSOF(numbers) ? numbers[_i] : 3;
	int src;
	struct sbx_harness_proc p;

	src = open("/dev/null", O_RDONLY); /* not close-on-exec, on purpose */
	ck_assert_int_ge(src, 0);
	if (src != fd) {
		ck_assert_int_eq(dup2(src, fd), fd);
		close(src);
	}
	sbx_harness_start(&p, SBX_ARGS("--", SBX_HARNESS_PROBE, "fds"), fd);
	sbx_harness_finish(&p, res);
	ck_assert(!res->held_open && !res->deadline_passed);
	ck_assert_msg(res->exit_code == 0, "fd %d crossed: %s%s", fd, res->out, res->err);
	ck_assert_str_eq(res->out, "fds: 0 1 2\n");
	close(fd);
}
END_TEST

/* The command's environment is exactly the defaults and the --env list. */
START_TEST(test_env_only_explicit)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	static const char *const expected[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/workspace",
		"LANG=en_US.UTF-8",
		"SBX_GIVEN=value with spaces",
	};
	int lines = 0;

	ck_assert_int_eq(setenv("SBX_HOST_SECRET", "must-not-cross", 1), 0);
	ck_assert_int_eq(sbx_harness_probe(res,
					   SBX_ARGS("--env", "SBX_GIVEN=value with spaces", "--env",
						    "LANG=en_US.UTF-8"),
					   SBX_ARGS("env")),
			 0);
	ck_assert_ptr_null(strstr(res->out, "SBX_HOST_SECRET"));
	ck_assert_ptr_null(strstr(res->out, "must-not-cross"));
	for (size_t i = 0; i < ELEMENTSOF(expected); i++)
		ck_assert_msg(sbx_harness_has_line(res->out, expected[i]), "'%s' missing in:\n%s",
			      expected[i], res->out);
	for (const char *p = res->out; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_msg(lines == (int)ELEMENTSOF(expected), "unexpected variables:\n%s", res->out);
}
END_TEST

/* UTS namespace: the sandbox has its own hostname; the host's is untouched. */
START_TEST(test_uts_namespace)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	struct utsname before, after;
	char expect[80];

	ck_assert_int_eq(uname(&before), 0);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("hostname")), 0);
	ck_assert_str_eq(res->out, "sandbox\n");
	ck_assert_int_eq(sbx_harness_probe(res, SBX_ARGS("--hostname", "sbx-test-uts"),
					   SBX_ARGS("hostname")),
			 0);
	ck_assert_str_eq(res->out, "sbx-test-uts\n");
	ck_assert_int_eq(uname(&after), 0);
	ck_assert_str_eq(after.nodename, before.nodename);
	snprintf(expect, sizeof(expect), "%s\n", before.nodename);
	ck_assert_str_ne(res->out, expect);
}
END_TEST

/* IPC namespace: a System V segment of the host does not exist inside. */
START_TEST(test_ipc_namespace)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	const key_t key = 0x5b7e57;
	char needle[32];
	int id, r;

	id = shmget(key, 4096, IPC_CREAT | 0666);
	ck_assert_msg(id >= 0, "shmget: %s", strerror(errno));
	r = sbx_harness_run(res, NULL, SBX_ARGS("/bin/cat", "/proc/sysvipc/shm"));
	(void)shmctl(id, IPC_RMID, NULL);
	ck_assert_int_eq(r, 0);
	snprintf(needle, sizeof(needle), " %d ", (int)key);
	ck_assert_msg(!strstr(res->out, needle), "the host's segment is visible:\n%s", res->out);
	ck_assert_msg(strchr(res->out, '\n') == res->out + strlen(res->out) - 1,
		      "segments visible inside:\n%s", res->out);
}
END_TEST

/* cgroup namespace: the sandbox's own cgroup is its root, host paths do not show. */
START_TEST(test_cgroup_namespace)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	char *save = NULL;

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/cat", "/proc/self/cgroup")), 0);
	ck_assert_ptr_null(strstr(res->out, sbx_harness_cgroup_parent()));
	for (char *l = strtok_r(res->out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *path = strrchr(l, ':');

		ck_assert_msg(path && strcmp(path, ":/") == 0, "cgroup line '%s' is not the root",
			      l);
	}
}
END_TEST

static Suite *isolation_suite(void)
{
	Suite *s = suite_create("security-isolation");
	TCase *tc;

	tc = sbx_harness_tcase("pid", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_no_host_pids);
	tcase_add_test(tc, test_proc_lists_only_sandbox);
	tcase_add_test(tc, test_other_sandbox_unreachable);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("net", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_only_lo);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("fds", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_no_fds_cross);
	tcase_add_loop_test(tc, test_no_leaked_fd_crosses, 0, 3);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("env", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_env_only_explicit);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("namespaces", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_uts_namespace);
	tcase_add_test(tc, test_ipc_namespace);
	tcase_add_test(tc, test_cgroup_namespace);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sbx_harness_main(isolation_suite());
}
