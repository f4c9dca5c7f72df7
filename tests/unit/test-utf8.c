/* SPDX-License-Identifier: MIT */
/* common/utf8.c against the well-formed and ill-formed sequences of Unicode section 3.9. */
#include <string.h>

#include "macro.h"
#include "test-util.h"
#include "utf8.h"

static const struct {
	const char *s;
	size_t len; /* 0: strlen */
	bool valid;
} cases[] = {
	{"", 0, true},
	{"plain ascii", 0, true},
	{"caf\xc3\xa9", 0, true},
	{"\xe2\x82\xac", 0, true},     /* U+20AC */
	{"\xf0\x9f\x98\x80", 0, true}, /* U+1F600 */
	{"\xf4\x8f\xbf\xbf", 0, true}, /* U+10FFFF, the last */
	{"\xed\x9f\xbf", 0, true},     /* U+D7FF, just below the surrogates */
	{"\xff", 0, false},
	{"\xfe\xfe", 0, false},
	{"\x80", 0, false},		/* a lone continuation byte */
	{"\xc3", 0, false},		/* truncated */
	{"\xe2\x82", 0, false},		/* truncated */
	{"\xc0\xaf", 0, false},		/* overlong '/' */
	{"\xc1\xbf", 0, false},		/* overlong */
	{"\xe0\x80\xaf", 0, false},	/* overlong */
	{"\xf0\x80\x80\xaf", 0, false}, /* overlong */
	{"\xed\xa0\x80", 0, false},	/* U+D800, a surrogate */
	{"\xed\xbf\xbf", 0, false},	/* U+DFFF */
	{"\xf4\x90\x80\x80", 0, false}, /* above U+10FFFF */
	{"\xf5\x80\x80\x80", 0, false},
	{"ok\xc3\x28", 0, false}, /* bad continuation */
	{"a\0b", 3, true},	  /* NUL is valid UTF-8; callers bound lengths */
};

START_TEST(test_table)
{
	size_t len = cases[_i].len ? cases[_i].len : strlen(cases[_i].s);

	ck_assert_msg(utf8_is_valid(cases[_i].s, len) == cases[_i].valid, "case %d", _i);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_table, 0, (int)ELEMENTSOF(cases));
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
