/* SPDX-License-Identifier: MIT */
/* sandboxd/config.c as a table: every key, every kind of mistake with its exact place. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "macro.h"
#include "test-util.h"

START_TEST(test_full_file)
{
	static const char text[] = "# sandboxd settings\n"
				   "socket: /run/x/s.sock\n"
				   "state_dir: /srv/sandboxd\n"
				   "allowed_uids: [1000, 1001]\n"
				   "allowed_gids:\n  - 994\n"
				   "max_sessions: 12\n"
				   "session_defaults:\n"
				   "  memory: 256Mi\n  pids: 64\n  cpus: 0.5\n  disk: 2Gi\n"
				   "  ttl: 2h\n  idle_ttl: 10m\n";
	struct config_file c;
	struct sbx_error e = {};

	ck_assert_msg(config_parse(text, strlen(text), "t.yaml", &c, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(c.socket_path, "/run/x/s.sock");
	ck_assert_str_eq(c.state_dir, "/srv/sandboxd");
	ck_assert_uint_eq(c.n_allowed_uids, 2);
	ck_assert_uint_eq(c.allowed_uids[1], 1001);
	ck_assert_uint_eq(c.n_allowed_gids, 1);
	ck_assert_uint_eq(c.allowed_gids[0], 994);
	ck_assert(c.has_max_sessions);
	ck_assert_uint_eq(c.max_sessions, 12);
	ck_assert_uint_eq(c.defaults.memory_bytes, 256 << 20);
	ck_assert_uint_eq(c.defaults.pids, 64);
	ck_assert_uint_eq(c.defaults.cpu_millis, 500);
	ck_assert_uint_eq(c.defaults.disk_bytes, 2ULL << 30);
	ck_assert_uint_eq(c.defaults.ttl_ms, 2 * 3600 * 1000);
	ck_assert_uint_eq(c.defaults.idle_ttl_ms, 10 * 60 * 1000);
	config_done(&c);
}
END_TEST

START_TEST(test_empty_file_is_defaults)
{
	struct config_file c;
	struct sbx_error e = {};

	ck_assert_ok(config_parse("", 0, "empty", &c, &e));
	ck_assert_ptr_null(c.socket_path);
	ck_assert(!c.has_max_sessions);
	ck_assert_uint_eq(c.defaults.memory_bytes, SESSION_MEMORY_DEFAULT);
	config_done(&c);
}
END_TEST

static const struct {
	const char *text;
	const char *error; /* exact message */
} bad[] = {
	{"sockets: /x\n", "t.yaml:1:1: unknown key 'sockets': Invalid argument"},
	{"socket: relative\n",
	 "t.yaml:1:9: expected an absolute path for 'socket': Invalid argument"},
	{"socket: [/a]\n", "t.yaml:1:9: expected a single value for 'socket': Invalid argument"},
	{"max_sessions: 5\nmax_sessions: 6\n",
	 "t.yaml:2:1: duplicate key 'max_sessions': Invalid argument"},
	{"max_sessions: lots\n",
	 "t.yaml:1:15: expected 0 to 65536 for 'max_sessions': Invalid argument"},
	{"allowed_uids: 1000\n",
	 "t.yaml:1:15: expected a list of numbers for 'allowed_uids': Invalid argument"},
	{"allowed_uids: [1000, -1]\n", "t.yaml:1:22: expected an id, not '-1': Invalid argument"},
	{"session_defaults:\n  memory: 1Ti\n",
	 "t.yaml:2:11: bad value for 'memory': Invalid argument"},
	{"session_defaults:\n  swap: 1Gi\n",
	 "t.yaml:2:3: unknown key in session_defaults: 'swap': Invalid argument"},
	{"session_defaults: 5\n",
	 "t.yaml:1:19: expected a mapping for 'session_defaults': Invalid argument"},
	{"- a\n- b\n", "t.yaml:1:1: expected a mapping of settings: Invalid argument"},
	{"allowed_uids: &x [1]\nallowed_gids: *x\n",
	 "t.yaml:2:15: aliases are not allowed: Invalid argument"},
	{"socket: /a\n---\nsocket: /b\n",
	 "t.yaml:2:1: only one document is allowed: Invalid argument"},
	{"socket: \"/a\n", "t.yaml:2:1: found unexpected end of stream: Invalid argument"},
};

START_TEST(test_bad_files)
{
	struct config_file c;
	struct sbx_error e = {};
	int r = config_parse(bad[_i].text, strlen(bad[_i].text), "t.yaml", &c, &e);

	ck_assert_msg(r < 0, "case %d parsed", _i);
	ck_assert_str_eq(e.msg, bad[_i].error);
}
END_TEST

START_TEST(test_too_large)
{
	static char big[CONFIG_FILE_MAX + 2];
	struct config_file c;
	struct sbx_error e = {};

	memset(big, '#', sizeof(big) - 1);
	ck_assert_errno(config_parse(big, sizeof(big) - 1, "big", &c, &e), EFBIG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_empty_file_is_defaults);
	tcase_add_loop_test(tc, test_bad_files, 0, (int)ELEMENTSOF(bad));
	tcase_add_test(tc, test_too_large);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
