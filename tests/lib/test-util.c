/* SPDX-License-Identifier: MIT */
/* Test helpers; see test-util.h. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test-util.h"

char *test_mkdtemp(void)
{
	char tmpl[] = "/tmp/sbx-test-XXXXXX";
	char *p = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(p);
	p = strdup(p);
	ck_assert_ptr_nonnull(p);
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void test_rm_rf(const char *path)
{
	ck_assert_int_eq(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
