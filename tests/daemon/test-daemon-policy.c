/* SPDX-License-Identifier: MIT */
/* Policies through the real daemon (issue 4): named policies from --policy-dir, inline ones
 * only where allowed, skills a session holds, every denied call answered PERMISSION_DENIED
 * with its rule, caps that narrow, instructions returned with the session, the history of
 * every decision, a reload that refuses a bad file and keeps the set in force, and the kernel
 * second layer: a command that goes past its skill's paths by itself meets Landlock. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
#include "test-util.h"

static struct test_daemon daemon_;
static char cgroup_parent[64];
static char *lock_dir, *policy_dir;

static const char policy_t[] =
	"version: 1\n"
	"name: t\n"
	"instructions: |\n"
	"  Answer briefly.\n"
	"limits: { memory: 256Mi, pids: 64 }\n"
	"skills:\n"
	"  coder:\n"
	"    tools: [exec, file.read, file.write]\n"
	"    exec: { languages: [python, sh], timeout: 10s, max_output: 64Ki }\n"
	"    files: { read: [\"/workspace/**\"], write: [\"/workspace/out/**\"], max_bytes: 64Ki "
	"}\n"
	"  runner:\n"
	"    tools: [exec]\n"
	"    exec: { commands: [\"/usr/bin/id\"] }\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	lock_dir = test_mkdtemp();
	policy_dir = test_mkdtemp();
	write_file(policy_dir, "t.yaml", policy_t);
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--policy-dir", policy_dir,
						"--allow-inline-policies", NULL});
}

static void teardown(void)
{
	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_daemon_assert_no_leaks(cgroup_parent);
	test_daemon_remove_cgroup_parent(cgroup_parent);
	test_rm_rf(lock_dir);
	test_rm_rf(policy_dir);
	free(lock_dir);
	free(policy_dir);
}

static Sandboxd__V1__Response *call(struct sbx_client *c, Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;

	ck_assert_ok(sbx_client_call(c, req, NULL, NULL, &resp));
	return resp;
}

/* Creates a session; returns the answer (a Session or an Error). */
static Sandboxd__V1__Response *create(struct sbx_client *c, const char *policy, const char *text,
				      const char *const *skills)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.policy_name = (char *)(policy ? policy : "");
	body.policy_text = (char *)(text ? text : "");
	while (skills && skills[body.n_skills])
		body.n_skills++;
	body.skills = (char **)skills;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	return call(c, &req);
}

static char *create_ok(struct sbx_client *c, const char *policy, const char *const *skills)
{
	Sandboxd__V1__Response *resp = create(c, policy, NULL, skills);
	char *id;

	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_SESSION, "%s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "?");
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

struct exec_req {
	const char *skill;
	const char *language, *code;
	const char *const *argv;
	uint64_t timeout_ms;
};

static Sandboxd__V1__Response *exec(struct sbx_client *c, const char *sid, const struct exec_req *x)
{
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = (char *)sid;
	body.skill = (char *)(x->skill ? x->skill : "");
	body.language = (char *)(x->language ? x->language : "");
	body.code = (char *)(x->code ? x->code : "");
	while (x->argv && x->argv[body.n_argv])
		body.n_argv++;
	body.argv = (char **)x->argv;
	body.timeout_ms = x->timeout_ms;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	return call(c, &req);
}

static void expect_denied(Sandboxd__V1__Response *resp, const char *rule)
{
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR,
		      "expected a denial by %s, got case %d", rule, (int)resp->body_case);
	ck_assert_msg(resp->error->code == SANDBOXD__V1__CODE__PERMISSION_DENIED, "code %d: %s",
		      (int)resp->error->code, resp->error->message);
	ck_assert_str_eq(resp->error->rule, rule);
	ck_assert_msg(resp->error->message[0], "a denial says why");
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

/* Expects a finished exec; returns its stdout (malloc'd). */
static char *expect_ran(Sandboxd__V1__Response *resp, int code)
{
	char *out;

	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT, "%s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "?");
	ck_assert_int_eq(resp->exec_result->exit_code, code);
	out = strndup(resp->exec_result->stdout.data ? (char *)resp->exec_result->stdout.data : "",
		      resp->exec_result->stdout.len);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return out;
}

static bool daemon_has_feature(struct sbx_client *c, const char *name)
{
	Sandboxd__V1__VersionRequest body = SANDBOXD__V1__VERSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	bool found = false;

	req.body_case = SANDBOXD__V1__REQUEST__BODY_VERSION;
	req.version = &body;
	resp = call(c, &req);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_VERSION);
	for (size_t i = 0; i < resp->version->n_features; i++)
		found = found || strcmp(resp->version->features[i], name) == 0;
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return found;
}

START_TEST(test_default_policy)
{
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;
	char *sid, *out;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	sid = create_ok(c, NULL, NULL);
	resp = test_daemon_get_session(c, sid);
	ck_assert_str_eq(resp->session->policy_name, "default");
	ck_assert_uint_eq(resp->session->n_skills, 1);
	ck_assert_str_eq(resp->session->skills[0], "default");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* Exec and files in /workspace and /tmp; the rest of the tree only to read and run. */
	out = expect_ran(exec(c, sid,
			      &(struct exec_req){.language = "sh",
						 .code = "echo a > /workspace/a && echo ws; "
							 "echo b > /tmp/b && echo tmp; "
							 "cat /workspace/a"}),
			 0);
	ck_assert_str_eq(out, "ws\ntmp\na\n");
	free(out);
	free(sid);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_named_policy_decides_every_exec)
{
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;
	char *sid, *out;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	/* A skill the policy does not have is named in the error. */
	resp = create(c, "t", NULL, (const char *const[]){"coder", "nope", NULL});
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_msg(strstr(resp->error->message, "'nope'"), "%s", resp->error->message);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	sid = create_ok(c, "t", (const char *const[]){"coder", "runner", NULL});
	resp = test_daemon_get_session(c, sid);
	ck_assert_str_eq(resp->session->policy_name, "t");
	ck_assert_uint_eq(resp->session->n_skills, 2);
	ck_assert_str_eq(resp->session->instructions, "Answer briefly.\n");
	ck_assert_uint_eq(resp->session->limits->memory_bytes, 256ULL << 20);
	ck_assert_uint_eq(resp->session->limits->pids, 64);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* Two skills: a call must name one. */
	expect_denied(exec(c, sid, &(struct exec_req){.language = "sh", .code = "true"}),
		      "session.skills");
	expect_denied(exec(c, sid,
			   &(struct exec_req){.skill = "other", .language = "sh", .code = "true"}),
		      "session.skills");
	expect_denied(
		exec(c, sid,
		     &(struct exec_req){.skill = "coder", .language = "bash", .code = "true"}),
		"t/skills.coder.exec.languages");
	expect_denied(exec(c, sid,
			   &(struct exec_req){.skill = "coder",
					      .language = "sh",
					      .code = "true",
					      .timeout_ms = 20000}),
		      "t/skills.coder.exec.timeout");
	expect_denied(exec(c, sid,
			   &(struct exec_req){.skill = "runner",
					      .argv = (const char *const[]){"/bin/sh", NULL}}),
		      "t/skills.runner.exec.commands");
	out = expect_ran(
		exec(c, sid,
		     &(struct exec_req){.skill = "runner",
					.argv = (const char *const[]){"/usr/bin/id", "-u", NULL}}),
		0);
	ck_assert_str_eq(out, "0\n");
	free(out);
	/* A bare name is looked up in PATH inside the session first: what is decided is the
	 * program that would run. */
	out = expect_ran(exec(c, sid,
			      &(struct exec_req){.skill = "runner",
						 .argv = (const char *const[]){"id", "-u", NULL}}),
			 0);
	ck_assert_str_eq(out, "0\n");
	free(out);
	expect_denied(exec(c, sid,
			   &(struct exec_req){.skill = "runner",
					      .argv = (const char *const[]){"sh", NULL}}),
		      "t/skills.runner.exec.commands");
	/* The skill's timeout is the command's: a sleep past 10 s would be killed; here the
	 * allowed call runs. */
	out = expect_ran(exec(c, sid,
			      &(struct exec_req){.skill = "coder",
						 .language = "python",
						 .code = "print(6*7)"}),
			 0);
	ck_assert_str_eq(out, "42\n");
	free(out);
	free(sid);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_landlock_second_layer)
{
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;
	char *sid, *out;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	sid = create_ok(c, "t", (const char *const[]){"coder", NULL});
	/* The skill reads /workspace and writes /workspace/out (made for it). A command that
	 * writes elsewhere by itself, past the file tools, is stopped by the kernel. */
	out = expect_ran(
		exec(c, sid,
		     &(struct exec_req){
			     .language = "sh",
			     .code = "echo r > /workspace/out/r && echo out-ok; "
				     "echo w > /workspace/w 2>/dev/null || echo ws-denied; "
				     "echo t > /tmp/t 2>/dev/null || echo tmp-denied; "
				     "cat /workspace/out/r"}),
		0);
	if (daemon_has_feature(c, "landlock"))
		ck_assert_str_eq(out, "out-ok\nws-denied\ntmp-denied\nr\n");
	else
		fputs("test-daemon-policy: no Landlock here; the kernel layer is not checked\n",
		      stderr);
	free(out);
	/* The file tools meet the skill's globs and its files.max_bytes. */
	{
		static char big[100 << 10];
		Sandboxd__V1__WriteFileRequest w = SANDBOXD__V1__WRITE_FILE_REQUEST__INIT;
		Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

		w.session_id = sid;
		w.path = (char *)"/workspace/out/big";
		w.data.data = (uint8_t *)big;
		w.data.len = sizeof(big);
		req.body_case = SANDBOXD__V1__REQUEST__BODY_WRITE_FILE;
		req.write_file = &w;
		expect_denied(call(c, &req), "t/skills.coder.files.max_bytes");
		w.data.len = 1000;
		w.path = (char *)"/workspace/elsewhere";
		expect_denied(call(c, &req), "t/skills.coder.files.write");
		w.path = (char *)"/workspace/out/ok";
		resp = call(c, &req);
		ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_WRITE_RESULT);
		sandboxd__v1__response__free_unpacked(resp, NULL);
	}
	/* Python meets the same walls. */
	out = expect_ran(exec(c, sid,
			      &(struct exec_req){.language = "python",
						 .code = "try:\n"
							 "    open('/workspace/x', 'w')\n"
							 "    print('wrote')\n"
							 "except PermissionError:\n"
							 "    print('denied')\n"}),
			 0);
	if (daemon_has_feature(c, "landlock"))
		ck_assert_str_eq(out, "denied\n");
	free(out);
	free(sid);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_inline_policy_and_history)
{
	static const char inline_text[] = "version: 1\n"
					  "name: one\n"
					  "skills:\n"
					  "  only:\n"
					  "    tools: [exec]\n"
					  "    exec: { languages: [sh] }\n";
	Sandboxd__V1__GetHistoryRequest h = SANDBOXD__V1__GET_HISTORY_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;
	char *sid, *out;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	/* A bad inline policy says where. */
	resp = create(c, NULL, "version: 1\nname: x\nskills:\n  a:\n    tools: [fly]\n", NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_msg(strstr(resp->error->message, "<inline>:5:"), "%s", resp->error->message);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	resp = create(c, NULL, inline_text, NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_SESSION);
	sid = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* One skill: calls need not name it. */
	out = expect_ran(exec(c, sid, &(struct exec_req){.language = "sh", .code = "echo hi"}), 0);
	ck_assert_str_eq(out, "hi\n");
	free(out);
	expect_denied(exec(c, sid, &(struct exec_req){.language = "python", .code = "1"}),
		      "one/skills.only.exec.languages");

	h.session_id = sid;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_HISTORY;
	req.get_history = &h;
	resp = call(c, &req);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_HISTORY);
	ck_assert_uint_eq(resp->history->n_entries, 2);
	ck_assert(resp->history->entries[0]->allowed);
	ck_assert_str_eq(resp->history->entries[0]->tool, "exec");
	ck_assert_str_eq(resp->history->entries[0]->skill, "only");
	ck_assert_str_eq(resp->history->entries[0]->target, "sh");
	ck_assert(!resp->history->entries[1]->allowed);
	ck_assert_str_eq(resp->history->entries[1]->rule, "one/skills.only.exec.languages");
	ck_assert_uint_gt(resp->history->entries[1]->unix_ms, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* The newest one alone. */
	h.limit = 1;
	resp = call(c, &req);
	ck_assert_uint_eq(resp->history->n_entries, 1);
	ck_assert(!resp->history->entries[0]->allowed);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(sid);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_inline_refused_without_permission)
{
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;

	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--policy-dir", policy_dir, NULL});
	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	resp = create(c, NULL, policy_t, NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__PERMISSION_DENIED);
	ck_assert_msg(strstr(resp->error->message, "allow_inline_policies"), "%s",
		      resp->error->message);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* A policy that does not exist. */
	resp = create(c, "missing", NULL, NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__NOT_FOUND);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_reload_keeps_good_set)
{
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;
	char *sid;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	/* A new policy appears on SIGHUP. */
	write_file(policy_dir, "u.yaml", "version: 1\nname: u\nskills:\n  s:\n    tools: [exec]\n");
	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	for (int i = 0; i < 100; i++) {
		resp = create(c, "u", NULL, NULL);
		if (resp->body_case == SANDBOXD__V1__RESPONSE__BODY_SESSION)
			break;
		sandboxd__v1__response__free_unpacked(resp, NULL);
		resp = NULL;
		usleep(20000);
	}
	ck_assert_ptr_nonnull(resp);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* A broken file refuses the whole reload: t and u stay as they were. */
	write_file(policy_dir, "v.yaml", "version: 1\nname: v\nskills: {}\nbogus: 1\n");
	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	usleep(200000);
	sid = create_ok(c, "u", NULL);
	free(sid);
	resp = create(c, "v", NULL, NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__NOT_FOUND);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	sbx_client_free(c);
}
END_TEST

/* Waits until the reloaded daemon knows policy name (a session under it can be created). */
static char *create_after_reload(struct sbx_client *c, const char *name)
{
	Sandboxd__V1__Response *resp = NULL;
	char *id = NULL;

	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	for (int i = 0; i < 100 && !id; i++) {
		resp = create(c, name, NULL, NULL);
		if (resp->body_case == SANDBOXD__V1__RESPONSE__BODY_SESSION)
			id = strdup(resp->session->id);
		else if (resp->error->code != SANDBOXD__V1__CODE__NOT_FOUND)
			ck_abort_msg("create under %s: %s", name, resp->error->message);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		if (!id)
			usleep(20000);
	}
	ck_assert_ptr_nonnull(id);
	return id;
}

START_TEST(test_data_sources)
{
	char *data = test_mkdtemp(), *outside = test_mkdtemp(), text[2048], link[512];
	struct sbx_client *c = NULL;
	Sandboxd__V1__Response *resp;
	char *sid, *out;

	write_file(data, "orders.csv", "id,total\n1,42\n");
	snprintf(text, sizeof(text),
		 "version: 1\nname: ds\n"
		 "data_sources:\n"
		 "  - { name: orders, host_path: %s, mount: /data/orders }\n"
		 "skills:\n"
		 "  look:\n"
		 "    tools: [exec, file.read]\n"
		 "    files: { read: [\"/data/**\"] }\n",
		 data);
	write_file(policy_dir, "ds.yaml", text);
	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	sid = create_after_reload(c, "ds");
	/* Bound read-only at its mount: readable, never writable from inside. */
	out = expect_ran(exec(c, sid,
			      &(struct exec_req){.language = "sh",
						 .code = "cat /data/orders/orders.csv; "
							 "echo x > /data/orders/new 2>/dev/null "
							 "|| echo read-only"}),
			 0);
	ck_assert_str_eq(out, "id,total\n1,42\nread-only\n");
	free(out);
	free(sid);

	/* A symlink on the host path is refused, not followed. */
	snprintf(link, sizeof(link), "%s/link", outside);
	ck_assert_int_eq(symlink(data, link), 0);
	snprintf(text, sizeof(text),
		 "version: 1\nname: ds2\n"
		 "data_sources:\n"
		 "  - { name: orders, host_path: %s, mount: /data/orders }\n"
		 "skills:\n"
		 "  look:\n"
		 "    tools: [file.read]\n"
		 "    files: { read: [\"/data/**\"] }\n",
		 link);
	write_file(policy_dir, "ds2.yaml", text);
	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	for (int i = 0; i < 100; i++) {
		resp = create(c, "ds2", NULL, NULL);
		ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
		if (resp->error->code != SANDBOXD__V1__CODE__NOT_FOUND)
			break;
		sandboxd__v1__response__free_unpacked(resp, NULL);
		resp = NULL;
		usleep(20000);
	}
	ck_assert_ptr_nonnull(resp);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__PERMISSION_DENIED);
	ck_assert_msg(strstr(resp->error->message, "symlink"), "%s", resp->error->message);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	unlink(link);
	test_rm_rf(data);
	test_rm_rf(outside);
	free(data);
	free(outside);
	sbx_client_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-policy");
	TCase *tc = tcase_create("policy");

	if (geteuid() != 0) {
		fputs("test-daemon-policy: needs root\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default_policy);
	tcase_add_test(tc, test_named_policy_decides_every_exec);
	tcase_add_test(tc, test_landlock_second_layer);
	tcase_add_test(tc, test_inline_policy_and_history);
	tcase_add_test(tc, test_inline_refused_without_permission);
	tcase_add_test(tc, test_reload_keeps_good_set);
	tcase_add_test(tc, test_data_sources);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
