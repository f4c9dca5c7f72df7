/* SPDX-License-Identifier: MIT */
/* Tables for common/units.c (sizes, durations, CPU counts, formatting) and common/parse-util.c:
 * every accepted form, every rejected form with its errno, and format/parse round trips.
 * Pure code, no privileges; the fuzz targets cover what tables cannot enumerate. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "macro.h"
#include "parse-util.h"
#include "test-util.h"
#include "units.h"

#define SENTINEL      UINT64_C(0xdeadbeefcafef00d)
#define MI	      (UINT64_C(1) << 20)
#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY  (24 * USEC_PER_HOUR)

struct parse_case {
	const char *in;
	int ret;	/* 0, -EINVAL or -ERANGE */
	uint64_t value; /* when ret == 0 */
};

typedef int (*parse_fn)(const char *s, uint64_t *ret);

/* Runs one table; on failure the output must stay untouched (ret_* written on success only). */
static void check_table(const char *name, parse_fn fn, const struct parse_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = SENTINEL;
		int r = fn(cases[i].in, &v);

		ck_assert_msg(r == cases[i].ret, "%s(\"%s\") returned %d, expected %d", name,
			      cases[i].in ? cases[i].in : "(null)", r, cases[i].ret);
		if (r == 0)
			ck_assert_msg(v == cases[i].value,
				      "%s(\"%s\") gave %" PRIu64 ", expected %" PRIu64, name,
				      cases[i].in, v, cases[i].value);
		else
			ck_assert_msg(v == SENTINEL, "%s(\"%s\") wrote its output on failure", name,
				      cases[i].in ? cases[i].in : "(null)");
	}
}

/* 32 characters: one more than UNITS_TEXT_MAX allows. */
#define TOO_LONG "00000000000000000000000000000001"

START_TEST(test_size)
{
	static const struct parse_case cases[] = {
		{"0", 0, 0},
		{"1", 0, 1},
		{"4096", 0, 4096},
		{"0B", 0, 0},
		{"1B", 0, 1},
		{"1K", 0, 1024},
		{"1Ki", 0, 1024},
		{"1k", 0, 1000},
		{"1kB", 0, 1000},
		{"1M", 0, MI},
		{"512Mi", 0, 512 * MI},
		{"1MB", 0, 1000000},
		{"1G", 0, UINT64_C(1) << 30},
		{"1Gi", 0, UINT64_C(1) << 30},
		{"1GB", 0, 1000000000},
		{"1T", 0, UINT64_C(1) << 40},
		{"3Ti", 0, UINT64_C(3) << 40},
		{"1TB", 0, UINT64_C(1000000000000)},
		{"18446744073709551615", 0, UINT64_MAX},
		{"16777215Ti", 0, UINT64_C(16777215) << 40},
		{"18446744TB", 0, UINT64_C(18446744) * 1000000000000},
		{"0Ti", 0, 0},
		{"0000000000000000000000000000001", 0, 1}, /* 31 chars: the longest accepted */

		{NULL, -EINVAL, 0},
		{"", -EINVAL, 0},
		{" ", -EINVAL, 0},
		{" 1", -EINVAL, 0},
		{"1 ", -EINVAL, 0},
		{"1 Mi", -EINVAL, 0},
		{"+1", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{"1.5Mi", -EINVAL, 0},
		{"1.0", -EINVAL, 0},
		{"10X", -EINVAL, 0},
		{"Mi", -EINVAL, 0},
		{"B", -EINVAL, 0},
		{"1mi", -EINVAL, 0},
		{"1m", -EINVAL, 0},
		{"1KB", -EINVAL, 0},
		{"1kb", -EINVAL, 0},
		{"1KiB", -EINVAL, 0},
		{"1MiB", -EINVAL, 0},
		{"1iB", -EINVAL, 0},
		{"1Mi1", -EINVAL, 0},
		{"1MiMi", -EINVAL, 0},
		{"1P", -EINVAL, 0},
		{"1Pi", -EINVAL, 0},
		{"0x10", -EINVAL, 0},
		{"1e3", -EINVAL, 0},
		{"1_000", -EINVAL, 0},
		{"1,000", -EINVAL, 0},
		{"1\n", -EINVAL, 0},
		{TOO_LONG, -EINVAL, 0},

		{"18446744073709551616", -ERANGE, 0},
		{"99999999999999999999", -ERANGE, 0},
		{"16777216Ti", -ERANGE, 0},
		{"18446744073709551615K", -ERANGE, 0},
		{"18446745TB", -ERANGE, 0},
	};

	check_table("units_parse_size", units_parse_size, cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_duration)
{
	static const struct parse_case cases[] = {
		/* A bare integer is seconds. */
		{"0", 0, 0},
		{"5", 0, 5 * USEC_PER_SEC},
		{"60", 0, 60 * USEC_PER_SEC},
		{"1us", 0, 1},
		{"1ms", 0, 1000},
		{"250ms", 0, 250000},
		{"0s", 0, 0},
		{"60s", 0, 60 * USEC_PER_SEC},
		{"1m", 0, USEC_PER_MIN},
		{"2h", 0, 2 * USEC_PER_HOUR},
		{"1d", 0, USEC_PER_DAY},
		{"1m30s", 0, 90 * USEC_PER_SEC},
		{"1h30m", 0, 90 * USEC_PER_MIN},
		{"1s500ms", 0, 1500000},
		/* "ms" is milliseconds, never minutes followed by a stray "s". */
		{"5ms", 0, 5000},
		{"1m5ms", 0, USEC_PER_MIN + 5000},
		{"1m5s", 0, USEC_PER_MIN + 5 * USEC_PER_SEC},
		{"1d1h1m1s1ms1us", 0,
		 USEC_PER_DAY + USEC_PER_HOUR + USEC_PER_MIN + USEC_PER_SEC + 1000 + 1},
		/* Parts add up in any order, repeats included. */
		{"1s1m", 0, 61 * USEC_PER_SEC},
		{"1m1m", 0, 2 * USEC_PER_MIN},
		{"18446744073709551615us", 0, UINT64_MAX},
		{"213503982d", 0, UINT64_C(213503982) * USEC_PER_DAY},

		{NULL, -EINVAL, 0},
		{"", -EINVAL, 0},
		{" ", -EINVAL, 0},
		{" 5s", -EINVAL, 0},
		{"5s ", -EINVAL, 0},
		{"5 s", -EINVAL, 0},
		{"1m 30s", -EINVAL, 0},
		{"+5s", -EINVAL, 0},
		{"-5s", -EINVAL, 0},
		{"-5", -EINVAL, 0},
		{"1.5s", -EINVAL, 0},
		{"1.5", -EINVAL, 0},
		{"5x", -EINVAL, 0},
		{"s", -EINVAL, 0},
		{"ms", -EINVAL, 0},
		{"5S", -EINVAL, 0},
		{"5M", -EINVAL, 0},
		{"5sec", -EINVAL, 0},
		{"5min", -EINVAL, 0},
		{"5ss", -EINVAL, 0},
		{"5s5", -EINVAL, 0}, /* a bare number is seconds only on its own */
		{"1m5", -EINVAL, 0},
		{"0m5", -EINVAL, 0}, /* a zero first part does not make the rest bare */
		{"0s5", -EINVAL, 0},
		{"0us7", -EINVAL, 0},
		{"1h30", -EINVAL, 0},
		{"5w", -EINVAL, 0},
		{"5ns", -EINVAL, 0},
		{"5µs", -EINVAL, 0},
		{"0x5s", -EINVAL, 0},
		{"1e3ms", -EINVAL, 0},
		{TOO_LONG, -EINVAL, 0},

		{"18446744073709551616us", -ERANGE, 0},
		{"99999999999999999999", -ERANGE, 0},
		{"18446744073709551615s", -ERANGE, 0},
		{"18446744073709551615", -ERANGE, 0},
		{"213503983d", -ERANGE, 0},
		{"5124095577h", -ERANGE, 0},
		{"18446744073709551615us1us", -ERANGE, 0},
	};

	check_table("units_parse_duration", units_parse_duration, cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_cpus)
{
	static const struct parse_case cases[] = {
		{"1", 0, 1000},
		{"10", 0, 10000},
		{"0.5", 0, 500},
		{"2.25", 0, 2250},
		{"1.0", 0, 1000},
		{"1.5", 0, 1500},
		{"0.1", 0, 100},
		{"0.010", 0, 10},
		{"0.001", 0, 1},
		{"1.000", 0, 1000},
		{"18446744073709551", 0, UINT64_C(18446744073709551000)},
		{"18446744073709551.615", 0, UINT64_MAX},

		{NULL, -EINVAL, 0},
		{"", -EINVAL, 0},
		{" 1", -EINVAL, 0},
		{"1 ", -EINVAL, 0},
		{"+1", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{".5", -EINVAL, 0},
		{"1.", -EINVAL, 0},
		{"1..5", -EINVAL, 0},
		{"1.5.0", -EINVAL, 0},
		{"1,5", -EINVAL, 0},
		{"0.0001", -EINVAL, 0}, /* more precision than a thousandth */
		{"1.0000", -EINVAL, 0},
		{"1e3", -EINVAL, 0},
		{"1x", -EINVAL, 0},
		{"1m", -EINVAL, 0},
		{"one", -EINVAL, 0},
		{"0x1", -EINVAL, 0},
		{TOO_LONG, -EINVAL, 0},

		/* Zero CPUs is a value, just not a usable one. */
		{"0", -ERANGE, 0},
		{"00", -ERANGE, 0},
		{"0.0", -ERANGE, 0},
		{"0.000", -ERANGE, 0},
		{"18446744073709552", -ERANGE, 0},
		{"18446744073709551.616", -ERANGE, 0},
		{"99999999999999999999", -ERANGE, 0},
	};

	check_table("units_parse_cpus", units_parse_cpus, cases, ELEMENTSOF(cases));
}
END_TEST

struct format_case {
	uint64_t value;
	const char *out;
};

START_TEST(test_format_size)
{
	static const struct format_case cases[] = {
		{0, "0"},
		{1, "1"},
		{100, "100"},
		{1000, "1000"},
		{1023, "1023"},
		{1024, "1Ki"},
		{1025, "1025"},
		{1536, "1536"},
		{1536 * 1024, "1536Ki"},
		{256 * MI, "256Mi"},
		{UINT64_C(1) << 30, "1Gi"},
		{UINT64_C(3) << 40, "3Ti"},
		{UINT64_C(1) << 50, "1024Ti"},
		{UINT64_C(1) << 63, "8388608Ti"},
		{UINT64_MAX, "18446744073709551615"},
	};
	char buf[UNITS_TEXT_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const char *s = units_format_size(cases[i].value, buf);

		ck_assert_ptr_eq(s, buf);
		ck_assert_msg(strcmp(s, cases[i].out) == 0,
			      "units_format_size(%" PRIu64 ") = \"%s\", expected \"%s\"",
			      cases[i].value, s, cases[i].out);
	}
}
END_TEST

START_TEST(test_format_duration)
{
	static const struct format_case cases[] = {
		{0, "0us"},
		{1, "1us"},
		{999, "999us"},
		{1000, "1ms"},
		{1001, "1001us"},
		{1500000, "1500ms"},
		{5 * USEC_PER_SEC, "5s"},
		{90 * USEC_PER_SEC, "90s"},
		{USEC_PER_MIN, "1m"},
		{90 * USEC_PER_MIN, "90m"},
		{USEC_PER_HOUR, "1h"},
		{2 * USEC_PER_HOUR, "2h"},
		{36 * USEC_PER_HOUR, "36h"},
		{USEC_PER_DAY, "1d"},
		{7 * USEC_PER_DAY, "7d"},
		{UINT64_MAX, "18446744073709551615us"},
	};
	char buf[UNITS_TEXT_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const char *s = units_format_duration(cases[i].value, buf);

		ck_assert_ptr_eq(s, buf);
		ck_assert_msg(strcmp(s, cases[i].out) == 0,
			      "units_format_duration(%" PRIu64 ") = \"%s\", expected \"%s\"",
			      cases[i].value, s, cases[i].out);
	}
}
END_TEST

/* Values around every power of two and multiples of every unit: format then parse gives the
 * same number back, so anything we print (status output, errors) can be pasted into a policy. */
static void roundtrip_one(uint64_t v)
{
	char buf[UNITS_TEXT_MAX];
	uint64_t back = SENTINEL;

	units_format_size(v, buf);
	ck_assert_msg(units_parse_size(buf, &back) == 0 && back == v,
		      "size %" PRIu64 " -> \"%s\" -> %" PRIu64, v, buf, back);

	back = SENTINEL;
	units_format_duration(v, buf);
	ck_assert_msg(units_parse_duration(buf, &back) == 0 && back == v,
		      "duration %" PRIu64 " -> \"%s\" -> %" PRIu64, v, buf, back);
}

START_TEST(test_roundtrip)
{
	static const uint64_t factors[] = {
		1,
		1000,
		1024,
		1000000,
		MI,
		USEC_PER_SEC,
		USEC_PER_MIN,
		USEC_PER_HOUR,
		USEC_PER_DAY,
		UINT64_C(1) << 30,
		UINT64_C(1) << 40,
	};

	roundtrip_one(0);
	roundtrip_one(UINT64_MAX);
	for (unsigned k = 0; k < 64; k++) {
		uint64_t p = UINT64_C(1) << k;

		roundtrip_one(p);
		roundtrip_one(p - 1);
		roundtrip_one(p + 1);
		if (k < 62)
			roundtrip_one(p * 3);
	}
	for (size_t i = 0; i < ELEMENTSOF(factors); i++)
		for (uint64_t m = 1; m <= 1000; m += 37) {
			uint64_t v;

			if (__builtin_mul_overflow(factors[i], m, &v))
				continue;
			roundtrip_one(v);
		}
}
END_TEST

START_TEST(test_canonical)
{
	/* Parsing then formatting gives the canonical spelling. */
	static const struct {
		const char *in, *out;
		bool duration;
	} cases[] = {
		{"1024Ki", "1Mi", false}, {"1M", "1Mi", false},	  {"1G", "1Gi", false},
		{"1kB", "1000", false},	  {"2048", "2Ki", false}, {"60s", "1m", true},
		{"1m30s", "90s", true},	  {"60m", "1h", true},	  {"24h", "1d", true},
		{"1000us", "1ms", true},  {"5", "5s", true},
	};
	char buf[UNITS_TEXT_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t v;
		const char *s;

		if (cases[i].duration) {
			ck_assert_int_eq(units_parse_duration(cases[i].in, &v), 0);
			s = units_format_duration(v, buf);
		} else {
			ck_assert_int_eq(units_parse_size(cases[i].in, &v), 0);
			s = units_format_size(v, buf);
		}
		ck_assert_msg(strcmp(s, cases[i].out) == 0,
			      "\"%s\" formats back as \"%s\", expected \"%s\"", cases[i].in, s,
			      cases[i].out);
	}
}
END_TEST

START_TEST(test_parse_u64)
{
	static const struct parse_case cases[] = {
		{"0", 0, 0},
		{"1", 0, 1},
		{"42", 0, 42},
		{"4096", 0, 4096},
		{"18446744073709551615", 0, UINT64_MAX},

		{NULL, -EINVAL, 0},
		{"", -EINVAL, 0},
		{" ", -EINVAL, 0},
		{" 1", -EINVAL, 0},
		{"1 ", -EINVAL, 0},
		{"+1", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{"-0", -EINVAL, 0},
		{"0x1", -EINVAL, 0},
		{"1.0", -EINVAL, 0},
		{"1e3", -EINVAL, 0},
		{"1K", -EINVAL, 0},
		{"1s", -EINVAL, 0},
		{"abc", -EINVAL, 0},
		{"1\n", -EINVAL, 0},
		{"1_000", -EINVAL, 0},

		{"18446744073709551616", -ERANGE, 0},
		{"99999999999999999999", -ERANGE, 0},
		{"999999999999999999999999999999999999999", -ERANGE, 0},
	};

	check_table("parse_u64", parse_u64, cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_parse_u64_range)
{
	static const struct {
		const char *in;
		uint64_t min, max;
		int ret;
		uint64_t value;
	} cases[] = {
		{"5", 1, 10, 0, 5},
		{"1", 1, 10, 0, 1},
		{"10", 1, 10, 0, 10},
		{"0", 0, 0, 0, 0},
		{"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
		{"0", 1, 10, -ERANGE, 0},
		{"11", 1, 10, -ERANGE, 0},
		{"18446744073709551615", 0, UINT64_MAX - 1, -ERANGE, 0},
		{"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0},
		{"", 0, 10, -EINVAL, 0},
		{"-1", 0, 10, -EINVAL, 0},
		{"5x", 0, 10, -EINVAL, 0},
		{NULL, 0, 10, -EINVAL, 0},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t v = SENTINEL;
		int r = parse_u64_range(cases[i].in, cases[i].min, cases[i].max, &v);

		ck_assert_msg(r == cases[i].ret,
			      "parse_u64_range(\"%s\", %" PRIu64 ", %" PRIu64 ") = %d, expected %d",
			      cases[i].in ? cases[i].in : "(null)", cases[i].min, cases[i].max, r,
			      cases[i].ret);
		ck_assert(r == 0 ? v == cases[i].value : v == SENTINEL);
	}
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_cpus);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_format_size);
	tcase_add_test(tc, test_format_duration);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_canonical);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse-util");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_parse_u64_range);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return test_run_suite(units_suite());
}
