/* SPDX-License-Identifier: MIT */
/* sandbox-init's session mode: PID 1 of a long-lived sandbox that runs commands on request from
 * its supervisor over the control channel (init-control.h), reports their start and exit, passes
 * on signals, and reaps every orphan. When the channel closes, PID 1 exits and the kernel ends
 * every process of the sandbox. Part of the sandbox-init executable (sandbox-init.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-control.h"
#include "init-session.h"

struct running {
	uint64_t id;
	pid_t pid; /* 0: free slot */
};

static struct running running[INIT_CONTROL_EXECS_MAX];
static char payload[INIT_CONTROL_PAYLOAD_MAX];
static const char *strings_argv[INIT_CONTROL_STRINGS_MAX];
static const char *strings_env[INIT_CONTROL_STRINGS_MAX];

static int send_msg_usage(int fd, uint32_t type, uint64_t id, int32_t value,
			  const struct rusage *ru)
{
	struct init_msg m = {.magic = INIT_CONTROL_MAGIC, .type = type, .id = id, .value = value};
	ssize_t n;

	if (ru) {
		m.cpu_usec =
			(uint64_t)ru->ru_utime.tv_sec * 1000000 + (uint64_t)ru->ru_utime.tv_usec +
			(uint64_t)ru->ru_stime.tv_sec * 1000000 + (uint64_t)ru->ru_stime.tv_usec;
		m.maxrss_kib = (uint64_t)ru->ru_maxrss;
	}
	do
		n = send(fd, &m, sizeof(m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(m) ? 0 : -EPIPE;
}

static int send_msg(int fd, uint32_t type, uint64_t id, int32_t value)
{
	return send_msg_usage(fd, type, id, value, NULL);
}

static struct running *find(uint64_t id)
{
	for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX; i++)
		if (running[i].pid > 0 && running[i].id == id)
			return &running[i];
	return NULL;
}

/* Starts one command with the received stdio in a session of its own (so a signal reaches its
 * whole process group); returns its pid or -errno. */
static pid_t start(const char *cwd, const char *const *argv, const char *const *env,
		   const int fds[3], const sigset_t *mask)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all;
	pid_t pid;
	int r;

	sigfillset(&all);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -ENOMEM;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -ENOMEM;
	}
	r = 0;
	for (int i = 0; i < 3 && r == 0; i++)
		r = posix_spawn_file_actions_adddup2(&fa, fds[i], i);
	if (r == 0)
		r = posix_spawn_file_actions_addchdir_np(&fa, cwd);
	if (r == 0)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
							    POSIX_SPAWN_SETSID);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&attr, mask);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(&attr, &all);
	if (r == 0) {
		/* PATH is looked up in the command's own environment. */
		const char *saved = getenv("PATH");
		const char *path = NULL;

		for (size_t i = 0; env[i]; i++)
			if (strncmp(env[i], "PATH=", 5) == 0)
				path = env[i] + 5;
		if (path)
			setenv("PATH", path, 1);
		r = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
				 (char *const *)env);
		if (path && saved)
			setenv("PATH", saved, 1);
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return r == 0 ? pid : -r;
}

static void handle_exec(int ctl, const struct init_msg *m, size_t len, int *fds, int n_fds,
			const sigset_t *mask)
{
	const char *cwd = NULL;
	struct running *slot = NULL;
	pid_t pid;

	for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX && !slot; i++)
		if (running[i].pid == 0)
			slot = &running[i];
	if (n_fds != 3 || !slot || find(m->id) ||
	    init_control_unpack_exec(payload, len, m->value, &cwd, strings_argv, strings_env,
				     INIT_CONTROL_STRINGS_MAX) < 0) {
		(void)send_msg(ctl, INIT_MSG_FAILED, m->id, !slot ? EAGAIN : EINVAL);
		return;
	}
	pid = start(cwd, strings_argv, strings_env, fds, mask);
	if (pid < 0) {
		(void)send_msg(ctl, INIT_MSG_FAILED, m->id, -pid);
		return;
	}
	*slot = (struct running){.id = m->id, .pid = pid};
	(void)send_msg(ctl, INIT_MSG_STARTED, m->id, pid);
}

/* Reads one record; false when the channel is gone. */
static bool handle_control(int ctl, const sigset_t *mask)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int) * 3)];
	} control;
	struct init_msg m;
	struct iovec iov[2] = {
		{.iov_base = &m, .iov_len = sizeof(m)},
		{.iov_base = payload, .iov_len = sizeof(payload)},
	};
	struct msghdr mh = {
		.msg_iov = iov,
		.msg_iovlen = 2,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	int fds[3] = {-1, -1, -1}, n_fds = 0;
	ssize_t n;

	n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (n_fds < 3)
					fds[n_fds++] = fd;
				else
					close(fd);
			}
		}
	if ((size_t)n >= sizeof(m) && m.magic == INIT_CONTROL_MAGIC &&
	    m.payload_len == (size_t)n - sizeof(m) && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (m.type == INIT_MSG_EXEC)
			handle_exec(ctl, &m, m.payload_len, fds, n_fds, mask);
		else if (m.type == INIT_MSG_SIGNAL) {
			struct running *r = find(m.id);

			if (r && m.value > 0 && m.value < 65)
				(void)kill(-r->pid, m.value);
		}
	}
	for (int i = 0; i < n_fds; i++)
		close(fds[i]);
	return true;
}

static void reap(int ctl)
{
	for (;;) {
		struct rusage ru;
		int st;
		pid_t p = wait4(-1, &st, WNOHANG, &ru);

		if (p <= 0)
			return;
		for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX; i++)
			if (running[i].pid == p) {
				(void)send_msg_usage(ctl, INIT_MSG_EXITED, running[i].id, st, &ru);
				running[i].pid = 0;
			}
	}
}

int init_session_run(int ctl, const sigset_t *old_mask)
{
	struct pollfd p[2];
	sigset_t chld;
	int sfd;

	/* Not dumpable: a command of the session (same uid) cannot open /proc/1/fd/3 and speak
	 * to the supervisor as PID 1. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return 125;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return 125;
	p[0] = (struct pollfd){.fd = ctl, .events = POLLIN};
	p[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 125;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
			reap(ctl);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			if (!handle_control(ctl, old_mask))
				return 0; /* the supervisor is gone: so is the session */
	}
}
