/* SPDX-License-Identifier: MIT */
/* runtime/rlimits.c: the table applied to the (forked) test process, read back with getrlimit(),
 * and the file size limit seen by a real write. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "macro.h"
#include "rlimits.h"
#include "test-util.h"

static void check_limit(int resource, rlim_t want)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(resource, &rl), 0);
	ck_assert_msg(rl.rlim_cur == want && rl.rlim_max == want,
		      "resource %d: soft %llu hard %llu, expected %llu", resource,
		      (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
		      (unsigned long long)want);
}

START_TEST(test_apply)
{
	const struct sandbox_limits limits = {.nofile = 256, .fsize = 1 << 20};

	ck_assert_ok(rlimits_apply(&limits, 64 << 20));
	check_limit(RLIMIT_CORE, 0);
	check_limit(RLIMIT_NOFILE, 256);
	check_limit(RLIMIT_FSIZE, 1 << 20);
}
END_TEST

START_TEST(test_fsize_defaults_to_workspace)
{
	const struct sandbox_limits limits = {.nofile = SANDBOX_NOFILE_DEFAULT};

	ck_assert_ok(rlimits_apply(&limits, SANDBOX_WORKSPACE_SIZE_DEFAULT));
	check_limit(RLIMIT_NOFILE, SANDBOX_NOFILE_DEFAULT);
	check_limit(RLIMIT_FSIZE, SANDBOX_WORKSPACE_SIZE_DEFAULT);
}
END_TEST

START_TEST(test_infinity)
{
	const struct sandbox_limits limits = {.nofile = 64, .fsize = UINT64_MAX};

	ck_assert_ok(rlimits_apply(&limits, 0));
	check_limit(RLIMIT_FSIZE, RLIM_INFINITY);
}
END_TEST

START_TEST(test_fsize_enforced)
{
	const struct sandbox_limits limits = {.nofile = 64, .fsize = 4096};
	_cleanup_free_ char *tmp = NULL, *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	char buf[4097] = {};

	tmp = test_mkdtemp();
	ck_assert_int_gt(asprintf(&path, "%s/big", tmp), 0);
	ck_assert_ok(rlimits_apply(&limits, 1 << 20));

	/* With SIGXFSZ ignored the write is cut at the limit, then refused with EFBIG. */
	ck_assert_ptr_ne(signal(SIGXFSZ, SIG_IGN), SIG_ERR);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, sizeof(buf)), 4096);
	errno = 0;
	ck_assert_int_eq(write(fd, buf, 1), -1);
	ck_assert_int_eq(errno, EFBIG);
	test_rm_rf(tmp);
}
END_TEST

START_TEST(test_nofile_enforced)
{
	const struct sandbox_limits limits = {.nofile = 8, .fsize = 4096};
	int fds[8], n = 0;

	ck_assert_ok(rlimits_apply(&limits, 0));
	for (; n < (int)ELEMENTSOF(fds); n++) {
		fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			break;
	}
	ck_assert_int_lt(n, (int)ELEMENTSOF(fds));
	ck_assert_int_eq(errno, EMFILE);
	while (n > 0)
		close(fds[--n]);
}
END_TEST

START_TEST(test_nofile_above_nr_open)
{
	/* The kernel's ceiling (fs.nr_open) holds even for root: the error comes back as -EPERM
	 * and nothing after the failing row is applied. */
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	unsigned long long nr_open;
	struct sandbox_limits limits = {.fsize = 4096};
	struct rlimit before;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%llu", &nr_open), 1);
	limits.nofile = nr_open + 1;
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &before), 0);

	ck_assert_errno(rlimits_apply(&limits, 0), EPERM);
	check_limit(RLIMIT_CORE, 0);
	check_limit(RLIMIT_FSIZE, before.rlim_max);
}
END_TEST

static Suite *rlimits_suite(void)
{
	Suite *s = suite_create("rlimits");
	TCase *tc = tcase_create("apply");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_apply);
	tcase_add_test(tc, test_fsize_defaults_to_workspace);
	tcase_add_test(tc, test_infinity);
	tcase_add_test(tc, test_fsize_enforced);
	tcase_add_test(tc, test_nofile_enforced);
	tcase_add_test(tc, test_nofile_above_nr_open);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(rlimits_suite());
}
