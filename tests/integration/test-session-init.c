/* SPDX-License-Identifier: MIT */
/* sandbox-init's session mode through the runtime API, as a supervisor drives it: a long-lived
 * sandbox runs commands on request over the control channel (runtime/init-control.h), with their
 * own stdio, reports start, failure and exit, passes on signals, keeps the channel out of the
 * commands' reach, and ends when the channel closes; or, given a listening socket and a
 * deadline, outlives its supervisor and hands everything to the next one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init-control.h"
#include "landlock.h"
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
	char sock_path[108]; /* the listening socket, when the session may outlive us */
};

static int send_exec(int ctl, uint64_t id, const char *cwd, const char *const *argv,
		     const int stdio[3], const int *held)
{
	return init_control_send_exec(ctl, &(struct init_exec_request){
						   .id = id,
						   .cwd = cwd,
						   .argv = argv,
						   .env = env,
						   .stdio = {stdio[0], stdio[1], stdio[2]},
						   .held = held,
					   });
}

/* A record that carries no fds. */
static int recv_record(int ctl, struct init_msg *m)
{
	int fds[2];
	int r = init_control_recv(ctl, m, fds);

	if (r == 0)
		ck_assert_msg(fds[0] < 0 && fds[1] < 0, "record %u came with fds", m->type);
	return r;
}

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

static void session_start_listening(struct session *s, bool listening)
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
		.listen_fd = -1,
	};
	struct sbx_error e = {};
	int fds[2];

	s->lock_dir = test_mkdtemp();
	s->sock_path[0] = '\0';
	cfg.uids.lock_dir = s->lock_dir;
	ck_assert_msg(sandbox_runtime_new(&cfg, &s->rt, &e) == 0, "%s", e.msg);
	if (listening) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		snprintf(s->sock_path, sizeof(s->sock_path), "%s/init.sock", s->lock_dir);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->sock_path);
		spec.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(spec.listen_fd, 0);
		ck_assert_int_eq(bind(spec.listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		ck_assert_int_eq(listen(spec.listen_fd, 1), 0);
	}
	ck_assert_ok(init_control_pair(fds));
	spec.control_fd = fds[1];
	ck_assert_msg(sandbox_create(s->rt, &spec, &s->sb, &e) == 0, "%s", e.msg);
	close(fds[1]);
	if (spec.listen_fd >= 0)
		close(spec.listen_fd); /* sandbox-init holds it */
	s->ctl = fds[0];
}

static void session_start(struct session *s)
{
	session_start_listening(s, false);
}

/* The supervisor goes away as a killed daemon would: channel closed, sandbox let go. */
static struct sandbox_ident session_abandon(struct session *s)
{
	struct sandbox_ident id;

	ck_assert_ok(sandbox_ident(s->sb, &id));
	s->ctl = safe_close(s->ctl);
	s->sb = sandbox_release(s->sb);
	return id;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect %s: %s", path,
		      strerror(errno));
	return fd;
}

/* Starts argv with stdout and stderr into pipes whose read ends PID 1 holds too. */
static void start_held(struct session *s, uint64_t id, const char *script, int ret_out[2])
{
	const char *const argv[] = {"sh", "-c", script, NULL};
	int outp[2], errp[2], stdio[3], held[2];
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct init_msg m;

	ck_assert_int_eq(pipe2(outp, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(errp, O_CLOEXEC), 0);
	stdio[0] = null_fd;
	stdio[1] = outp[1];
	stdio[2] = errp[1];
	held[0] = outp[0];
	held[1] = errp[0];
	ck_assert_ok(send_exec(s->ctl, id, "/workspace", argv, stdio, held));
	close(null_fd);
	close(outp[1]);
	close(errp[1]);
	ck_assert_ok(recv_record(s->ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	ret_out[0] = outp[0];
	ret_out[1] = errp[0];
}

static void read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
}

/* Waits up to ms for the process pid (not our child) to be gone. */
static bool init_exits_within_pid(pid_t pid, int ms)
{
	int fd = pidfd_open(pid, 0);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	bool gone;

	if (fd < 0)
		return errno == ESRCH;
	gone = poll(&p, 1, ms) == 1;
	close(fd);
	return gone;
}

/* Waits up to ms for PID 1 to be gone. */
static bool init_exits_within(struct sandbox *sb, int ms)
{
	struct pollfd p = {.fd = sandbox_pidfd(sb), .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

static void remove_test_cgroups(void)
{
	for (size_t i = 0; i < ELEMENTSOF(cgroup_hierarchies); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/sandboxd-test-session",
			 cgroup_hierarchies[i]);
		ck_assert_msg(rmdir(path) == 0 || errno == ENOENT, "rmdir %s: %s", path,
			      strerror(errno));
	}
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
	remove_test_cgroups();
}

/* Frees an adopted session's sandbox (not our child: no wait status) and the rest. */
static void session_end_adopted(struct session *s)
{
	s->sb = sandbox_free(s->sb);
	sandbox_runtime_free(s->rt);
	test_rm_rf(s->lock_dir);
	free(s->lock_dir);
	remove_test_cgroups();
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
	ck_assert_ok(send_exec(s->ctl, id, "/workspace", argv, stdio, NULL));
	close(outp[1]);
	close(null_fd);

	ck_assert_ok(recv_record(s->ctl, &m));
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
	ck_assert_ok(recv_record(s->ctl, &m));
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
	ck_assert_ok(send_exec(s.ctl, 9, "/", argv, stdio, NULL));
	close(null_fd);
	ck_assert_ok(recv_record(s.ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	ck_assert_ok(init_control_send_signal(s.ctl, 9, SIGTERM));
	ck_assert_ok(recv_record(s.ctl, &m));
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
	ck_assert_ok(send_exec(s.ctl, 1, "/", argv, stdio, NULL));
	close(null_fd);
	ck_assert_ok(recv_record(s.ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	session_end(&s); /* returns only because PID 1 exited despite the running sleep */
}
END_TEST

/* Runs a script under Landlock rules (encoded as the daemon sends them); returns the wait status
 * with stdout in out, or -errno when PID 1 refused to start it. */
static int run_confined(struct session *s, uint64_t id, const char *script, const char *rules,
			size_t rules_len, char *out, size_t len)
{
	const char *const argv[] = {"sh", "-c", script, NULL};
	int outp[2], null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct init_msg m;

	ck_assert_int_eq(pipe2(outp, O_CLOEXEC), 0);
	ck_assert_ok(init_control_send_exec(s->ctl, &(struct init_exec_request){
							    .id = id,
							    .cwd = "/workspace",
							    .argv = argv,
							    .env = env,
							    .stdio = {null_fd, outp[1], null_fd},
							    .landlock = rules,
							    .landlock_len = rules_len,
						    }));
	close(outp[1]);
	close(null_fd);
	ck_assert_ok(recv_record(s->ctl, &m));
	if (m.type == INIT_MSG_FAILED) {
		close(outp[0]);
		return -m.value;
	}
	read_all(outp[0], out, len);
	close(outp[0]);
	ck_assert_ok(recv_record(s->ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_EXITED);
	return m.value;
}

START_TEST(test_landlock_per_command)
{
	struct landlock_rules rules;
	char buf[8192], out[256];
	struct session s;
	ssize_t n;
	int st;

	if (landlock_abi() <= 0)
		return; /* covered by the landlock test's skip */
	session_start(&s);
	landlock_rules_init(&rules);
	ck_assert_ok(landlock_rules_add_system(&rules));
	ck_assert_ok(landlock_rules_add(&rules, "/workspace", LANDLOCK_READ));
	/* An output directory that does not exist yet is made, then granted. */
	ck_assert_ok(landlock_rules_add(&rules, "/workspace/out/deep",
					LANDLOCK_WRITE | LANDLOCK_GRANT_CREATE));
	n = landlock_rules_encode(&rules, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	st = run_confined(&s, 1,
			  "echo a > /workspace/out/deep/ok && echo wrote; "
			  "echo b > /workspace/no 2>/dev/null || echo denied; "
			  "echo b > /tmp/no 2>/dev/null || echo denied",
			  buf, (size_t)n, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "wrote\ndenied\ndenied\n");
	/* The next command of the session is not confined by the last one's rules. */
	st = run_confined(&s, 2, "echo b > /tmp/yes && echo wrote", NULL, 0, out, sizeof(out));
	ck_assert_str_eq(out, "wrote\n");
	/* Rules that do not decode start nothing. */
	ck_assert_int_eq(run_confined(&s, 3, "true", "landlock 9", 11, out, sizeof(out)), -EINVAL);
	session_end(&s);
}
END_TEST

START_TEST(test_session_outlives_supervisor)
{
	int first[2], second[2], held_first[2] = {-1, -1}, held_third[2] = {-1, -1};
	bool seen_first = false, seen_second = false, seen_third = false;
	struct sandbox_ident id;
	struct sbx_error e = {};
	struct session s;
	struct init_msg m;
	char out[256];

	session_start_listening(&s, true);
	ck_assert_ok(init_control_send_deadline(s.ctl, realtime_ms() + 60000));
	/* Ends while nobody listens, its output waiting in the held pipe. */
	start_held(&s, 1, "echo early; sleep 0.3; echo late; echo oops >&2", first);
	/* Ends while nobody listens, without held pipes. */
	{
		const char *const argv[] = {"sh", "-c", "sleep 0.3; exit 3", NULL};
		int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC), stdio[3];

		stdio[0] = stdio[1] = stdio[2] = null_fd;
		ck_assert_ok(send_exec(s.ctl, 2, "/", argv, stdio, NULL));
		close(null_fd);
		ck_assert_ok(recv_record(s.ctl, &m));
		ck_assert_int_eq(m.type, INIT_MSG_STARTED);
	}
	/* Still running when the next supervisor comes. */
	start_held(&s, 3, "echo waiting; sleep 30", second);
	for (int i = 0; i < 2; i++) {
		close(first[i]);
		close(second[i]);
	}
	id = session_abandon(&s);
	ck_assert_msg(!init_exits_within_pid(id.pid, 800), "PID 1 ended with its supervisor");

	/* The next supervisor: adopt the sandbox, connect, read the snapshot. */
	ck_assert_msg(sandbox_adopt(s.rt, &id, &s.sb, &e) == 0, "%s", e.msg);
	s.ctl = connect_to(s.sock_path);
	for (;;) {
		int fds[2];

		ck_assert_ok(init_control_recv(s.ctl, &m, fds));
		if (m.type == INIT_MSG_ADOPTED) {
			ck_assert_int_ge(fds[0], 0); /* the uid range lock */
			sandbox_adopt_lock(s.sb, fds[0]);
			break;
		}
		if (m.id == 1) {
			ck_assert_int_eq(m.type, INIT_MSG_EXITED);
			ck_assert(WIFEXITED(m.value) && WEXITSTATUS(m.value) == 0);
			held_first[0] = fds[0];
			held_first[1] = fds[1];
			seen_first = true;
		} else if (m.id == 2) {
			ck_assert_int_eq(m.type, INIT_MSG_EXITED);
			ck_assert(WIFEXITED(m.value) && WEXITSTATUS(m.value) == 3);
			ck_assert_int_lt(fds[0], 0);
			seen_second = true;
		} else {
			ck_assert_int_eq(m.id, 3);
			ck_assert_int_eq(m.type, INIT_MSG_RUNNING);
			ck_assert_int_gt(m.value, 1);
			held_third[0] = fds[0];
			held_third[1] = fds[1];
			seen_third = true;
		}
	}
	ck_assert(seen_first && seen_second && seen_third);
	/* Nothing written while nobody read was lost. */
	read_all(held_first[0], out, sizeof(out));
	ck_assert_str_eq(out, "early\nlate\n");
	read_all(held_first[1], out, sizeof(out));
	ck_assert_str_eq(out, "oops\n");
	/* The running one is ours to stop, and its end comes as usual. */
	ck_assert_ok(init_control_send_signal(s.ctl, 3, SIGKILL));
	ck_assert_ok(recv_record(s.ctl, &m));
	ck_assert_int_eq(m.type, INIT_MSG_EXITED);
	ck_assert_int_eq(m.id, 3);
	read_all(held_third[0], out, sizeof(out));
	ck_assert_str_eq(out, "waiting\n");
	for (int i = 0; i < 2; i++) {
		close(held_first[i]);
		close(held_third[i]);
	}
	/* A second supervisor is turned away while one is connected. */
	{
		int other = connect_to(s.sock_path);
		int fds[2];

		ck_assert_int_eq(init_control_recv(other, &m, fds), -ECONNRESET);
		close(other);
	}
	s.ctl = safe_close(s.ctl);
	ck_assert_ok(sandbox_kill(s.sb));
	session_end_adopted(&s);
}
END_TEST

START_TEST(test_session_ends_at_deadline)
{
	struct sandbox_ident id;
	struct sbx_error e = {};
	struct session s;

	session_start_listening(&s, true);
	ck_assert_ok(init_control_send_deadline(s.ctl, realtime_ms() + 400));
	id = session_abandon(&s);
	/* Left alone, it lives to its deadline and not much longer. */
	ck_assert(!init_exits_within_pid(id.pid, 150));
	ck_assert_msg(sandbox_adopt(s.rt, &id, &s.sb, &e) == 0, "%s", e.msg);
	ck_assert_msg(init_exits_within(s.sb, 3000), "PID 1 outlived its deadline");
	session_end_adopted(&s);
}
END_TEST

START_TEST(test_adopt_refuses_stranger)
{
	struct sandbox_ident id;
	struct sbx_error e = {};
	struct sandbox *sb = NULL;
	struct session s;

	session_start(&s);
	ck_assert_ok(sandbox_ident(s.sb, &id));
	/* The same pid with another start time is another process. */
	id.start_ticks++;
	ck_assert_int_eq(sandbox_adopt(s.rt, &id, &sb, &e), -ESRCH);
	ck_assert_ptr_null(sb);
	session_end(&s);
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
	tcase_add_test(tc, test_landlock_per_command);
	tcase_add_test(tc, test_session_outlives_supervisor);
	tcase_add_test(tc, test_session_ends_at_deadline);
	tcase_add_test(tc, test_adopt_refuses_stranger);
	suite_add_tcase(su, tc);
	return test_run_suite(su);
}
