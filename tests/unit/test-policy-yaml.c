/* SPDX-License-Identifier: MIT */
/* policy/policy-yaml.c: the bounds of the event layer that the loader cannot reach through a
 * policy (no valid policy nests deeper than five levels, so the depth limit is tested here)
 * and the positions it reports. */
#include <string.h>

#include "macro.h"
#include "policy-yaml.h"
#include "test-util.h"

/* Reads every event of text; returns the first error or 0. */
static int read_all(const char *text, struct sbx_error *e)
{
	struct policy_yaml y;
	int r = policy_yaml_open(&y, text, strlen(text), "y.yaml", e);

	while (r > 0) {
		r = policy_yaml_next(&y);
		if (r == 0 && y.ev.type == YAML_STREAM_END_EVENT)
			break;
		if (r == 0)
			r = 1;
	}
	policy_yaml_close(&y);
	return r;
}

START_TEST(test_depth)
{
	struct sbx_error e = {};

	ck_assert_ok(read_all("[[[[[[[[1]]]]]]]]", &e)); /* 8 levels */
	ck_assert_errno(read_all("[[[[[[[[[1]]]]]]]]]", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:9: nested deeper than 8 levels");
	ck_assert_errno(read_all("a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n"
				 "        i: 1\n",
				 &e),
			EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:9:9: nested deeper than 8 levels");
}
END_TEST

START_TEST(test_refusals)
{
	struct sbx_error e = {};

	ck_assert_errno(read_all("a: &x 1\nb: *x\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:4: anchors are not allowed");
	ck_assert_errno(read_all("a: [*x]\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:5: aliases are not allowed");
	ck_assert_errno(read_all("a: !custom {}\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:4: tags are not allowed");
	ck_assert_errno(read_all("a: !!seq [1]\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:4: tags are not allowed");
	ck_assert_errno(read_all("a: &x [1]\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:4: anchors are not allowed");
	ck_assert_errno(read_all("a: \"\\0\"\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:1:4: value contains a NUL byte");
	ck_assert_errno(read_all("a: [1\n", &e), EINVAL);
	ck_assert_str_eq(e.msg, "y.yaml:2:1: did not find expected ',' or ']'");
}
END_TEST

START_TEST(test_empty_and_null)
{
	struct policy_yaml y;
	struct sbx_error e = {};

	ck_assert_int_eq(policy_yaml_open(&y, "", 0, "y.yaml", &e), 0);
	policy_yaml_close(&y);
	ck_assert_int_eq(policy_yaml_open(&y, "# only a comment\n", 17, "y.yaml", &e), 0);
	policy_yaml_close(&y);

	ck_assert_int_eq(policy_yaml_open(&y, "[~, null, '', \"~\", x]", 21, "y.yaml", &e), 1);
	ck_assert_int_eq(y.ev.type, YAML_SEQUENCE_START_EVENT);
	ck_assert_ok(policy_yaml_next(&y));
	ck_assert(policy_yaml_is_null(&y));
	ck_assert_ok(policy_yaml_next(&y));
	ck_assert(policy_yaml_is_null(&y));
	ck_assert_ok(policy_yaml_next(&y));
	ck_assert(!policy_yaml_is_null(&y)); /* quoted: an empty string, not null */
	ck_assert_ok(policy_yaml_next(&y));
	ck_assert(!policy_yaml_is_null(&y));
	ck_assert_ok(policy_yaml_next(&y));
	ck_assert(!policy_yaml_is_null(&y));
	ck_assert_str_eq(policy_yaml_scalar(&y), "x");
	ck_assert_uint_eq(policy_yaml_line(&y), 1);
	ck_assert_uint_eq(policy_yaml_column(&y), 20);
	policy_yaml_close(&y);
	policy_yaml_close(&y); /* twice is fine */
}
END_TEST

START_TEST(test_error_format)
{
	struct sbx_error e = {};

	ck_assert_errno(policy_yaml_error(&e, -EFBIG, "p.yaml", 3, 4, "x %d", 5), EFBIG);
	ck_assert_str_eq(e.msg, "p.yaml:3:4: x 5");
	ck_assert_int_eq(e.code, -EFBIG);
	ck_assert_errno(policy_yaml_error(NULL, -EINVAL, "p.yaml", 1, 1, "x"), EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy-yaml");
	TCase *tc = tcase_create("policy-yaml");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_empty_and_null);
	tcase_add_test(tc, test_error_format);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
