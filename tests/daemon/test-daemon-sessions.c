/* SPDX-License-Identifier: MIT */
/* Sessions and code execution through the real daemon on a temporary socket (issue 3):
 * lifecycle, labels, ownership across uids, the session limit, TTL expiry, exec by argv and by
 * language, stdin/env/cwd, exit codes, timeouts, the output cap, streaming, OOM, a client
 * that leaves mid-exec, a sandbox that dies, and nothing left behind afterwards. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
#include "test-util.h"

static struct test_daemon daemon_;
static char cgroup_parent[64];
static char lock_dir[] = "/tmp/sbxd-locks-XXXXXX";

static void start(const char *max_sessions)
{
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	ck_assert_ptr_nonnull(mkdtemp(lock_dir));
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--max-sessions", max_sessions,
						"--allow-uid", "65534", NULL});
	ck_assert_int_eq(chmod(daemon_.socket, 0666), 0);
}

static void setup(void)
{
	start("8");
}

static void teardown(void)
{
	static const char *const hier[] = {"memory", "pids", "cpu", "cpuacct", "unified"};

	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_daemon_assert_no_leaks(cgroup_parent);
	for (size_t i = 0; i < ELEMENTSOF(hier); i++) {
		char path[256];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", hier[i], cgroup_parent);
		(void)rmdir(path);
	}
	test_rm_rf(lock_dir);
	memcpy(lock_dir + strlen(lock_dir) - 6, "XXXXXX", 6);
}

static struct sbx_client *client(void)
{
	struct sbx_client *c = NULL;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	return c;
}

static Sandboxd__V1__Response *call(struct sbx_client *c, Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;

	ck_assert_ok(sbx_client_call(c, req, NULL, NULL, &resp));
	return resp;
}

static void expect_error(Sandboxd__V1__Response *resp, Sandboxd__V1__Code code)
{
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR,
		      "expected an error, got case %d", (int)resp->body_case);
	ck_assert_msg(resp->error->code == code, "code %d, expected %d: %s", (int)resp->error->code,
		      (int)code, resp->error->message);
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

/* Creates a session; returns its id (malloc'd). */
static char *create(struct sbx_client *c, uint64_t memory, uint64_t ttl_ms, uint64_t idle_ms,
		    const char *label)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__CreateSessionRequest__LabelsEntry l =
		SANDBOXD__V1__CREATE_SESSION_REQUEST__LABELS_ENTRY__INIT;
	Sandboxd__V1__CreateSessionRequest__LabelsEntry *lp = &l;
	Sandboxd__V1__Limits limits = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *id;

	limits.memory_bytes = memory;
	body.limits = &limits;
	body.ttl_ms = ttl_ms;
	body.idle_ttl_ms = idle_ms;
	if (label) {
		l.key = (char *)"team";
		l.value = (char *)label;
		body.labels = &lp;
		body.n_labels = 1;
	}
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	resp = call(c, &req);
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_SESSION, "create: %s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "?");
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

static Sandboxd__V1__Response *get(struct sbx_client *c, const char *id)
{
	return test_daemon_get_session(c, id);
}

static void destroy(struct sbx_client *c, const char *id)
{
	Sandboxd__V1__DestroySessionRequest body = SANDBOXD__V1__DESTROY_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;

	body.session_id = (char *)id;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_DESTROY_SESSION;
	req.destroy_session = &body;
	resp = call(c, &req);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_DESTROYED);
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

struct exec_opts {
	const char *const *argv;
	const char *language, *code, *stdin_data, *cwd;
	uint64_t timeout_ms, cap;
	bool stream;
	const char *env_key, *env_value;
};

static int count_events(const Sandboxd__V1__Event *ev, void *userdata)
{
	size_t *n = userdata;

	if (ev->body_case == SANDBOXD__V1__EVENT__BODY_OUTPUT)
		*n += ev->output->data.len;
	return 0;
}

static Sandboxd__V1__Response *exec_full(struct sbx_client *c, const char *id,
					 const struct exec_opts *o, size_t *streamed)
{
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__ExecRequest__EnvEntry env = SANDBOXD__V1__EXEC_REQUEST__ENV_ENTRY__INIT;
	Sandboxd__V1__ExecRequest__EnvEntry *envp = &env;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;
	size_t n = 0;

	body.session_id = (char *)id;
	while (o->argv && o->argv[n])
		n++;
	body.argv = (char **)o->argv;
	body.n_argv = n;
	if (o->language) {
		body.language = (char *)o->language;
		body.code = (char *)o->code;
	}
	if (o->stdin_data) {
		body.stdin.data = (uint8_t *)o->stdin_data;
		body.stdin.len = strlen(o->stdin_data);
	}
	if (o->cwd)
		body.cwd = (char *)o->cwd;
	if (o->env_key) {
		env.key = (char *)o->env_key;
		env.value = (char *)o->env_value;
		body.env = &envp;
		body.n_env = 1;
	}
	body.timeout_ms = o->timeout_ms;
	body.output_cap_bytes = o->cap;
	body.stream = o->stream;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	ck_assert_ok(sbx_client_call(c, &req, count_events, streamed, &resp));
	return resp;
}

static Sandboxd__V1__ExecResult *result_of(Sandboxd__V1__Response *resp)
{
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT, "exec: %s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "?");
	return resp->exec_result;
}

static void assert_out(Sandboxd__V1__ExecResult *r, const char *out)
{
	ck_assert_msg(r->stdout.len == strlen(out) &&
			      memcmp(r->stdout.data, out, r->stdout.len) == 0,
		      "stdout '%.*s', expected '%s' (stderr '%.*s')", (int)r->stdout.len,
		      (const char *)r->stdout.data, out, (int)r->stderr.len,
		      (const char *)r->stderr.data);
}

START_TEST(test_lifecycle)
{
	struct sbx_client *c = client();
	char *a = create(c, 0, 0, 0, "red"), *b = create(c, 64 << 20, 0, 0, "blue");
	Sandboxd__V1__ListSessionsRequest body = SANDBOXD__V1__LIST_SESSIONS_REQUEST__INIT;
	Sandboxd__V1__ListSessionsRequest__LabelsEntry l =
		SANDBOXD__V1__LIST_SESSIONS_REQUEST__LABELS_ENTRY__INIT;
	Sandboxd__V1__ListSessionsRequest__LabelsEntry *lp = &l;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;

	resp = get(c, b);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_SESSION);
	ck_assert_str_eq(resp->session->id, b);
	ck_assert_uint_eq(resp->session->limits->memory_bytes, 64 << 20);
	ck_assert_int_eq(resp->session->state, SANDBOXD__V1__SESSION_STATE__SESSION_RUNNING);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	l.key = (char *)"team";
	l.value = (char *)"red";
	body.labels = &lp;
	body.n_labels = 1;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_SESSIONS;
	req.list_sessions = &body;
	resp = call(c, &req);
	ck_assert_uint_eq(resp->sessions->n_sessions, 1);
	ck_assert_str_eq(resp->sessions->sessions[0]->id, a);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	destroy(c, a);
	expect_error(get(c, a), SANDBOXD__V1__CODE__NOT_FOUND);
	destroy(c, b);
	test_daemon_assert_no_leaks(cgroup_parent);
	free(a);
	free(b);
	sbx_client_free(c);
}
END_TEST

struct exec_opts;

static Sandboxd__V1__Response *pause_resume(struct sbx_client *c, const char *id, bool pause)
{
	Sandboxd__V1__PauseSessionRequest p = SANDBOXD__V1__PAUSE_SESSION_REQUEST__INIT;
	Sandboxd__V1__ResumeSessionRequest r = SANDBOXD__V1__RESUME_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	if (pause) {
		p.session_id = (char *)id;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_PAUSE_SESSION;
		req.pause_session = &p;
	} else {
		r.session_id = (char *)id;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_RESUME_SESSION;
		req.resume_session = &r;
	}
	return call(c, &req);
}

static Sandboxd__V1__Response *exec_full(struct sbx_client *c, const char *id,
					 const struct exec_opts *o, size_t *streamed);

START_TEST(test_pause_resume)
{
	struct sbx_client *c = client();
	char *id = create(c, 0, 0, 0, NULL);
	struct exec_opts o = {.argv = (const char *const[]){"echo", "awake", NULL}};
	Sandboxd__V1__Response *resp;
	size_t n = 0;

	resp = pause_resume(c, id, true);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_SESSION);
	ck_assert_int_eq(resp->session->state, SANDBOXD__V1__SESSION_STATE__SESSION_PAUSED);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	expect_error(exec_full(c, id, &o, &n), SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	resp = pause_resume(c, id, false);
	ck_assert_int_eq(resp->session->state, SANDBOXD__V1__SESSION_STATE__SESSION_RUNNING);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = exec_full(c, id, &o, &n);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT);
	ck_assert_int_eq(resp->exec_result->exit_code, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(id);
	sbx_client_free(c);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The config file sets the session maximum and the defaults; SIGHUP applies a changed file, and
 * a broken one leaves the settings as they were. */
START_TEST(test_config_and_reload)
{
	char conf[128];
	struct sbx_client *c;
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *a, *b, *d2;

	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	snprintf(conf, sizeof(conf), "%s/sandboxd.yaml", lock_dir);
	write_file(conf, "max_sessions: 1\nsession_defaults:\n  memory: 96Mi\n");
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--config", conf, NULL});
	c = client();
	a = create(c, 0, 0, 0, NULL);
	resp = get(c, a);
	ck_assert_uint_eq(resp->session->limits->memory_bytes, 96 << 20);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	expect_error(call(c, &req), SANDBOXD__V1__CODE__RESOURCE_EXHAUSTED);

	write_file(conf, "max_sessions: 3\n");
	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	for (int i = 0; i < 100; i++) {
		resp = NULL;
		ck_assert_ok(sbx_client_call(c, &req, NULL, NULL, &resp));
		if (resp->body_case == SANDBOXD__V1__RESPONSE__BODY_SESSION)
			break;
		sandboxd__v1__response__free_unpacked(resp, NULL);
		resp = NULL;
		usleep(20000);
	}
	ck_assert_ptr_nonnull(resp);
	b = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	write_file(conf, "max_sessions: [nonsense\n");
	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	usleep(200000);
	d2 = create(c, 0, 0, 0, NULL); /* still 3: the broken file changed nothing */
	expect_error(call(c, &req), SANDBOXD__V1__CODE__RESOURCE_EXHAUSTED);
	free(a);
	free(b);
	free(d2);
	sbx_client_free(c);
}
END_TEST

/* Sessions from the warm pool get the limits they asked for, like any other. */
START_TEST(test_warm_pool)
{
	struct sbx_client *c;
	struct exec_opts hog = {.language = "python", .code = "x = bytearray(256 << 20)"};
	struct exec_opts ok = {.argv = (const char *const[]){"echo", "ok", NULL}};
	Sandboxd__V1__Response *resp;
	size_t n = 0;
	char *a, *b, *cold;

	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--warm-pool", "2", NULL});
	ck_assert_int_eq(chmod(daemon_.socket, 0666), 0);
	usleep(500 * 1000); /* let it fill */
	c = client();
	a = create(c, 64 << 20, 0, 0, NULL);
	b = create(c, 0, 0, 0, NULL);
	cold = create(c, 0, 0, 0, NULL);
	resp = exec_full(c, a, &hog, &n);
	ck_assert_int_eq(resp->exec_result->termination,
			 SANDBOXD__V1__TERMINATION__TERMINATION_OOM);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = exec_full(c, b, &hog, &n); /* 512 MiB by default: room for 256 */
	ck_assert_int_eq(resp->exec_result->exit_code, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = exec_full(c, cold, &ok, &n);
	ck_assert_int_eq(resp->exec_result->exit_code, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(a);
	free(b);
	free(cold);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_limits_checked)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Limits limits = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	struct sbx_client *c = client();

	limits.memory_bytes = 1ULL << 50; /* above the maximum: refused, never clamped */
	body.limits = &limits;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	expect_error(call(c, &req), SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	limits.memory_bytes = 0;
	body.image = (char *)"../../etc"; /* never a host path */
	expect_error(call(c, &req), SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	body.image = (char *)"/";
	expect_error(call(c, &req), SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_session_maximum)
{
	struct sbx_client *c;
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	char *a, *b;

	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_rm_rf(lock_dir);
	memcpy(lock_dir + strlen(lock_dir) - 6, "XXXXXX", 6);
	start("2");
	c = client();
	a = create(c, 0, 0, 0, NULL);
	b = create(c, 0, 0, 0, NULL);
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	expect_error(call(c, &req), SANDBOXD__V1__CODE__RESOURCE_EXHAUSTED);
	destroy(c, a);
	free(create(c, 0, 0, 0, NULL)); /* room again */
	free(a);
	free(b);
	sbx_client_free(c);
}
END_TEST

/* Runs get(id) as uid 65534; returns the answer's body case (or error code * 100). */
static int get_as_nobody(const char *id)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sbx_client *c = NULL;
		Sandboxd__V1__Response *resp;

		if (setgid(65534) < 0 || setuid(65534) < 0 ||
		    sbx_client_connect(daemon_.socket, &c) < 0)
			_exit(99);
		resp = get(c, id);
		_exit(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? (int)resp->error->code
									    : 50);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(test_other_uid_sees_nothing)
{
	struct sbx_client *c = client();
	char *id = create(c, 0, 0, 0, NULL);

	ck_assert_int_eq(get_as_nobody(id), SANDBOXD__V1__CODE__NOT_FOUND);
	ck_assert_int_eq(get_as_nobody("s-0000000000000000"), SANDBOXD__V1__CODE__NOT_FOUND);
	free(id);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_ttl_expiry)
{
	struct sbx_client *c = client();
	char *abs = create(c, 0, 1500, 0, NULL), *idle = create(c, 0, 0, 1500, NULL);
	char *kept = create(c, 0, 0, 1500, NULL);
	struct exec_opts o = {.argv = (const char *const[]){"true", NULL}};

	for (int i = 0; i < 4; i++) { /* calls keep `kept` from going idle */
		usleep(600 * 1000);
		sandboxd__v1__response__free_unpacked(exec_full(c, kept, &o, &(size_t){0}), NULL);
	}
	expect_error(get(c, abs), SANDBOXD__V1__CODE__NOT_FOUND);
	expect_error(get(c, idle), SANDBOXD__V1__CODE__NOT_FOUND);
	destroy(c, kept);
	test_daemon_assert_no_leaks(cgroup_parent);
	free(abs);
	free(idle);
	free(kept);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_exec_basics)
{
	struct sbx_client *c = client();
	char *id = create(c, 0, 0, 0, NULL);
	Sandboxd__V1__Response *resp;
	Sandboxd__V1__ExecResult *r;
	size_t streamed = 0;

	/* argv, exit code, stderr */
	resp = exec_full(
		c, id,
		&(struct exec_opts){.argv = (const char *const[]){"sh", "-c",
								  "echo out; echo err >&2; exit 3",
								  NULL}},
		&streamed);
	r = result_of(resp);
	ck_assert_int_eq(r->termination, SANDBOXD__V1__TERMINATION__TERMINATION_EXITED);
	ck_assert_int_eq(r->exit_code, 3);
	assert_out(r, "out\n");
	ck_assert_int_eq(r->stderr.len, 4);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* language + code, passed without any quoting */
	resp = exec_full(
		c, id,
		&(struct exec_opts){.language = "python",
				    .code = "import sys; print('it''s \"quoted\" $HOME `x`')"},
		&streamed);
	assert_out(result_of(resp), "its \"quoted\" $HOME `x`\n");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = exec_full(c, id, &(struct exec_opts){.language = "bash", .code = "echo $((6*7))"},
			 &streamed);
	assert_out(result_of(resp), "42\n");
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* stdin, env, cwd; the workspace survives across calls */
	resp = exec_full(
		c, id,
		&(struct exec_opts){
			.argv = (const char *const[]){"sh", "-c",
						      "cat > in.txt; echo $GREETING; pwd", NULL},
			.stdin_data = "from stdin",
			.env_key = "GREETING",
			.env_value = "hi",
			.cwd = "/tmp"},
		&streamed);
	assert_out(result_of(resp), "hi\n/tmp\n");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = exec_full(
		c, id,
		&(struct exec_opts){.argv = (const char *const[]){"cat", "/tmp/in.txt", NULL}},
		&streamed);
	assert_out(result_of(resp), "from stdin");
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* usage: the session's own numbers (PID 1 at least, a file in the workspace) */
	resp = exec_full(
		c, id,
		&(struct exec_opts){.argv = (const char *const[]){"sh", "-c",
								  "head -c 200000 /dev/zero > blob",
								  NULL}},
		&streamed);
	ck_assert_int_eq(result_of(resp)->exit_code, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = get(c, id);
	ck_assert_uint_ge(resp->session->usage->pids, 1);
	ck_assert_uint_gt(resp->session->usage->memory_bytes, 0);
	ck_assert_uint_gt(resp->session->usage->disk_bytes, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* a missing command is exit 127 */
	resp = exec_full(c, id, &(struct exec_opts){.argv = (const char *const[]){"nope", NULL}},
			 &streamed);
	ck_assert_int_eq(result_of(resp)->exit_code, 127);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* bad requests */
	expect_error(
		exec_full(c, id, &(struct exec_opts){.language = "cobol", .code = "x"}, &streamed),
		SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	expect_error(exec_full(c, id, &(struct exec_opts){0}, &streamed),
		     SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	expect_error(exec_full(c, "s-0000000000000000",
			       &(struct exec_opts){.argv = (const char *const[]){"true", NULL}},
			       &streamed),
		     SANDBOXD__V1__CODE__NOT_FOUND);
	free(id);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_exec_limits)
{
	struct sbx_client *c = client();
	char *id = create(c, 64 << 20, 0, 0, NULL);
	Sandboxd__V1__Response *resp;
	Sandboxd__V1__ExecResult *r;
	size_t streamed = 0;

	resp = exec_full(c, id,
			 &(struct exec_opts){.argv = (const char *const[]){"sleep", "30", NULL},
					     .timeout_ms = 500},
			 &streamed);
	r = result_of(resp);
	ck_assert_int_eq(r->termination, SANDBOXD__V1__TERMINATION__TERMINATION_TIMEOUT);
	ck_assert_int_eq(r->exit_code, 128 + SIGKILL);
	ck_assert_uint_lt(r->wall_usec, 5 * 1000 * 1000);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* 100 KB of output with a 1 KB cap: head and tail kept, marked truncated; streamed
	 * events carry all of it. */
	resp = exec_full(
		c, id,
		&(struct exec_opts){
			.argv = (const char *const[]){"sh", "-c",
						      "echo START; head -c 100000 /dev/zero | tr "
						      "'\\\\0' x; echo; echo END",
						      NULL},
			.cap = 1024,
			.stream = true},
		&streamed);
	r = result_of(resp);
	ck_assert(r->stdout_truncated);
	ck_assert_uint_eq(r->stdout.len, 1024);
	ck_assert(memcmp(r->stdout.data, "START\n", 6) == 0);
	ck_assert(memcmp(r->stdout.data + 1024 - 4, "END\n", 4) == 0);
	ck_assert_uint_eq(streamed, 100000 + 6 + 1 + 4);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	resp = exec_full(
		c, id,
		&(struct exec_opts){.language = "python", .code = "x = bytearray(512 << 20)"},
		&streamed);
	r = result_of(resp);
	ck_assert_int_eq(r->termination, SANDBOXD__V1__TERMINATION__TERMINATION_OOM);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* the session still works afterwards */
	resp = exec_full(c, id,
			 &(struct exec_opts){.argv = (const char *const[]){"echo", "ok", NULL}},
			 &streamed);
	assert_out(result_of(resp), "ok\n");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(id);
	sbx_client_free(c);
}
END_TEST

/* Counts processes named comm whose uid is in the sandbox ranges. */
static int count_sandbox_procs(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char path[300], buf[64];
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && strncmp(buf, comm, strlen(comm)) == 0) {
			struct stat st;

			snprintf(path, sizeof(path), "/proc/%s", de->d_name);
			if (stat(path, &st) == 0 && st.st_uid >= (1U << 30))
				n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

START_TEST(test_client_leaves_mid_exec)
{
	struct sbx_client *c = client(), *c2;
	char *id = create(c, 0, 0, 0, NULL);
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	uint8_t buf[256];
	size_t len;
	int i;

	c2 = client();
	body.session_id = id;
	body.argv = (char *[]){(char *)"sleep", (char *)"31", NULL};
	body.n_argv = 2;
	req.id = 1;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	len = sandboxd__v1__request__pack(&req, buf + 4);
	buf[0] = buf[1] = 0;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	ck_assert_ok(sbx_client_send_raw(c2, buf, 4 + len));
	for (i = 0; i < 100 && count_sandbox_procs("sleep") == 0; i++)
		usleep(20000);
	ck_assert_int_eq(count_sandbox_procs("sleep"), 1);
	sbx_client_free(c2); /* gone mid-exec: nobody to answer, so the command is cancelled */
	for (i = 0; i < 100 && count_sandbox_procs("sleep") > 0; i++)
		usleep(20000);
	ck_assert_int_eq(count_sandbox_procs("sleep"), 0);
	free(id);
	sbx_client_free(c);
}
END_TEST

static pid_t parent_of(pid_t pid)
{
	char path[64], line[256];
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

START_TEST(test_sandbox_dies)
{
	struct sbx_client *c = client();
	char *id = create(c, 0, 0, 0, NULL);
	DIR *d = opendir("/proc");
	struct dirent *de;
	int killed = 0;

	/* Kill the session's PID 1 (a child of our daemon) from the host: the session goes, with
	 * everything in it. */
	while ((de = readdir(d))) {
		char path[300], buf[64];
		FILE *f;
		struct stat st;

		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		snprintf(path, sizeof(path), "/proc/%s", de->d_name);
		if (fgets(buf, sizeof(buf), f) && strncmp(buf, "sandbox-init", 12) == 0 &&
		    stat(path, &st) == 0 && st.st_uid >= (1U << 30) &&
		    parent_of(atoi(de->d_name)) == daemon_.pid) {
			ck_assert_int_eq(kill(atoi(de->d_name), SIGKILL), 0);
			killed++;
		}
		fclose(f);
	}
	closedir(d);
	ck_assert_int_eq(killed, 1);
	for (int i = 0; i < 100; i++) {
		Sandboxd__V1__Response *resp = get(c, id);
		bool gone = resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR;

		sandboxd__v1__response__free_unpacked(resp, NULL);
		if (gone)
			break;
		usleep(20000);
	}
	expect_error(get(c, id), SANDBOXD__V1__CODE__NOT_FOUND);
	test_daemon_assert_no_leaks(cgroup_parent);
	free(id);
	sbx_client_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-sessions");
	TCase *tc = tcase_create("sessions");

	if (geteuid() != 0) {
		fputs("test-daemon-sessions: needs root\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_limits_checked);
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_config_and_reload);
	tcase_add_test(tc, test_warm_pool);
	tcase_add_test(tc, test_session_maximum);
	tcase_add_test(tc, test_other_uid_sees_nothing);
	tcase_add_test(tc, test_ttl_expiry);
	tcase_add_test(tc, test_exec_basics);
	tcase_add_test(tc, test_exec_limits);
	tcase_add_test(tc, test_client_leaves_mid_exec);
	tcase_add_test(tc, test_sandbox_dies);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
