/* SPDX-License-Identifier: MIT */
/* policy/sandbox-path.c as a table: lexical normalisation in the sandbox's view (relative to
 * /workspace, ".." clamped at "/"), the limits, and component-wise "under". */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "sandbox-path.h"
#include "test-util.h"

static const struct {
	const char *in;
	const char *out; /* NULL: refused with err */
	int err;
} cases[] = {
	{"/", "/", 0},
	{"/a/b", "/a/b", 0},
	{"/a/b/", "/a/b", 0},
	{"//a//b//", "/a/b", 0},
	{"/a/./b/.", "/a/b", 0},
	{"/a/b/../c", "/a/c", 0},
	{"/a/b/../../..", "/", 0},
	{"/../../etc/passwd", "/etc/passwd", 0},
	{"x", "/workspace/x", 0},
	{"./x/y", "/workspace/x/y", 0},
	{".", "/workspace", 0},
	{"..", "/", 0},
	{"../etc", "/etc", 0},
	{"../../../../etc/shadow", "/etc/shadow", 0},
	{"out/../../tmp/x", "/tmp/x", 0},
	{"a/b/..", "/workspace/a", 0},
	{"/...", "/...", 0},
	{"/a/..b", "/a/..b", 0},
	{"", NULL, -EINVAL},
};

START_TEST(test_normalize)
{
	char out[SANDBOX_PATH_MAX];
	const char *in = cases[_i].in;
	int r = sandbox_path_normalize(in, strlen(in), out);

	if (!cases[_i].out) {
		ck_assert_int_eq(r, cases[_i].err);
		return;
	}
	ck_assert_msg(r >= 0, "'%s' refused: %d", in, r);
	ck_assert_str_eq(out, cases[_i].out);
	ck_assert_int_eq(r, (int)strlen(cases[_i].out));
	ck_assert(sandbox_path_is_normalized(out));
}
END_TEST

START_TEST(test_limits)
{
	static char p[SANDBOX_PATH_MAX + 1];
	char out[SANDBOX_PATH_MAX];

	ck_assert_errno(sandbox_path_normalize("/a\0b", 4, out), EINVAL);
	ck_assert_errno(sandbox_path_normalize(NULL, 0, out), EINVAL);

	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	ck_assert_errno(sandbox_path_normalize(p, SANDBOX_PATH_MAX, out), ENAMETOOLONG);
	ck_assert_int_eq(sandbox_path_normalize(p, SANDBOX_PATH_MAX - 1, out),
			 SANDBOX_PATH_MAX - 1);
	/* Short input, long result: the workspace prefix pushes it over. */
	ck_assert_errno(sandbox_path_normalize(p + 1, SANDBOX_PATH_MAX - 2, out), ENAMETOOLONG);
	/* Long input that collapses to something short is fine. */
	for (size_t i = 0; i < SANDBOX_PATH_MAX - 1; i++)
		p[i] = i % 2 ? '.' : '/';
	ck_assert_int_eq(sandbox_path_normalize(p, SANDBOX_PATH_MAX - 1, out), 1);
}
END_TEST

START_TEST(test_is_normalized)
{
	ck_assert(sandbox_path_is_normalized("/"));
	ck_assert(sandbox_path_is_normalized("/usr/bin/python3"));
	ck_assert(!sandbox_path_is_normalized("usr/bin"));
	ck_assert(!sandbox_path_is_normalized("/usr/bin/"));
	ck_assert(!sandbox_path_is_normalized("/usr//bin"));
	ck_assert(!sandbox_path_is_normalized("/usr/./bin"));
	ck_assert(!sandbox_path_is_normalized("/usr/bin/../lib"));
	ck_assert(!sandbox_path_is_normalized(""));
	ck_assert(!sandbox_path_is_normalized(NULL));
}
END_TEST

START_TEST(test_is_under)
{
#define UNDER(p, d) sandbox_path_is_under(p, strlen(p), d, strlen(d))
	ck_assert(UNDER("/data", "/data"));
	ck_assert(UNDER("/data/x", "/data"));
	ck_assert(!UNDER("/data2", "/data"));
	ck_assert(!UNDER("/dat", "/data"));
	ck_assert(UNDER("/anything", "/"));
	ck_assert(UNDER("/", "/"));
	ck_assert(!UNDER("/", "/data"));
#undef UNDER
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox-path");
	TCase *tc = tcase_create("sandbox-path");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_normalize, 0, (int)ELEMENTSOF(cases));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_is_normalized);
	tcase_add_test(tc, test_is_under);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
