/* SPDX-License-Identifier: MIT */
/* sandbox-init's session mode: PID 1 of a long-lived sandbox that runs commands on request from
 * its supervisor over the control channel (init-control.h), reports their start and exit, passes
 * on signals, and reaps every orphan. When the channel closes, PID 1 exits and the kernel ends
 * every process of the sandbox, unless the session was given a listening socket and a deadline:
 * then it waits, until that deadline, for the next supervisor to connect, keeping what ended
 * meanwhile for the snapshot it sends it. Part of the sandbox-init executable (sandbox-init.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "time-util.h"
#include "init-control.h"
#include "init-session.h"
#include "landlock.h"
#include "macro.h"

struct running {
	uint64_t id;
	pid_t pid;   /* 0: free slot */
	int held[2]; /* read ends of stdout and stderr (INIT_EXEC_HOLD), else -1 */
	bool exited; /* ended while no supervisor was connected: reported at the next one */
	int status;
	struct rusage ru;
};

static struct running running[INIT_CONTROL_EXECS_MAX];

/* Where code in the session reaches its egress proxies: 127.0.0.1 inside, one port each. */
static struct {
	int fd;
	uint64_t id;
} proxies[INIT_CONTROL_PROXIES_MAX];
static size_t n_proxies;
static char payload[INIT_CONTROL_PAYLOAD_MAX];
static const char *strings_argv[INIT_CONTROL_STRINGS_MAX];
static const char *strings_env[INIT_CONTROL_STRINGS_MAX];

/* One record, with up to two fds (the held pipes, or the lock). */
static int send_msg_fds(int fd, uint32_t type, uint64_t id, int32_t value, const struct rusage *ru,
			const int *fds, int n_fds)
{
	struct init_msg m = {.magic = INIT_CONTROL_MAGIC, .type = type, .id = id, .value = value};
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int) * 2)];
	} control = {};
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (ru) {
		m.cpu_usec =
			(uint64_t)ru->ru_utime.tv_sec * 1000000 + (uint64_t)ru->ru_utime.tv_usec +
			(uint64_t)ru->ru_stime.tv_sec * 1000000 + (uint64_t)ru->ru_stime.tv_usec;
		m.maxrss_kib = (uint64_t)ru->ru_maxrss;
	}
	if (n_fds > 0) {
		struct cmsghdr *c;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n_fds);
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(m) ? 0 : -EPIPE;
}

static int send_msg(int fd, uint32_t type, uint64_t id, int32_t value)
{
	return send_msg_fds(fd, type, id, value, NULL, NULL, 0);
}

static void slot_free(struct running *r)
{
	for (int i = 0; i < 2; i++)
		if (r->held[i] >= 0)
			close(r->held[i]);
	*r = (struct running){.held = {-1, -1}};
}

static struct running *find(uint64_t id)
{
	for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX; i++)
		if (running[i].pid > 0 && running[i].id == id)
			return &running[i];
	return NULL;
}

/* What the child half of start() works from: prepared by the parent, read by the child, which
 * shares our memory until it execs (CLONE_VM | CLONE_VFORK, as posix_spawn does). */
struct spawn_job {
	const char *cwd;
	const char *const *argv;
	const char *const *env;
	const int *fds;
	const sigset_t *mask;
	const struct landlock_rules *landlock; /* NULL: none */
	int error;			       /* set by the child when it fails before exec */
};

#define SPAWN_STACK_SIZE (256 * 1024) /* landlock_apply() walks paths on the stack */
static char spawn_stack[SPAWN_STACK_SIZE] __attribute__((aligned(16)));
static struct landlock_rules exec_landlock;

/* execve() through PATH as the command's own environment has it, the way execvp() would (which
 * reads ours instead): a path with a slash is run as it is; EACCES wins over a later ENOENT. */
static int exec_path(const char *const *argv, const char *const *env)
{
	const char *path = "/usr/local/bin:/usr/bin:/bin";
	char buf[4096];
	int err = ENOENT;

	if (strchr(argv[0], '/')) {
		execve(argv[0], (char *const *)argv, (char *const *)env);
		return errno;
	}
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dir = (size_t)(end - p);

		if (dir + 1 + strlen(argv[0]) + 1 <= sizeof(buf)) {
			memcpy(buf, p, dir);
			buf[dir] = '/';
			strcpy(buf + dir + 1, argv[0]);
			execve(dir == 0 ? argv[0] : buf, (char *const *)argv, (char *const *)env);
			if (errno == EACCES)
				err = EACCES;
			else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE)
				return errno;
		}
		if (*end == '\0')
			return err;
		p = end;
	}
}

/* The child: its own session (a signal reaches its whole process group), default signal
 * dispositions, the caller's mask, the received stdio, its cwd, its Landlock domain, exec. */
static int spawn_child(void *arg)
{
	struct spawn_job *job = arg;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct sbx_error e = {};
	int r;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	if (setsid() < 0)
		goto fail;
	for (int i = 0; i < 3; i++)
		if (dup2(job->fds[i], i) < 0)
			goto fail;
	if (chdir(job->cwd) < 0)
		goto fail;
	if (job->landlock) {
		r = landlock_apply(job->landlock, &e);
		/* A kernel without Landlock: the daemon knows and sends no rules; should it
		 * anyway, the policy layer stays. Any other failure keeps the command from
		 * running unconfined. */
		if (r < 0 && r != -EOPNOTSUPP) {
			job->error = -r;
			_exit(127);
		}
	}
	if (sigprocmask(SIG_SETMASK, job->mask, NULL) < 0)
		goto fail;
	job->error = exec_path(job->argv, job->env);
	_exit(127);
fail:
	job->error = errno;
	_exit(127);
}

/* Starts one command; returns its pid or -errno (the command was not run). */
static pid_t start(const char *cwd, const char *const *argv, const char *const *env,
		   const int fds[3], const sigset_t *mask, const struct landlock_rules *landlock)
{
	struct spawn_job job = {cwd, argv, env, fds, mask, landlock, 0};
	pid_t pid;

	/* Until the child has exec'd or died we are suspended: job is its to read and write. */
	pid = clone(spawn_child, spawn_stack + sizeof(spawn_stack),
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &job);
	if (pid < 0)
		return -errno;
	if (job.error != 0) {
		/* Never ran: reap it here so no EXITED is reported for it. */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -job.error;
	}
	return pid;
}

static void handle_exec(int ctl, const struct init_msg *m, size_t len, int *fds, int n_fds,
			const sigset_t *mask)
{
	const char *cwd = NULL;
	struct running *slot = NULL;
	int want = m->flags & INIT_EXEC_HOLD ? 5 : 3;
	size_t ll_len = m->flags & INIT_EXEC_LANDLOCK ? m->landlock_len : 0;
	pid_t pid;

	for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX && !slot; i++)
		if (running[i].pid == 0)
			slot = &running[i];
	if (n_fds != want || !slot || find(m->id) || ll_len >= len ||
	    (ll_len > 0 &&
	     landlock_rules_decode(payload + len - ll_len, ll_len, &exec_landlock, NULL) < 0) ||
	    init_control_unpack_exec(payload, len - ll_len, m->value, &cwd, strings_argv,
				     strings_env, INIT_CONTROL_STRINGS_MAX) < 0) {
		(void)send_msg(ctl, INIT_MSG_FAILED, m->id, !slot ? EAGAIN : EINVAL);
		return;
	}
	pid = start(cwd, strings_argv, strings_env, fds, mask, ll_len > 0 ? &exec_landlock : NULL);
	if (pid < 0) {
		(void)send_msg(ctl, INIT_MSG_FAILED, m->id, -pid);
		return;
	}
	*slot = (struct running){.id = m->id, .pid = pid, .held = {-1, -1}};
	if (want == 5) {
		/* Kept: the caller closes what it received. */
		slot->held[0] = fds[3];
		slot->held[1] = fds[4];
		fds[3] = fds[4] = -1;
	}
	(void)send_msg(ctl, INIT_MSG_STARTED, m->id, pid);
}

/* Listens on 127.0.0.1:port in the sandbox's own network namespace (which has only lo); a port
 * already taken (a listener kept across a daemon restart) is left as it is. */
static void proxy_listen(uint64_t id, int32_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd, one = 1;

	if (port <= 0 || port > 65535 || n_proxies == INIT_CONTROL_PROXIES_MAX)
		return;
	for (size_t i = 0; i < n_proxies; i++)
		if (proxies[i].id == id)
			return;
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return;
	}
	proxies[n_proxies].fd = fd;
	proxies[n_proxies].id = id;
	n_proxies++;
}

/* Hands the connections waiting on a proxy listener to the supervisor. */
static void proxy_accept(int ctl, size_t i)
{
	for (int k = 0; k < 64; k++) {
		int c = accept4(proxies[i].fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			return;
		(void)send_msg_fds(ctl, INIT_MSG_PROXY_CONN, proxies[i].id, 0, NULL, &c, 1);
		close(c);
	}
}

/* Reads one record; false when the channel is gone. */
static bool handle_control(int ctl, const sigset_t *mask, uint64_t *deadline_ms)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int) * 5)];
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
	int fds[5] = {-1, -1, -1, -1, -1}, n_fds = 0;
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
				if (n_fds < 5)
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

			if (r && !r->exited && m.value > 0 && m.value < 65)
				(void)kill(-r->pid, m.value);
		} else if (m.type == INIT_MSG_DEADLINE)
			*deadline_ms = m.id;
		else if (m.type == INIT_MSG_PROXY_LISTEN)
			proxy_listen(m.id, m.value);
	}
	for (int i = 0; i < n_fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return true;
}

/* Reaps; a command's end is reported at once, or kept for the next supervisor (ctl < 0). */
static void reap(int ctl)
{
	for (;;) {
		struct rusage ru;
		int st;
		pid_t p = wait4(-1, &st, WNOHANG, &ru);

		if (p <= 0)
			return;
		for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX; i++) {
			struct running *r = &running[i];

			if (r->pid != p || r->exited)
				continue;
			if (ctl >= 0) {
				(void)send_msg_fds(ctl, INIT_MSG_EXITED, r->id, st, &ru, NULL, 0);
				slot_free(r);
			} else {
				r->exited = true;
				r->status = st;
				r->ru = ru;
			}
		}
	}
}

/* Tells a new supervisor what it inherits: every command still running, every one that ended
 * while nobody listened, each with its held pipes, then ADOPTED with the lock. */
static void send_snapshot(int ctl)
{
	int lock = INIT_CONTROL_LOCK_FD;

	for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX; i++) {
		struct running *r = &running[i];
		int n = r->held[0] >= 0 ? 2 : 0;

		if (r->pid == 0)
			continue;
		if (r->exited) {
			(void)send_msg_fds(ctl, INIT_MSG_EXITED, r->id, r->status, &r->ru, r->held,
					   n);
			slot_free(r);
		} else
			(void)send_msg_fds(ctl, INIT_MSG_RUNNING, r->id, r->pid, NULL, r->held, n);
	}
	(void)send_msg_fds(ctl, INIT_MSG_ADOPTED, 0, 0, NULL, &lock,
			   fcntl(lock, F_GETFD) >= 0 ? 1 : 0);
}

int init_session_run(int ctl, const sigset_t *old_mask)
{
	int listen_fd = fcntl(INIT_CONTROL_LISTEN_FD, F_GETFD) >= 0 ? INIT_CONTROL_LISTEN_FD : -1;
	uint64_t deadline_ms = 0; /* none given: the session ends with its supervisor */
	struct pollfd p[3 + INIT_CONTROL_PROXIES_MAX];
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
	for (size_t i = 0; i < INIT_CONTROL_EXECS_MAX; i++)
		running[i] = (struct running){.held = {-1, -1}};
	for (;;) {
		int timeout = -1;

		p[0] = (struct pollfd){.fd = ctl, .events = POLLIN};
		p[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
		p[2] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
		/* Connections to a proxy wait in the backlog while no supervisor takes them. */
		for (size_t i = 0; i < n_proxies; i++)
			p[3 + i] = (struct pollfd){.fd = ctl >= 0 ? proxies[i].fd : -1,
						   .events = POLLIN};
		if (ctl < 0) {
			uint64_t now = time_realtime_ms();

			if (now >= deadline_ms)
				return 0; /* nobody came back in time: the session ends */
			timeout = (int)MIN(deadline_ms - now, (uint64_t)INT32_MAX);
		}
		if (poll(p, 3 + n_proxies, timeout) < 0) {
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
			if (!handle_control(ctl, old_mask, &deadline_ms)) {
				/* The supervisor is gone: so is the session, unless the next one
				 * may take it over. */
				if (listen_fd < 0 || deadline_ms <= time_realtime_ms())
					return 0;
				close(ctl);
				ctl = -1;
			}
		for (size_t i = 0; i < n_proxies && ctl >= 0; i++)
			if (p[3 + i].revents & POLLIN)
				proxy_accept(ctl, i);
		if (p[2].revents & POLLIN) {
			int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

			/* One supervisor at a time: a second one is turned away. */
			if (c >= 0 && ctl >= 0)
				close(c);
			else if (c >= 0) {
				ctl = c;
				send_snapshot(ctl);
			}
		}
	}
}
