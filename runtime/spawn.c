/* SPDX-License-Identifier: MIT */
/* clone3 and its fallback. The child continues on a copy of the parent's stack (no CLONE_VM), so
 * it may use the parent's data freely until it execs. */
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "macro.h"
#include "spawn.h"

static pid_t clone3_raw(uint64_t flags, int cgroup_fd, int *pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

pid_t spawn_clone(uint64_t ns_flags, int cgroup_fd, int *ret_pidfd, bool *ret_in_cgroup)
{
	int pidfd = -EBADF;
	pid_t pid;

	pid = clone3_raw(ns_flags, cgroup_fd, &pidfd);
	if (pid < 0 && cgroup_fd >= 0 && errno != ENOSYS) {
		/* CLONE_INTO_CGROUP needs 5.7 and a cgroup the caller may write; the caller then
		 * attaches through cgroup.procs instead. */
		cgroup_fd = -EBADF;
		pid = clone3_raw(ns_flags, -EBADF, &pidfd);
	}
	if (pid < 0 && errno == ENOSYS) {
		/* Kernels before 5.3 (or a seccomp policy hiding clone3): plain clone with
		 * CLONE_PIDFD (5.2), which stores the pidfd at the parent_tid argument. */
		cgroup_fd = -EBADF;
		pid = (pid_t)syscall(SYS_clone, (unsigned long)ns_flags | CLONE_PIDFD | SIGCHLD,
				     NULL, &pidfd, NULL, 0UL);
	}
	if (pid < 0)
		return negative_errno();
	if (pid == 0)
		return 0;
	*ret_pidfd = pidfd;
	*ret_in_cgroup = cgroup_fd >= 0;
	return pid;
}

int spawn_kill_close(int pidfd)
{
	siginfo_t si;

	if (pidfd < 0)
		return -EBADF;
	(void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	return safe_close(pidfd);
}
