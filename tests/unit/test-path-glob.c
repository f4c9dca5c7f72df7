/* SPDX-License-Identifier: MIT */
/* policy/path-glob.c as tables: what compiles (and why not), what matches, literal prefixes
 * for Landlock, and the "reaches"/"is under" questions data sources ask. */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "path-glob.h"
#include "test-util.h"

static const struct {
	const char *pattern;
	const char *reason; /* NULL: compiles */
} compile_cases[] = {
	{"/", NULL},
	{"/**", NULL},
	{"/workspace/**", NULL},
	{"/workspace/*.py", NULL},
	{"/a/**/b/**/c", NULL},
	{"/a/?/b", NULL},
	{"/caf\xc3\xa9/*", NULL},
	{"/x/.hidden", NULL},
	{"/x/..y", NULL},
	{"/x/a]", "character classes ('[...]') are not supported"},
	{"", "not an absolute path"},
	{"workspace/**", "not an absolute path"},
	{"~/x", "not an absolute path"},
	{"/a//b", "empty path component ('//' or a trailing '/')"},
	{"/a/", "empty path component ('//' or a trailing '/')"},
	{"//", "empty path component ('//' or a trailing '/')"},
	{"/a/./b", "'.' and '..' components are not allowed"},
	{"/a/../b", "'.' and '..' components are not allowed"},
	{"/..", "'.' and '..' components are not allowed"},
	{"/a/**b", "'**' must be a whole path component"},
	{"/a/b**", "'**' must be a whole path component"},
	{"/a/***", "'**' must be a whole path component"},
	{"/a/[ab]", "character classes ('[...]') are not supported"},
	{"/a/{b,c}", "braces ('{a,b}') are not supported; list each glob"},
	{"/a/\\*", "backslash escapes are not supported"},
};

START_TEST(test_compile)
{
	struct path_glob g = {};
	const char *why = NULL;
	int r = path_glob_compile(compile_cases[_i].pattern, &g, &why);

	if (!compile_cases[_i].reason) {
		ck_assert_msg(r == 0, "'%s' refused: %s", compile_cases[_i].pattern, why);
		path_glob_done(&g);
	} else {
		ck_assert_msg(r == -EINVAL, "'%s' compiled", compile_cases[_i].pattern);
		ck_assert_str_eq(why, compile_cases[_i].reason);
	}
}
END_TEST

START_TEST(test_too_long)
{
	static char p[PATH_GLOB_MAX + 2];
	struct path_glob g;
	const char *why = NULL;

	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	ck_assert_errno(path_glob_compile(p, &g, &why), EINVAL);
	ck_assert_str_eq(why, "longer than 4096 bytes");
	p[PATH_GLOB_MAX] = '\0'; /* exactly the maximum */
	ck_assert_ok(path_glob_compile(p, &g, NULL));
	ck_assert_uint_eq(g.n_comps, 1);
	path_glob_done(&g);
}
END_TEST

static const struct {
	const char *pattern, *path;
	bool match;
} match_cases[] = {
	{"/workspace/**", "/workspace", true},
	{"/workspace/**", "/workspace/a", true},
	{"/workspace/**", "/workspace/a/b/c.txt", true},
	{"/workspace/**", "/workspace2", false},
	{"/workspace/**", "/work", false},
	{"/workspace/**", "/", false},
	{"/**", "/", true},
	{"/**", "/etc/passwd", true},
	{"/", "/", true},
	{"/", "/a", false},
	{"/a", "/a", true},
	{"/a", "/a/b", false},
	{"/a", "/ab", false},
	{"/a/*", "/a/b", true},
	{"/a/*", "/a", false},
	{"/a/*", "/a/b/c", false}, /* '*' never crosses '/' */
	{"/a/*", "/a/.env", true}, /* no dotfile exception */
	{"/a/*.py", "/a/x.py", true},
	{"/a/*.py", "/a/.py", true},
	{"/a/*.py", "/a/x.pyc", false},
	{"/a/*.py", "/a/b/x.py", false},
	{"/a/*x*y", "/a/axbxcy", true},
	{"/a/*x*y", "/a/axbxc", false},
	{"/a/?", "/a/b", true},
	{"/a/?", "/a/bc", false},
	{"/a/?", "/a/\xc3\xa9", true}, /* one character, two bytes */
	{"/a/?b",
	 "/a/\xc3\xa9"
	 "b",
	 true},
	{"/a/*b",
	 "/a/\xc3\xa9"
	 "b",
	 true},
	{"/a/??", "/a/\xc3\xa9", false},
	{"/a/?", "/a/", false},
	{"/a/**/b", "/a/b", true},
	{"/a/**/b", "/a/x/b", true},
	{"/a/**/b", "/a/x/y/b", true},
	{"/a/**/b", "/a/x/y/c", false},
	{"/a/**/b", "/a/b/c", false},
	{"/a/**/b/**", "/a/x/b/y/z", true},
	{"/a/**/b/**", "/a/x/c/y/z", false},
	{"/**/*.py", "/x.py", true},
	{"/**/*.py", "/a/b/c/x.py", true},
	{"/**/*.py", "/a/b/c/x.txt", false},
	{"/a/**/**/c", "/a/c", true},
	{"/a/**/x/**/y", "/a/x/x/x/y", true},
	{"/a/**/x/**/y", "/a/x/y/x", false},
	{"/data/*/2024/**", "/data/orders/2024/jan/x.csv", true},
	{"/data/*/2024/**", "/data/orders/2023/jan/x.csv", false},
	{"/usr/bin/python3*", "/usr/bin/python3.11", true},
	{"/usr/bin/python3*", "/usr/bin/python", false},
	{"/a", "a", false}, /* relative paths never match */
	{"/a", "", false},
};

START_TEST(test_match)
{
	struct path_glob g;
	const char *path = match_cases[_i].path;

	ck_assert_ok(path_glob_compile(match_cases[_i].pattern, &g, NULL));
	ck_assert_msg(path_glob_match(&g, path, strlen(path)) == match_cases[_i].match,
		      "'%s' vs '%s': expected %s", match_cases[_i].pattern, path,
		      match_cases[_i].match ? "a match" : "no match");
	path_glob_done(&g);
}
END_TEST

/* Hostile patterns stay fast: the two backtracking points make this quadratic at worst. */
START_TEST(test_no_blowup)
{
	char pattern[PATH_GLOB_MAX], path[4096];
	struct path_glob g;
	size_t n = 0;

	n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "/a");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "/**/a");
	n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "/b");
	ck_assert_ok(path_glob_compile(pattern, &g, NULL));
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/a");
	ck_assert(!path_glob_match(&g, path, n));
	path_glob_done(&g);

	memset(pattern, 0, sizeof(pattern));
	pattern[0] = '/';
	for (int i = 1; i < 2000; i += 2) {
		pattern[i] = '*';
		pattern[i + 1] = 'a';
	}
	ck_assert_ok(path_glob_compile(pattern, &g, NULL));
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[4000] = 'b';
	ck_assert(!path_glob_match(&g, path, 4001));
	path_glob_done(&g);
}
END_TEST

static const struct {
	const char *pattern, *prefix;
} prefix_cases[] = {
	{"/workspace/**", "/workspace"},
	{"/workspace/out/**", "/workspace/out"},
	{"/data/*/x", "/data"},
	{"/data/x?/y", "/data"},
	{"/**", "/"},
	{"/*.txt", "/"},
	{"/", "/"},
	{"/etc/hosts", "/etc/hosts"},
	{"/a/b/**/c", "/a/b"},
};

START_TEST(test_prefix)
{
	struct path_glob g;

	ck_assert_ok(path_glob_compile(prefix_cases[_i].pattern, &g, NULL));
	ck_assert_uint_eq(g.prefix_len, strlen(prefix_cases[_i].prefix));
	ck_assert(memcmp(g.text, prefix_cases[_i].prefix, g.prefix_len) == 0);
	path_glob_done(&g);
}
END_TEST

static const struct {
	const char *pattern, *dir;
	bool reaches, under;
} dir_cases[] = {
	{"/data/**", "/data/orders", true, false},
	{"/data/orders/**", "/data/orders", true, true},
	{"/data/orders/2024/*.csv", "/data/orders", true, true},
	{"/data/orders", "/data/orders", true, true},
	{"/data/*", "/data/orders", true, false},
	{"/data/ord*/**", "/data/orders", true, false},
	{"/data/x/**", "/data/orders", false, false},
	{"/data", "/data/orders", false, false},
	{"/**", "/data/orders", true, false},
	{"/**/x", "/data/orders", true, false},
	{"/workspace/**", "/data/orders", false, false},
	{"/data/orders2/**", "/data/orders", false, false},
	{"/**", "/", true, true},
};

START_TEST(test_dirs)
{
	struct path_glob g;
	const char *dir = dir_cases[_i].dir;

	ck_assert_ok(path_glob_compile(dir_cases[_i].pattern, &g, NULL));
	ck_assert_msg(path_glob_reaches(&g, dir, strlen(dir)) == dir_cases[_i].reaches,
		      "'%s' reaches '%s'", dir_cases[_i].pattern, dir);
	ck_assert_msg(path_glob_is_under(&g, dir, strlen(dir)) == dir_cases[_i].under,
		      "'%s' under '%s'", dir_cases[_i].pattern, dir);
	path_glob_done(&g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("path-glob");
	TCase *tc = tcase_create("path-glob");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_compile, 0, (int)ELEMENTSOF(compile_cases));
	tcase_add_test(tc, test_too_long);
	tcase_add_loop_test(tc, test_match, 0, (int)ELEMENTSOF(match_cases));
	tcase_add_test(tc, test_no_blowup);
	tcase_add_loop_test(tc, test_prefix, 0, (int)ELEMENTSOF(prefix_cases));
	tcase_add_loop_test(tc, test_dirs, 0, (int)ELEMENTSOF(dir_cases));
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
