/* SPDX-License-Identifier: MIT */
/* Daemon launcher for the daemon tests; see daemon-harness.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "test-util.h"

static bool can_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

void test_daemon_start(struct test_daemon *d, const char *const *extra)
{
	const char *argv[32];
	size_t n = 0;

	snprintf(d->dir, sizeof(d->dir), "/tmp/sbxd-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->dir));
	/* Traversable, so tests can reach the socket as other uids; the socket's own mode (and
	 * the daemon's SO_PEERCRED check) is what keeps them out. */
	ck_assert_int_eq(chmod(d->dir, 0755), 0);
	snprintf(d->socket, sizeof(d->socket), "%s/sandboxd.sock", d->dir);
	snprintf(d->state_dir, sizeof(d->state_dir), "%s/state", d->dir);

	argv[n++] = SANDBOXD_PATH;
	argv[n++] = "--socket";
	argv[n++] = d->socket;
	argv[n++] = "--state-dir";
	argv[n++] = d->state_dir;
	for (size_t i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		if (can_connect(d->socket))
			return;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
			ck_abort_msg("sandboxd exited before it listened");
		usleep(10000);
	}
	ck_abort_msg("sandboxd did not listen on %s within 5 s", d->socket);
}

int test_daemon_stop(struct test_daemon *d)
{
	int st;

	ck_assert_int_eq(kill(d->pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(d->pid, &st, 0), d->pid);
	test_rm_rf(d->dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

long test_daemon_rss_kib(const struct test_daemon *d)
{
	char path[64], line[256];
	FILE *f;
	long kib = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)d->pid);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}
