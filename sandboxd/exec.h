/* SPDX-License-Identifier: MIT */
/* Running one command in a session: the EXEC record to sandbox-init, the command's pipes read
 * on the event loop into bounded captures, the wall-clock limit, and one result at the end.
 * The wire side (sync, streamed) is rpc-exec.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "error.h"

struct session;
struct exec;

#define EXEC_TIMEOUT_DEFAULT_MS (60ULL * 1000)
#define EXEC_TIMEOUT_MAX_MS	(24ULL * 3600 * 1000)
#define EXEC_OUTPUT_CAP_DEFAULT (1U << 20)
#define EXEC_OUTPUT_CAP_MAX	(4U << 20) /* both streams fit one 16 MiB frame */
#define EXEC_STDIN_MAX		(8U << 20)
#define EXEC_DRAIN_MS		100 /* after exit, how long a pipe held by an orphan is read */

enum exec_end {
	EXEC_EXITED,
	EXEC_SIGNALED,
	EXEC_TIMEOUT,
	EXEC_OOM,
	EXEC_CANCELLED,
};

struct exec_params {
	const char *const *argv;
	const char *const *env;
	const char *cwd;
	const void *stdin_data;
	size_t stdin_len;
	uint64_t timeout_ms;
	size_t output_cap;
	/* Outlives the daemon (a job): sandbox-init holds the output pipes too, so a daemon that
	 * restarts takes the command over with its output (exec_adopt()). */
	bool hold;
	/* The command's Landlock rules, encoded (runtime/landlock.h); NULL: none. */
	const char *landlock;
	size_t landlock_len;
};

/* A command that an earlier daemon started, as sandbox-init's snapshot describes it. */
struct exec_adoption {
	bool exited; /* ended while no daemon was connected */
	int status;
	uint64_t cpu_usec, maxrss_kib;
	uint64_t elapsed_usec;	  /* since it started */
	uint64_t timeout_left_ms; /* of its wall-clock limit; 0: none left, kill it */
	size_t output_cap;
};

struct exec_result {
	enum exec_end end;
	int exit_code; /* EXITED: the code; else 128 + signal */
	int signal;
	char *out, *err; /* captured, owned by the exec until on_done returns */
	size_t out_len, err_len;
	bool out_truncated, err_truncated;
	uint64_t wall_usec, cpu_usec, peak_memory_bytes;
};

/* Called with new output as it is read (stream 1 = stdout, 2 = stderr; offset of data[0] in it). */
typedef void (*exec_output_fn)(struct exec *x, int stream, const char *data, size_t len,
			       uint64_t offset, void *userdata);

/* Called once with the result; the exec is freed when it returns. */
typedef void (*exec_done_fn)(struct exec *x, const struct exec_result *res, void *userdata);

/* Starts a command; on_output may be NULL. */
int exec_start(struct session *s, const struct exec_params *p, exec_output_fn on_output,
	       exec_done_fn on_done, void *userdata, struct exec **ret, struct sbx_error *reterr);

/* Takes over a command that an earlier daemon started in s (sandbox-init's snapshot): reads
 * its held output pipes (fds, taken; -EBADF when it has none) and ends as exec_start()'s do. */
int exec_adopt(struct session *s, uint64_t id, int fds[2], const struct exec_adoption *a,
	       exec_output_fn on_output, exec_done_fn on_done, void *userdata, struct exec **ret,
	       struct sbx_error *reterr);

/* Primes an adopted command's capture of stream (1 or 2) with what its log already holds: the
 * first bytes and the last bytes of total (the two may overlap when total is small). */
void exec_seed_output(struct exec *x, int stream, const char *head, size_t head_len,
		      const char *tail, size_t tail_len, uint64_t total);

/* The command's id on the control channel. */
uint64_t exec_id(const struct exec *x);

/* Kills the command; its result comes through on_done as EXEC_CANCELLED. */
void exec_cancel(struct exec *x);

/* Handles a record from sandbox-init about exec id (called by session.c). */
void exec_handle_init_msg(struct session *s, uint64_t id, uint32_t type, int32_t value,
			  uint64_t cpu_usec, uint64_t maxrss_kib);

/* Ends every exec of the session as cancelled (its sandbox is going away). */
void exec_cancel_all(struct session *s);

/* The daemon stops and the session lives on: commands started with hold are let go without a
 * result (the next daemon adopts them), the others are killed and end as cancelled. */
void exec_release_all(struct session *s);
