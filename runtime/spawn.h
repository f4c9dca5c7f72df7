/* SPDX-License-Identifier: MIT */
/* Making the sandbox's first process: clone3 with the namespace flags, CLONE_PIDFD and, where a
 * cgroup2 fd is given, CLONE_INTO_CGROUP; fallbacks for kernels without them. What the child does
 * next is sandbox.c; the handshake is sync.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Forks into new namespaces like fork(2): returns the child's pid in the parent (with its pidfd in
 * *ret_pidfd and whether it was born in cgroup_fd in *ret_in_cgroup) and 0 in the child. */
pid_t spawn_clone(uint64_t ns_flags, int cgroup_fd, int *ret_pidfd, bool *ret_in_cgroup);

/* SIGKILLs the process behind pidfd, reaps it and closes the fd; returns -EBADF. */
int spawn_kill_close(int pidfd);

static inline void spawn_kill_closep(int *pidfd)
{
	spawn_kill_close(*pidfd);
}
