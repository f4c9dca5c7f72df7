/* SPDX-License-Identifier: MIT */
/* runtime/netns.c against the real kernel: in a fresh netns (unshared by the forked test process)
 * lo comes up, loopback addresses work, and lo is the only interface. Also prints what bringing
 * lo up costs, since it runs on the create path of every sandbox (reported, not asserted). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "netns.h"
#include "test-util.h"

#define TIMING_RUNS 50

static short link_flags(const char *name)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {};

	ck_assert_int_ge(fd, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	return ifr.ifr_flags;
}

/* Sends one datagram to ourselves over 127.0.0.1: 0 when it arrives, else -errno. */
static int loopback_roundtrip(void)
{
	_cleanup_close_ int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	_cleanup_close_ int tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	char c = 'x';

	ck_assert_int_ge(rx, 0);
	ck_assert_int_ge(tx, 0);
	if (bind(rx, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(rx, (struct sockaddr *)&sa, &len) < 0 ||
	    connect(tx, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send(tx, &c, 1, 0) != 1)
		return -errno;
	c = 0;
	if (recv(rx, &c, 1, MSG_DONTWAIT) != 1)
		return -errno;
	ck_assert_int_eq(c, 'x');
	return 0;
}

START_TEST(test_lo_up)
{
	struct if_nameindex *ifs;
	size_t n = 0;

	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	ck_assert_int_eq(link_flags("lo") & IFF_UP, 0);
	ck_assert_errno(loopback_roundtrip(), ENETUNREACH);

	ck_assert_ok(netns_setup_child());

	ck_assert(link_flags("lo") & IFF_UP);
	ck_assert(link_flags("lo") & IFF_LOOPBACK);
	ck_assert_ok(loopback_roundtrip());

	ifs = if_nameindex();
	ck_assert_ptr_nonnull(ifs);
	for (; ifs[n].if_index != 0; n++)
		;
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ifs[0].if_name, "lo");
	ck_assert_uint_eq(ifs[0].if_index, 1);
	if_freenameindex(ifs);

	/* Idempotent: lo already up is not an error. */
	ck_assert_ok(netns_setup_child());
	ck_assert(link_flags("lo") & IFF_UP);
}
END_TEST

START_TEST(test_no_lo)
{
	_cleanup_close_ int fd = -EBADF;
	struct ifreq ifr = {.ifr_name = "lo"};

	/* A netns whose loopback is not called lo: the name lookup fails, nothing else changes. */
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "lo0");
	ck_assert_int_eq(ioctl(fd, SIOCSIFNAME, &ifr), 0);

	ck_assert_errno(netns_setup_child(), ENODEV);
	ck_assert_int_eq(link_flags("lo0") & IFF_UP, 0);
}
END_TEST

static uint64_t now_nsec(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_timing)
{
	uint64_t t[TIMING_RUNS];

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		uint64_t start;

		ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
		start = now_nsec();
		ck_assert_ok(netns_setup_child());
		t[i] = now_nsec() - start;
		ck_assert(link_flags("lo") & IFF_UP);
	}
	qsort(t, ELEMENTSOF(t), sizeof(t[0]), cmp_u64);
	fprintf(stderr,
		"netns_setup_child: median %.1f us, min %.1f us, max %.1f us over %zu fresh "
		"netns\n",
		t[ELEMENTSOF(t) / 2] / 1000.0, t[0] / 1000.0, t[ELEMENTSOF(t) - 1] / 1000.0,
		ELEMENTSOF(t));
}
END_TEST

static Suite *netns_suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("lo");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_lo_up);
	tcase_add_test(tc, test_no_lo);
	tcase_add_test(tc, test_timing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-netns: needs root (unshare CLONE_NEWNET)\n");
		return 77;
	}
	return test_run_suite(netns_suite());
}
