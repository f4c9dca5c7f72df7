/* SPDX-License-Identifier: MIT */
/* sandboxd/capture.c: under the cap everything is kept; over it, head and tail, in order, at
 * most cap bytes, whatever the sizes of the pieces it arrives in. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "macro.h"
#include "test-util.h"

/* Feeds 0..n-1 (as bytes i % 251) in pieces of size piece; checks the result against the
 * expected head+tail. */
static void check(size_t cap, size_t n, size_t piece)
{
	struct capture c;
	char *in = malloc(n + 1), *out;
	size_t len, head = cap / 2, tail = cap - head;

	ck_assert_ptr_nonnull(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)(i % 251);
	ck_assert_ok(capture_init(&c, cap));
	for (size_t off = 0; off < n; off += piece)
		ck_assert_ok(capture_add(&c, in + off, MIN(piece, n - off)));
	out = capture_take(&c, &len);
	ck_assert_ptr_nonnull(out);
	if (n <= cap) {
		ck_assert_uint_eq(len, n);
		ck_assert(memcmp(out, in, n) == 0);
		ck_assert(!capture_truncated(&c));
	} else {
		ck_assert_uint_eq(len, cap);
		ck_assert_msg(memcmp(out, in, head) == 0, "head, cap %zu n %zu piece %zu", cap, n,
			      piece);
		ck_assert_msg(memcmp(out + head, in + n - tail, tail) == 0,
			      "tail, cap %zu n %zu piece %zu", cap, n, piece);
		ck_assert(capture_truncated(&c));
	}
	ck_assert_uint_eq(c.total, n);
	free(out);
	free(in);
	capture_done(&c);
}

START_TEST(test_sizes)
{
	static const size_t caps[] = {2, 3, 10, 64, 1000};
	static const size_t ns[] = {0, 1, 2, 9, 10, 11, 63, 64, 65, 999, 1000, 1001, 5000};
	static const size_t pieces[] = {1, 3, 7, 64, 10000};

	for (size_t a = 0; a < ELEMENTSOF(caps); a++)
		for (size_t b = 0; b < ELEMENTSOF(ns); b++)
			for (size_t p = 0; p < ELEMENTSOF(pieces); p++)
				check(caps[a], ns[b], pieces[p]);
}
END_TEST

START_TEST(test_cap_too_small)
{
	struct capture c;

	ck_assert_errno(capture_init(&c, 1), EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("capture");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_cap_too_small);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
