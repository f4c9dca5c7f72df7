/* SPDX-License-Identifier: MIT */
/* Helpers for the real-kernel cgroup tests; see cgroup-helpers.h. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include "cgroup-helpers.h"
#include "io-util.h"
#include "test-util.h"

static int child_forks(void)
{
	for (int i = 0; i < HELPER_FORKS_MAX; i++) {
		pid_t p = fork();

		if (p < 0)
			return errno == EAGAIN ? 0 : 1;
		if (p == 0)
			for (;;)
				pause();
	}
	return 2;
}

static int child_balloon(void)
{
	volatile char *p = malloc(HELPER_BALLOON_BYTES);

	if (!p)
		return 3;
	/* Touch every page: allocation alone charges nothing. */
	for (size_t i = 0; i < HELPER_BALLOON_BYTES; i += 4096)
		p[i] = 1;
	return 0;
}

static _noreturn_ void child_run(int gate, enum helper_child what)
{
	char c;

	/* The gate's write end closes without a byte if the test failed before opening it. */
	if (read(gate, &c, 1) != 1)
		_exit(100);
	switch (what) {
	case HELPER_CHILD_SLEEP:
		for (;;)
			pause();
	case HELPER_CHILD_BALLOON:
		_exit(child_balloon());
	case HELPER_CHILD_FORKS:
		_exit(child_forks());
	}
	_exit(101);
}

pid_t helper_fork_gated(enum helper_child what, int *ret_gate)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[1]);
		child_run(p[0], what);
	}
	close(p[0]);
	*ret_gate = p[1];
	return pid;
}

pid_t helper_clone_into_gated(int cgroup_fd, enum helper_child what, int *ret_gate)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	int p[2];
	long pid;

	ck_assert_int_ge(cgroup_fd, 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	ck_assert_msg(pid >= 0, "clone3(CLONE_INTO_CGROUP): %s", strerror(errno));
	if (pid == 0) {
		close(p[1]);
		child_run(p[0], what);
	}
	close(p[0]);
	*ret_gate = p[1];
	return (pid_t)pid;
}

void helper_open_gate(int gate)
{
	ck_assert_int_eq(write(gate, "x", 1), 1);
	close(gate);
}

void helper_read(const char *path, char *buf, size_t size)
{
	ssize_t n = read_file_at(AT_FDCWD, path, buf, size);

	ck_assert_msg(n >= 0, "read %s: %s", path, strerror((int)-n));
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

bool helper_in_cgroup(pid_t pid, const char *controller, const char *path)
{
	char file[64], buf[8192];

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	helper_read(file, buf, sizeof(buf));
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(line, ':'), *p;

		if (!ctl)
			continue;
		ctl++;
		p = strchr(ctl, ':');
		if (!p)
			continue;
		*p++ = '\0';
		if (strcmp(p, path) != 0)
			continue;
		if (controller[0] == '\0') {
			if (ctl[0] == '\0')
				return true;
			continue;
		}
		for (char *s2 = NULL, *c = strtok_r(ctl, ",", &s2); c; c = strtok_r(NULL, ",", &s2))
			if (strcmp(c, controller) == 0)
				return true;
	}
	return false;
}

static void remove_tree(int parent_fd, const char *name)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			remove_tree(dirfd(d), de->d_name);
	/* Whatever a crashed test left running in it. */
	(void)write_file_at(dirfd(d), "cgroup.kill", "1", 0);
	for (int i = 0; i < 100; i++) {
		if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	closedir(d);
}

/* Calls fn on every hierarchy directory: /sys/fs/cgroup and each directory below it. */
static void for_each_hierarchy(void (*fn)(int dirfd, const char *parent, int *count),
			       const char *parent, int *count)
{
	DIR *d = opendir(HELPER_CGROUP_FS);
	struct dirent *de;

	/* Also called from main(), outside any test: no ck_assert here. */
	if (!d)
		return;
	fn(dirfd(d), parent, count);
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_LNK))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		fn(fd, parent, count);
		close(fd);
	}
	closedir(d);
}

static void remove_one(int dirfd, const char *parent, int *count)
{
	(void)count;
	remove_tree(dirfd, parent);
}

static void count_one(int dirfd, const char *parent, int *count)
{
	if (faccessat(dirfd, parent, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		(*count)++;
}

void helper_remove_parent(const char *parent)
{
	for_each_hierarchy(remove_one, parent, NULL);
}

int helper_count_leaks(const char *parent)
{
	int count = 0;

	for_each_hierarchy(count_one, parent, &count);
	return count;
}

void helper_reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}
