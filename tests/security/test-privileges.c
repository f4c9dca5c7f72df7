/* SPDX-License-Identifier: MIT */
/* What a sandboxed process holds (DESIGN.md section 6): root only inside a user namespace whose
 * ids are an unprivileged host range, setgroups denied, every capability set empty,
 * no_new_privs, and the rlimits. Seen from inside through the probe and from the host through
 * /proc. The steps are runtime/userns.c, caps.c and rlimits.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <fcntl.h>

#include "macro.h"
#include "sbx-harness.h"

static struct sbx_harness_result *result_new(void)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));

	ck_assert_ptr_nonnull(res);
	return res;
}

/* Effective, permitted, inheritable, bounding and ambient sets all empty, NoNewPrivs 1. */
START_TEST(test_no_capabilities)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_msg(sbx_harness_probe(res, NULL, SBX_ARGS("caps")) == 0, "%s", res->out);
	ck_assert_ptr_nonnull(strstr(res->out, "CapBnd=0000000000000000"));
	ck_assert_ptr_nonnull(strstr(res->out, "CapAmb=0000000000000000"));
	ck_assert_ptr_nonnull(strstr(res->out, "NoNewPrivs=1"));
}
END_TEST

/* execve() as uid 0 would refill the permitted set from the bounding set: with the bounding set
 * empty nothing comes back, in the command or in anything it runs. */
START_TEST(test_no_capabilities_after_exec)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_msg(sbx_harness_probe(res, NULL,
					SBX_ARGS("exec", SBX_HARNESS_PROBE, "exec",
						 SBX_HARNESS_PROBE, "caps")) == 0,
		      "%s", res->out);
	ck_assert_ptr_nonnull(strstr(res->out, "NoNewPrivs=1"));
}
END_TEST

START_TEST(test_root_inside)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("uid")), 0);
	ck_assert_msg(strncmp(res->out, "uid=0/0/0 gid=0/0/0 ", 20) == 0, "inside: %s", res->out);
}
END_TEST

static void check_host_ids(pid_t pid, const char *what, uint64_t *ret_base)
{
	uint64_t uids[4], gids[4];

	ck_assert_msg(sbx_harness_read_ids(pid, "Uid", uids), "%s (pid %d) is gone", what,
		      (int)pid);
	ck_assert_msg(sbx_harness_read_ids(pid, "Gid", gids), "%s (pid %d) is gone", what,
		      (int)pid);
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(uids[i] >= SBX_HARNESS_UID_BASE && uids[i] < SBX_HARNESS_UID_END,
			      "%s runs as host uid %llu, outside [2^30, 2^30 + 1024*65536)", what,
			      (unsigned long long)uids[i]);
		ck_assert_msg(gids[i] >= SBX_HARNESS_UID_BASE && gids[i] < SBX_HARNESS_UID_END,
			      "%s runs as host gid %llu, outside the sandbox ranges", what,
			      (unsigned long long)gids[i]);
		ck_assert_uint_eq(uids[i], uids[0]);
		ck_assert_uint_eq(gids[i], uids[0]);
	}
	/* Root inside is the first id of a slot. */
	ck_assert_uint_eq((uids[0] - SBX_HARNESS_UID_BASE) % SBX_HARNESS_UID_RANGE, 0);
	*ret_base = uids[0];
}

/* Seen from the host, the command and sandbox-init run as the first uid of one slot of the
 * unprivileged range, and that slot's lock is held while they run. */
START_TEST(test_host_uid_unprivileged)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_close_ int lock = -EBADF;
	struct sbx_harness_proc p;
	uint64_t base, init_base;
	char path[PATH_MAX];
	pid_t probe, init, init_parent;

	sbx_harness_start_probe(&p, NULL, SBX_ARGS("sleep", "30"));
	probe = sbx_harness_find_descendant(p.pid, "sbx-probe", 10ULL * 1000000ULL);
	check_host_ids(probe, "the command", &base);

	/* Its parent is sandbox-init, PID 1 inside, a child of sbx-run. */
	init = sbx_harness_parent(probe);
	init_parent = sbx_harness_parent(init);
	ck_assert_int_eq(init_parent, p.pid);
	check_host_ids(init, "sandbox-init", &init_base);
	ck_assert_uint_eq(init_base, base);

	snprintf(path, sizeof(path), "%s/uid-locks/%llu", sbx_harness_tmpdir(),
		 (unsigned long long)((base - SBX_HARNESS_UID_BASE) / SBX_HARNESS_UID_RANGE));
	lock = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(lock >= 0, "the range of uid %llu has no lock file '%s'",
		      (unsigned long long)base, path);
	ck_assert_msg(flock(lock, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
		      "the range of a running sandbox is not locked");

	ck_assert_int_eq(kill(probe, SIGKILL), 0);
	sbx_harness_finish(&p, res);
	ck_assert_int_eq(res->exit_code, 128 + SIGKILL);
}
END_TEST

/* setgroups is denied before the gid map is written, so a group-based deny on the host cannot be
 * dropped: /proc/self/setgroups says so and setgroups(2) fails. */
START_TEST(test_setgroups_denied)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	int r;

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/cat", "/proc/self/setgroups")),
			 0);
	ck_assert_str_eq(res->out, "deny\n");

	/* The probe has no setgroups attempt; perl's "$) = LIST" calls setgroups(2) (util-linux
	 * setpriv cannot: it stops earlier at PR_SET_KEEPCAPS, refused by the locked securebits).
	 */
	ck_assert_msg(access("/usr/bin/perl", X_OK) == 0,
		      "this test calls setgroups(2) through /usr/bin/perl, which is missing");
	r = sbx_harness_run(res, NULL,
			    SBX_ARGS("/usr/bin/perl", "-e", "$) = \"0 0\"; print 0 + $!, \"\\n\""));
	ck_assert_msg(r == 0, "perl failed: %s", res->err);
	ck_assert_msg(strcmp(res->out, "1\n") == 0,
		      "setgroups(2) inside: errno %s, expected EPERM (1)", res->out);
}
END_TEST

/* The value of one row of /proc/self/limits ("Max open files  4096  4096  files"). */
static void check_limit(const char *limits, const char *row, const char *value)
{
	const char *p = strstr(limits, row);
	char soft[32], hard[32];

	ck_assert_msg(p, "no '%s' in:\n%s", row, limits);
	ck_assert_int_eq(sscanf(p + strlen(row), " %31s %31s", soft, hard), 2);
	ck_assert_msg(strcmp(soft, value) == 0 && strcmp(hard, value) == 0,
		      "%s is %s/%s, expected %s", row, soft, hard, value);
}

START_TEST(test_rlimits)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_run(res, SBX_ARGS("--workspace-size", "8Mi"),
					 SBX_ARGS("/bin/cat", "/proc/self/limits")),
			 0);
	check_limit(res->out, "Max core file size", "0");
	check_limit(res->out, "Max open files", "4096");
	check_limit(res->out, "Max file size", "8388608");
}
END_TEST

static Suite *privileges_suite(void)
{
	Suite *s = suite_create("security-privileges");
	TCase *tc;

	tc = sbx_harness_tcase("capabilities", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_no_capabilities);
	tcase_add_test(tc, test_no_capabilities_after_exec);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("userns", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_root_inside);
	tcase_add_test(tc, test_host_uid_unprivileged);
	tcase_add_test(tc, test_setgroups_denied);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("rlimits", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_rlimits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sbx_harness_main(privileges_suite());
}
