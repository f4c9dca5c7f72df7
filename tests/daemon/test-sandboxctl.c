/* SPDX-License-Identifier: MIT */
/* sandboxctl as a person or a script runs it, against the real daemon: every command in text
 * and JSON (the JSON must parse), exit statuses (the command's own, 1 for daemon errors with
 * "sandboxctl: CODE: message", 2 for usage errors); policies by name and inline, denials with
 * their rule, history; the file commands with transfers over one chunk; and the local
 * `policy check` and `policy explain`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
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

/* Starts sandboxctl --socket SOCK args... with in, out and err as its stdin, stdout, stderr. */
static pid_t spawn_ctl(const char *const *args, int in, int out, int err)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *argv[64] = {SANDBOXCTL_PATH, "--socket", daemon_.socket};
		size_t n = 3;

		for (size_t i = 0; args[i] && n < 63; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		close_range(3, ~0U, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Reads out (may be -1) and err until both end, then reaps pid into r->status. */
static void collect(struct run *r, pid_t pid, int out, int err)
{
	size_t lo = 0, le = 0;

	for (;;) {
		struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = err, .events = POLLIN}};
		ssize_t k;

		if (out < 0 && err < 0)
			break;
		ck_assert_int_ge(poll(p, 2, 30000), 1);
		if (p[0].revents) {
			k = read(out, r->out + lo, sizeof(r->out) - 1 - lo);
			if (k <= 0) {
				close(out);
				out = -1;
			} else
				lo += (size_t)k;
		}
		if (p[1].revents) {
			k = read(err, r->err + le, sizeof(r->err) - 1 - le);
			if (k <= 0) {
				close(err);
				err = -1;
			} else
				le += (size_t)k;
		}
	}
	ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
	ck_assert_msg(WIFEXITED(r->status), "sandboxctl died of signal %d (stderr: %s)",
		      WTERMSIG(r->status), r->err);
	r->status = WEXITSTATUS(r->status);
}

/* Runs sandboxctl --socket SOCK args... with stdin_data on stdin; captures both outputs. */
static struct run *ctl(const char *stdin_data, const char *const *args)
{
	struct run *r = calloc(1, sizeof(*r));
	int in[2], out[2], err[2];
	pid_t pid;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = spawn_ctl(args, in[0], out[1], err[1]);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (stdin_data)
		ck_assert_int_eq(write(in[1], stdin_data, strlen(stdin_data)),
				 (ssize_t)strlen(stdin_data));
	close(in[1]);
	collect(r, pid, out[0], err[0]);
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

/* ---- file commands */

/* Like ctl(), with stdin from in_path (NULL: nothing) and stdout into out_path: for data larger
 * than struct run holds. */
static struct run *ctl_io(const char *in_path, const char *out_path, const char *const *args)
{
	struct run *r = calloc(1, sizeof(*r));
	int in, out, err[2];
	pid_t pid;

	ck_assert_ptr_nonnull(r);
	in = open(in_path ? in_path : "/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(in, 0);
	out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   0644);
	ck_assert_int_ge(out, 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = spawn_ctl(args, in, out, err[1]);
	close(in);
	close(out);
	close(err[1]);
	collect(r, pid, -1, err[0]);
	return r;
}

/* A file of size bytes that differ from offset to offset (so a chunk in the wrong place
 * shows), with mode. */
static void make_data(const char *path, size_t size, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	uint8_t *buf = malloc(size ? size : 1);
	uint32_t x = 2463534242U;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	ck_assert_int_eq(write(fd, buf, size), (ssize_t)size);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	free(buf);
}

/* Block by block, asserting once per file: each ck_assert is a message to Check's parent, and
 * one per byte of 10 MiB takes minutes. */
static void assert_same_bytes(const char *a, const char *b)
{
	static char ba[65536], bb[65536];
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	size_t na, nb, off = 0;
	bool same = true;

	ck_assert_msg(fa && fb, "open %s or %s", a, b);
	do {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		same = na == nb && memcmp(ba, bb, na) == 0;
		if (same)
			off += na;
	} while (same && na > 0);
	fclose(fa);
	fclose(fb);
	ck_assert_msg(same, "%s and %s differ in the 64 KiB from byte %zu", a, b, off);
}

static json_t *stat_json(const char *id, const char *path)
{
	struct run *r =
		ctl(NULL, (const char *const[]){"-o", "json", "file", "stat", id, path, NULL});
	json_t *j;

	ck_assert_msg(r->status == 0, "stat %s: %s", path, r->err);
	j = parse(r);
	free(r);
	return j;
}

static void expect_fail(struct run *r, int status, const char *code)
{
	ck_assert_msg(r->status == status, "exit %d, stderr %s", r->status, r->err);
	if (code)
		ck_assert_msg(strncmp(r->err, "sandboxctl: ", 12) == 0 && strstr(r->err, code),
			      "expected %s: %s", code, r->err);
	free(r);
}

static void expect_ok(struct run *r, const char *out)
{
	ck_assert_msg(r->status == 0, "exit %d, stderr %s", r->status, r->err);
	if (out)
		ck_assert_str_eq(r->out, out);
	free(r);
}

/* write and read back: the atomic replace, append, exclusive, truncate, a mode, parents; and
 * data over one ReadFile answer (4 MiB) both ways, byte for byte. */
START_TEST(test_file_write_read)
{
	char *id = create_session(), *dir = test_mkdtemp(), big[512], back[512];
	struct run *r;
	json_t *j;

	expect_ok(ctl("hello\n", (const char *const[]){"file", "write", id, "hello.txt", NULL}),
		  "");
	expect_ok(ctl(NULL, (const char *const[]){"file", "read", id, "hello.txt", NULL}),
		  "hello\n");
	expect_ok(ctl(NULL, (const char *const[]){"file", "read", id, "/workspace/hello.txt",
						  "--offset", "1", "--length", "3", NULL}),
		  "ell");
	expect_ok(ctl("more\n",
		      (const char *const[]){"file", "write", id, "hello.txt", "--append", NULL}),
		  "");
	expect_ok(ctl(NULL, (const char *const[]){"file", "read", id, "hello.txt", NULL}),
		  "hello\nmore\n");
	expect_fail(ctl("x", (const char *const[]){"file", "write", id, "hello.txt", "--exclusive",
						   NULL}),
		    1, "FAILED_PRECONDITION: ");
	expect_ok(ctl("new", (const char *const[]){"file", "write", id, "new.txt", "--exclusive",
						   "--mode", "0600", NULL}),
		  "");
	j = stat_json(id, "new.txt");
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode_octal")), "0600");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), 3);
	json_decref(j);
	expect_ok(ctl("t",
		      (const char *const[]){"file", "write", id, "hello.txt", "--truncate", NULL}),
		  "");
	expect_ok(ctl(NULL, (const char *const[]){"file", "read", id, "hello.txt", NULL}), "t");
	r = ctl("deep", (const char *const[]){"-o", "json", "file", "write", id, "d1/d2/f",
					      "--parents", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "path")), "/workspace/d1/d2/f");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), 4);
	json_decref(j);
	free(r);
	expect_ok(ctl("", (const char *const[]){"file", "write", id, "empty", NULL}), "");
	expect_ok(ctl(NULL, (const char *const[]){"file", "read", id, "empty", NULL}), "");

	/* 5 MiB + 123: six upload chunks up, two ReadFile answers down. */
	snprintf(big, sizeof(big), "%s/big", dir);
	snprintf(back, sizeof(back), "%s/back", dir);
	make_data(big, (5U << 20) + 123, 0644);
	expect_ok(ctl_io(big, NULL, (const char *const[]){"file", "write", id, "big.bin", NULL}),
		  NULL);
	expect_ok(ctl_io(NULL, back, (const char *const[]){"file", "read", id, "big.bin", NULL}),
		  NULL);
	assert_same_bytes(big, back);
	j = stat_json(id, "big.bin");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), (5 << 20) + 123);
	json_decref(j);
	/* A large --append: the first chunk appends, so do the rest, after what was there. */
	expect_ok(ctl_io(big, NULL,
			 (const char *const[]){"file", "write", id, "empty", "--append", NULL}),
		  NULL);
	expect_ok(ctl_io(NULL, back, (const char *const[]){"file", "read", id, "empty", NULL}),
		  NULL);
	assert_same_bytes(big, back);
	/* A part past the first 4 MiB. */
	r = ctl(NULL, (const char *const[]){"file", "read", id, "big.bin", "--offset", "4194300",
					    "--length", "10", NULL});
	ck_assert_int_eq(r->status, 0);
	{
		FILE *f = fopen(big, "re");
		char want[10];

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fseek(f, 4194300, SEEK_SET), 0);
		ck_assert_uint_eq(fread(want, 1, 10, f), 10);
		fclose(f);
		ck_assert_int_eq(memcmp(r->out, want, 10), 0);
	}
	free(r);

	expect_fail(ctl(NULL, (const char *const[]){"file", "write", id, NULL}), 2, NULL);
	expect_fail(ctl(NULL, (const char *const[]){"file", "write", id, "x", "--append",
						    "--exclusive", NULL}),
		    2, NULL);
	expect_fail(
		ctl(NULL, (const char *const[]){"file", "write", id, "x", "--mode", "999", NULL}),
		2, NULL);
	expect_fail(ctl(NULL, (const char *const[]){"file", "read", id, "x", "-r", NULL}), 2, NULL);
	expect_fail(ctl(NULL, (const char *const[]){"file", "read", id, "missing", NULL}), 1,
		    "NOT_FOUND: ");
	test_rm_rf(dir);
	free(dir);
	free(id);
}
END_TEST

/* Finds the listing line ending in " path" (and the text after it, for symlinks). */
static const char *ls_line(const char *out, const char *tail)
{
	const char *p = strstr(out, tail);

	ck_assert_msg(p, "no line ending '%s' in:\n%s", tail, out);
	while (p > out && p[-1] != '\n')
		p--;
	return p;
}

START_TEST(test_file_ls_stat_mkdir_mv_rm)
{
	char *id = create_session();
	json_t *j, *entries;
	const char *line;
	struct run *r;
	size_t found = 0;

	expect_ok(ctl(NULL, (const char *const[]){"file", "mkdir", id, "a/b/c", "-p", NULL}), "");
	expect_fail(ctl(NULL, (const char *const[]){"file", "mkdir", id, "x/y", NULL}), 1,
		    "NOT_FOUND: ");
	expect_ok(ctl(NULL,
		      (const char *const[]){"file", "mkdir", id, "a/m", "--mode", "0700", NULL}),
		  "");
	expect_ok(ctl("abc", (const char *const[]){"file", "write", id, "a/b/c/f.txt", NULL}), "");
	expect_ok(ctl("x", (const char *const[]){"file", "write", id, "a/top.txt", NULL}), "");
	expect_ok(ctl(NULL, (const char *const[]){"exec", id, "--", "ln", "-s", "top.txt",
						  "/workspace/a/link", NULL}),
		  "");

	r = ctl(NULL, (const char *const[]){"file", "ls", id, "a", "-r", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	line = ls_line(r->out, " /workspace/a/b/c/f.txt\n");
	ck_assert_msg(strncmp(line, "-rw-r--r-- ", 11) == 0, "%s", line);
	ck_assert_ptr_nonnull(strstr(line, " 3 "));
	line = ls_line(r->out, " /workspace/a/b\n");
	ck_assert_msg(strncmp(line, "drwxr-xr-x ", 11) == 0, "%s", line);
	line = ls_line(r->out, " /workspace/a/m\n");
	ck_assert_msg(strncmp(line, "drwx------ ", 11) == 0, "%s", line);
	line = ls_line(r->out, " /workspace/a/link -> top.txt\n");
	ck_assert_msg(line[0] == 'l', "%s", line);
	ck_assert_str_eq(r->err, "");
	free(r);
	/* Without -r only the directory's own entries. */
	r = ctl(NULL, (const char *const[]){"file", "ls", id, "a", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_null(strstr(r->out, "f.txt"));
	ck_assert_ptr_nonnull(strstr(r->out, " /workspace/a/top.txt\n"));
	free(r);
	/* Default: /workspace. */
	r = ctl(NULL, (const char *const[]){"file", "ls", id, NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	ck_assert_ptr_nonnull(strstr(r->out, " /workspace/a\n"));
	free(r);

	r = ctl(NULL, (const char *const[]){"-o", "json", "file", "ls", id, "a", "-r", NULL});
	ck_assert_int_eq(r->status, 0);
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "path")), "/workspace/a");
	ck_assert(json_is_false(json_object_get(j, "truncated")));
	entries = json_object_get(j, "entries");
	ck_assert_uint_eq(json_array_size(entries), 6); /* b b/c b/c/f.txt m top.txt link */
	for (size_t i = 0; i < json_array_size(entries); i++) {
		json_t *e = json_array_get(entries, i);
		const char *path = json_string_value(json_object_get(e, "path"));

		if (strcmp(path, "/workspace/a/b/c/f.txt") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "file");
			ck_assert_int_eq(json_integer_value(json_object_get(e, "size")), 3);
			ck_assert_int_eq(json_integer_value(json_object_get(e, "mode")), 0644);
			ck_assert_str_eq(json_string_value(json_object_get(e, "name")), "f.txt");
			ck_assert_int_gt(json_integer_value(json_object_get(e, "mtime_unix_ms")),
					 0);
			found++;
		} else if (strcmp(path, "/workspace/a/link") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "symlink");
			ck_assert_str_eq(json_string_value(json_object_get(e, "link_target")),
					 "top.txt");
			found++;
		}
	}
	ck_assert_uint_eq(found, 2);
	json_decref(j);
	free(r);
	/* A limit: the note on stderr, "truncated" in JSON. */
	r = ctl(NULL, (const char *const[]){"file", "ls", id, "a", "-r", "--limit", "2", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_msg(strstr(r->err, "listing truncated after 2 entries"), "%s", r->err);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "file", "ls", id, "a", "-r", "--depth",
					    "1", NULL});
	ck_assert_int_eq(r->status, 0);
	j = parse(r);
	ck_assert_ptr_null(strstr(r->out, "f.txt"));
	json_decref(j);
	free(r);
	r = ctl(NULL, (const char *const[]){"-o", "json", "file", "ls", id, "a", "-r", "--limit",
					    "2", NULL});
	j = parse(r);
	ck_assert(json_is_true(json_object_get(j, "truncated")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "entries")), 2);
	json_decref(j);
	free(r);

	r = ctl(NULL, (const char *const[]){"file", "stat", id, "a/b", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_msg(strstr(r->out, "path:   /workspace/a/b\ntype:   directory\n") &&
			      strstr(r->out, "mode:   0755 (drwxr-xr-x)\n"),
		      "%s", r->out);
	free(r);
	expect_fail(ctl(NULL, (const char *const[]){"file", "stat", id, "nope", NULL}), 1,
		    "NOT_FOUND: ");

	/* mv: quiet; the old name gone; an existing target only with --overwrite. */
	expect_ok(ctl(NULL,
		      (const char *const[]){"file", "mv", id, "a/top.txt", "a/moved.txt", NULL}),
		  "");
	expect_ok(ctl(NULL, (const char *const[]){"file", "read", id, "a/moved.txt", NULL}), "x");
	expect_fail(ctl(NULL, (const char *const[]){"file", "stat", id, "a/top.txt", NULL}), 1,
		    "NOT_FOUND: ");
	expect_fail(ctl(NULL, (const char *const[]){"file", "mv", id, "a/moved.txt", "a/b/c/f.txt",
						    NULL}),
		    1, NULL);
	r = ctl(NULL, (const char *const[]){"-o", "json", "file", "mv", id, "a/moved.txt",
					    "a/b/c/f.txt", "--overwrite", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "path")), "/workspace/a/b/c/f.txt");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), 1);
	json_decref(j);
	free(r);
	expect_fail(ctl(NULL, (const char *const[]){"file", "mv", id, "a", NULL}), 2, NULL);

	/* rm: a non-empty directory only with -r. */
	expect_fail(ctl(NULL, (const char *const[]){"file", "rm", id, "a", NULL}), 1, NULL);
	expect_ok(ctl(NULL, (const char *const[]){"file", "rm", id, "a/link", NULL}), "");
	expect_ok(ctl(NULL, (const char *const[]){"file", "rm", id, "a", "-r", NULL}), "");
	expect_fail(ctl(NULL, (const char *const[]){"file", "stat", id, "a", NULL}), 1,
		    "NOT_FOUND: ");
	expect_fail(ctl(NULL, (const char *const[]){"file", "bogus", id, NULL}), 2, NULL);
	expect_fail(ctl(NULL, (const char *const[]){"file", "ls", id, "--depth", "x", NULL}), 2,
		    NULL);
	free(id);
}
END_TEST

/* Entries of dir whose name starts with prefix. */
static size_t count_named(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* cp both ways with 10 MiB: bytes equal, the local mode kept on upload, no bar off a terminal,
 * no temporary left behind. */
START_TEST(test_file_cp)
{
	char *id = create_session(), *dir = test_mkdtemp(), src[512], dst[512], remote[128],
	     remote_dir[128], out[512];
	struct run *r;
	json_t *j;

	snprintf(src, sizeof(src), "%s/src.bin", dir);
	snprintf(dst, sizeof(dst), "%s/dst.bin", dir);
	snprintf(out, sizeof(out), "%s/stdout.bin", dir);
	snprintf(remote, sizeof(remote), "%s:/workspace/up/big.bin", id);
	snprintf(remote_dir, sizeof(remote_dir), "%s:up/", id);
	make_data(src, (10U << 20) + 7, 0640);
	expect_ok(ctl(NULL, (const char *const[]){"file", "mkdir", id, "up", NULL}), "");

	r = ctl(NULL, (const char *const[]){"file", "cp", src, remote, NULL});
	ck_assert_msg(r->status == 0, "cp up: %s", r->err);
	ck_assert_str_eq(r->err, ""); /* stderr is no terminal: no bar */
	free(r);
	j = stat_json(id, "up/big.bin");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), (10 << 20) + 7);
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode_octal")), "0640");
	json_decref(j);

	r = ctl(NULL, (const char *const[]){"file", "cp", remote, dst, NULL});
	ck_assert_msg(r->status == 0, "cp down: %s", r->err);
	ck_assert_str_eq(r->err, "");
	free(r);
	assert_same_bytes(src, dst);
	ck_assert_uint_eq(count_named(dir, ".dst.bin."), 0);
	/* Into a local directory under the remote name; and to stdout. */
	r = ctl(NULL, (const char *const[]){"-o", "json", "file", "cp", remote, dir, NULL});
	ck_assert_msg(r->status == 0, "cp into dir: %s", r->err);
	j = parse(r);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), (10 << 20) + 7);
	json_decref(j);
	free(r);
	snprintf(dst, sizeof(dst), "%s/big.bin", dir);
	assert_same_bytes(src, dst);
	expect_ok(ctl_io(NULL, out, (const char *const[]){"file", "cp", remote, "-", NULL}), NULL);
	assert_same_bytes(src, out);
	/* Up into a remote directory ("ID:up/") under the local name, from JSON. */
	r = ctl(NULL, (const char *const[]){"-o", "json", "file", "cp", src, remote_dir, NULL});
	ck_assert_msg(r->status == 0, "cp into remote dir: %s", r->err);
	j = parse(r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "path")), "/workspace/up/src.bin");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "size")), (10 << 20) + 7);
	json_decref(j);
	free(r);

	/* A failed download leaves neither the file nor a temporary. */
	snprintf(remote, sizeof(remote), "%s:missing", id);
	snprintf(dst, sizeof(dst), "%s/missing", dir);
	expect_fail(ctl(NULL, (const char *const[]){"file", "cp", remote, dst, NULL}), 1,
		    "NOT_FOUND: ");
	ck_assert_int_ne(access(dst, F_OK), 0);
	ck_assert_uint_eq(count_named(dir, ".missing."), 0);
	/* Exactly one side in a session. */
	expect_fail(ctl(NULL, (const char *const[]){"file", "cp", src, dst, NULL}), 2, NULL);
	expect_fail(ctl(NULL, (const char *const[]){"file", "cp", remote, remote, NULL}), 2, NULL);
	test_rm_rf(dir);
	free(dir);
	free(id);
}
END_TEST

/* The default policy reads and writes /workspace and /tmp only: anything else is
 * PERMISSION_DENIED with its rule, and `..` cannot climb out of /workspace into what the
 * policy forbids. */
START_TEST(test_file_denied)
{
	char *id = create_session();
	struct run *r;

	r = ctl("x", (const char *const[]){"file", "write", id, "/etc/x", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strncmp(r->err, "sandboxctl: PERMISSION_DENIED: ", 31) == 0, "%s", r->err);
	ck_assert_msg(strstr(r->err, " (rule: default/skills.default.files.write)\n"), "%s",
		      r->err);
	free(r);
	static const char *const escapes[] = {"/workspace/../../etc/passwd", "../etc/passwd",
					      "/tmp/../etc/shadow", "../../../../etc/passwd"};
	for (size_t i = 0; i < ELEMENTSOF(escapes); i++) {
		r = ctl(NULL, (const char *const[]){"file", "read", id, escapes[i], NULL});
		ck_assert_msg(r->status == 1, "%s: exit %d", escapes[i], r->status);
		ck_assert_msg(
			strncmp(r->err, "sandboxctl: PERMISSION_DENIED: ", 31) == 0 &&
				strstr(r->err, " (rule: default/skills.default.files.read)\n"),
			"%s: %s", escapes[i], r->err);
		ck_assert_str_eq(r->out, "");
		free(r);
	}
	r = ctl(NULL, (const char *const[]){"file", "cp", "/etc/hostname", "", NULL});
	ck_assert_int_eq(r->status, 2);
	free(r);
	{
		char remote[128];

		snprintf(remote, sizeof(remote), "%s:/etc/passwd", id);
		r = ctl(NULL, (const char *const[]){"file", "cp", remote, "/dev/null", NULL});
		ck_assert_int_eq(r->status, 1);
		ck_assert_ptr_nonnull(strstr(r->err, "PERMISSION_DENIED: "));
		free(r);
	}
	expect_fail(ctl(NULL, (const char *const[]){"file", "rm", id, "/etc", "-r", NULL}), 1,
		    "PERMISSION_DENIED: ");
	expect_fail(ctl(NULL, (const char *const[]){"file", "mkdir", id, "/opt/x", NULL}), 1,
		    "PERMISSION_DENIED: ");
	expect_fail(ctl(NULL, (const char *const[]){"file", "ls", id, "/", NULL}), 1,
		    "PERMISSION_DENIED: ");
	free(id);
}
END_TEST

/* Reads fd into buf (from *len on) until it holds needle or timeout_ms pass. */
static bool read_until(int fd, char *buf, size_t cap, size_t *len, const char *needle,
		       int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t k;

		buf[*len] = '\0';
		if (strstr(buf, needle))
			return true;
		if (poll(&p, 1, 50) <= 0)
			continue;
		k = read(fd, buf + *len, cap - 1 - *len);
		if (k <= 0)
			break;
		*len += (size_t)k;
	}
	buf[*len] = '\0';
	return strstr(buf, needle) != NULL;
}

/* A running watch: once it reports the probe files written until it does, the real changes;
 * Ctrl-C cancels it on the daemon, and it ends cleanly. */
START_TEST(test_file_watch)
{
	char *id = create_session(), out_buf[16384] = "", err_buf[4096] = "";
	size_t out_len = 0, err_len = 0;
	int out[2], err[2], status, n, null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bool live = false;
	struct run *r;
	pid_t pid;

	expect_ok(ctl(NULL, (const char *const[]){"file", "mkdir", id, "w", NULL}), "");
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = spawn_ctl((const char *const[]){"file", "watch", id, "/workspace/w", "-r", NULL},
			null, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	/* The watch is in place once it reports something. */
	for (n = 0; n < 50 && !live; n++) {
		char name[32];

		snprintf(name, sizeof(name), "w/probe%d", n);
		expect_ok(ctl("p",
			      (const char *const[]){"file", "write", id, name, "--truncate", NULL}),
			  "");
		live = read_until(out[0], out_buf, sizeof(out_buf), &out_len, "probe", 200);
	}
	ck_assert_msg(live, "no event from the watch (stderr: %s)",
		      (read_until(err[0], err_buf, sizeof(err_buf), &err_len, "\n", 100), err_buf));
	expect_ok(ctl(NULL, (const char *const[]){"file", "mkdir", id, "w/sub", NULL}), "");
	expect_ok(ctl("1", (const char *const[]){"file", "write", id, "w/sub/f.txt", "--truncate",
						 NULL}),
		  "");
	expect_ok(
		ctl(NULL, (const char *const[]){"file", "mv", id, "w/sub/f.txt", "w/g.txt", NULL}),
		"");
	expect_ok(ctl(NULL, (const char *const[]){"file", "rm", id, "w/g.txt", NULL}), "");
	ck_assert_msg(read_until(out[0], out_buf, sizeof(out_buf), &out_len,
				 "deleted /workspace/w/g.txt\n", 5000),
		      "%s", out_buf);
	ck_assert_msg(strstr(out_buf, "created /workspace/w/sub\n"), "%s", out_buf);
	ck_assert_msg(strstr(out_buf, "created /workspace/w/sub/f.txt\n"), "%s", out_buf);
	ck_assert_msg(strstr(out_buf, "moved_from /workspace/w/sub/f.txt\n"), "%s", out_buf);
	ck_assert_msg(strstr(out_buf, "moved_to /workspace/w/g.txt\n"), "%s", out_buf);

	ck_assert_int_eq(kill(pid, SIGINT), 0);
	ck_assert_msg(read_until(err[0], err_buf, sizeof(err_buf), &err_len,
				 "sandboxctl: watch ended: cancelled (", 5000),
		      "%s", err_buf);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	close(out[0]);
	close(err[0]);

	/* Its own limits: a timeout with nothing happening; one event in JSON lines. */
	r = ctl(NULL, (const char *const[]){"file", "watch", id, "w", "--timeout", "300ms", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	ck_assert_str_eq(r->out, "");
	ck_assert_msg(strstr(r->err, "watch ended: timeout (0 events)"), "%s", r->err);
	free(r);
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = spawn_ctl((const char *const[]){"-o", "json", "file", "watch", id, "w",
					      "--max-events", "1", NULL},
			null, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	out_len = 0;
	out_buf[0] = '\0';
	for (n = 0; n < 50; n++) {
		char name[32];

		snprintf(name, sizeof(name), "w/json%d", n);
		expect_ok(ctl("j",
			      (const char *const[]){"file", "write", id, name, "--truncate", NULL}),
			  "");
		if (read_until(out[0], out_buf, sizeof(out_buf), &out_len, "\"end\"", 200))
			break;
	}
	ck_assert_msg(strstr(out_buf, "{\"is_dir\":false,\"path\":\"/workspace/w/json") &&
			      strstr(out_buf, "\"type\":\"created\"}\n") &&
			      strstr(out_buf, "{\"end\":\"max_events\",\"events\":1}\n"),
		      "%s", out_buf);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	close(out[0]);
	close(err[0]);
	close(null);
	expect_fail(ctl(NULL, (const char *const[]){"file", "watch", id, "/etc", NULL}), 1,
		    "PERMISSION_DENIED: ");
	expect_fail(
		ctl(NULL, (const char *const[]){"file", "watch", id, "w", "--timeout", "x", NULL}),
		2, NULL);
	free(id);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandboxctl");
	TCase *tc = tcase_create("sandboxctl");
	TCase *local = tcase_create("local");
	TCase *pol = tcase_create("policies");
	TCase *files = tcase_create("files");

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
	tcase_set_timeout(files, 120);
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_file_write_read);
	tcase_add_test(files, test_file_ls_stat_mkdir_mv_rm);
	tcase_add_test(files, test_file_cp);
	tcase_add_test(files, test_file_denied);
	tcase_add_test(files, test_file_watch);
	suite_add_tcase(s, files);
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
