/* SPDX-License-Identifier: MIT */
/* sandboxd/frame.c as a table: whole frames, partial input, the size limit at its edge. */
#include <errno.h>
#include <stdint.h>

#include "frame.h"
#include "macro.h"
#include "test-util.h"

static const struct {
	const char *name;
	uint8_t data[8];
	size_t len;
	uint32_t max;
	int ret;
	uint32_t payload;
} cases[] = {
	{"empty input", {0}, 0, 100, 0, 0},
	{"three header bytes", {0, 0, 0}, 3, 100, 0, 0},
	{"zero-length frame", {0, 0, 0, 0}, 4, 100, 1, 0},
	{"one-byte frame", {0, 0, 0, 1, 0x42}, 5, 100, 1, 1},
	{"payload still coming", {0, 0, 0, 3, 1, 2}, 6, 100, 0, 0},
	{"frame followed by more", {0, 0, 0, 1, 7, 0, 0, 0}, 8, 100, 1, 1},
	{"exactly the maximum, partial", {0, 0, 0, 100, 1}, 5, 100, 0, 0},
	{"one over the maximum", {0, 0, 0, 101}, 4, 100, -EMSGSIZE, 0},
	{"huge length, refused from the header",
	 {0xff, 0xff, 0xff, 0xff},
	 4,
	 16U << 20,
	 -EMSGSIZE,
	 0},
	{"big-endian", {0, 0, 1, 0}, 4, 1000, 0, 0},
};

START_TEST(test_decode_table)
{
	uint32_t payload = UINT32_MAX;
	int r = frame_decode(cases[_i].data, cases[_i].len, cases[_i].max, &payload);

	ck_assert_msg(r == cases[_i].ret, "%s: %d, expected %d", cases[_i].name, r, cases[_i].ret);
	if (r == 1)
		ck_assert_uint_eq(payload, cases[_i].payload);
	else
		ck_assert_uint_eq(payload, UINT32_MAX); /* written on success only */
}
END_TEST

START_TEST(test_encode_round_trip)
{
	static const size_t lens[] = {0, 1, 255, 256, 65535, 65536, 16U << 20};
	uint8_t hdr[FRAME_HEADER_SIZE];

	for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
		uint32_t n = 0;

		ck_assert_ok(frame_encode_header(lens[i], 16U << 20, hdr));
		ck_assert_int_eq(frame_decode(hdr, sizeof(hdr), 16U << 20, &n), lens[i] == 0);
		if (lens[i] == 0)
			ck_assert_uint_eq(n, 0);
		ck_assert_uint_eq((uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
					  (uint32_t)hdr[2] << 8 | hdr[3],
				  lens[i]);
	}
	ck_assert_errno(frame_encode_header((16U << 20) + 1, 16U << 20, hdr), EMSGSIZE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("frame");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_decode_table, 0, (int)ELEMENTSOF(cases));
	tcase_add_test(tc, test_encode_round_trip);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
