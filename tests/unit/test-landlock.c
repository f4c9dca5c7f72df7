/* SPDX-License-Identifier: MIT */
/* runtime/landlock.c without applying anything: building rule lists, the encoding and its
 * hostile decoder (bounds, canonical spelling), and what each ABI's ruleset handles. Rules against
 * the real kernel are tests/integration/test-landlock.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "macro.h"
#include "test-util.h"

#define ABI1_FS ((1ULL << 13) - 1)

/* Decodes len bytes of s (NULs included) and returns the result. */
static int decode(const char *s, size_t len, struct landlock_rules *ret)
{
	struct sbx_error e = {};
	int r = landlock_rules_decode(s, len, ret, &e);

	if (r < 0) {
		ck_assert_int_eq(e.code, r);
		ck_assert_ptr_nonnull(strstr(e.msg, "decode Landlock rules"));
	}
	return r;
}

#define DECODE(lit, ret) decode(lit, sizeof(lit) - 1, ret)

START_TEST(test_add)
{
	struct landlock_rules rules;
	_cleanup_free_ char *long_path = malloc(LANDLOCK_PATH_MAX + 1);

	landlock_rules_init(&rules);
	ck_assert_int_eq(rules.connect_port, LANDLOCK_NET_UNRESTRICTED);
	ck_assert_ok(landlock_rules_add(&rules, "/workspace", LANDLOCK_GRANT_WRITE));
	/* READ is always part of a grant. */
	ck_assert_uint_eq(rules.rules[0].grant, LANDLOCK_WRITE);
	ck_assert_ok(landlock_rules_add(&rules, "/", LANDLOCK_READ));
	ck_assert_ok(landlock_rules_add(&rules, "//usr//lib/", LANDLOCK_READ_EXEC));
	ck_assert_ok(landlock_rules_add(&rules, "/a/.b/..c/...", LANDLOCK_READ));
	ck_assert_uint_eq(rules.n_rules, 4);

	ck_assert_errno(landlock_rules_add(&rules, "workspace", LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, "", LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, NULL, LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, "/a/../etc", LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, "/a/./b", LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, "/..", LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, "/a/.", LANDLOCK_READ), EINVAL);
	ck_assert_errno(landlock_rules_add(&rules, "/a", 1 << 5), EINVAL);

	/* 4095 bytes and its NUL fit; one more does not. */
	ck_assert_ptr_nonnull(long_path);
	memset(long_path, 'a', LANDLOCK_PATH_MAX);
	long_path[0] = '/';
	long_path[LANDLOCK_PATH_MAX] = '\0';
	ck_assert_errno(landlock_rules_add(&rules, long_path, LANDLOCK_READ), ENAMETOOLONG);
	long_path[LANDLOCK_PATH_MAX - 1] = '\0';
	ck_assert_ok(landlock_rules_add(&rules, long_path, LANDLOCK_READ));
	ck_assert_uint_eq(rules.n_rules, 5);
}
END_TEST

START_TEST(test_add_full)
{
	struct landlock_rules rules;

	landlock_rules_init(&rules);
	for (size_t i = 0; i < LANDLOCK_RULES_MAX; i++)
		ck_assert_ok(landlock_rules_add(&rules, "/x", LANDLOCK_READ));
	ck_assert_errno(landlock_rules_add(&rules, "/x", LANDLOCK_READ), E2BIG);
	ck_assert_uint_eq(rules.n_rules, LANDLOCK_RULES_MAX);
}
END_TEST

START_TEST(test_add_system)
{
	struct landlock_rules rules;
	bool usr = false, etc = false, tmp = false, null = false;

	landlock_rules_init(&rules);
	ck_assert_ok(landlock_rules_add_system(&rules));
	ck_assert_uint_gt(rules.n_rules, 0);
	for (size_t i = 0; i < rules.n_rules; i++) {
		const struct landlock_rule *r = &rules.rules[i];

		/* Nothing in the system set writes outside /dev. */
		if (r->grant & LANDLOCK_GRANT_WRITE)
			ck_assert_msg(strncmp(r->path, "/dev/", 5) == 0, "%s is writable", r->path);
		if (strcmp(r->path, "/usr") == 0)
			usr = r->grant == LANDLOCK_READ_EXEC;
		if (strcmp(r->path, "/etc") == 0)
			etc = r->grant == LANDLOCK_READ;
		if (strcmp(r->path, "/dev/null") == 0)
			null = r->grant == (LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE);
		if (strcmp(r->path, "/tmp") == 0 || strcmp(r->path, "/workspace") == 0)
			tmp = true;
	}
	ck_assert(usr && etc && null && !tmp);

	/* All or nothing when it does not fit. */
	while (rules.n_rules < LANDLOCK_RULES_MAX - 1)
		ck_assert_ok(landlock_rules_add(&rules, "/x", LANDLOCK_READ));
	ck_assert_errno(landlock_rules_add_system(&rules), E2BIG);
	ck_assert_uint_eq(rules.n_rules, LANDLOCK_RULES_MAX - 1);
}
END_TEST

START_TEST(test_encode_format)
{
	static const char want[] = "landlock 1\0net 3128\0r /etc\0rw /workspace\0rx /usr\0"
				   "rwxdc /dev/pts\0rd /dev/x";
	struct landlock_rules rules;
	char buf[256];

	landlock_rules_init(&rules);
	rules.connect_port = 3128;
	ck_assert_ok(landlock_rules_add(&rules, "/etc", LANDLOCK_READ));
	ck_assert_ok(landlock_rules_add(&rules, "/workspace", LANDLOCK_WRITE));
	ck_assert_ok(landlock_rules_add(&rules, "/usr", LANDLOCK_READ_EXEC));
	ck_assert_ok(landlock_rules_add(&rules, "/dev/pts", _LANDLOCK_GRANT_ALL));
	ck_assert_ok(landlock_rules_add(&rules, "/dev/x", LANDLOCK_GRANT_DEVICE));

	ck_assert_int_eq(landlock_rules_encoded_size(&rules), sizeof(want));
	ck_assert_int_eq(landlock_rules_encode(&rules, buf, sizeof(buf)), sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));

	/* One byte short is refused without writing past size. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_errno(landlock_rules_encode(&rules, buf, sizeof(want) - 1), ENOBUFS);
	ck_assert_int_eq(buf[sizeof(want) - 1], 'Z');
	ck_assert_errno(landlock_rules_encode(&rules, NULL, 0), ENOBUFS);
}
END_TEST

START_TEST(test_encode_invalid)
{
	struct landlock_rules rules;
	char buf[64];

	/* Lists built by hand are checked too: what encodes must decode. */
	landlock_rules_init(&rules);
	rules.connect_port = 65536;
	ck_assert_errno(landlock_rules_encoded_size(&rules), EINVAL);
	rules.connect_port = -2;
	ck_assert_errno(landlock_rules_encode(&rules, buf, sizeof(buf)), EINVAL);
	rules.connect_port = 0;
	rules.n_rules = 1;
	rules.rules[0] = (struct landlock_rule){.path = "/a", .grant = LANDLOCK_GRANT_WRITE};
	ck_assert_errno(landlock_rules_encode(&rules, buf, sizeof(buf)), EINVAL);
	rules.rules[0] = (struct landlock_rule){.path = "a", .grant = LANDLOCK_READ};
	ck_assert_errno(landlock_rules_encode(&rules, buf, sizeof(buf)), EINVAL);
	rules.rules[0] = (struct landlock_rule){.path = NULL, .grant = LANDLOCK_READ};
	ck_assert_errno(landlock_rules_encode(&rules, buf, sizeof(buf)), EINVAL);
	rules.n_rules = LANDLOCK_RULES_MAX + 1;
	ck_assert_errno(landlock_rules_encode(&rules, buf, sizeof(buf)), EINVAL);
}
END_TEST

START_TEST(test_round_trip)
{
	static const int ports[] = {LANDLOCK_NET_UNRESTRICTED, LANDLOCK_NET_NONE, 1, 3128, 65535};
	struct landlock_rules rules, back;
	_cleanup_free_ char *buf = malloc(LANDLOCK_ENCODED_MAX);

	ck_assert_ptr_nonnull(buf);
	for (size_t k = 0; k < ELEMENTSOF(ports); k++) {
		ssize_t n;

		landlock_rules_init(&rules);
		rules.connect_port = ports[k];
		ck_assert_ok(landlock_rules_add_system(&rules));
		ck_assert_ok(landlock_rules_add(&rules, "/workspace/with space", LANDLOCK_WRITE));
		for (unsigned g = 1; g <= _LANDLOCK_GRANT_ALL; g++)
			ck_assert_ok(landlock_rules_add(&rules, "/g", g));
		n = landlock_rules_encode(&rules, buf, LANDLOCK_ENCODED_MAX);
		ck_assert_ok(n);
		ck_assert_ok(decode(buf, (size_t)n, &back));
		ck_assert_int_eq(back.connect_port, ports[k]);
		ck_assert_uint_eq(back.n_rules, rules.n_rules);
		for (size_t i = 0; i < rules.n_rules; i++) {
			ck_assert_str_eq(back.rules[i].path, rules.rules[i].path);
			ck_assert_uint_eq(back.rules[i].grant, rules.rules[i].grant);
			/* Paths point into the buffer: nothing was allocated. */
			ck_assert(back.rules[i].path > buf && back.rules[i].path < buf + n);
		}
	}
}
END_TEST

/* The largest list there can be encodes within LANDLOCK_ENCODED_MAX and decodes again. */
START_TEST(test_round_trip_largest)
{
	struct landlock_rules rules, back;
	_cleanup_free_ char *path = malloc(LANDLOCK_PATH_MAX);
	_cleanup_free_ char *buf = malloc(LANDLOCK_ENCODED_MAX + 1);
	ssize_t n;

	ck_assert_ptr_nonnull(path);
	ck_assert_ptr_nonnull(buf);
	memset(path, 'p', LANDLOCK_PATH_MAX - 1);
	path[0] = '/';
	path[LANDLOCK_PATH_MAX - 1] = '\0';
	landlock_rules_init(&rules);
	rules.connect_port = 65535;
	for (size_t i = 0; i < LANDLOCK_RULES_MAX; i++)
		ck_assert_ok(landlock_rules_add(&rules, path, _LANDLOCK_GRANT_ALL));
	n = landlock_rules_encode(&rules, buf, LANDLOCK_ENCODED_MAX);
	ck_assert_int_eq(n, LANDLOCK_ENCODED_MAX);
	ck_assert_ok(decode(buf, (size_t)n, &back));
	ck_assert_uint_eq(back.n_rules, LANDLOCK_RULES_MAX);

	/* One byte more is refused before anything is read. */
	buf[n] = '\0';
	ck_assert_errno(decode(buf, (size_t)n + 1, &back), EBADMSG);
}
END_TEST

START_TEST(test_decode_valid)
{
	struct landlock_rules rules;

	ck_assert_ok(DECODE("landlock 1\0net -1\0", &rules));
	ck_assert_uint_eq(rules.n_rules, 0);
	ck_assert_int_eq(rules.connect_port, LANDLOCK_NET_UNRESTRICTED);
	ck_assert_ok(DECODE("landlock 1\0net 0\0r /\0", &rules));
	ck_assert_int_eq(rules.connect_port, LANDLOCK_NET_NONE);
	ck_assert_str_eq(rules.rules[0].path, "/");
	ck_assert_ok(DECODE("landlock 1\0net 8080\0rwd /a b\0rx //usr/\0", &rules));
	ck_assert_int_eq(rules.connect_port, 8080);
	ck_assert_uint_eq(rules.n_rules, 2);
	ck_assert_str_eq(rules.rules[0].path, "/a b");
	ck_assert_uint_eq(rules.rules[0].grant, LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE);
	ck_assert_str_eq(rules.rules[1].path, "//usr/");
	ck_assert_uint_eq(rules.rules[1].grant, LANDLOCK_READ_EXEC);
}
END_TEST

START_TEST(test_decode_hostile)
{
	/* Each one wrong in exactly one way. */
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
	} bad[] = {
#define ROW(what, lit) {what, lit, sizeof(lit) - 1}
		ROW("empty", ""),
		ROW("lone NUL", "\0"),
		ROW("no NUL at the end", "landlock 1\0net 0"),
		ROW("trailing garbage", "landlock 1\0net 0\0r /a\0xyz"),
		ROW("other magic", "landlock 2\0net 0\0"),
		ROW("magic prefix", "landlock\0net 0\0"),
		ROW("magic longer", "landlock 10\0net 0\0"),
		ROW("no network field", "landlock 1\0"),
		ROW("empty network field", "landlock 1\0\0"),
		ROW("network no space", "landlock 1\0net0\0"),
		ROW("network no port", "landlock 1\0net \0"),
		ROW("port too large", "landlock 1\0net 65536\0"),
		ROW("port much too large", "landlock 1\0net 99999999999999999999\0"),
		ROW("port -2", "landlock 1\0net -2\0"),
		ROW("port -0", "landlock 1\0net -0\0"),
		ROW("port plus", "landlock 1\0net +1\0"),
		ROW("port leading zero", "landlock 1\0net 080\0"),
		ROW("port 00", "landlock 1\0net 00\0"),
		ROW("port space", "landlock 1\0net  80\0"),
		ROW("port trailing", "landlock 1\0net 80 \0"),
		ROW("port hex", "landlock 1\0net 0x50\0"),
		ROW("empty rule", "landlock 1\0net 0\0\0"),
		ROW("empty rule after one", "landlock 1\0net 0\0r /a\0\0"),
		ROW("no space", "landlock 1\0net 0\0r/a\0"),
		ROW("no grant", "landlock 1\0net 0\0 /a\0"),
		ROW("no read", "landlock 1\0net 0\0w /a\0"),
		ROW("unknown letter", "landlock 1\0net 0\0rz /a\0"),
		ROW("upper case", "landlock 1\0net 0\0R /a\0"),
		ROW("letter twice", "landlock 1\0net 0\0rr /a\0"),
		ROW("write twice", "landlock 1\0net 0\0rww /a\0"),
		ROW("letters out of order", "landlock 1\0net 0\0rxw /a\0"),
		ROW("read last", "landlock 1\0net 0\0wr /a\0"),
		ROW("two spaces", "landlock 1\0net 0\0r  /a\0"),
		ROW("empty path", "landlock 1\0net 0\0r \0"),
		ROW("relative path", "landlock 1\0net 0\0r a\0"),
		ROW("dot-dot", "landlock 1\0net 0\0r /a/../b\0"),
		ROW("dot-dot last", "landlock 1\0net 0\0r /a/..\0"),
		ROW("dot", "landlock 1\0net 0\0r /./a\0"),
#undef ROW
	};
	struct landlock_rules rules;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		int r = decode(bad[i].bytes, bad[i].len, &rules);

		ck_assert_msg(r == -EBADMSG, "%s: %d", bad[i].what, r);
	}
}
END_TEST

START_TEST(test_decode_bounds)
{
	_cleanup_free_ char *buf = malloc(LANDLOCK_ENCODED_MAX);
	struct landlock_rules rules = {.n_rules = 99};
	struct sbx_error e = {};
	char *p;

	ck_assert_ptr_nonnull(buf);
	p = buf;
	memcpy(p, "landlock 1\0net 0", 17);
	p += 17;
	for (size_t i = 0; i < LANDLOCK_RULES_MAX + 1; i++) {
		memcpy(p, "r /x", 5);
		p += 5;
	}
	ck_assert_errno(landlock_rules_decode(buf, (size_t)(p - buf), &rules, &e), EBADMSG);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than 256 rules"));
	/* Nothing is written on failure. */
	ck_assert_uint_eq(rules.n_rules, 99);
	ck_assert_ok(landlock_rules_decode(buf, (size_t)(p - buf) - 5, &rules, &e));
	ck_assert_uint_eq(rules.n_rules, LANDLOCK_RULES_MAX);

	/* A path of LANDLOCK_PATH_MAX bytes (one more than fits with its NUL). */
	p = buf;
	memcpy(p, "landlock 1\0net 0\0r ", 19);
	p += 19;
	memset(p, 'a', LANDLOCK_PATH_MAX);
	p[0] = '/';
	p[LANDLOCK_PATH_MAX] = '\0';
	ck_assert_errno(decode(buf, 19 + LANDLOCK_PATH_MAX + 1, &rules), EBADMSG);
	p[LANDLOCK_PATH_MAX - 1] = '\0';
	ck_assert_ok(decode(buf, 19 + LANDLOCK_PATH_MAX, &rules));
	ck_assert_uint_eq(strlen(rules.rules[0].path), LANDLOCK_PATH_MAX - 1);

	/* Lengths beyond the maximum are refused without looking at the bytes. */
	ck_assert_errno(landlock_rules_decode(buf, LANDLOCK_ENCODED_MAX + 1, &rules, NULL),
			EBADMSG);
	ck_assert_errno(landlock_rules_decode(buf, SIZE_MAX, &rules, NULL), EBADMSG);
}
END_TEST

START_TEST(test_handled_fs)
{
	ck_assert_uint_eq(landlock_handled_fs(0), 0);
	ck_assert_uint_eq(landlock_handled_fs(1), ABI1_FS);
	ck_assert_uint_eq(landlock_handled_fs(2), ABI1_FS | LL_ACCESS_FS_REFER);
	ck_assert_uint_eq(landlock_handled_fs(3),
			  ABI1_FS | LL_ACCESS_FS_REFER | LL_ACCESS_FS_TRUNCATE);
	ck_assert_uint_eq(landlock_handled_fs(4), landlock_handled_fs(3));
	ck_assert_uint_eq(landlock_handled_fs(5), (1ULL << 16) - 1);
	ck_assert_uint_eq(landlock_handled_fs(7), (1ULL << 16) - 1);
	ck_assert_uint_eq(landlock_handled_fs(100), (1ULL << 16) - 1);
}
END_TEST

START_TEST(test_grant_to_access)
{
	const uint64_t read = LL_ACCESS_FS_READ_FILE | LL_ACCESS_FS_READ_DIR;
	const uint64_t make = LL_ACCESS_FS_MAKE_DIR | LL_ACCESS_FS_MAKE_REG |
			      LL_ACCESS_FS_MAKE_SOCK | LL_ACCESS_FS_MAKE_FIFO |
			      LL_ACCESS_FS_MAKE_SYM;
	const uint64_t write1 =
		LL_ACCESS_FS_WRITE_FILE | LL_ACCESS_FS_REMOVE_DIR | LL_ACCESS_FS_REMOVE_FILE | make;

	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_READ, true, 7), read);
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_READ, false, 7),
			  LL_ACCESS_FS_READ_FILE);
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_READ_EXEC, true, 1),
			  read | LL_ACCESS_FS_EXECUTE);

	/* Write grows with the ABI: REFER from 2, TRUNCATE from 3. */
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_WRITE, true, 1), read | write1);
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_WRITE, true, 2),
			  read | write1 | LL_ACCESS_FS_REFER);
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_WRITE, true, 3),
			  read | write1 | LL_ACCESS_FS_REFER | LL_ACCESS_FS_TRUNCATE);
	/* On a file only per-file rights (else the kernel says EINVAL). */
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_WRITE, false, 1),
			  LL_ACCESS_FS_READ_FILE | LL_ACCESS_FS_WRITE_FILE);
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_WRITE, false, 7),
			  LL_ACCESS_FS_READ_FILE | LL_ACCESS_FS_WRITE_FILE | LL_ACCESS_FS_TRUNCATE);
	for (unsigned g = 1; g <= _LANDLOCK_GRANT_ALL; g++)
		for (int abi = 1; abi <= 8; abi++) {
			ck_assert_uint_eq(
				landlock_grant_to_access(g, false, abi) & ~LL_ACCESS_FS_FILE, 0);
			ck_assert_uint_eq(landlock_grant_to_access(g, true, abi) &
						  ~landlock_handled_fs(abi),
					  0);
		}

	/* Device ioctl from ABI 5 only; device nodes are never creatable. */
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_GRANT_DEVICE | LANDLOCK_READ, false, 4),
			  LL_ACCESS_FS_READ_FILE);
	ck_assert_uint_eq(landlock_grant_to_access(LANDLOCK_GRANT_DEVICE | LANDLOCK_READ, false, 5),
			  LL_ACCESS_FS_READ_FILE | LL_ACCESS_FS_IOCTL_DEV);
	ck_assert_uint_eq(landlock_grant_to_access(_LANDLOCK_GRANT_ALL, true, 7) &
				  (LL_ACCESS_FS_MAKE_CHAR | LL_ACCESS_FS_MAKE_BLOCK),
			  0);
}
END_TEST

START_TEST(test_ruleset_attr)
{
	struct ll_ruleset_attr a;

	/* ABI 1-3: only the filesystem field, and the size that says so. */
	for (int abi = 1; abi <= 3; abi++) {
		ck_assert_uint_eq(landlock_ruleset_attr(abi, 3128, &a), 8);
		ck_assert_uint_eq(a.handled_access_fs, landlock_handled_fs(abi));
		ck_assert_uint_eq(a.handled_access_net, 0);
		ck_assert_uint_eq(a.scoped, 0);
	}
	/* ABI 4-5: TCP connect handled unless the network is unrestricted; bind never. */
	ck_assert_uint_eq(landlock_ruleset_attr(4, 3128, &a), 16);
	ck_assert_uint_eq(a.handled_access_net, LL_ACCESS_NET_CONNECT_TCP);
	ck_assert_uint_eq(landlock_ruleset_attr(5, LANDLOCK_NET_NONE, &a), 16);
	ck_assert_uint_eq(a.handled_access_net, LL_ACCESS_NET_CONNECT_TCP);
	ck_assert_uint_eq(a.handled_access_fs, (1ULL << 16) - 1);
	ck_assert_uint_eq(landlock_ruleset_attr(5, LANDLOCK_NET_UNRESTRICTED, &a), 16);
	ck_assert_uint_eq(a.handled_access_net, 0);
	ck_assert_uint_eq(a.scoped, 0);
	/* ABI 6 on: signals and abstract sockets scoped. */
	for (int abi = 6; abi <= 8; abi++) {
		ck_assert_uint_eq(landlock_ruleset_attr(abi, LANDLOCK_NET_UNRESTRICTED, &a), 24);
		ck_assert_uint_eq(a.scoped, LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL);
		ck_assert_uint_eq(a.handled_access_net, 0);
	}
}
END_TEST

START_TEST(test_abi_matches_kernel)
{
	long direct = syscall(444, NULL, 0, 1U);
	int abi = landlock_abi();

	if (direct < 0)
		ck_assert_int_eq(abi, 0);
	else
		ck_assert_int_eq(abi, direct);
}
END_TEST

START_TEST(test_apply_invalid)
{
	struct landlock_rules rules;
	struct sbx_error e = {};

	landlock_rules_init(&rules);
	rules.connect_port = 70000;
	ck_assert_errno(landlock_apply(&rules, &e), EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "apply Landlock rules"));
}
END_TEST

static Suite *landlock_suite(void)
{
	Suite *s = suite_create("landlock");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_add_full);
	tcase_add_test(tc, test_add_system);
	tcase_add_test(tc, test_encode_format);
	tcase_add_test(tc, test_encode_invalid);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_largest);
	tcase_add_test(tc, test_decode_valid);
	tcase_add_test(tc, test_decode_hostile);
	tcase_add_test(tc, test_decode_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("abi");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_handled_fs);
	tcase_add_test(tc, test_grant_to_access);
	tcase_add_test(tc, test_ruleset_attr);
	tcase_add_test(tc, test_abi_matches_kernel);
	tcase_add_test(tc, test_apply_invalid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(landlock_suite());
}
