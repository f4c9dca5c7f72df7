/* SPDX-License-Identifier: MIT */
/* sandboxctl as a person or a script runs it, against the real daemon: every command in text
 * and JSON (the JSON must parse), exit statuses (the command's own, 1 for daemon errors with
 * "sandboxctl: CODE: message", 2 for usage errors); policies by name and inline, denials with
 * their rule, history; and the local `policy check` and `policy explain`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "test-util.h"

static struct test_daemon daemon_;
static char cgroup_parent[64];
static char lock_dir[] = "/tmp/sbxd-locks-XXXXXX";
static char *policy_dir; /* the daemon's --policy-dir, for the "policies" cases */

/* A policy with instructions over two lines and two exec skills, each narrowed differently. */
static const char test_policy[] = "version: 1\n"
				  "name: ctl-test\n"
				  "instructions: |\n"
				  "  First line.\n"
				  "  Second line.\n"
				  "skills:\n"
				  "  shell:\n"
				  "    tools: [exec]\n"
				  "    exec:\n"
				  "      languages: [bash]\n"
				  "      commands: [\"/bin/*\", \"/usr/bin/*\"]\n"
				  "  py:\n"
				  "    tools: [exec]\n"
				  "    exec: { languages: [python] }\n";

struct run {
	int status;
	char out[65536];
	char err[8192];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	ck_assert_ptr_nonnull(mkdtemp(lock_dir));
	test_daemon_start(&daemon_, (const char *const[]){"--cgroup-parent", cgroup_parent,
							  "--uid-lock-dir", lock_dir, NULL});
}

/* The daemon with a policy directory holding ctl-test, and inline policies allowed. */
static void setup_policies(void)
{
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	ck_assert_ptr_nonnull(mkdtemp(lock_dir));
	policy_dir = test_mkdtemp();
	write_file(policy_dir, "ctl-test.yaml", test_policy);
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--policy-dir", policy_dir,
						"--allow-inline-policies", NULL});
}

static void teardown(void)
{
	static const char *const hier[] = {"memory", "pids", "cpu", "cpuacct", "unified"};

	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	for (size_t i = 0; i < ELEMENTSOF(hier); i++) {
		char path[256];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", hier[i], cgroup_parent);
		(void)rmdir(path);
	}
	test_rm_rf(lock_dir);
	memcpy(lock_dir + strlen(lock_dir) - 6, "XXXXXX", 6);
	if (policy_dir) {
		test_rm_rf(policy_dir);
		free(policy_dir);
		policy_dir = NULL;
	}
}

/* Runs sandboxctl --socket SOCK args... with stdin_data on stdin; captures both outputs. */
static struct run *ctl(const char *stdin_data, const char *const *args)
{
	struct run *r = calloc(1, sizeof(*r));
	int in[2], out[2], err[2];
	size_t lo = 0, le = 0;
	pid_t pid;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *argv[64] = {SANDBOXCTL_PATH, "--socket", daemon_.socket};
		size_t n = 3;

		for (size_t i = 0; args[i] && n < 63; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close_range(3, ~0U, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (stdin_data)
		ck_assert_int_eq(write(in[1], stdin_data, strlen(stdin_data)),
				 (ssize_t)strlen(stdin_data));
	close(in[1]);
	for (;;) {
		struct pollfd p[2] = {{.fd = out[0], .events = POLLIN},
				      {.fd = err[0], .events = POLLIN}};
		ssize_t k;

		if (out[0] < 0 && err[0] < 0)
			break;
		ck_assert_int_ge(poll(p, 2, 30000), 1);
		if (p[0].revents) {
			k = read(out[0], r->out + lo, sizeof(r->out) - 1 - lo);
			if (k <= 0) {
				close(out[0]);
				out[0] = -1;
			} else
				lo += (size_t)k;
		}
		if (p[1].revents) {
			k = read(err[0], r->err + le, sizeof(r->err) - 1 - le);
			if (k <= 0) {
				close(err[0]);
				err[0] = -1;
			} else
				le += (size_t)k;
		}
	}
	ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
	ck_assert_msg(WIFEXITED(r->status), "sandboxctl died of signal %d (stderr: %s)",
		      WTERMSIG(r->status), r->err);
	r->status = WEXITSTATUS(r->status);
	return r;
}

static json_t *parse(const struct run *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	ck_assert_msg(j, "output is not JSON (%s): %s", e.text, r->out);
	return j;
}

static char *create_session(void)
{
	struct run *r =
		ctl(NULL, (const char *const[]){"-o", "json", "session", "create", "--memory",
						"256Mi", "--label", "k=v", NULL});
	json_t *j;
	char *id;

	ck_assert_msg(r->status == 0, "session create: %s", r->err);
	j = parse(r);
	id = strdup(json_string_value(json_object_get(j, "id")));
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(j, "limits"), "memory_bytes")),
		256 << 20);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "labels"), "k")),
			 "v");
	json_decref(j);
	free(r);
	return id;
}

START_TEST(test_health_version)
{
	struct run *r = ctl(NULL, (const char *const[]){"health", NULL});
	json_t *j;

	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->out, "serving:  yes"));
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "version", NULL});
	ck_assert_int_eq(r->status, 0);
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "protocol")), "sandboxd.v1");
	json_decref(j);
	free(r);
}
END_TEST

START_TEST(test_sessions_text_and_json)
{
	char *id = create_session();
	struct run *r;
	json_t *j;

	r = ctl(NULL, (const char *const[]){"session", "ls", "--label", "k=v", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->out, id));
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "session", "ls", NULL});
	j = parse(r);
	ck_assert_uint_eq(json_array_size(j), 1);
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "session", "get", id, NULL});
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "running");
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"session", "extend", id, "1h", NULL});
	ck_assert_int_eq(r->status, 0);
	free(r);
	r = ctl(NULL, (const char *const[]){"session", "pause", id, NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->out, "paused"));
	free(r);
	r = ctl(NULL, (const char *const[]){"session", "resume", id, NULL});
	ck_assert_int_eq(r->status, 0);
	free(r);
	r = ctl(NULL, (const char *const[]){"session", "create", "-q", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_int_eq(strlen(r->out), 19); /* "s-" + 16 hex + newline */
	free(r);
	r = ctl(NULL, (const char *const[]){"session", "rm", id, NULL});
	ck_assert_int_eq(r->status, 0);
	free(r);
	r = ctl(NULL, (const char *const[]){"session", "get", id, NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "sandboxctl: NOT_FOUND: "));
	free(r);
	free(id);
}
END_TEST

START_TEST(test_exec_run_oneshot)
{
	char *id = create_session();
	struct run *r;
	json_t *j;

	r = ctl(NULL, (const char *const[]){"exec", id, "--env", "X=1", "--", "sh", "-c",
					    "echo out $X; echo err >&2; exit 7", NULL});
	ck_assert_int_eq(r->status, 7);
	ck_assert_str_eq(r->out, "out 1\n");
	ck_assert_str_eq(r->err, "err\n");
	free(r);
	r = ctl("print(6 * 7)\n", (const char *const[]){"run", id, "--lang", "python", "-", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_str_eq(r->out, "42\n");
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "run", id, "--lang", "bash", "-c",
					    "echo hi", NULL});
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "stdout")), "hi\n");
	ck_assert_str_eq(json_string_value(json_object_get(j, "termination")), "exited");
	json_decref(j);
	free(r);
	r = ctl(NULL,
		(const char *const[]){"exec", id, "--timeout", "1s", "--", "sleep", "30", NULL});
	ck_assert_int_eq(r->status, 137);
	ck_assert_ptr_nonnull(strstr(r->err, "killed: timeout"));
	free(r);
	r = ctl(NULL, (const char *const[]){"oneshot", "--", "sh", "-c", "exit 9", NULL});
	ck_assert_int_eq(r->status, 9);
	free(r);
	free(id);
}
END_TEST

START_TEST(test_jobs)
{
	char *id = create_session(), *job;
	struct run *r;
	json_t *j;

	r = ctl(NULL, (const char *const[]){"exec", id, "--background", "--", "sh", "-c",
					    "echo one; sleep 0.3; echo two; exit 3", NULL});
	ck_assert_int_eq(r->status, 0);
	r->out[strcspn(r->out, "\n")] = '\0';
	job = strdup(r->out);
	free(r);
	r = ctl(NULL, (const char *const[]){"job", "logs", job, "--follow", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_str_eq(r->out, "one\ntwo\n");
	free(r);
	r = ctl(NULL, (const char *const[]){"job", "wait", job, NULL});
	ck_assert_int_eq(r->status, 3);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "job", "get", job, NULL});
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "finished");
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "job", "ls", id, NULL});
	j = parse(r);
	ck_assert_uint_eq(json_array_size(j), 1);
	json_decref(j);
	free(r);
	free(job);
	free(id);
}
END_TEST

START_TEST(test_usage_errors)
{
	static const char *const cases[][6] = {
		{"bogus"},
		{"session"},
		{"session", "create", "--memory", "lots"},
		{"exec"},
		{"run", "s-x"},
		{"job", "wait"},
		{"-o", "yaml", "health"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct run *r = ctl(NULL, cases[i]);

		ck_assert_msg(r->status == 2, "case %zu: exit %d, stderr %s", i, r->status, r->err);
		ck_assert_msg(strncmp(r->err, "sandboxctl: ", 12) == 0 || strstr(r->err, "usage:"),
			      "case %zu: %s", i, r->err);
		free(r);
	}
}
END_TEST

/* Every example policy is valid; a bad file is reported as FILE:LINE:COL: message. No daemon. */
START_TEST(test_policy_check)
{
	char *dir = test_mkdtemp(), *files[32], bad[512], expect[1024];
	const char *args[64] = {"policy", "check"};
	size_t n = 2, n_files = 0;
	struct dirent *de;
	struct run *r;
	json_t *j;
	DIR *d;

	d = opendir(POLICY_EXAMPLES_DIR);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) && n_files < ELEMENTSOF(files)) {
		if (!strstr(de->d_name, ".yaml"))
			continue;
		ck_assert_int_ge(
			asprintf(&files[n_files], "%s/%s", POLICY_EXAMPLES_DIR, de->d_name), 0);
		args[n++] = files[n_files++];
	}
	closedir(d);
	ck_assert_uint_ge(n_files, 4);
	r = ctl(NULL, args);
	ck_assert_msg(r->status == 0, "policy check: %s", r->err);
	ck_assert_str_eq(r->err, "");
	ck_assert_ptr_nonnull(
		strstr(r->out, "/coding-agent.yaml: ok (policy coding-agent, 3 skills)\n"));
	free(r);

	write_file(dir, "bad.yaml",
		   "version: 1\nname: bad\nskills:\n  a:\n    tools: [exec, file.raed]\n");
	snprintf(bad, sizeof(bad), "%s/bad.yaml", dir);
	snprintf(expect, sizeof(expect),
		 "%s:5:19: unknown tool 'file.raed' in 'skills.a.tools' (expected exec, "
		 "file.read, file.write, file.list, file.delete, browse or network)\n",
		 bad);
	args[n++] = bad; /* the good files and one bad one: exit 1, the good ones still ok */
	args[n] = NULL;
	r = ctl(NULL, args);
	ck_assert_int_eq(r->status, 1);
	ck_assert_str_eq(r->err, expect);
	ck_assert_ptr_nonnull(strstr(r->out, ": ok (policy coding-agent"));
	free(r);

	r = ctl(NULL, (const char *const[]){"-o", "json", "policy", "check", args[2], bad, NULL});
	ck_assert_int_eq(r->status, 1);
	j = parse(r);
	ck_assert_uint_eq(json_array_size(j), 2);
	ck_assert(json_is_true(json_object_get(json_array_get(j, 0), "ok")));
	ck_assert(json_is_array(json_object_get(json_array_get(j, 0), "skills")));
	ck_assert(json_is_false(json_object_get(json_array_get(j, 1), "ok")));
	expect[strlen(expect) - 1] = '\0';
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "error")), expect);
	json_decref(j);
	free(r);

	r = ctl(NULL, (const char *const[]){"policy", "check", NULL});
	ck_assert_int_eq(r->status, 2);
	free(r);
	for (size_t i = 0; i < n_files; i++)
		free(files[i]);
	test_rm_rf(dir);
	free(dir);
}
END_TEST

/* policy explain decides like the daemon: exit 0 allowed, 1 denied, the rule either way. */
START_TEST(test_policy_explain)
{
	const char *file = POLICY_EXAMPLES_DIR "/coding-agent.yaml";
	struct run *r;
	json_t *j;

	r = ctl(NULL, (const char *const[]){"policy", "explain", file, "--skill", "edit", "--tool",
					    "file.read", "--path", "repo/../src/a.c", NULL});
	ck_assert_msg(r->status == 0, "explain: %s", r->err);
	ck_assert_str_eq(r->out,
			 "allow\n"
			 "rule: coding-agent/skills.edit.files.read[0]\n"
			 "reason: '/workspace/src/a.c' matches files.read glob '/workspace/**'\n"
			 "path: /workspace/src/a.c\n");
	free(r);
	r = ctl(NULL, (const char *const[]){"policy", "explain", file, "--skill", "edit", "--tool",
					    "file.write", "--path", "/etc/passwd", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->out, "deny\nrule: coding-agent/skills.edit.files.write\n"));
	free(r);
	r = ctl(NULL, (const char *const[]){"policy", "explain", file, "--skill", "run", "--tool",
					    "exec", "--lang", "python", "--timeout", "1h", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->out, "rule: coding-agent/skills.run.exec.timeout\n"));
	free(r);
	r = ctl(NULL,
		(const char *const[]){"-o", "json", "policy", "explain", file, "--skill", "run",
				      "--tool", "exec", "--argv0", "/usr/bin/make", NULL});
	ck_assert_int_eq(r->status, 0);
	j = parse(r);
	ck_assert(json_is_true(json_object_get(j, "allow")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "rule")),
			 "coding-agent/skills.run.exec.commands[0]");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "timeout_usec")),
			 30LL * 60 * 1000000);
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "policy", "explain", file, "--skill",
					    "fetch-packages", "--tool", "browse", "--host",
					    "evil.example", NULL});
	ck_assert_int_eq(r->status, 1);
	j = parse(r);
	ck_assert(json_is_false(json_object_get(j, "allow")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "rule")),
			 "coding-agent/skills.fetch-packages.tools");
	json_decref(j);
	free(r);
	/* An unknown skill is an error (1), an unknown tool a usage error (2) listing the tools. */
	r = ctl(NULL, (const char *const[]){"policy", "explain", file, "--skill", "nope", "--tool",
					    "exec", "--lang", "python", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "has no skill 'nope'"));
	free(r);
	r = ctl(NULL, (const char *const[]){"policy", "explain", file, "--skill", "run", "--tool",
					    "shell", "--lang", "python", NULL});
	ck_assert_int_eq(r->status, 2);
	ck_assert_ptr_nonnull(strstr(r->err, "expected exec, file.read, file.write"));
	free(r);
	r = ctl(NULL, (const char *const[]){"policy", "explain", file, "--skill", "run", "--tool",
					    "exec", "--path", "/x", NULL});
	ck_assert_int_eq(r->status, 2);
	free(r);
}
END_TEST

/* Without --allow-inline-policies, a policy file is refused, not quietly replaced by a name. */
START_TEST(test_inline_policy_refused)
{
	char *dir = test_mkdtemp(), file[512];
	struct run *r;

	write_file(dir, "p.yaml", test_policy);
	snprintf(file, sizeof(file), "%s/p.yaml", dir);
	r = ctl(NULL, (const char *const[]){"session", "create", "--policy", file, "--skill",
					    "shell", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strncmp(r->err, "sandboxctl: PERMISSION_DENIED: ", 31) == 0, "%s", r->err);
	free(r);
	test_rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_inline_policy)
{
	char *dir = test_mkdtemp(), file[512];
	struct run *r;
	json_t *j;

	write_file(dir, "p.yaml",
		   "version: 1\nname: inline-test\nskills:\n  sh:\n"
		   "    tools: [exec]\n    exec: { commands: [\"/bin/*\"] }\n");
	snprintf(file, sizeof(file), "%s/p.yaml", dir);
	r = ctl(NULL, (const char *const[]){"-o", "json", "session", "create", "--policy", file,
					    "--skill", "sh", NULL});
	ck_assert_msg(r->status == 0, "session create: %s", r->err);
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "policy")), "inline-test");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "skills"), 0)), "sh");
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"oneshot", "--policy", file, "--skill", "sh", "--",
					    "/bin/sh", "-c", "exit 4", NULL});
	ck_assert_msg(r->status == 4, "oneshot: %d %s", r->status, r->err);
	free(r);
	r = ctl(NULL, (const char *const[]){"oneshot", "--policy", file, "--", "sh", "-c", "exit 4",
					    NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, " (rule: inline-test/skills.sh.exec.commands)\n"), "%s",
		      r->err);
	free(r);
	/* A missing file with a '/' is a usage error, never sent as a name. */
	r = ctl(NULL,
		(const char *const[]){"session", "create", "--policy", "./missing.yaml", NULL});
	ck_assert_int_eq(r->status, 2);
	ck_assert_ptr_nonnull(strstr(r->err, "--policy './missing.yaml': No such file"));
	free(r);
	test_rm_rf(dir);
	free(dir);
}
END_TEST

static char *create_policy_session(void)
{
	struct run *r = ctl(NULL, (const char *const[]){"-o", "json", "session", "create",
							"--policy", "ctl-test", "--skill", "shell",
							"--skill", "py", NULL});
	json_t *j, *skills;
	char *id;

	ck_assert_msg(r->status == 0, "session create: %s", r->err);
	j = parse(r);
	id = strdup(json_string_value(json_object_get(j, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "policy")), "ctl-test");
	skills = json_object_get(j, "skills");
	ck_assert_uint_eq(json_array_size(skills), 2);
	ck_assert_str_eq(json_string_value(json_array_get(skills, 0)), "shell");
	ck_assert_str_eq(json_string_value(json_array_get(skills, 1)), "py");
	ck_assert_str_eq(json_string_value(json_object_get(j, "instructions")),
			 "First line.\nSecond line.\n");
	json_decref(j);
	free(r);
	return id;
}

/* A session on a named policy of the daemon's --policy-dir: session get shows it all. */
START_TEST(test_policy_by_name)
{
	char *id = create_policy_session();
	struct run *r;

	r = ctl(NULL, (const char *const[]){"session", "get", id, NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->out, "policy=ctl-test"));
	ck_assert_ptr_nonnull(strstr(r->out, "\npolicy: ctl-test\nskills: shell py\n"
					     "instructions:\n  First line.\n  Second line.\n"));
	free(r);
	r = ctl(NULL,
		(const char *const[]){"session", "create", "--policy", "no-such-policy", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "sandboxctl: NOT_FOUND: "));
	free(r);
	free(id);
}
END_TEST

/* exec and run under a skill: allowed, denied with PERMISSION_DENIED and the rule; then every
 * one of those calls in the history, in text and JSON. */
START_TEST(test_skills_and_history)
{
	char *id = create_policy_session();
	struct run *r;
	json_t *j, *e;

	r = ctl(NULL, (const char *const[]){"exec", id, "--skill", "shell", "--", "/bin/sh", "-c",
					    "echo ok", NULL});
	ck_assert_msg(r->status == 0, "exec: %s", r->err);
	ck_assert_str_eq(r->out, "ok\n");
	free(r);
	r = ctl(NULL,
		(const char *const[]){"exec", id, "--skill", "shell", "--", "/opt/tool", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strncmp(r->err, "sandboxctl: PERMISSION_DENIED: ", 31) == 0, "%s", r->err);
	ck_assert_msg(strstr(r->err, ": '/opt/tool' matches none of the commands of skill 'shell'"),
		      "%s", r->err);
	ck_assert_msg(strstr(r->err, " (rule: ctl-test/skills.shell.exec.commands)\n"), "%s",
		      r->err);
	free(r);
	r = ctl(NULL, (const char *const[]){"run", id, "--skill", "shell", "--lang", "python", "-c",
					    "print(1)", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, "PERMISSION_DENIED: ") &&
			      strstr(r->err, " (rule: ctl-test/skills.shell.exec.languages)\n"),
		      "%s", r->err);
	free(r);
	r = ctl(NULL, (const char *const[]){"run", id, "--skill", "py", "--lang", "python", "-c",
					    "print(6 * 7)", NULL});
	ck_assert_msg(r->status == 0, "run: %s", r->err);
	ck_assert_str_eq(r->out, "42\n");
	free(r);

	r = ctl(NULL, (const char *const[]){"history", id, NULL});
	ck_assert_msg(r->status == 0, "history: %s", r->err);
	ck_assert_msg(strstr(r->out, "  allow  exec  shell  /bin/sh  "
				     "ctl-test/skills.shell.exec.commands[0]\n"),
		      "%s", r->out);
	ck_assert_msg(strstr(r->out, "  deny  exec  shell  /opt/tool  "
				     "ctl-test/skills.shell.exec.commands\n    "),
		      "%s", r->out);
	ck_assert_msg(strstr(r->out, "  deny  exec  shell  python  "
				     "ctl-test/skills.shell.exec.languages\n    "),
		      "%s", r->out);
	ck_assert_msg(strstr(r->out, "  allow  exec  py  python  "
				     "ctl-test/skills.py.exec.languages\n"),
		      "%s", r->out);
	ck_assert_ptr_null(strstr(r->out, "older entries"));
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "history", id, NULL});
	ck_assert_int_eq(r->status, 0);
	j = parse(r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "entries")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "dropped")), 0);
	e = json_array_get(json_object_get(j, "entries"), 1);
	ck_assert(json_is_false(json_object_get(e, "allowed")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "target")), "/opt/tool");
	ck_assert_str_eq(json_string_value(json_object_get(e, "rule")),
			 "ctl-test/skills.shell.exec.commands");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(e, "reason")), "/opt/tool"));
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "history", id, "--limit", "1", NULL});
	j = parse(r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "entries")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(j, "entries"), 0), "skill")),
			 "py");
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"history", id, "--limit", "x", NULL});
	ck_assert_int_eq(r->status, 2);
	free(r);
	free(id);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandboxctl");
	TCase *tc = tcase_create("sandboxctl");
	TCase *local = tcase_create("local");
	TCase *pol = tcase_create("policies");

	if (geteuid() != 0) {
		fputs("test-sandboxctl: needs root\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_health_version);
	tcase_add_test(tc, test_sessions_text_and_json);
	tcase_add_test(tc, test_exec_run_oneshot);
	tcase_add_test(tc, test_jobs);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_inline_policy_refused);
	suite_add_tcase(s, tc);
	/* policy check and explain run without a daemon. */
	tcase_set_timeout(local, 30);
	tcase_add_test(local, test_policy_check);
	tcase_add_test(local, test_policy_explain);
	suite_add_tcase(s, local);
	tcase_set_timeout(pol, 60);
	tcase_add_checked_fixture(pol, setup_policies, teardown);
	tcase_add_test(pol, test_policy_by_name);
	tcase_add_test(pol, test_inline_policy);
	tcase_add_test(pol, test_skills_and_history);
	suite_add_tcase(s, pol);
	return test_run_suite(s);
}
