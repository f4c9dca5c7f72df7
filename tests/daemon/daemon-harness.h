/* SPDX-License-Identifier: MIT */
/* Starts the built sandboxd on a temporary socket and state dir for one test, and stops it. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct test_daemon {
	pid_t pid;
	char dir[64];
	char socket[128];
	char state_dir[128];
};

/* Whether the daemons a test starts let their sessions outlive them (the restart tests). By
 * default they run with --sessions-end-with-daemon, so a test that fails midway leaves no
 * session behind to trouble the next one's leak checks. */
extern bool test_daemon_keep_sessions;

/* Starts sandboxd with extra arguments (NULL-terminated, may be NULL) and waits until it
 * accepts connections; fails the test otherwise. */
void test_daemon_start(struct test_daemon *d, const char *const *extra);

/* Destroys every session (sessions outlive a stopped daemon), sends SIGTERM, waits for the
 * exit and returns the exit status (or 128+signal); removes the temporary directory. */
int test_daemon_stop(struct test_daemon *d);

/* Sends sig (SIGKILL, SIGTERM) and waits for the daemon to end, leaving its sessions and its
 * directory as they are, for a test_daemon_start() that takes them over. Returns as
 * test_daemon_stop() does. */
int test_daemon_kill(struct test_daemon *d, int sig);

/* Destroys every session the daemon has, as root would. */
void test_daemon_destroy_sessions(const struct test_daemon *d);

/* Nothing of any session is left: cgroups under cgroup_parent, processes in the sandbox uid
 * ranges. */
void test_daemon_assert_no_leaks(const char *cgroup_parent);

struct sbx_client;
struct Sandboxd__V1__Response;

/* GetSession of id; the answer (a Session or an Error; free it with
 * sandboxd__v1__response__free_unpacked). */
struct Sandboxd__V1__Response *test_daemon_get_session(struct sbx_client *c, const char *id);

/* Removes the test's cgroup parent in every hierarchy (its sandboxes are gone already). */
void test_daemon_remove_cgroup_parent(const char *cgroup_parent);

/* Resident set size of the daemon in KiB. */
long test_daemon_rss_kib(const struct test_daemon *d);
