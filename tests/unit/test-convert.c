/* SPDX-License-Identifier: MIT */
/* sandboxd/convert.c: wire requests made valid, and every refusal, as tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "exec.h"
#include "macro.h"
#include "test-util.h"

static const struct session_defaults defaults = SESSION_DEFAULTS_INIT;
static const char *const base_env[] = {"PATH=/usr/bin:/bin", "HOME=/workspace", NULL};

START_TEST(test_session_defaults_and_limits)
{
	Sandboxd__V1__CreateSessionRequest req = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Limits l = SANDBOXD__V1__LIMITS__INIT;
	struct session_label labels[SESSION_LABELS_MAX];
	struct session_params p;
	struct sbx_error e = {};

	ck_assert_ok(convert_create_session(&req, &defaults, &p, labels, &e));
	ck_assert_ptr_null(p.image);
	ck_assert_uint_eq(p.memory_bytes, SESSION_MEMORY_DEFAULT);
	ck_assert_uint_eq(p.ttl_ms, SESSION_TTL_DEFAULT_MS);

	req.limits = &l;
	l.memory_bytes = 128 << 20;
	l.cpu_millis = 500;
	req.image = (char *)"host";
	ck_assert_ok(convert_create_session(&req, &defaults, &p, labels, &e));
	ck_assert_uint_eq(p.memory_bytes, 128 << 20);
	ck_assert_uint_eq(p.cpu_millis, 500);
	ck_assert_ptr_null(p.image); /* "host" is the built-in image */
}
END_TEST

static const struct {
	const char *image;
	uint64_t memory, pids, ttl;
	const char *label_key;
	int err;
} bad_sessions[] = {
	{"../etc", 0, 0, 0, NULL, EINVAL},
	{"/", 0, 0, 0, NULL, EINVAL},
	{".hidden", 0, 0, 0, NULL, EINVAL},
	{"a/b", 0, 0, 0, NULL, EINVAL},
	{NULL, 1, 0, 0, NULL, ERANGE}, /* below 4 MiB */
	{NULL, SESSION_MEMORY_MAX + 1, 0, 0, NULL, ERANGE},
	{NULL, 0, SESSION_PIDS_MAX + 1, 0, NULL, ERANGE},
	{NULL, 0, 0, SESSION_TTL_MAX_MS + 1, NULL, ERANGE},
	{NULL, 0, 0, 0, "", EINVAL},
	{NULL, 0, 0, 0, "white space", EINVAL},
	{NULL, 0, 0, 0, "k=v", EINVAL},
};

START_TEST(test_session_refusals)
{
	Sandboxd__V1__CreateSessionRequest req = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Limits l = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__CreateSessionRequest__LabelsEntry le =
		SANDBOXD__V1__CREATE_SESSION_REQUEST__LABELS_ENTRY__INIT;
	Sandboxd__V1__CreateSessionRequest__LabelsEntry *lp = &le;
	struct session_label labels[SESSION_LABELS_MAX];
	struct session_params p;
	struct sbx_error e = {};

	if (bad_sessions[_i].image)
		req.image = (char *)bad_sessions[_i].image;
	l.memory_bytes = bad_sessions[_i].memory;
	l.pids = bad_sessions[_i].pids;
	req.limits = &l;
	req.ttl_ms = bad_sessions[_i].ttl;
	if (bad_sessions[_i].label_key) {
		le.key = (char *)bad_sessions[_i].label_key;
		le.value = (char *)"v";
		req.labels = &lp;
		req.n_labels = 1;
	}
	ck_assert_errno(convert_create_session(&req, &defaults, &p, labels, &e),
			bad_sessions[_i].err);
	ck_assert_msg(e.msg[0] != '\0', "no sentence for case %d", _i);
}
END_TEST

START_TEST(test_exec_language_and_env)
{
	Sandboxd__V1__ExecRequest req = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__ExecRequest__EnvEntry env = SANDBOXD__V1__EXEC_REQUEST__ENV_ENTRY__INIT;
	Sandboxd__V1__ExecRequest__EnvEntry *envp = &env;
	struct exec_command c;
	struct sbx_error e = {};

	req.language = (char *)"python";
	req.code = (char *)"print('a \"quoted\" $(x)')";
	env.key = (char *)"PATH";
	env.value = (char *)"/opt/bin";
	req.env = &envp;
	req.n_env = 1;
	ck_assert_ok(convert_exec(&req, base_env, &c, &e));
	ck_assert_str_eq(c.argv[0], "python3");
	ck_assert_str_eq(c.argv[1], "-c");
	ck_assert_str_eq(c.argv[2], req.code); /* one argument, as it came */
	ck_assert_ptr_null(c.argv[3]);
	ck_assert_str_eq(c.env[0], "PATH=/opt/bin"); /* the request's wins */
	ck_assert_str_eq(c.env[1], "HOME=/workspace");
	ck_assert_ptr_null(c.env[2]);
	ck_assert_str_eq(c.cwd, "/workspace");
	ck_assert_uint_eq(c.timeout_ms, EXEC_TIMEOUT_DEFAULT_MS);
	ck_assert_uint_eq(c.output_cap, EXEC_OUTPUT_CAP_DEFAULT);
	exec_command_done(&c);
}
END_TEST

START_TEST(test_exec_refusals)
{
	Sandboxd__V1__ExecRequest req = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__ExecRequest__EnvEntry env = SANDBOXD__V1__EXEC_REQUEST__ENV_ENTRY__INIT;
	Sandboxd__V1__ExecRequest__EnvEntry *envp = &env;
	char *argv1[] = {(char *)"true", NULL};
	char *empty_argv[] = {(char *)"", NULL};
	char **many = calloc(CONVERT_ARGV_MAX + 2, sizeof(char *));
	char *big = malloc(CONVERT_CODE_MAX + 2);
	struct exec_command c;
	struct sbx_error e = {};

	ck_assert_ptr_nonnull(many);
	ck_assert_ptr_nonnull(big);
	/* nothing to run */
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), EINVAL);
	/* both argv and code */
	req.argv = argv1;
	req.n_argv = 1;
	req.language = (char *)"sh";
	req.code = (char *)"true";
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), EINVAL);
	req.language = (char *)"";
	/* empty argv[0] */
	req.argv = empty_argv;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), EINVAL);
	/* too many arguments */
	for (size_t i = 0; i <= CONVERT_ARGV_MAX; i++)
		many[i] = (char *)"x";
	req.argv = many;
	req.n_argv = CONVERT_ARGV_MAX + 1;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), E2BIG);
	req.argv = argv1;
	req.n_argv = 1;
	/* relative cwd, bad env name, limits out of range */
	req.cwd = (char *)"tmp";
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), EINVAL);
	req.cwd = (char *)"";
	env.key = (char *)"A=B";
	env.value = (char *)"v";
	req.env = &envp;
	req.n_env = 1;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), EINVAL);
	req.n_env = 0;
	req.timeout_ms = EXEC_TIMEOUT_MAX_MS + 1;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), ERANGE);
	req.timeout_ms = 0;
	req.output_cap_bytes = EXEC_OUTPUT_CAP_MAX + 1;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), ERANGE);
	req.output_cap_bytes = 0;
	req.stdin.len = EXEC_STDIN_MAX + 1;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), E2BIG);
	req.stdin.len = 0;
	/* code past one argument's kernel limit; an unknown language */
	req.argv = NULL;
	req.n_argv = 0;
	memset(big, 'x', CONVERT_CODE_MAX + 1);
	big[CONVERT_CODE_MAX + 1] = '\0';
	req.language = (char *)"python";
	req.code = big;
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), E2BIG);
	req.language = (char *)"ruby";
	req.code = (char *)"puts 1";
	ck_assert_errno(convert_exec(&req, base_env, &c, &e), EINVAL);
	free(many);
	free(big);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("convert");
	TCase *tc = tcase_create("convert");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_session_defaults_and_limits);
	tcase_add_loop_test(tc, test_session_refusals, 0, (int)ELEMENTSOF(bad_sessions));
	tcase_add_test(tc, test_exec_language_and_env);
	tcase_add_test(tc, test_exec_refusals);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
