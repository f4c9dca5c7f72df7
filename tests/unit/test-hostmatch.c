/* SPDX-License-Identifier: MIT */
/* policy/hostmatch.c as tables: host patterns and CIDRs that load (and why the others do not),
 * the normalisation of a call's host, and which patterns match which hosts. */
#include <errno.h>
#include <string.h>

#include "hostmatch.h"
#include "macro.h"
#include "test-util.h"

static const struct {
	const char *in;
	const char *reason; /* NULL: accepted */
	enum hostmatch_kind kind;
} pattern_cases[] = {
	{"docs.python.org", NULL, HOSTMATCH_NAME},
	{"localhost", NULL, HOSTMATCH_NAME},
	{"a-b_c.example", NULL, HOSTMATCH_NAME},
	{"xn--bcher-kva.example", NULL, HOSTMATCH_NAME},
	{"1password.com", NULL, HOSTMATCH_NAME},
	{"*.carrier.example", NULL, HOSTMATCH_SUFFIX},
	{"*.internal", NULL, HOSTMATCH_SUFFIX},
	{"10.0.0.7", NULL, HOSTMATCH_ADDRESS},
	{"2001:db8::1", NULL, HOSTMATCH_ADDRESS},
	{"::ffff:10.0.0.7", NULL, HOSTMATCH_ADDRESS},
	{"", "empty host pattern", 0},
	{"*", "'*' alone would allow every host; list the hosts", 0},
	{"Docs.python.org", "must be lowercase", 0},
	{"example.com.", "must not end with '.'", 0},
	{"a..b", "empty label", 0},
	{".a", "empty label", 0},
	{"-a.b", "label starts or ends with '-'", 0},
	{"a-.b", "label starts or ends with '-'", 0},
	{"a.*.b", "'*' is only allowed as a leading '*.' label", 0},
	{"*a.b", "'*' is only allowed as a leading '*.' label", 0},
	{"**.b", "'*' is only allowed as a leading '*.' label", 0},
	{"*.", "empty host name", 0},
	{"10.0.0.0/24", "address ranges belong in allow_cidrs", 0},
	{"127.1", "looks like an IPv4 address but is not a valid one", 0},
	{"0x7f.0.0.1", "looks like an IPv4 address but is not a valid one", 0},
	{"010.0.0.1", "looks like an IPv4 address but is not a valid one", 0},
	{"256.0.0.1", "looks like an IPv4 address but is not a valid one", 0},
	{"*.1", "looks like an IPv4 address but is not a valid one", 0},
	{"example.com:443", "not a valid IPv6 address (ports are not part of host patterns)", 0},
	{"[::1]", "write IPv6 addresses without brackets", 0},
	{"fe80::1%eth0", "IPv6 zone ids are not allowed", 0},
	{"b\xc3\xbc"
	 "cher.example",
	 "not ASCII (write internationalised names in their xn-- form)", 0},
	{"a b", "not a valid host name (letters, digits, '-', '_' and '.')", 0},
	{"a/b", "address ranges belong in allow_cidrs", 0},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	 "label longer than 63 bytes", 0},
};

START_TEST(test_patterns)
{
	struct hostmatch_pattern p;
	const char *why = NULL;
	int r = hostmatch_pattern_parse(pattern_cases[_i].in, &p, &why);

	if (!pattern_cases[_i].reason) {
		ck_assert_msg(r == 0, "'%s' refused: %s", pattern_cases[_i].in, why);
		ck_assert_int_eq(p.kind, pattern_cases[_i].kind);
	} else {
		ck_assert_msg(r == -EINVAL, "'%s' accepted", pattern_cases[_i].in);
		ck_assert_str_eq(why, pattern_cases[_i].reason);
	}
}
END_TEST

START_TEST(test_long_names)
{
	char name[300];
	struct hostmatch_pattern p;
	const char *why = NULL;

	/* 4 labels of 63 plus 3 dots = 255 > 253 */
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 255; i += 64)
		name[i] = '.';
	name[255] = '\0';
	ck_assert_errno(hostmatch_pattern_parse(name, &p, &why), EINVAL);
	ck_assert_str_eq(why, "longer than 253 bytes");
	name[253] = '\0';
	ck_assert_ok(hostmatch_pattern_parse(name, &p, &why));
	ck_assert_uint_eq(p.len, 253);
}
END_TEST

static const struct {
	const char *in;
	const char *reason;
	unsigned prefix;
} cidr_cases[] = {
	{"10.0.0.0/24", NULL, 24},
	{"10.0.0.7/32", NULL, 32},
	{"169.254.169.254/32", NULL, 32},
	{"fd00::/8", NULL, 8},
	{"2001:db8::/32", NULL, 32},
	{"::1/128", NULL, 128},
	{"10.0.0.1/24", "bits are set beyond the prefix length (write the network address)", 0},
	{"10.0.0.0", "expected ADDRESS/PREFIX", 0},
	{"10.0.0.0/", "the prefix length must be a decimal number without leading zeros", 0},
	{"10.0.0.0/024", "the prefix length must be a decimal number without leading zeros", 0},
	{"10.0.0.0/+8", "the prefix length must be a decimal number without leading zeros", 0},
	{"10.0.0.0/33", "the prefix length must be 1 to 32", 0},
	{"10.0.0.0/8x", "the prefix length must be 1 to 32", 0},
	{"10.0.0.0/99999999999", "the prefix length must be 1 to 32", 0},
	{"::/129", "the prefix length must be 1 to 128", 0},
	{"0.0.0.0/0", "a /0 range would allow every address, loopback and cloud metadata included",
	 0},
	{"::/0", "a /0 range would allow every address, loopback and cloud metadata included", 0},
	{"10.0.0/24", "not a valid IP address", 0},
	{"010.0.0.0/8", "not a valid IP address", 0},
	{"example.com/24", "not a valid IP address", 0},
	{"fe80::%1/64", "IPv6 zone ids are not allowed", 0},
	{"::ffff:10.0.0.0/104", "write IPv4 ranges in IPv4 form, not IPv4-mapped IPv6", 0},
};

START_TEST(test_cidrs)
{
	struct hostmatch_cidr c;
	const char *why = NULL;
	int r = hostmatch_cidr_parse(cidr_cases[_i].in, &c, &why);

	if (!cidr_cases[_i].reason) {
		ck_assert_msg(r == 0, "'%s' refused: %s", cidr_cases[_i].in, why);
		ck_assert_uint_eq(c.prefix, cidr_cases[_i].prefix);
	} else {
		ck_assert_msg(r == -EINVAL, "'%s' accepted", cidr_cases[_i].in);
		ck_assert_str_eq(why, cidr_cases[_i].reason);
	}
}
END_TEST

static const struct {
	const char *in;
	const char *out; /* NULL: refused with reason */
	const char *reason;
} host_cases[] = {
	{"docs.python.org", "docs.python.org", NULL},
	{"Docs.Python.ORG", "docs.python.org", NULL},
	{"docs.python.org.", "docs.python.org", NULL},
	{"10.0.0.7", "10.0.0.7", NULL},
	{"[::1]", "::1", NULL},
	{"2001:DB8::1", "2001:db8::1", NULL},
	{"::ffff:127.0.0.1", "127.0.0.1", NULL},
	{"[::ffff:7f00:1]", "127.0.0.1", NULL},
	{"", NULL, "empty host"},
	{".", NULL, "empty label"},
	{"a..", NULL, "must not end with '.'"},
	{"127.1", NULL, "looks like an IPv4 address but is not a valid one"},
	{"0x7f000001", NULL, "looks like an IPv4 address but is not a valid one"},
	{"2130706433", NULL, "looks like an IPv4 address but is not a valid one"},
	{"[10.0.0.1]", NULL, "brackets are only for IPv6 addresses"},
	{"[::1", NULL, "unbalanced '[' in host"},
	{"example.com:80", NULL, "not a valid IPv6 address (ports are not part of host patterns)"},
	{"a*b.com", NULL, "'*' is only allowed as a leading '*.' label"},
	{"user@host", NULL, "not a valid host name (letters, digits, '-', '_' and '.')"},
};

START_TEST(test_hosts)
{
	struct hostmatch_host h;
	const char *why = NULL;
	const char *in = host_cases[_i].in;
	int r = hostmatch_host_parse(in, strlen(in), &h, &why);

	if (host_cases[_i].out) {
		ck_assert_msg(r == 0, "'%s' refused: %s", in, why);
		ck_assert_str_eq(h.name, host_cases[_i].out);
		ck_assert_uint_eq(h.len, strlen(host_cases[_i].out));
	} else {
		ck_assert_msg(r == -EINVAL, "'%s' accepted", in);
		ck_assert_str_eq(why, host_cases[_i].reason);
	}
}
END_TEST

START_TEST(test_host_limits)
{
	char name[300];
	struct hostmatch_host h;
	const char *why = NULL;

	ck_assert_errno(hostmatch_host_parse("a\0b", 3, &h, &why), EINVAL);
	ck_assert_str_eq(why, "contains a NUL byte");
	memset(name, 'a', sizeof(name));
	ck_assert_errno(hostmatch_host_parse(name, sizeof(name), &h, &why), EINVAL);
	ck_assert_str_eq(why, "longer than 253 bytes");
}
END_TEST

static const struct {
	const char *pattern, *host;
	bool match;
} match_cases[] = {
	{"docs.python.org", "docs.python.org", true},
	{"docs.python.org", "DOCS.python.org.", true},
	{"docs.python.org", "python.org", false},
	{"docs.python.org", "x.docs.python.org", false},
	{"docs.python.org", "docs.python.org.evil.com", false},
	{"*.carrier.example", "track.carrier.example", true},
	{"*.carrier.example", "a.b.carrier.example", true},
	{"*.carrier.example", "carrier.example", false},
	{"*.carrier.example", "evilcarrier.example", false},
	{"*.carrier.example", "carrier.example.com", false},
	{"10.0.0.7", "10.0.0.7", true},
	{"10.0.0.7", "10.0.0.8", false},
	{"10.0.0.7", "::ffff:10.0.0.7", true},
	{"2001:db8::1", "[2001:db8:0::1]", true},
	{"localhost", "127.0.0.1", false},
	{"*.0.0.7", "10.0.0.7", false},
};

START_TEST(test_match)
{
	struct hostmatch_pattern p;
	struct hostmatch_host h;
	const char *why = NULL;
	const char *host = match_cases[_i].host;

	if (hostmatch_pattern_parse(match_cases[_i].pattern, &p, &why) < 0) {
		/* "*.0.0.7" is refused: a numeric last label. That is the point of the row. */
		ck_assert(!match_cases[_i].match);
		return;
	}
	ck_assert_ok(hostmatch_host_parse(host, strlen(host), &h, &why));
	ck_assert_msg(hostmatch_pattern_match(&p, &h) == match_cases[_i].match, "'%s' vs '%s'",
		      match_cases[_i].pattern, host);
}
END_TEST

START_TEST(test_cidr_contains)
{
	struct hostmatch_cidr c;
	struct ip_address a;

	ck_assert_ok(hostmatch_cidr_parse("10.0.0.0/24", &c, NULL));
	ck_assert_ok(ip_address_parse("10.0.0.255", &a));
	ck_assert(hostmatch_cidr_contains(&c, &a));
	ck_assert_ok(ip_address_parse("10.0.1.0", &a));
	ck_assert(!hostmatch_cidr_contains(&c, &a));
	ck_assert_ok(ip_address_parse("::ffff:10.0.0.9", &a));
	ck_assert(hostmatch_cidr_contains(&c, &a));

	ck_assert_ok(hostmatch_cidr_parse("172.16.0.0/12", &c, NULL));
	ck_assert_ok(ip_address_parse("172.31.255.255", &a));
	ck_assert(hostmatch_cidr_contains(&c, &a));
	ck_assert_ok(ip_address_parse("172.32.0.0", &a));
	ck_assert(!hostmatch_cidr_contains(&c, &a));

	ck_assert_ok(hostmatch_cidr_parse("fd00::/8", &c, NULL));
	ck_assert_ok(ip_address_parse("fd12::1", &a));
	ck_assert(hostmatch_cidr_contains(&c, &a));
	ck_assert_ok(ip_address_parse("fe00::1", &a));
	ck_assert(!hostmatch_cidr_contains(&c, &a));
	ck_assert_ok(ip_address_parse("10.0.0.1", &a));
	ck_assert(!hostmatch_cidr_contains(&c, &a)); /* other family */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostmatch");
	TCase *tc = tcase_create("hostmatch");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_patterns, 0, (int)ELEMENTSOF(pattern_cases));
	tcase_add_test(tc, test_long_names);
	tcase_add_loop_test(tc, test_cidrs, 0, (int)ELEMENTSOF(cidr_cases));
	tcase_add_loop_test(tc, test_hosts, 0, (int)ELEMENTSOF(host_cases));
	tcase_add_test(tc, test_host_limits);
	tcase_add_loop_test(tc, test_match, 0, (int)ELEMENTSOF(match_cases));
	tcase_add_test(tc, test_cidr_contains);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
