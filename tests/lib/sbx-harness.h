/* SPDX-License-Identifier: MIT */
/* Runs the built sbx-run from the security and integration tests, with the built sbx-probe bound
 * read-only at /probe/sbx-probe, a private uid lock dir and a per-program cgroup parent, and
 * captures its output and status. Owns the four leak checks every such test ends with (host
 * mounts, cgroup directories, processes in the sandbox uid ranges, uid range locks). The probe
 * itself is tests/probe/sbx-probe.c; generic helpers are test-util.h. */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "test-util.h"

/* Where the probe appears inside every sandbox. */
#define SBX_HARNESS_PROBE "/probe/sbx-probe"

/* The sandbox uid ranges, worked out here from the documented defaults, not from runtime/. */
#define SBX_HARNESS_UID_BASE  (UINT64_C(1) << 30)
#define SBX_HARNESS_UID_RANGE UINT64_C(65536)
#define SBX_HARNESS_UID_SLOTS UINT64_C(1024)
#define SBX_HARNESS_UID_END   (SBX_HARNESS_UID_BASE + SBX_HARNESS_UID_SLOTS * SBX_HARNESS_UID_RANGE)

/* Bytes of stdout and of stderr kept per run; the rest is read and dropped. */
#define SBX_HARNESS_OUTPUT_MAX 65536

/* A run that has not ended after this long is killed and fails the test. */
#define SBX_HARNESS_DEADLINE_USEC (60ULL * 1000000ULL)

/* How long sbx-run's stdout/stderr may stay open after it exited before the run is reported as
 * held open (a process of the sandbox survived it). */
#define SBX_HARNESS_DRAIN_USEC (2ULL * 1000000ULL)

/* A NULL-terminated argument list literal: SBX_ARGS("--memory", "64Mi"). */
#define SBX_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A case timeout (seconds) long enough for a handful of sandboxes. */
#define SBX_HARNESS_TIMEOUT_DEFAULT 30

struct sbx_harness_result {
	int status;	      /* raw wait status of sbx-run */
	int exit_code;	      /* its exit status, or 128+N when signal N ended sbx-run itself */
	bool deadline_passed; /* killed by the harness after SBX_HARNESS_DEADLINE_USEC */
	bool held_open;	      /* stdout/stderr still open SBX_HARNESS_DRAIN_USEC after exit */
	uint64_t wall_usec;   /* start to exit of sbx-run */
	char out[SBX_HARNESS_OUTPUT_MAX + 1]; /* NUL-terminated */
	size_t out_len;
	bool out_truncated;
	char err[SBX_HARNESS_OUTPUT_MAX + 1];
	size_t err_len;
	bool err_truncated;
};

/* A started sbx-run; see sbx_harness_start(). */
struct sbx_harness_proc {
	pid_t pid;
	int pidfd;
	int out_fd, err_fd;
	uint64_t start_usec;
};

/* Runs the suite in Check's fork mode after checking that this machine can run sandboxes (else
 * returns 77 with the reason on stderr) and that one probe runs; sweeps and removes the cgroup
 * parent and the temp dir afterwards. Returns the program's exit status. */
int sbx_harness_main(Suite *s);

/* A test case with timeout seconds and the fixture that sweeps leftovers of earlier cases before
 * each test and runs sbx_harness_check_leaks() after it. */
TCase *sbx_harness_tcase(const char *name, double timeout);

/* The four leak checks; fails the test naming what leaked. */
void sbx_harness_check_leaks(void);

/* The program's private temp dir (exists for the whole program, removed at the end). */
const char *sbx_harness_tmpdir(void);

/* The cgroup parent name the program's sandboxes use ("sandboxd-test-<pid>"). */
const char *sbx_harness_cgroup_parent(void);

/* The host path of the built probe. */
const char *sbx_harness_probe_path(void);

/* Runs every later sbx-run of this test process behind argv (NULL-terminated, at most 4
 * words; NULL clears it), e.g. {"no-syscall", "clone3", "--"}. */
void sbx_harness_set_wrapper(const char *const *argv);

/* Starts sbx-run with the harness options, then args exactly as given (options, "--", command).
 * keep_fd >= 0 is left open, not close-on-exec, under its own number in sbx-run (to check that
 * nothing of the caller crosses into the sandbox); every other fd above 2 is close-on-exec. */
void sbx_harness_start(struct sbx_harness_proc *ret, const char *const *args, int keep_fd);

/* Collects the output and the status of a started run; never fails the test itself. */
void sbx_harness_finish(struct sbx_harness_proc *p, struct sbx_harness_result *ret);

/* Runs sbx-run HARNESS-OPTIONS ARGS... and returns the exit code; fails the test if the run
 * passed the deadline or a process held its output open after it exited. */
int sbx_harness_run_raw(struct sbx_harness_result *ret, const char *const *args);

/* Runs sbx-run HARNESS-OPTIONS OPTS... -- CMD...; opts may be NULL. */
int sbx_harness_run(struct sbx_harness_result *ret, const char *const *opts,
		    const char *const *cmd);

/* Runs sbx-run HARNESS-OPTIONS OPTS... -- /probe/sbx-probe PROBE_ARGS... and returns the
 * probe's status; fails the test when sbx-run itself failed to set the sandbox up (125 with an
 * "sbx-run: " line) or the probe reported a usage problem (200+). */
int sbx_harness_probe(struct sbx_harness_result *ret, const char *const *opts,
		      const char *const *probe_args);

/* Starts sbx-run HARNESS-OPTIONS OPTS... -- /probe/sbx-probe PROBE_ARGS... without waiting. */
void sbx_harness_start_probe(struct sbx_harness_proc *ret, const char *const *opts,
			     const char *const *probe_args);

/* Waits up to timeout_usec for a process named comm that descends from ancestor (sbx-run) and
 * returns its host pid; fails the test on timeout. */
pid_t sbx_harness_find_descendant(pid_t ancestor, const char *comm, uint64_t timeout_usec);

/* The parent of a host process; fails the test if it is gone. */
pid_t sbx_harness_parent(pid_t pid);

/* Reads the real, effective, saved and fs ids of a host process from its status file ("Uid:"
 * or "Gid:"); returns false if the process is gone. */
bool sbx_harness_read_ids(pid_t pid, const char *key, uint64_t ids[4]);

/* Whether the line (a whole line of text) occurs in text. */
bool sbx_harness_has_line(const char *text, const char *line);

/* Monotonic microseconds. */
uint64_t sbx_harness_now_usec(void);

/* Writes a small file on the host (fails the test on error). */
void sbx_harness_write_file(const char *path, const char *content);
