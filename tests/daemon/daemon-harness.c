/* SPDX-License-Identifier: MIT */
/* Daemon launcher for the daemon tests; see daemon-harness.h. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
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

bool test_daemon_keep_sessions;

/* The daemons a test is running, for the exit handler below. */
static struct test_daemon *running[8];

/* Destroys every session, as root would; false when the daemon could not be asked. */
static bool destroy_sessions(const struct test_daemon *d)
{
	Sandboxd__V1__ListSessionsRequest list = SANDBOXD__V1__LIST_SESSIONS_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;
	struct sbx_client *c = NULL;
	bool ok = false;

	if (sbx_client_connect(d->socket, &c) < 0)
		return false;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_SESSIONS;
	req.list_sessions = &list;
	if (sbx_client_call(c, &req, NULL, NULL, &resp) >= 0 &&
	    resp->body_case == SANDBOXD__V1__RESPONSE__BODY_SESSIONS) {
		ok = true;
		for (size_t i = 0; i < resp->sessions->n_sessions; i++) {
			Sandboxd__V1__DestroySessionRequest ds =
				SANDBOXD__V1__DESTROY_SESSION_REQUEST__INIT;
			Sandboxd__V1__Request dreq = SANDBOXD__V1__REQUEST__INIT;
			Sandboxd__V1__Response *dresp = NULL;

			ds.session_id = resp->sessions->sessions[i]->id;
			dreq.body_case = SANDBOXD__V1__REQUEST__BODY_DESTROY_SESSION;
			dreq.destroy_session = &ds;
			if (sbx_client_call(c, &dreq, NULL, NULL, &dresp) < 0)
				ok = false;
			else
				sandboxd__v1__response__free_unpacked(dresp, NULL);
		}
	}
	if (resp)
		sandboxd__v1__response__free_unpacked(resp, NULL);
	sbx_client_free(c);
	return ok;
}

/* A failed assertion exits the test process: sessions outlive a daemon, so they are ended
 * here, or they would stay until their TTL and trouble every later test. */
static void end_running_daemons(void)
{
	for (size_t i = 0; i < ELEMENTSOF(running); i++) {
		struct test_daemon *d = running[i];

		if (!d || d->pid <= 0)
			continue;
		(void)destroy_sessions(d);
		(void)kill(d->pid, SIGTERM);
		(void)waitpid(d->pid, NULL, 0);
		d->pid = 0;
		running[i] = NULL;
	}
}

static void track(struct test_daemon *d, bool on)
{
	for (size_t i = 0; i < ELEMENTSOF(running); i++)
		if (on ? !running[i] : running[i] == d) {
			running[i] = on ? d : NULL;
			return;
		}
}

void test_daemon_start(struct test_daemon *d, const char *const *extra)
{
	static bool registered;

	if (!registered)
		registered = atexit(end_running_daemons) == 0;
	track(d, true);
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
	if (!test_daemon_keep_sessions)
		argv[n++] = "--sessions-end-with-daemon";
	for (size_t i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		/* A test that fails midway does not leave its daemon running. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
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

Sandboxd__V1__Response *test_daemon_get_session(struct sbx_client *c, const char *id)
{
	Sandboxd__V1__GetSessionRequest body = SANDBOXD__V1__GET_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;

	body.session_id = (char *)id;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_SESSION;
	req.get_session = &body;
	ck_assert_int_eq(sbx_client_call(c, &req, NULL, NULL, &resp), 0);
	return resp;
}

void test_daemon_remove_cgroup_parent(const char *cgroup_parent)
{
	static const char *const hier[] = {"memory", "pids", "cpu", "cpuacct", "unified"};

	for (size_t i = 0; i < ELEMENTSOF(hier); i++) {
		char path[256];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", hier[i], cgroup_parent);
		ck_assert_msg(rmdir(path) == 0 || errno == ENOENT, "cgroup parent %s: %s", path,
			      strerror(errno));
	}
}

void test_daemon_destroy_sessions(const struct test_daemon *d)
{
	ck_assert_msg(destroy_sessions(d), "destroy the sessions of the daemon on %s", d->socket);
}

int test_daemon_kill(struct test_daemon *d, int sig)
{
	int st;

	ck_assert_int_eq(kill(d->pid, sig), 0);
	ck_assert_int_eq(waitpid(d->pid, &st, 0), d->pid);
	d->pid = 0;
	track(d, false);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int test_daemon_stop(struct test_daemon *d)
{
	int st;

	test_daemon_destroy_sessions(d);
	st = test_daemon_kill(d, SIGTERM);
	test_rm_rf(d->dir);
	return st;
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

void test_daemon_assert_no_leaks(const char *cgroup_parent)
{
	static const char *const hier[] = {"memory", "pids", "cpu", "cpuacct", "unified"};
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; i < ELEMENTSOF(hier); i++) {
		char path[256];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", hier[i], cgroup_parent);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d)))
			ck_assert_msg(de->d_type != DT_DIR || de->d_name[0] == '.',
				      "cgroup %s/%s left behind", path, de->d_name);
		closedir(d);
	}
	d = opendir("/proc");
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char path[300], line[256];
		unsigned uid;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char state;

			/* A zombie is only a pid waiting for whoever adopted it (the host's init,
			 * when a daemon died) to reap it: nothing of the sandbox is left in it. */
			if (sscanf(line, "State: %c", &state) == 1 && state == 'Z')
				break;
			if (sscanf(line, "Uid: %u", &uid) == 1) {
				ck_assert_msg(uid < (1U << 30) ||
						      uid >= (1U << 30) + 1024U * 65536U,
					      "process %s (uid %u) of a sandbox left behind",
					      de->d_name, uid);
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
}
