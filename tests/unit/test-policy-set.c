/* SPDX-License-Identifier: MIT */
/* policy/policy-set.c: a directory of policies plus the built-in default, loaded whole or not
 * at all; a reload makes a new set and leaves the old one as it was. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "policy-load.h"
#include "policy-set.h"
#include "test-util.h"

static void put(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void drop(const char *dir, const char *name)
{
	_cleanup_free_ char *path = NULL;

	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	ck_assert_int_eq(unlink(path), 0);
}

#define POLICY(name, skill) "version: 1\nname: " name "\nskills:\n  " skill ":\n    tools: [exec]\n"

START_TEST(test_builtin_only)
{
	_cleanup_(policy_set_unrefp) struct policy_set *s = NULL;
	struct sbx_error e = {};

	ck_assert_ok(policy_set_load("/nonexistent/policies", &s, &e));
	ck_assert_uint_eq(policy_set_size(s), 1);
	ck_assert_str_eq(policy_set_get(s, 0)->name, "default");
	ck_assert_ptr_nonnull(policy_set_find(s, "default"));
	ck_assert_ptr_null(policy_set_find(s, "other"));
	ck_assert_ptr_null(policy_set_get(s, 1));
	s = policy_set_unref(s);

	ck_assert_ok(policy_set_load(NULL, &s, &e));
	ck_assert_uint_eq(policy_set_size(s), 1);
}
END_TEST

START_TEST(test_directory)
{
	_cleanup_free_ char *dir = test_mkdtemp(), *sub = NULL;
	_cleanup_(policy_set_unrefp) struct policy_set *s = NULL;
	struct sbx_error e = {};

	put(dir, "b.yaml", POLICY("beta", "x"));
	put(dir, "a.yaml", POLICY("alpha", "y"));
	put(dir, "c.yml", "not: read");
	put(dir, ".hidden.yaml", "not: read");
	put(dir, "notes.txt", "not: read");
	put(dir, ".yaml", "not: read");
	ck_assert_int_ge(asprintf(&sub, "%s/sub", dir), 0);
	ck_assert_int_eq(mkdir(sub, 0755), 0);

	ck_assert_msg(policy_set_load(dir, &s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(policy_set_size(s), 3);
	ck_assert_str_eq(policy_set_get(s, 0)->name, "alpha");
	ck_assert_str_eq(policy_set_get(s, 1)->name, "beta");
	ck_assert_str_eq(policy_set_get(s, 2)->name, "default");
	ck_assert_str_eq(policy_set_find(s, "beta")->skills[0].name, "x");
	ck_assert(strstr(policy_set_find(s, "alpha")->source, "/a.yaml"));
	ck_assert_str_eq(policy_set_find(s, "default")->source, "<built-in default>");
	test_rm_rf(dir);
}
END_TEST

START_TEST(test_default_overridden)
{
	_cleanup_free_ char *dir = test_mkdtemp();
	_cleanup_(policy_set_unrefp) struct policy_set *s = NULL;
	struct sbx_error e = {};

	put(dir, "default.yaml", POLICY("default", "mine"));
	ck_assert_msg(policy_set_load(dir, &s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(policy_set_size(s), 1);
	ck_assert_str_eq(policy_set_find(s, "default")->skills[0].name, "mine");
	test_rm_rf(dir);
}
END_TEST

START_TEST(test_errors)
{
	_cleanup_free_ char *dir = test_mkdtemp(), *want = NULL, *sub = NULL;
	struct policy_set *s = (struct policy_set *)0x1;
	struct sbx_error e = {};

	/* Two files, one name: the error is at the second file's name. */
	put(dir, "a.yaml", POLICY("same", "x"));
	put(dir, "b.yaml", "# second\n" POLICY("same", "y"));
	ck_assert_errno(policy_set_load(dir, &s, &e), EINVAL);
	ck_assert_int_ge(asprintf(&want,
				  "%s/b.yaml:3:7: policy 'same' is already defined in "
				  "'%s/a.yaml'",
				  dir, dir),
			 0);
	ck_assert_str_eq(e.msg, want);
	ck_assert(s == (struct policy_set *)0x1);

	/* One bad file fails the whole set, with that file's message. */
	drop(dir, "b.yaml");
	put(dir, "c.yaml", "version: 1\nname: c\nskills:\n  a:\n    tools: [exex]\n");
	ck_assert_errno(policy_set_load(dir, &s, &e), EINVAL);
	free(want);
	ck_assert_int_ge(
		asprintf(&want,
			 "%s/c.yaml:5:13: unknown tool 'exex' in 'skills.a.tools' (expected "
			 "exec, file.read, file.write, file.list, file.delete, browse or "
			 "network)",
			 dir),
		0);
	ck_assert_str_eq(e.msg, want);
	drop(dir, "c.yaml");

	/* Something named like a policy that is not a file is an error, not skipped. */
	ck_assert_int_ge(asprintf(&sub, "%s/d.yaml", dir), 0);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_errno(policy_set_load(dir, &s, &e), EISDIR);
	ck_assert(s == (struct policy_set *)0x1);
	ck_assert_int_eq(rmdir(sub), 0);

	/* Not a directory. */
	free(want);
	ck_assert_int_ge(asprintf(&want, "%s/a.yaml", dir), 0);
	ck_assert_errno(policy_set_load(want, &s, &e), ENOTDIR);
	test_rm_rf(dir);
}
END_TEST

START_TEST(test_reload_keeps_old)
{
	_cleanup_free_ char *dir = test_mkdtemp();
	_cleanup_(policy_set_unrefp) struct policy_set *old = NULL, *next = NULL;
	struct policy_set *held;
	const struct policy *p;
	struct sbx_error e = {};

	put(dir, "a.yaml", POLICY("alpha", "one"));
	ck_assert_ok(policy_set_load(dir, &old, &e));
	p = policy_set_find(old, "alpha");
	held = policy_set_ref(old); /* a session holding the set it started with */

	/* A reload that fails leaves nothing to swap in. */
	put(dir, "a.yaml", "version: 2\n");
	ck_assert_errno(policy_set_load(dir, &next, &e), EINVAL);
	ck_assert_ptr_null(next);

	/* A reload that works is a new set; the old one is untouched. */
	put(dir, "a.yaml", POLICY("alpha", "two"));
	ck_assert_ok(policy_set_load(dir, &next, &e));
	ck_assert_str_eq(policy_set_find(next, "alpha")->skills[0].name, "two");
	ck_assert_str_eq(p->skills[0].name, "one");
	old = policy_set_unref(old);		    /* the daemon swaps ... */
	ck_assert_str_eq(p->skills[0].name, "one"); /* ... the session still holds it */
	ck_assert_ptr_null(policy_set_unref(held));
	ck_assert_ptr_null(policy_set_unref(NULL));
	test_rm_rf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy-set");
	TCase *tc = tcase_create("policy-set");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_builtin_only);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_default_overridden);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_reload_keeps_old);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
