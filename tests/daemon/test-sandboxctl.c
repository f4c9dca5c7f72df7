/* SPDX-License-Identifier: MIT */
/* sandboxctl as a person or a script runs it, against the real daemon: every command in text
 * and JSON (the JSON must parse), exit statuses (the command's own, 1 for daemon errors with
 * "sandboxctl: CODE: message", 2 for usage errors). */
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

struct run {
	int status;
	char out[65536];
	char err[8192];
};

static void setup(void)
{
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	ck_assert_ptr_nonnull(mkdtemp(lock_dir));
	test_daemon_start(&daemon_, (const char *const[]){"--cgroup-parent", cgroup_parent,
							  "--uid-lock-dir", lock_dir, NULL});
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

int main(void)
{
	Suite *s = suite_create("sandboxctl");
	TCase *tc = tcase_create("sandboxctl");

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
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
