/* SPDX-License-Identifier: MIT */
/* sandboxd through libsandboxd-client, with no process start in the timed loops: session
 * create-to-ready, exec of /bin/true in a warm session, 50 concurrent clients, N idle sessions
 * at once (daemon RSS and host memory per session, time to create and destroy them all), and
 * `sandboxctl oneshot -- /bin/true` against bwrap side by side.
 * Usage: bench-daemon [N_IDLE]   (as root; starts its own daemon on a temporary socket) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "sandboxd-client.h"

extern char **environ;

static char sock[128];

static Sandboxd__V1__Response *call(struct sbx_client *c, Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;

	if (sbx_client_call(c, req, NULL, NULL, &resp) < 0 ||
	    resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR) {
		fprintf(stderr, "bench-daemon: call failed: %s\n",
			resp ? resp->error->message : "transport");
		exit(1);
	}
	return resp;
}

static char *create(struct sbx_client *c)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *id;

	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	resp = call(c, &req);
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

static void destroy(struct sbx_client *c, char *id)
{
	Sandboxd__V1__DestroySessionRequest body = SANDBOXD__V1__DESTROY_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = id;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_DESTROY_SESSION;
	req.destroy_session = &body;
	sandboxd__v1__response__free_unpacked(call(c, &req), NULL);
	free(id);
}

static void exec_true(struct sbx_client *c, const char *id)
{
	static char *argv[] = {"/bin/true", NULL};
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;

	body.session_id = (char *)id;
	body.argv = argv;
	body.n_argv = 1;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	resp = call(c, &req);
	if (resp->exec_result->exit_code != 0) {
		fprintf(stderr, "bench-daemon: /bin/true failed\n");
		exit(1);
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long mem_available_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int run_cmd(char *const argv[], uint64_t *ret_ns)
{
	uint64_t t0 = bench_now_ns();
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	*ret_ns = bench_now_ns() - t0;
	return 0;
}

static pid_t start_daemon(const char *dir, unsigned max_sessions, unsigned warm)
{
	char state[160], max[16], pool[16];
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/sandboxd.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(max, sizeof(max), "%u", max_sessions);
	snprintf(pool, sizeof(pool), "%u", warm);
	pid = fork();
	if (pid == 0) {
		int null_fd = open("/dev/null", O_WRONLY);

		/* The daemon ends with the benchmark, however it ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null_fd, 2);
		execl(SANDBOXD_PATH, "sandboxd", "--socket", sock, "--state-dir", state,
		      "--max-sessions", max, "--warm-pool", pool, "--cgroup-parent",
		      "sandboxd-bench", "--sessions-end-with-daemon", NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct sbx_client *c;

		if (sbx_client_connect(sock, &c) == 0) {
			sbx_client_free(c);
			return pid;
		}
		usleep(10000);
	}
	fprintf(stderr, "bench-daemon: sandboxd did not start\n");
	exit(1);
}

#define CONCURRENT_CLIENTS 50
#define CONCURRENT_CALLS   20

int main(int argc, char **argv)
{
	unsigned n_idle = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;
	char dir[] = "/tmp/sbx-bench-XXXXXX";
	struct sbx_client *c;
	uint64_t *lat, t0;
	size_t n = 200;
	pid_t daemon;
	char *id;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n_idle < 1 || n_idle > 1000 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: bench-daemon [N_IDLE 1..1000]\n");
		return 2;
	}
	daemon = start_daemon(dir, n_idle + 8, 0);
	if (sbx_client_connect(sock, &c) < 0)
		return 1;
	lat = calloc(CONCURRENT_CLIENTS * CONCURRENT_CALLS, sizeof(*lat));

	/* Create to ready (the answer comes once sandbox-init runs), destroyed in between. */
	for (size_t i = 0; i < 5; i++)
		destroy(c, create(c));
	for (size_t i = 0; i < 100; i++) {
		t0 = bench_now_ns();
		id = create(c);
		lat[i] = bench_now_ns() - t0;
		destroy(c, id);
	}
	printf("create session to ready, 100 sessions: p50 %.2f ms  p99 %.2f ms (target p50 <= 3 "
	       "ms cold)\n",
	       bench_quantile(lat, 100, 0.5) / 1e6, bench_quantile(lat, 100, 0.99) / 1e6);

	/* Exec /bin/true in a warm session. */
	id = create(c);
	for (size_t i = 0; i < 20; i++)
		exec_true(c, id);
	for (size_t i = 0; i < 500; i++) {
		t0 = bench_now_ns();
		exec_true(c, id);
		lat[i] = bench_now_ns() - t0;
	}
	printf("exec /bin/true in a warm session, 500 calls: p50 %.2f ms  p99 %.2f ms (target p50 "
	       "<= 1 ms)\n",
	       bench_quantile(lat, 500, 0.5) / 1e6, bench_quantile(lat, 500, 0.99) / 1e6);
	{
		/* The floor on this machine: the same program started by a plain posix_spawn. */
		char *const argv_true[] = {"/bin/true", NULL};
		uint64_t *plain = calloc(500, sizeof(*plain));

		for (size_t i = 0; i < 500; i++)
			if (run_cmd(argv_true, &plain[i]) < 0)
				return 1;
		printf("  plain posix_spawn + wait of /bin/true here: p50 %.2f ms\n",
		       bench_quantile(plain, 500, 0.5) / 1e6);
		free(plain);
	}

	/* 50 clients at once, each with its own connection, in the same session. */
	{
		pid_t clients[CONCURRENT_CLIENTS];
		int fds[2];
		size_t got = 0;

		if (pipe(fds) < 0)
			return 1;
		for (int k = 0; k < CONCURRENT_CLIENTS; k++) {
			clients[k] = fork();
			if (clients[k] == 0) {
				struct sbx_client *cc;
				uint64_t l[CONCURRENT_CALLS];

				close(fds[0]);
				if (sbx_client_connect(sock, &cc) < 0)
					_exit(1);
				for (int i = 0; i < CONCURRENT_CALLS; i++) {
					uint64_t s = bench_now_ns();

					exec_true(cc, id);
					l[i] = bench_now_ns() - s;
				}
				if (write(fds[1], l, sizeof(l)) != sizeof(l))
					_exit(1);
				_exit(0);
			}
		}
		close(fds[1]);
		while (got < CONCURRENT_CLIENTS * CONCURRENT_CALLS) {
			ssize_t r =
				read(fds[0], lat + got,
				     (CONCURRENT_CLIENTS * CONCURRENT_CALLS - got) * sizeof(*lat));

			if (r <= 0)
				break;
			got += (size_t)r / sizeof(*lat);
		}
		for (int k = 0; k < CONCURRENT_CLIENTS; k++)
			waitpid(clients[k], NULL, 0); /* not wait(): the daemon is our child too */
		printf("%d concurrent clients x %d execs: p50 %.2f ms  p99 %.2f ms  p99/p50 %.1fx "
		       "(target <= 4x)\n",
		       CONCURRENT_CLIENTS, CONCURRENT_CALLS, bench_quantile(lat, got, 0.5) / 1e6,
		       bench_quantile(lat, got, 0.99) / 1e6,
		       (double)bench_quantile(lat, got, 0.99) /
			       (double)bench_quantile(lat, got, 0.5));
	}
	destroy(c, id);

	/* N idle sessions at once. */
	{
		char **ids = calloc(n_idle, sizeof(char *));
		long rss0 = rss_kib(daemon), avail0 = mem_available_kib(), rss1, avail1;
		uint64_t tc, td;

		t0 = bench_now_ns();
		for (unsigned i = 0; i < n_idle; i++)
			ids[i] = create(c);
		tc = bench_now_ns() - t0;
		sleep(1);
		rss1 = rss_kib(daemon);
		avail1 = mem_available_kib();
		t0 = bench_now_ns();
		for (unsigned i = 0; i < n_idle; i++)
			destroy(c, ids[i]);
		td = bench_now_ns() - t0;
		printf("%u idle sessions: daemon RSS %ld -> %ld KiB (%.1f KiB per session); host "
		       "memory "
		       "%.0f KiB per session (target <= 1 MiB); created in %.2f s, destroyed in "
		       "%.2f s\n",
		       n_idle, rss0, rss1, (double)(rss1 - rss0) / n_idle,
		       (double)(avail0 - avail1) / n_idle, tc / 1e9, td / 1e9);
		free(ids);
	}

	/* sandboxctl oneshot vs bwrap, alternating. */
	{
		char *const one[] = {SANDBOXCTL_PATH, "--socket", sock, "oneshot", "--",
				     "/bin/true",     NULL};
		char *const bw[] = {"/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/usr",
				    "/usr",	      "--symlink",     "usr/bin",   "/bin",
				    "--symlink",      "usr/lib",       "/lib",	    "--symlink",
				    "usr/lib64",      "/lib64",	       "--proc",    "/proc",
				    "--dev",	      "/dev",	       "/bin/true", NULL};
		uint64_t *a = calloc(n, sizeof(*a)), *b = calloc(n, sizeof(*b)), x;

		for (int i = 0; i < 5; i++)
			if (run_cmd(one, &x) < 0 || run_cmd(bw, &x) < 0)
				return 1;
		for (size_t i = 0; i < n; i++)
			if (run_cmd(one, &a[i]) < 0 || run_cmd(bw, &b[i]) < 0)
				return 1;
		printf("sandboxctl oneshot -- /bin/true: median %.2f ms; bwrap --unshare-all: "
		       "median %.2f ms; ratio %.2fx\n",
		       bench_quantile(a, n, 0.5) / 1e6, bench_quantile(b, n, 0.5) / 1e6,
		       (double)bench_quantile(a, n, 0.5) / (double)bench_quantile(b, n, 0.5));
	}
	sbx_client_free(c);
	kill(daemon, SIGTERM);
	waitpid(daemon, NULL, 0);

	/* The same with a warm pool of 4: each create takes a prepared sandbox and sets its
	 * limits; the pause lets the pool refill between creates, as it would between requests. */
	daemon = start_daemon(dir, 64, 4);
	if (sbx_client_connect(sock, &c) < 0)
		return 1;
	usleep(500 * 1000);
	for (size_t i = 0; i < 50; i++) {
		t0 = bench_now_ns();
		id = create(c);
		lat[i] = bench_now_ns() - t0;
		destroy(c, id);
		usleep(30 * 1000);
	}
	printf("create session from the warm pool, 50 sessions: p50 %.2f ms  p99 %.2f ms (target "
	       "p50 <= 1 ms)\n",
	       bench_quantile(lat, 50, 0.5) / 1e6, bench_quantile(lat, 50, 0.99) / 1e6);
	sbx_client_free(c);
	kill(daemon, SIGTERM);
	waitpid(daemon, NULL, 0);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
