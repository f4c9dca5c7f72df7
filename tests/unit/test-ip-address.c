/* SPDX-License-Identifier: MIT */
/* policy/ip-address.c as tables: strict literals, sockaddrs, and the class of every special
 * range the egress proxy must refuse unless a policy names it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "ip-address.h"
#include "macro.h"
#include "test-util.h"

static const struct {
	const char *in;
	enum ip_address_class class; /* _IP_ADDRESS_CLASS_INVALID: not a literal */
} cases[] = {
	{"8.8.8.8", IP_ADDRESS_PUBLIC},
	{"93.184.216.34", IP_ADDRESS_PUBLIC},
	{"2606:4700::1111", IP_ADDRESS_PUBLIC},
	{"0.0.0.0", IP_ADDRESS_UNSPECIFIED},
	{"0.1.2.3", IP_ADDRESS_UNSPECIFIED},
	{"::", IP_ADDRESS_UNSPECIFIED},
	{"127.0.0.1", IP_ADDRESS_LOOPBACK},
	{"127.255.255.254", IP_ADDRESS_LOOPBACK},
	{"::1", IP_ADDRESS_LOOPBACK},
	{"::ffff:127.0.0.1", IP_ADDRESS_LOOPBACK},
	{"64:ff9b::7f00:1", IP_ADDRESS_LOOPBACK},
	{"2002:7f00:1::", IP_ADDRESS_LOOPBACK},
	{"10.1.2.3", IP_ADDRESS_PRIVATE},
	{"172.16.0.1", IP_ADDRESS_PRIVATE},
	{"172.31.255.255", IP_ADDRESS_PRIVATE},
	{"172.32.0.1", IP_ADDRESS_PUBLIC},
	{"192.168.1.1", IP_ADDRESS_PRIVATE},
	{"100.64.0.1", IP_ADDRESS_PRIVATE},
	{"100.128.0.1", IP_ADDRESS_PUBLIC},
	{"fd12:3456::1", IP_ADDRESS_PRIVATE},
	{"fc00::1", IP_ADDRESS_PRIVATE},
	{"fec0::1", IP_ADDRESS_PRIVATE},
	{"169.254.1.1", IP_ADDRESS_LINK_LOCAL},
	{"fe80::1", IP_ADDRESS_LINK_LOCAL},
	{"febf::1", IP_ADDRESS_LINK_LOCAL},
	{"169.254.169.254", IP_ADDRESS_METADATA},
	{"169.254.170.2", IP_ADDRESS_METADATA},
	{"100.100.100.200", IP_ADDRESS_METADATA},
	{"192.0.0.192", IP_ADDRESS_METADATA},
	{"fd00:ec2::254", IP_ADDRESS_METADATA},
	{"::ffff:169.254.169.254", IP_ADDRESS_METADATA},
	{"64:ff9b::a9fe:a9fe", IP_ADDRESS_METADATA},
	{"224.0.0.1", IP_ADDRESS_MULTICAST},
	{"239.255.255.250", IP_ADDRESS_MULTICAST},
	{"ff02::1", IP_ADDRESS_MULTICAST},
	{"255.255.255.255", IP_ADDRESS_RESERVED},
	{"240.0.0.1", IP_ADDRESS_RESERVED},
	{"192.0.2.1", IP_ADDRESS_RESERVED},
	{"198.51.100.1", IP_ADDRESS_RESERVED},
	{"203.0.113.1", IP_ADDRESS_RESERVED},
	{"198.18.0.1", IP_ADDRESS_RESERVED},
	{"2001:db8::1", IP_ADDRESS_RESERVED},
	{"::10.0.0.1", IP_ADDRESS_RESERVED},
	{"127.1", _IP_ADDRESS_CLASS_INVALID},
	{"0x7f.0.0.1", _IP_ADDRESS_CLASS_INVALID},
	{"010.0.0.1", _IP_ADDRESS_CLASS_INVALID},
	{"1.2.3.4 ", _IP_ADDRESS_CLASS_INVALID},
	{"[::1]", _IP_ADDRESS_CLASS_INVALID},
	{"fe80::1%lo", _IP_ADDRESS_CLASS_INVALID},
	{"", _IP_ADDRESS_CLASS_INVALID},
	{"0000:0000:0000:0000:0000:0000:0000:0000:0000", _IP_ADDRESS_CLASS_INVALID},
};

START_TEST(test_classify)
{
	struct ip_address a;
	int r = ip_address_parse(cases[_i].in, &a);

	if (cases[_i].class == _IP_ADDRESS_CLASS_INVALID) {
		ck_assert_msg(r == -EINVAL, "'%s' parsed", cases[_i].in);
		return;
	}
	ck_assert_msg(r == 0, "'%s' refused", cases[_i].in);
	ck_assert_msg(ip_address_classify(&a) == cases[_i].class, "'%s' is %s, expected %s",
		      cases[_i].in, ip_address_class_to_string(ip_address_classify(&a)),
		      ip_address_class_to_string(cases[_i].class));
}
END_TEST

START_TEST(test_sockaddr)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(443)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct sockaddr_un_like {
		sa_family_t family;
		char path[8];
	} un = {.family = AF_UNIX};
	char buf[IP_ADDRESS_TEXT_MAX];
	struct ip_address a;

	ck_assert_int_eq(inet_pton(AF_INET, "169.254.169.254", &in.sin_addr), 1);
	ck_assert_ok(ip_address_from_sockaddr((struct sockaddr *)&in, sizeof(in), &a));
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_str_eq(ip_address_to_string(&a, buf), "169.254.169.254");
	ck_assert_int_eq(ip_address_classify(&a), IP_ADDRESS_METADATA);
	ck_assert_errno(ip_address_from_sockaddr((struct sockaddr *)&in, sizeof(in) - 1, &a),
			EINVAL);

	/* An IPv4-mapped IPv6 sockaddr is the IPv4 address it carries. */
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr), 1);
	ck_assert_ok(ip_address_from_sockaddr((struct sockaddr *)&in6, sizeof(in6), &a));
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_str_eq(ip_address_to_string(&a, buf), "127.0.0.1");

	ck_assert_errno(ip_address_from_sockaddr((struct sockaddr *)&un, sizeof(un), &a),
			EAFNOSUPPORT);
	ck_assert_errno(ip_address_from_sockaddr(NULL, 0, &a), EINVAL);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(ip_address_class_to_string(IP_ADDRESS_METADATA), "metadata");
	ck_assert_ptr_null(ip_address_class_to_string(_IP_ADDRESS_CLASS_MAX));
	ck_assert_ptr_null(ip_address_class_to_string(_IP_ADDRESS_CLASS_INVALID));
	for (int i = 0; i < _IP_ADDRESS_CLASS_MAX; i++)
		ck_assert_ptr_nonnull(ip_address_class_to_string(i));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ip-address");
	TCase *tc = tcase_create("ip-address");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_classify, 0, (int)ELEMENTSOF(cases));
	tcase_add_test(tc, test_sockaddr);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
