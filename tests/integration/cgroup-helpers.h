/* SPDX-License-Identifier: MIT */
/* Shared by the real-kernel cgroup tests (test-cgroup-real.c, test-cgroup-v2-limits.c): gated
 * children with known behaviour (sleep, balloon, fork loop), control file reads, and the
 * removal and leak check of the per-run test parent cgroup. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"

#define HELPER_CGROUP_FS "/sys/fs/cgroup"

/* What a gated child does once its gate opens; the return value is its exit status. */
enum helper_child {
	HELPER_CHILD_SLEEP,   /* pause() until killed */
	HELPER_CHILD_BALLOON, /* touch HELPER_BALLOON_BYTES; exit 0 if it survived */
	HELPER_CHILD_FORKS,   /* fork sleeping children until fork fails; 0 if it failed EAGAIN */
};

#define HELPER_BALLOON_BYTES (128ULL << 20)
#define HELPER_FORKS_MAX     1000

/* Forks a child that waits until helper_open_gate(*ret_gate) before doing what; so a test can
 * attach it to a cgroup first. */
pid_t helper_fork_gated(enum helper_child what, int *ret_gate);

/* Like helper_fork_gated() but with clone3(CLONE_INTO_CGROUP) into cgroup_fd. */
pid_t helper_clone_into_gated(int cgroup_fd, enum helper_child what, int *ret_gate);

/* Lets the child go and closes the gate fd. */
void helper_open_gate(int gate);

/* Reads a small file into buf (NUL-terminated, trailing newline removed); fails the test. */
void helper_read(const char *path, char *buf, size_t size);

/* Whether /proc/<pid>/cgroup has a line "<id>:<controllers>:<path>" for which controllers
 * contains controller (or is empty when controller is "") and path equals path. */
bool helper_in_cgroup(pid_t pid, const char *controller, const char *path);

/* Removes <dir>/<parent> (and cgroups left below it) for every hierarchy under
 * /sys/fs/cgroup and for /sys/fs/cgroup itself; best effort, usable outside a test. */
void helper_remove_parent(const char *parent);

/* Number of cgroup directories named parent still present anywhere under /sys/fs/cgroup;
 * usable outside a test. */
int helper_count_leaks(const char *parent);

/* Reaps every child that has exited (the tests are subreapers for their grandchildren). */
void helper_reap_all(void);
