/* SPDX-License-Identifier: MIT */
/* File tools through the C client against a real daemon: the round trip of a 4 KiB ReadFile
 * (p50, p99) and the throughput of a 256 MiB upload (WriteFile chunks of 4 MiB, renamed into
 * place at the end) and download (ReadFile chunks of 4 MiB). Usage: bench-files [N] (as root). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "sandboxd-client.h"

#define CHUNK (4u << 20)
#define TOTAL (256u << 20)

static char sock[128];

static Sandboxd__V1__Response *call(struct sbx_client *c, Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;

	if (sbx_client_call(c, req, NULL, NULL, &resp) < 0 ||
	    resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR) {
		fprintf(stderr, "bench-files: call failed: %s\n",
			resp ? resp->error->message : "transport");
		exit(1);
	}
	return resp;
}

static pid_t start_daemon(const char *dir)
{
	char state[160];
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/sandboxd.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	pid = fork();
	if (pid == 0) {
		int null_fd = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null_fd, 2);
		execl(SANDBOXD_PATH, "sandboxd", "--socket", sock, "--state-dir", state,
		      "--cgroup-parent", "sandboxd-bench", "--sessions-end-with-daemon", NULL);
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
	fprintf(stderr, "bench-files: sandboxd did not start\n");
	exit(1);
}

static char *create(struct sbx_client *c)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Limits limits = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *id;

	limits.disk_bytes = 1ULL << 30;
	limits.memory_bytes = 1ULL << 30;
	body.limits = &limits;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	resp = call(c, &req);
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

static uint64_t write_chunk(struct sbx_client *c, const char *sid, const char *path,
			    const char *data, size_t len, bool more, char *upload, uint64_t off)
{
	Sandboxd__V1__WriteFileRequest body = SANDBOXD__V1__WRITE_FILE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	uint64_t size;

	body.session_id = (char *)sid;
	body.path = (char *)path;
	body.data.data = (uint8_t *)data;
	body.data.len = len;
	body.more = more;
	body.upload_id = upload;
	body.offset = off;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_WRITE_FILE;
	req.write_file = &body;
	resp = call(c, &req);
	size = resp->write_result->size;
	snprintf(upload, 32, "%s", resp->write_result->upload_id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return size;
}

static size_t read_chunk(struct sbx_client *c, const char *sid, const char *path, uint64_t off,
			 uint64_t len)
{
	Sandboxd__V1__ReadFileRequest body = SANDBOXD__V1__READ_FILE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	size_t n;

	body.session_id = (char *)sid;
	body.path = (char *)path;
	body.offset = off;
	body.length = len;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_READ_FILE;
	req.read_file = &body;
	resp = call(c, &req);
	n = resp->file_data->data.len;
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return n;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	char dir[] = "/tmp/sbx-bench-files-XXXXXX", upload[32] = "";
	char *data = malloc(CHUNK), *sid;
	uint64_t *samples = calloc(n ? n : 1, sizeof(*samples)), t0, up_ns, down_ns;
	struct sbx_client *c;
	pid_t daemon;

	if (!data || !samples || n == 0 || !mkdtemp(dir))
		return 1;
	for (size_t i = 0; i < CHUNK; i++)
		data[i] = (char)(i * 31);
	daemon = start_daemon(dir);
	if (sbx_client_connect(sock, &c) < 0)
		return 1;
	sid = create(c);

	write_chunk(c, sid, "/workspace/small", data, 4096, false, upload, 0);
	for (size_t i = 0; i < n; i++) {
		t0 = bench_now_ns();
		if (read_chunk(c, sid, "/workspace/small", 0, 4096) != 4096)
			return 1;
		samples[i] = bench_now_ns() - t0;
	}
	printf("ReadFile 4 KiB round trip, %zu calls: p50 %.1f us  p99 %.1f us (target p50 <= "
	       "100 us)\n",
	       n, bench_quantile(samples, n, 0.5) / 1e3, bench_quantile(samples, n, 0.99) / 1e3);

	upload[0] = '\0';
	t0 = bench_now_ns();
	for (uint64_t off = 0; off < TOTAL; off += CHUNK)
		write_chunk(c, sid, "/workspace/big", data, CHUNK, off + CHUNK < TOTAL, upload,
			    off);
	up_ns = bench_now_ns() - t0;
	t0 = bench_now_ns();
	for (uint64_t off = 0; off < TOTAL;)
		off += read_chunk(c, sid, "/workspace/big", off, CHUNK);
	down_ns = bench_now_ns() - t0;
	printf("256 MiB in 4 MiB chunks: upload %.0f MB/s, download %.0f MB/s (target >= 500 MB/s "
	       "each)\n",
	       TOTAL / (up_ns / 1e9) / 1e6, TOTAL / (down_ns / 1e9) / 1e6);

	sbx_client_free(c);
	kill(daemon, SIGTERM);
	waitpid(daemon, NULL, 0);
	free(sid);
	free(data);
	free(samples);
	return 0;
}
