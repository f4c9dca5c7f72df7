/* SPDX-License-Identifier: MIT */
/* The real daemon on a temporary socket, fed what a hostile or broken client sends (issue 3,
 * "Bad input and faults"): garbage, zero-length, truncated and oversized frames, unknown
 * calls, invalid UTF-8, a peer that is not allowed, a peer that never reads. Each gets a clear
 * error or a closed connection, and the daemon keeps serving everyone else. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
#include "test-util.h"

#define FRAME_MAX (16U << 20)

static struct test_daemon daemon_;

static void setup(void)
{
	test_daemon_start(&daemon_, NULL);
}

static void teardown(void)
{
	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
}

static struct sbx_client *connect_client(void)
{
	struct sbx_client *c = NULL;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	return c;
}

/* The daemon still answers Health on a fresh connection. */
static void assert_serving(void)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__HealthRequest h = SANDBOXD__V1__HEALTH_REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;
	struct sbx_client *c = connect_client();

	req.body_case = SANDBOXD__V1__REQUEST__BODY_HEALTH;
	req.health = &h;
	ck_assert_ok(sbx_client_call(c, &req, NULL, NULL, &resp));
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_HEALTH);
	ck_assert(resp->health->serving);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	sbx_client_free(c);
}

/* Reads the next message and asserts it is an Error with code for request id. */
static void expect_error(struct sbx_client *c, uint64_t id, Sandboxd__V1__Code code,
			 const char *needle)
{
	Sandboxd__V1__ServerMessage *m = NULL;

	ck_assert_ok(sbx_client_recv(c, &m));
	ck_assert_int_eq(m->body_case, SANDBOXD__V1__SERVER_MESSAGE__BODY_RESPONSE);
	ck_assert_int_eq(m->response->id, id);
	ck_assert_int_eq(m->response->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(m->response->error->code, code);
	ck_assert_msg(strstr(m->response->error->message, needle), "message '%s' lacks '%s'",
		      m->response->error->message, needle);
	sandboxd__v1__server_message__free_unpacked(m, NULL);
}

static void send_frame(struct sbx_client *c, const void *payload, uint32_t len)
{
	uint8_t hdr[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			  (uint8_t)len};

	ck_assert_ok(sbx_client_send_raw(c, hdr, 4));
	if (len > 0)
		ck_assert_ok(sbx_client_send_raw(c, payload, len));
}

START_TEST(test_health_and_version)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__VersionRequest v = SANDBOXD__V1__VERSION_REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;
	struct sbx_client *c = connect_client();

	assert_serving();
	req.body_case = SANDBOXD__V1__REQUEST__BODY_VERSION;
	req.version = &v;
	ck_assert_ok(sbx_client_call(c, &req, NULL, NULL, &resp));
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_VERSION);
	ck_assert_str_eq(resp->version->protocol, "sandboxd.v1");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	sbx_client_free(c);
}
END_TEST

/* The daemon keeps only the capabilities in sandboxd/privileges.c, and no_new_privs. */
START_TEST(test_privileges_trimmed)
{
	/* chown, dac_override, setgid, setuid, net_admin, sys_admin */
	const unsigned long long expected =
		(1ULL << 0) | (1ULL << 1) | (1ULL << 6) | (1ULL << 7) | (1ULL << 12) | (1ULL << 21);
	char path[64], line[256];
	unsigned long long v;
	int checked = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)daemon_.pid);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &v) == 1 ||
		    sscanf(line, "CapPrm: %llx", &v) == 1 ||
		    sscanf(line, "CapBnd: %llx", &v) == 1) {
			ck_assert_msg(v == expected, "%s", line);
			checked++;
		}
		if (sscanf(line, "CapInh: %llx", &v) == 1 ||
		    sscanf(line, "CapAmb: %llx", &v) == 1) {
			ck_assert_msg(v == 0, "%s", line);
			checked++;
		}
		if (sscanf(line, "NoNewPrivs: %llu", &v) == 1) {
			ck_assert_msg(v == 1, "%s", line);
			checked++;
		}
	}
	fclose(f);
	ck_assert_int_eq(checked, 6);
}
END_TEST

START_TEST(test_socket_mode)
{
	struct stat st;

	ck_assert_int_eq(stat(daemon_.socket, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0660);
}
END_TEST

START_TEST(test_garbage_frame)
{
	static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x13, 0x37, 0x00, 0x99};
	struct sbx_client *c = connect_client();

	send_frame(c, garbage, sizeof(garbage));
	expect_error(c, 0, SANDBOXD__V1__CODE__INVALID_ARGUMENT, "malformed request");
	/* The framing is intact, so the same connection goes on. */
	send_frame(c, garbage, sizeof(garbage));
	expect_error(c, 0, SANDBOXD__V1__CODE__INVALID_ARGUMENT, "malformed request");
	sbx_client_free(c);
	assert_serving();
}
END_TEST

START_TEST(test_zero_length_frame)
{
	struct sbx_client *c = connect_client();

	send_frame(c, NULL, 0);
	expect_error(c, 0, SANDBOXD__V1__CODE__INVALID_ARGUMENT, "has no body");
	sbx_client_free(c);
	assert_serving();
}
END_TEST

START_TEST(test_truncated_frame)
{
	static const uint8_t hdr[] = {0, 0, 0, 100, 1, 2, 3};
	struct sbx_client *c = connect_client();

	ck_assert_ok(sbx_client_send_raw(c, hdr, sizeof(hdr)));
	sbx_client_free(c); /* hang up mid-frame */
	assert_serving();
}
END_TEST

START_TEST(test_oversized_frame)
{
	const uint32_t n = FRAME_MAX + 1;
	uint8_t hdr[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	Sandboxd__V1__ServerMessage *m = NULL;
	struct sbx_client *c = connect_client();

	/* Refused from the header alone: nothing of the announced 16 MiB is sent. */
	ck_assert_ok(sbx_client_send_raw(c, hdr, sizeof(hdr)));
	expect_error(c, 0, SANDBOXD__V1__CODE__RESOURCE_EXHAUSTED, "larger than the maximum");
	ck_assert_int_lt(sbx_client_recv(c, &m), 0); /* and the connection is closed */
	sbx_client_free(c);
	assert_serving();
}
END_TEST

START_TEST(test_unknown_call)
{
	/* Field 99 of Request, a varint: what a newer client's call looks like to us. */
	static const uint8_t unknown[] = {0x08, 0x07, 0x98, 0x06, 0x01};
	struct sbx_client *c = connect_client();

	send_frame(c, unknown, sizeof(unknown));
	expect_error(c, 7, SANDBOXD__V1__CODE__INVALID_ARGUMENT, "has no body");

	sbx_client_free(c);
	assert_serving();
}
END_TEST

START_TEST(test_invalid_utf8)
{
	/* Request{id: 5, get_job (field 40): GetJobRequest{job_id: "\xff\xfe"}} */
	static const uint8_t bad[] = {0x08, 0x05, 0xc2, 0x02, 0x04, 0x0a, 0x02, 0xff, 0xfe};
	struct sbx_client *c = connect_client();

	send_frame(c, bad, sizeof(bad));
	expect_error(c, 5, SANDBOXD__V1__CODE__INVALID_ARGUMENT, "'job_id' is not valid UTF-8");
	sbx_client_free(c);
	assert_serving();
}
END_TEST

START_TEST(test_many_requests_in_flight)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__HealthRequest h = SANDBOXD__V1__HEALTH_REQUEST__INIT;
	size_t len;
	uint8_t buf[64];
	struct sbx_client *c = connect_client();

	/* Ten requests written back to back, then ten answers, in order, each with its id. */
	req.body_case = SANDBOXD__V1__REQUEST__BODY_HEALTH;
	req.health = &h;
	for (uint64_t id = 100; id < 110; id++) {
		req.id = id;
		len = sandboxd__v1__request__pack(&req, buf);
		send_frame(c, buf, (uint32_t)len);
	}
	for (uint64_t id = 100; id < 110; id++) {
		Sandboxd__V1__ServerMessage *m = NULL;

		ck_assert_ok(sbx_client_recv(c, &m));
		ck_assert_int_eq(m->response->id, id);
		ck_assert_int_eq(m->response->body_case, SANDBOXD__V1__RESPONSE__BODY_HEALTH);
		sandboxd__v1__server_message__free_unpacked(m, NULL);
	}
	sbx_client_free(c);
}
END_TEST

/* Connects as uid 65534 in a child; returns the child's exit: 0 = got a Health answer,
 * 1 = the daemon closed the connection without one, 2 = could not connect. */
static int health_as_nobody(void)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
		Sandboxd__V1__HealthRequest h = SANDBOXD__V1__HEALTH_REQUEST__INIT;
		Sandboxd__V1__Response *resp = NULL;
		struct sbx_client *c = NULL;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		if (sbx_client_connect(daemon_.socket, &c) < 0)
			_exit(2);
		req.body_case = SANDBOXD__V1__REQUEST__BODY_HEALTH;
		req.health = &h;
		_exit(sbx_client_call(c, &req, NULL, NULL, &resp) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(test_peer_not_allowed)
{
	/* The socket's mode keeps others out; open it up to reach the SO_PEERCRED check. */
	ck_assert_int_eq(chmod(daemon_.socket, 0666), 0);
	ck_assert_int_eq(health_as_nobody(), 1);
	assert_serving();
}
END_TEST

START_TEST(test_peer_allowed_by_config)
{
	struct test_daemon other = daemon_;

	test_daemon_start(&daemon_, (const char *const[]){"--allow-uid", "65534", NULL});
	ck_assert_int_eq(chmod(daemon_.socket, 0666), 0);
	ck_assert_int_eq(health_as_nobody(), 0);
	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	daemon_ = other;
}
END_TEST

START_TEST(test_client_never_reads)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__VersionRequest v = SANDBOXD__V1__VERSION_REQUEST__INIT;
	uint8_t frame[4 + 64];
	size_t len;
	long before = test_daemon_rss_kib(&daemon_), after;
	struct sbx_client *c = connect_client();
	pid_t writer;
	int st;

	req.body_case = SANDBOXD__V1__REQUEST__BODY_VERSION;
	req.version = &v;
	req.id = 1;
	len = sandboxd__v1__request__pack(&req, frame + 4);
	frame[0] = frame[1] = frame[2] = 0;
	frame[3] = (uint8_t)len;

	/* A writer that sends requests for 3 s and never reads an answer: the daemon must stop
	 * reading from it, not buffer answers without bound. The writer blocks once the daemon
	 * stops reading; SIGALRM ends it. */
	writer = fork();
	ck_assert_int_ge(writer, 0);
	if (writer == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(3);
		for (;;)
			if (sbx_client_send_raw(c, frame, 4 + len) < 0)
				_exit(1);
	}
	sleep(1);
	assert_serving(); /* others are served meanwhile */
	ck_assert_int_eq(waitpid(writer, &st, 0), writer);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM,
		      "the writer stopped before its alarm: the daemon closed on it? (status %d)",
		      st);
	after = test_daemon_rss_kib(&daemon_);
	ck_assert_msg(after - before < 80 * 1024, "daemon RSS grew from %ld to %ld KiB", before,
		      after);
	sbx_client_free(c);
	assert_serving();
}
END_TEST

/* A socket passed by systemd (LISTEN_FDS) is served instead of binding one, and left in
 * place at exit: it is systemd's. */
START_TEST(test_socket_activation)
{
	char dir[] = "/tmp/sbxd-act-XXXXXX", path[128], env_pid[32], state[128];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__HealthRequest h = SANDBOXD__V1__HEALTH_REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;
	struct sbx_client *c = NULL;
	int fd, st, i;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/activated.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(fd, 3) < 0)
			_exit(126);
		snprintf(env_pid, sizeof(env_pid), "%d", (int)getpid());
		setenv("LISTEN_PID", env_pid, 1);
		setenv("LISTEN_FDS", "1", 1);
		execl(SANDBOXD_PATH, "sandboxd", "--socket", "/nonexistent/ignored.sock",
		      "--state-dir", state, NULL);
		_exit(127);
	}
	close(fd);
	for (i = 0; i < 300 && sbx_client_connect(path, &c) < 0; i++)
		usleep(10000);
	ck_assert_ptr_nonnull(c);
	req.body_case = SANDBOXD__V1__REQUEST__BODY_HEALTH;
	req.health = &h;
	ck_assert_ok(sbx_client_call(c, &req, NULL, NULL, &resp));
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_HEALTH);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	sbx_client_free(c);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	test_rm_rf(dir);
}
END_TEST

START_TEST(test_sigterm_removes_socket)
{
	struct test_daemon d;
	char path[128];

	test_daemon_start(&d, NULL);
	snprintf(path, sizeof(path), "%s", d.socket);
	ck_assert_int_eq(test_daemon_kill(&d, SIGTERM), 0);
	ck_assert_int_ne(access(path, F_OK), 0);
	test_rm_rf(d.dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-protocol");
	TCase *tc = tcase_create("protocol");

	if (geteuid() != 0) {
		fputs("test-daemon-protocol: needs root (uid switching)\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_health_and_version);
	tcase_add_test(tc, test_socket_mode);
	tcase_add_test(tc, test_privileges_trimmed);
	tcase_add_test(tc, test_garbage_frame);
	tcase_add_test(tc, test_zero_length_frame);
	tcase_add_test(tc, test_truncated_frame);
	tcase_add_test(tc, test_oversized_frame);
	tcase_add_test(tc, test_unknown_call);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_many_requests_in_flight);
	tcase_add_test(tc, test_peer_not_allowed);
	tcase_add_test(tc, test_peer_allowed_by_config);
	tcase_add_test(tc, test_client_never_reads);
	tcase_add_test(tc, test_sigterm_removes_socket);
	tcase_add_test(tc, test_socket_activation);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
