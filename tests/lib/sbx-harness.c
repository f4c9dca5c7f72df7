/* SPDX-License-Identifier: MIT */
/* The sbx-run harness and its leak checks; see sbx-harness.h. Everything here reads the host's
 * view (/proc, /sys/fs/cgroup, the lock dir) independently of runtime/, so a runtime bug cannot
 * hide itself from the check. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>

#include "macro.h"
#include "parse-util.h"
#include "sbx-harness.h"

#ifndef SBX_RUN_PATH
#error "SBX_RUN_PATH must name the built sbx-run (meson c_args)"
#endif
#ifndef SBX_PROBE_PATH
#error "SBX_PROBE_PATH must name the built sbx-probe (meson c_args)"
#endif

#define CGROUP_FS	"/sys/fs/cgroup"
#define HIERARCHIES_MAX 32
#define MOUNTINFO_MAX	(4U << 20)
#define SWEEP_USEC	(5ULL * 1000000ULL)
#define PROC_GRACE_USEC (500ULL * 1000ULL)

/* Set once in sbx_harness_main() before Check forks; read-only afterwards. */
static char harness_tmp[PATH_MAX];
static char lock_dir[PATH_MAX];
static char cg_parent[64];
static char probe_bind[PATH_MAX + 32];

/* Per test (in the forked child): the host's mounts before the test. */
static char *mounts_before;

uint64_t sbx_harness_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

static void sleep_usec(uint64_t usec)
{
	struct timespec ts = {.tv_sec = (time_t)(usec / 1000000),
			      .tv_nsec = (long)(usec % 1000000) * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

const char *sbx_harness_tmpdir(void)
{
	return harness_tmp;
}

const char *sbx_harness_cgroup_parent(void)
{
	return cg_parent;
}

const char *sbx_harness_probe_path(void)
{
	return SBX_PROBE_PATH;
}

bool sbx_harness_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

void sbx_harness_write_file(const char *path, const char *content)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");

	ck_assert_msg(f, "create '%s': %s", path, strerror(errno));
	ck_assert_int_eq(fputs(content, f) >= 0, 1);
	ck_assert_int_eq(fflush(f), 0);
}

/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated buffer; NULL on error. */
static char *read_all(const char *path, size_t max)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= max)
				return NULL;
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				return NULL;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return TAKE_PTR(buf);
}

/* ---- processes */

/* Reads comm and ppid from /proc/<pid>/stat; false if the process is gone. */
static bool read_stat(pid_t pid, char *comm, size_t comm_len, pid_t *ret_ppid)
{
	char path[64], buf[1024], *open_paren, *close_paren;
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	if (comm)
		snprintf(comm, comm_len, "%.*s", (int)(close_paren - open_paren - 1),
			 open_paren + 1);
	if (sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return false;
	*ret_ppid = ppid;
	return true;
}

pid_t sbx_harness_parent(pid_t pid)
{
	pid_t ppid;

	ck_assert_msg(read_stat(pid, NULL, 0, &ppid), "process %d is gone", (int)pid);
	return ppid;
}

bool sbx_harness_read_ids(pid_t pid, const char *key, uint64_t ids[4])
{
	_cleanup_free_ char *status = NULL;
	char path[64], prefix[16];
	unsigned long long v[4];
	const char *line;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	status = read_all(path, 1 << 16);
	if (!status)
		return false;
	snprintf(prefix, sizeof(prefix), "\n%s:", key);
	line = strstr(status, prefix);
	if (!line ||
	    sscanf(line + strlen(prefix), "%llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3]) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		ids[i] = v[i];
	return true;
}

pid_t sbx_harness_find_descendant(pid_t ancestor, const char *comm, uint64_t timeout_usec)
{
	uint64_t end = sbx_harness_now_usec() + timeout_usec;

	for (;;) {
		_cleanup_closedir_ DIR *d = opendir("/proc");
		struct dirent *de;

		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d))) {
			char name[64];
			uint64_t v;
			pid_t pid, ppid;

			if (parse_u64(de->d_name, &v) < 0 || v > INT_MAX)
				continue;
			pid = (pid_t)v;
			if (!read_stat(pid, name, sizeof(name), &ppid) || strcmp(name, comm) != 0)
				continue;
			for (int depth = 0; depth < 8 && ppid > 1; depth++) {
				if (ppid == ancestor)
					return pid;
				if (!read_stat(ppid, NULL, 0, &ppid))
					break;
			}
		}
		if (sbx_harness_now_usec() > end)
			break;
		sleep_usec(10000);
	}
	ck_abort_msg("no process '%s' below pid %d appeared", comm, (int)ancestor);
	return -1;
}

/* ---- running sbx-run */

/* The harness options, then opts, then "--" and cmd (with the probe's path first when probe);
 * a malloc'd array of borrowed strings, NULL when out of memory. No Check calls below this point
 * until the wrappers: sbx_harness_main() runs a sandbox before any test. */
/* Command run in front of sbx-run (NULL-terminated), e.g. the no-syscall shim; see
 * sbx_harness_set_wrapper(). */
#define WRAPPER_MAX 4
static const char *wrapper[WRAPPER_MAX + 1];

void sbx_harness_set_wrapper(const char *const *argv)
{
	size_t n = 0;

	while (argv && argv[n]) {
		ck_assert_msg(n < WRAPPER_MAX, "at most %d wrapper arguments", WRAPPER_MAX);
		wrapper[n] = argv[n];
		n++;
	}
	wrapper[n] = NULL;
}

static const char **build_argv(const char *const *opts, const char *const *cmd, bool probe)
{
	const char *const prefix[] = {
		SBX_RUN_PATH, "--uid-lock-dir", lock_dir,   "--cgroup-parent",
		cg_parent,    "--ro-bind",	probe_bind,
	};
	size_t n_opts = 0, n_cmd = 0, k = 0;
	const char **v;

	while (opts && opts[n_opts])
		n_opts++;
	while (cmd && cmd[n_cmd])
		n_cmd++;
	v = calloc(WRAPPER_MAX + ELEMENTSOF(prefix) + n_opts + n_cmd + 3, sizeof(char *));
	if (!v)
		return NULL;
	for (size_t i = 0; wrapper[i]; i++)
		v[k++] = wrapper[i];
	for (size_t i = 0; i < ELEMENTSOF(prefix); i++)
		v[k++] = prefix[i];
	for (size_t i = 0; i < n_opts; i++)
		v[k++] = opts[i];
	if (cmd) {
		v[k++] = "--";
		if (probe)
			v[k++] = SBX_HARNESS_PROBE;
		for (size_t i = 0; i < n_cmd; i++)
			v[k++] = cmd[i];
	}
	v[k] = NULL;
	return v;
}

/* Forks and execs argv[0]; 0 or -errno. */
static int start_argv(struct sbx_harness_proc *ret, const char **argv, int keep_fd)
{
	_cleanup_close_ int out_r = -EBADF, out_w = -EBADF, err_r = -EBADF, err_w = -EBADF;
	int outp[2], errp[2], pidfd;
	pid_t parent = getpid(), pid;

	if (!argv || (keep_fd >= 0 && keep_fd <= 2))
		return -EINVAL;
	if (pipe2(outp, O_CLOEXEC) < 0)
		return negative_errno();
	out_r = outp[0];
	out_w = outp[1];
	if (pipe2(errp, O_CLOEXEC) < 0)
		return negative_errno();
	err_r = errp[0];
	err_w = errp[1];

	*ret = (struct sbx_harness_proc){.start_usec = sbx_harness_now_usec()};
	pid = fork();
	if (pid < 0)
		return negative_errno();
	if (pid == 0) {
		int null_fd;

		/* sbx-run dies with the test (a timed-out case must not leave it running). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
			_exit(127);
		/* Nothing of Check's or the test's crosses, except what was asked for. */
		if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			_exit(127);
		if (keep_fd >= 0 && fcntl(keep_fd, F_SETFD, 0) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		int r = negative_errno();

		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return r;
	}
	ret->pid = pid;
	ret->pidfd = pidfd;
	ret->out_fd = TAKE_FD(out_r);
	ret->err_fd = TAKE_FD(err_r);
	return 0;
}

void sbx_harness_start(struct sbx_harness_proc *ret, const char *const *args, int keep_fd)
{
	_cleanup_free_ const char **argv = build_argv(args, NULL, false);
	int r = start_argv(ret, argv, keep_fd);

	ck_assert_msg(r == 0, "start sbx-run: %s", strerror(-r));
}

void sbx_harness_start_probe(struct sbx_harness_proc *ret, const char *const *opts,
			     const char *const *probe_args)
{
	_cleanup_free_ const char **argv = build_argv(opts, probe_args, true);
	int r = start_argv(ret, argv, -1);

	ck_assert_msg(r == 0, "start sbx-run: %s", strerror(-r));
}

/* Appends what one read returns; false at EOF or error. */
static bool drain_one(int fd, char *buf, size_t *len, bool *truncated)
{
	char chunk[8192];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	size_t room;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	room = SBX_HARNESS_OUTPUT_MAX - *len;
	if ((size_t)n > room)
		*truncated = true;
	memcpy(buf + *len, chunk, MIN((size_t)n, room));
	*len += MIN((size_t)n, room);
	buf[*len] = '\0';
	return true;
}

/* Collects output and status; 0 or -errno (poll or wait failed: the run is killed). */
static int finish_raw(struct sbx_harness_proc *p, struct sbx_harness_result *ret)
{
	uint64_t deadline = p->start_usec + SBX_HARNESS_DEADLINE_USEC, exit_usec = 0;
	bool exited = false;
	int r = 0;

	ret->out_len = ret->err_len = 0;
	ret->out[0] = ret->err[0] = '\0';
	ret->out_truncated = ret->err_truncated = false;
	ret->deadline_passed = ret->held_open = false;
	ret->status = 0;

	while (!exited || p->out_fd >= 0 || p->err_fd >= 0) {
		struct pollfd fds[3];
		uint64_t now = sbx_harness_now_usec(), until;
		nfds_t n = 0;

		until = exited ? exit_usec + SBX_HARNESS_DRAIN_USEC : deadline;
		if (now >= until) {
			if (exited) {
				ret->held_open = true;
				break;
			}
			(void)kill(p->pid, SIGKILL);
			ret->deadline_passed = true;
			deadline = UINT64_MAX / 2;
			continue;
		}
		if (p->out_fd >= 0)
			fds[n++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
		if (p->err_fd >= 0)
			fds[n++] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
		if (!exited)
			fds[n++] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
		r = poll(fds, n, (int)MIN((until - now + 999) / 1000, 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = negative_errno();
			(void)kill(p->pid, SIGKILL);
			(void)waitpid(p->pid, &ret->status, 0);
			break;
		}
		r = 0;
		for (nfds_t i = 0; i < n; i++) {
			if (fds[i].revents == 0)
				continue;
			if (fds[i].fd == p->pidfd) {
				if (waitpid(p->pid, &ret->status, 0) != p->pid) {
					r = negative_errno();
					break;
				}
				exited = true;
				exit_usec = sbx_harness_now_usec();
				ret->wall_usec = exit_usec - p->start_usec;
			} else if (fds[i].fd == p->out_fd) {
				if (!drain_one(p->out_fd, ret->out, &ret->out_len,
					       &ret->out_truncated))
					p->out_fd = safe_close(p->out_fd);
			} else if (!drain_one(p->err_fd, ret->err, &ret->err_len,
					      &ret->err_truncated)) {
				p->err_fd = safe_close(p->err_fd);
			}
		}
	}
	p->out_fd = safe_close(p->out_fd);
	p->err_fd = safe_close(p->err_fd);
	p->pidfd = safe_close(p->pidfd);
	ret->exit_code =
		WIFEXITED(ret->status) ? WEXITSTATUS(ret->status) : 128 + WTERMSIG(ret->status);
	return r;
}

void sbx_harness_finish(struct sbx_harness_proc *p, struct sbx_harness_result *ret)
{
	int r = finish_raw(p, ret);

	ck_assert_msg(r == 0, "wait for sbx-run: %s", strerror(-r));
}

static int run_checked(struct sbx_harness_result *ret, const char **argv)
{
	struct sbx_harness_proc p;
	int r;

	r = start_argv(&p, argv, -1);
	ck_assert_msg(r == 0, "start sbx-run: %s", strerror(-r));
	sbx_harness_finish(&p, ret);
	ck_assert_msg(!ret->deadline_passed, "sbx-run did not end within %llu s; stderr: %s",
		      SBX_HARNESS_DEADLINE_USEC / 1000000ULL, ret->err);
	ck_assert_msg(!ret->held_open,
		      "sbx-run's stdout/stderr were still open %llu ms after it exited: a process "
		      "of the sandbox survived it",
		      SBX_HARNESS_DRAIN_USEC / 1000ULL);
	return ret->exit_code;
}

int sbx_harness_run_raw(struct sbx_harness_result *ret, const char *const *args)
{
	_cleanup_free_ const char **argv = build_argv(args, NULL, false);

	return run_checked(ret, argv);
}

int sbx_harness_run(struct sbx_harness_result *ret, const char *const *opts, const char *const *cmd)
{
	_cleanup_free_ const char **argv = build_argv(opts, cmd, false);

	return run_checked(ret, argv);
}

int sbx_harness_probe(struct sbx_harness_result *ret, const char *const *opts,
		      const char *const *probe_args)
{
	_cleanup_free_ const char **argv = build_argv(opts, probe_args, true);
	int r = run_checked(ret, argv);

	ck_assert_msg(!(r == 125 && strstr(ret->err, "sbx-run: ")),
		      "sbx-run could not set up the sandbox: %s", ret->err);
	ck_assert_msg(!(r >= 200 && r <= 202), "probe could not make the attempt (%d): %s", r,
		      ret->out);
	return r;
}

/* ---- cgroups */

static bool is_cgroup_fs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 &&
	       ((long)sfs.f_type == CGROUP_SUPER_MAGIC || (long)sfs.f_type == CGROUP2_SUPER_MAGIC);
}

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (long)sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Every cgroup hierarchy mounted at or under /sys/fs/cgroup. */
static size_t hierarchies(char paths[HIERARCHIES_MAX][PATH_MAX])
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	size_t n = 0;

	if (is_cgroup_fs(CGROUP_FS)) {
		snprintf(paths[n++], PATH_MAX, "%s", CGROUP_FS);
		return n;
	}
	d = opendir(CGROUP_FS);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < HIERARCHIES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(paths[n], PATH_MAX, "%s/%s", CGROUP_FS, de->d_name);
		if (is_cgroup_fs(paths[n]))
			n++;
	}
	return n;
}

/* Kills every process of one cgroup directory; returns how many were signalled. */
static int kill_cgroup(const char *dir, bool v2)
{
	_cleanup_free_ char *procs = NULL;
	char path[PATH_MAX + 32];
	int n = 0;

	if (v2) {
		snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
		if (access(path, W_OK) == 0) {
			_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

			if (fd >= 0 && write(fd, "1", 1) == 1)
				n++;
		}
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	procs = read_all(path, 1 << 20);
	for (char *p = procs; p && *p;) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
		p = end + strspn(end, "\n");
	}
	return n;
}

/* Kills and removes the cgroups below dir (not dir itself); returns how many were removed. */
static int sweep_below(const char *dir, bool v2)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	int removed = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		uint64_t end = sbx_harness_now_usec() + SWEEP_USEC;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		removed += sweep_below(sub, v2);
		for (;;) {
			(void)kill_cgroup(sub, v2);
			if (rmdir(sub) == 0 || errno == ENOENT) {
				removed++;
				break;
			}
			if (sbx_harness_now_usec() > end) {
				fprintf(stderr, "harness: cannot remove cgroup '%s': %s\n", sub,
					strerror(errno));
				break;
			}
			sleep_usec(20000);
		}
	}
	return removed;
}

/* ---- uid ranges */

/* The slots this program's sandboxes used: the names of the lock files. */
static void our_slots(bool slots[SBX_HARNESS_UID_SLOTS])
{
	_cleanup_closedir_ DIR *d = opendir(lock_dir);
	struct dirent *de;

	memset(slots, 0, SBX_HARNESS_UID_SLOTS * sizeof(bool));
	while (d && (de = readdir(d))) {
		uint64_t slot;

		if (parse_u64(de->d_name, &slot) == 0 && slot < SBX_HARNESS_UID_SLOTS)
			slots[slot] = true;
	}
}

static bool in_uid_ranges(uint64_t id)
{
	return id >= SBX_HARNESS_UID_BASE && id < SBX_HARNESS_UID_END;
}

/* Whether /proc/<pid>/cgroup places the process under this program's cgroup parent. */
static bool in_our_cgroups(pid_t pid)
{
	_cleanup_free_ char *cg = NULL;
	char path[64], needle[80];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	cg = read_all(path, 1 << 16);
	if (!cg)
		return false;
	snprintf(needle, sizeof(needle), "/%s/", cg_parent);
	return strstr(cg, needle) != NULL;
}

/* A dead process waiting for its parent (after sbx-run died, the host's init) to reap it: it
 * runs nothing and holds nothing of the sandbox. */
static bool is_zombie(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* gone meanwhile */
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

/* Host processes running under a uid of the sandbox ranges that belong to this program (a slot
 * it locked, or its cgroup parent) and are not zombies; processes of other users' sandboxes are
 * not ours to judge.
 * Writes a description of up to a few into desc; returns how many there are. */
static int our_uid_processes(char *desc, size_t desc_len, bool kill_them)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	bool slots[SBX_HARNESS_UID_SLOTS];
	struct dirent *de;
	int n = 0;

	if (desc_len > 0)
		desc[0] = '\0';
	our_slots(slots);
	while (d && (de = readdir(d))) {
		uint64_t v, uids[4], gids[4];
		char comm[64] = "?";
		bool hit = false;
		pid_t pid, ppid;

		if (parse_u64(de->d_name, &v) < 0 || v > INT_MAX)
			continue;
		pid = (pid_t)v;
		if (!sbx_harness_read_ids(pid, "Uid", uids) ||
		    !sbx_harness_read_ids(pid, "Gid", gids))
			continue;
		for (int i = 0; i < 4; i++) {
			uint64_t id = in_uid_ranges(uids[i]) ? uids[i] : gids[i];

			if (!in_uid_ranges(id))
				continue;
			if (slots[(id - SBX_HARNESS_UID_BASE) / SBX_HARNESS_UID_RANGE] ||
			    in_our_cgroups(pid))
				hit = true;
		}
		if (!hit || is_zombie(pid))
			continue;
		(void)read_stat(pid, comm, sizeof(comm), &ppid);
		if (n < 4 && desc_len > 0) {
			size_t used = strlen(desc);

			snprintf(desc + used, desc_len - used, " pid %d '%s' uid %llu;", (int)pid,
				 comm, (unsigned long long)uids[0]);
		}
		if (kill_them)
			(void)kill(pid, SIGKILL);
		n++;
	}
	return n;
}

/* ---- mounts */

/* Lines of a that are not in b, appended to out (at most a few). */
static void lines_missing(const char *a, const char *b, const char *tag, char *out, size_t len)
{
	int shown = 0;

	for (const char *p = a; p && *p && shown < 4;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)MIN(n, sizeof(line) - 1), p);
		if (!sbx_harness_has_line(b, line)) {
			size_t used = strlen(out);

			snprintf(out + used, len - used, "\n  %s %s", tag, line);
			shown++;
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* ---- the fixture and the checks */

/* Kills and removes whatever earlier tests of this program left, so each test is judged on
 * what it leaks itself. */
static void sweep(void)
{
	char hier[HIERARCHIES_MAX][PATH_MAX], desc[512];
	size_t n = hierarchies(hier);
	int killed, removed = 0;

	killed = our_uid_processes(desc, sizeof(desc), true);
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX + 80];

		snprintf(dir, sizeof(dir), "%s/%s", hier[i], cg_parent);
		removed += sweep_below(dir, is_cgroup2(hier[i]));
	}
	if (killed > 0 || removed > 0)
		fprintf(stderr,
			"harness: swept leftovers of an earlier test: %d processes,%s %d "
			"cgroups\n",
			killed, desc, removed);
}

static void fixture_setup(void)
{
	sweep();
	mounts_before = read_all("/proc/self/mountinfo", MOUNTINFO_MAX);
	ck_assert_ptr_nonnull(mounts_before);
}

static void fixture_teardown(void)
{
	sbx_harness_check_leaks();
	free(mounts_before);
	mounts_before = NULL;
}

TCase *sbx_harness_tcase(const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	return tc;
}

void sbx_harness_check_leaks(void)
{
	char hier[HIERARCHIES_MAX][PATH_MAX], desc[1024] = "";
	size_t n = hierarchies(hier);
	uint64_t end = sbx_harness_now_usec() + PROC_GRACE_USEC;
	_cleanup_closedir_ DIR *locks = NULL;
	_cleanup_free_ char *mounts = NULL;
	struct dirent *de;
	int procs;

	/* 1: the host's mount table is what it was before the test. */
	if (mounts_before) {
		mounts = read_all("/proc/self/mountinfo", MOUNTINFO_MAX);
		ck_assert_ptr_nonnull(mounts);
		if (strcmp(mounts, mounts_before) != 0) {
			lines_missing(mounts, mounts_before, "added:", desc, sizeof(desc));
			lines_missing(mounts_before, mounts, "removed:", desc, sizeof(desc));
			ck_assert_msg(desc[0] == '\0', "leak: the host's mounts changed:%s", desc);
		}
	}

	/* 2: no cgroup is left below the test parent in any hierarchy. */
	for (size_t i = 0; i < n; i++) {
		_cleanup_closedir_ DIR *d = NULL;
		char dir[PATH_MAX + 80];

		snprintf(dir, sizeof(dir), "%s/%s", hier[i], cg_parent);
		d = opendir(dir);
		while (d && (de = readdir(d)))
			ck_assert_msg(de->d_type != DT_DIR || de->d_name[0] == '.',
				      "leak: cgroup '%s/%s' is left", dir, de->d_name);
	}

	/* 3: no process of this program's sandboxes runs on the host (a process that is still
	 * being torn down by the kernel gets a moment). */
	for (;;) {
		procs = our_uid_processes(desc, sizeof(desc), false);
		if (procs == 0 || sbx_harness_now_usec() > end)
			break;
		sleep_usec(20000);
	}
	ck_assert_msg(procs == 0, "leak: %d host processes run in the sandbox uid ranges:%s", procs,
		      desc);

	/* 4: every uid range this program locked was released. */
	locks = opendir(lock_dir);
	ck_assert_ptr_nonnull(locks);
	while ((de = readdir(locks))) {
		_cleanup_close_ int fd = -EBADF;
		char path[PATH_MAX + 256];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", lock_dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ck_assert_msg(fd >= 0, "open lock '%s': %s", path, strerror(errno));
		ck_assert_msg(flock(fd, LOCK_EX | LOCK_NB) == 0,
			      "leak: uid range lock '%s' is still held (%s)", path,
			      strerror(errno));
	}
}

/* ---- main */

/* Why this machine cannot run sandboxes, or NULL. Checked here independently of sbx-run, so a
 * broken sbx-run fails the tests instead of skipping them. */
static const char *cannot_run_here(void)
{
	_cleanup_free_ char *userns = NULL, *cgroups = NULL;

	if (geteuid() != 0)
		return "needs root (sandboxes are created as root)";
	userns = read_all("/proc/sys/user/max_user_namespaces", 64);
	if (!userns || strcmp(userns, "0\n") == 0)
		return "user namespaces are disabled (user.max_user_namespaces)";
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return "the kernel has no seccomp";
	cgroups = read_all("/proc/cgroups", 1 << 16);
	if (!cgroups || !strstr(cgroups, "\nmemory\t") || !strstr(cgroups, "\npids\t"))
		return "the memory or pids cgroup controller is missing";
	if (!is_cgroup_fs(CGROUP_FS) && !is_cgroup_fs(CGROUP_FS "/memory") &&
	    !is_cgroup_fs(CGROUP_FS "/unified"))
		return "no cgroup filesystem at " CGROUP_FS;
	return NULL;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

/* Removes the parent cgroup in every hierarchy; returns how many could not be removed. */
static int remove_parent(void)
{
	char hier[HIERARCHIES_MAX][PATH_MAX];
	size_t n = hierarchies(hier);
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX + 80];

		snprintf(dir, sizeof(dir), "%s/%s", hier[i], cg_parent);
		if (rmdir(dir) < 0 && errno != ENOENT) {
			fprintf(stderr, "harness: cannot remove '%s': %s\n", dir, strerror(errno));
			failed++;
		}
	}
	return failed;
}

int sbx_harness_main(Suite *s)
{
	const char *why = cannot_run_here();
	struct sbx_harness_result *res = NULL;
	struct sbx_harness_proc p;
	char tmpl[] = "/tmp/sbx-harness-XXXXXX";
	const char **argv = NULL;
	int failed = 0, r;

	if (why) {
		fprintf(stderr, "skipped: %s\n", why);
		srunner_free(srunner_create(s)); /* frees the suite */
		return 77;
	}
	if (access(SBX_RUN_PATH, X_OK) < 0 || access(SBX_PROBE_PATH, X_OK) < 0) {
		fprintf(stderr, "sbx-run '%s' or the probe '%s' is not built\n", SBX_RUN_PATH,
			SBX_PROBE_PATH);
		srunner_free(srunner_create(s)); /* frees the suite */
		return EXIT_FAILURE;
	}
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		srunner_free(srunner_create(s)); /* frees the suite */
		return EXIT_FAILURE;
	}
	snprintf(harness_tmp, sizeof(harness_tmp), "%s", tmpl);
	snprintf(lock_dir, sizeof(lock_dir), "%s/uid-locks", tmpl);
	snprintf(cg_parent, sizeof(cg_parent), "sandboxd-test-%d", (int)getpid());
	snprintf(probe_bind, sizeof(probe_bind), "%s:%s", SBX_PROBE_PATH, SBX_HARNESS_PROBE);
	if (mkdir(lock_dir, 0700) < 0) {
		fprintf(stderr, "mkdir '%s': %s\n", lock_dir, strerror(errno));
		srunner_free(srunner_create(s)); /* frees the suite */
		return EXIT_FAILURE;
	}

	/* One sandbox must work before the suite means anything. */
	res = calloc(1, sizeof(*res));
	argv = build_argv(NULL, SBX_ARGS("exit", "0"), true);
	r = res && argv ? start_argv(&p, argv, -1) : -ENOMEM;
	if (r == 0)
		r = finish_raw(&p, res);
	free(argv);
	if (r < 0 || res->exit_code != 0) {
		fprintf(stderr, "a sandbox does not start here (%s, exit %d): %s%s\n",
			strerror(r < 0 ? -r : 0), res ? res->exit_code : -1, res ? res->err : "",
			res ? res->out : "");
		failed = 1;
		srunner_free(srunner_create(s)); /* frees the suite */
	} else {
		failed = test_run_suite(s) != EXIT_SUCCESS;
	}
	free(res);

	sweep();
	if (remove_parent() > 0)
		failed = 1;
	(void)nftw(harness_tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
