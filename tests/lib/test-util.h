/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Check programs: assertions that print strerror, temp dirs, paths of the
 * built binaries, and the leak checks every integration test ends with. */
#pragma once

#include <check.h>
#include <string.h>

/* Asserts r >= 0 and prints the errno name of a negative result. */
#define ck_assert_ok(r)                                                                            \
	do {                                                                                       \
		long _r = (long)(r);                                                               \
		ck_assert_msg(_r >= 0, "%s failed: %s (%ld)", #r, strerror((int)-_r), _r);         \
	} while (0)

/* Asserts r == -err. */
#define ck_assert_errno(r, err)                                                                    \
	do {                                                                                       \
		long _r = (long)(r);                                                               \
		ck_assert_msg(_r == -(long)(err), "%s returned %ld (%s), expected -%s", #r, _r,    \
			      _r < 0 ? strerror((int)-_r) : "success", #err);                      \
	} while (0)

/* Creates a fresh directory under /tmp and returns its malloc'd path. */
char *test_mkdtemp(void);

/* Removes a directory tree (unmounting nothing; fails the test on error). */
void test_rm_rf(const char *path);

/* Runs a Check suite in fork mode and returns the process exit status (0 or 1). */
int test_run_suite(Suite *s);
