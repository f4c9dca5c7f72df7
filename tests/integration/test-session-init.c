/* SPDX-License-Identifier: MIT */
/* sandbox-init's session mode through the runtime API, as a supervisor drives it: a long-lived
 * sandbox runs commands on request over the control channel (runtime/init-control.h), with their
 * own stdio, reports start, failure and exit, passes on signals, keeps the channel out of the
 * commands' reach, and ends when the channel closes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-control.h"
#include "macro.h"
#include "sandbox.h"
#include "test-util.h"

static const char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/workspace", NULL};

static const char *const cgroup_hierarchies[] = {"memory", "pids", "cpu", "cpuacct", "unified", ""};

struct session {
	struct sandbox_runtime *rt;
	struct sandbox *sb;
	int ctl;
	char *lock_dir;
};

static void session_start(struct session *s)
{
	struct runtime_config cfg = {
		.init_path = SANDBOX_INIT_PATH,
		.cgroup_parent = "sandboxd-test-session",
		.uids = {NULL, UID_RANGE_BASE_DEFAULT, UID_RANGE_COUNT_DEFAULT},
	};
	struct sandbox_spec spec = {
		.image = SANDBOX_IMAGE_HOST,
		.env = env,
		.workspace_size = 64 << 20,
		.tmp_size = 64 << 20,
		.limits = {.memory_max = 256 << 20, .pids_max = 64, .nofile = 1024},
		.stdio = {-1, -1, -1},
		.session = true,
	};
	struct sbx_error e = {};
	int fds[2];

	s->lock_dir = test_mkdtemp();
	cfg.uids.lock_dir = s->lock_dir;
	ck_assert_msg(sandbox_runtime_new(&cfg, &s->rt, &e) == 0, "%s", e.msg);
	ck_assert_ok(init_control_pair(fds));
	spec.control_fd = fds[1];
	ck_assert_msg(sandbox_create(s->rt, &spec, &s->sb, &e) == 0, "%s", e.msg);
	close(fds[1]);
	s->ctl = fds[0];
}

static void session_end(struct session *s)
{
	struct sandbox_result res;
	struct sbx_error e = {};

	s->ctl = safe_close(s->ctl); /* PID 1 sees the channel close and exits */
	ck_assert_msg(sandbox_wait(s->sb, &res, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(res.end, SANDBOX_EXITED);
	ck_assert_int_eq(res.exit_code, 0);
	sandbox_free(s->sb);
	sandbox_runtime_free(s->rt);
	test_rm_rf(s->lock_dir);
	free(s->lock_dir);
	/* The test's cgroup parent; each sandbox's own cgroup is gone already. */
	for (size_t i = 0; i < ELEMENTSOF(cgroup_hierarchies); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/sandboxd-test-session",
			 cgroup_hierarchies[i]);
		ck_assert_msg(rmdir(path) == 0 || errno == ENOENT, "rmdir %s: %s", path,
			      strerror(errno));
	}
}

/* Runs argv in the session with stdout captured; returns the wait status, output in out. */
static int run(struct session *s, uint64_t id, const char *const *argv, char *out, size_t len)
{
	int outp[2], null_fd, stdio[3];
	struct init_msg m;
	size_t got = 0;
	ssize_t n;

	ck_assert_int_eq(pipe2(outp, O_CLOEXEC), 0);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(null_fd, 0);
	stdio[0] = null_fd;
	stdio[1] = outp[1];
	stdio[2] = null_fd;
	ck_assert_ok(init_control_send_exec(s->ctl, id, "/workspace", argv, env, stdio));
	close(outp[1]);
	close(null_fd);

	ck_assert_ok(init_control_recv(s->ctl, &m));
	ck_assert_int_eq(m.id, id);
	if (m.type == INIT_MSG_FAILED) {
		close(outp[0]);
		return -m.value;
	}
	ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	ck_assert_int_gt(m.value, 1); /* a pid inside; 1 is sandbox-init */
	while ((n = read(outp[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(outp[0]);
	ck_assert_ok(init_control_recv(s->ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_EXITED);
	ck_assert_int_eq(m.id, id);
	return m.value;
}

START_TEST(test_commands_run_in_one_sandbox)
{
	struct session s;
	char out[256];
	int st;

	session_start(&s);
	st = run(&s, 1, (const char *const[]){"sh", "-c", "echo hello > f; id -u", NULL}, out,
		 sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "0\n");
	/* The workspace lives as long as the session. */
	st = run(&s, 2, (const char *const[]){"cat", "/workspace/f", NULL}, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "hello\n");
	st = run(&s, 3, (const char *const[]){"sh", "-c", "exit 7", NULL}, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	session_end(&s);
}
END_TEST

START_TEST(test_missing_command_fails)
{
	struct session s;
	char out[16];

	session_start(&s);
	ck_assert_int_eq(
		run(&s, 1, (const char *const[]){"no-such-command", NULL}, out, sizeof(out)),
		-ENOENT);
	session_end(&s);
}
END_TEST

START_TEST(test_signal_reaches_command)
{
	const char *const argv[] = {"sleep", "30", NULL};
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC), stdio[3];
	struct init_msg m;
	struct session s;

	session_start(&s);
	stdio[0] = stdio[1] = stdio[2] = null_fd;
	ck_assert_ok(init_control_send_exec(s.ctl, 9, "/", argv, env, stdio));
	close(null_fd);
	ck_assert_ok(init_control_recv(s.ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	ck_assert_ok(init_control_send_signal(s.ctl, 9, SIGTERM));
	ck_assert_ok(init_control_recv(s.ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_EXITED);
	ck_assert(WIFSIGNALED(m.value) && WTERMSIG(m.value) == SIGTERM);
	session_end(&s);
}
END_TEST

START_TEST(test_channel_out_of_reach)
{
	struct session s;
	char out[256];
	int st;

	session_start(&s);
	/* A command cannot take PID 1's control channel through /proc (PID 1 is not dumpable),
	 * and holds no copy of it: its own fds are only 0, 1 and 2. */
	st = run(&s, 1,
		 (const char *const[]){"sh", "-c",
				       "cat /proc/1/fd/3 2>/dev/null && echo OPENED; "
				       "ls /proc/self/fd | tr '\\n' ' '",
				       NULL},
		 out, sizeof(out));
	ck_assert(WIFEXITED(st));
	ck_assert_msg(!strstr(out, "OPENED"), "output: %s", out);
	ck_assert_msg(strcmp(out, "0 1 2 3 ") == 0, "fds of a command: '%s'", out);
	session_end(&s);
}
END_TEST

START_TEST(test_channel_close_ends_session)
{
	struct session s;
	const char *const argv[] = {"sleep", "30", NULL};
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC), stdio[3];
	struct init_msg m;

	session_start(&s);
	stdio[0] = stdio[1] = stdio[2] = null_fd;
	ck_assert_ok(init_control_send_exec(s.ctl, 1, "/", argv, env, stdio));
	close(null_fd);
	ck_assert_ok(init_control_recv(s.ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	session_end(&s); /* returns only because PID 1 exited despite the running sleep */
}
END_TEST

int main(void)
{
	Suite *su = suite_create("session-init");
	TCase *tc = tcase_create("session");

	if (geteuid() != 0) {
		fputs("test-session-init: needs root\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_commands_run_in_one_sandbox);
	tcase_add_test(tc, test_missing_command_fails);
	tcase_add_test(tc, test_signal_reaches_command);
	tcase_add_test(tc, test_channel_out_of_reach);
	tcase_add_test(tc, test_channel_close_ends_session);
	suite_add_tcase(su, tc);
	return test_run_suite(su);
}
