/* SPDX-License-Identifier: MIT */
/* Background jobs: an exec that answers at once with an id and keeps running. Its output goes
 * to log files in the state dir (resumable by byte offset), its record and result are written
 * atomically there, so a finished job's result survives the daemon; a job found running when
 * the daemon starts again is LOST (its session did not survive). Wire side: rpc-job.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"
#include "error.h"
#include "ids.h"
#include "exec.h"
#include "sandboxd.pb-c.h"

#define JOB_ID_LEN     ID_LEN	     /* "j-" + 16 hex digits (ids.h) */
#define JOB_LOG_MAX    (64ULL << 20) /* bytes kept on disk per stream */
#define JOBS_MAX       4096	     /* records kept by one daemon */
#define JOB_RECORD_MAX (16U << 20)

enum job_state {
	JOB_RUNNING,
	JOB_FINISHED,
	JOB_CANCELLED,
	JOB_LOST,
};

struct job;
struct job_sub;

/* Told about a job: new output (stream 1 or 2, data at offset of that stream) or, with stream
 * 0, that it ended. */
typedef void (*job_event_fn)(struct job *j, int stream, const char *data, size_t len,
			     uint64_t offset, void *userdata);

/* Starts exec params in session s as a job of owner. */
int job_start(struct daemon *d, struct session *s, uid_t owner, const struct exec_params *p,
	      struct job **ret, struct sbx_error *reterr);

/* The job with this id if uid owns it (root sees all); NULL otherwise. */
struct job *job_find(struct daemon *d, const char *id, uid_t uid);

/* The next job record of the daemon's list (newest first), for walking d->jobs. */
struct job *job_next(const struct job *j);

const char *job_id(const struct job *j);
const char *job_session_id(const struct job *j);
enum job_state job_state(const struct job *j);
uid_t job_owner(const struct job *j);

/* The job as the wire describes it (strings borrowed from j; free with job_wire_done). */
void job_to_wire(const struct job *j, Sandboxd__V1__Job *ret, Sandboxd__V1__ExecResult *result);

/* Kills a running job; it ends CANCELLED. */
void job_cancel(struct job *j);

/* Reads up to max bytes of a stream's log from offset; returns bytes read (0 at the end). */
ssize_t job_read_log(struct job *j, int stream, uint64_t offset, char *buf, size_t max);

/* Subscribes to a job's output and end; NULL when out of memory. */
struct job_sub *job_subscribe(struct job *j, job_event_fn fn, void *userdata);
void job_unsubscribe(struct job *j, struct job_sub *s);

/* Loads the records in the state dir (at start). Running ones wait for their session to be
 * taken over (session_adopt_all()). */
int job_load_all(struct daemon *d, struct sbx_error *reterr);

struct init_msg;

/* A RUNNING or EXITED record of an adopted session's snapshot: the job it belongs to takes its
 * command over (with the held output pipes in fds, taken). false when no job waits for it. */
bool job_adopt_exec(struct daemon *d, struct session *s, const struct init_msg *m, int fds[2]);

/* The snapshot of session_id is complete, or the session is gone: its jobs that were not taken
 * over are LOST. */
void job_adopt_end(struct daemon *d, const char *session_id);

/* After every session was looked at: running jobs of sessions that are not being taken over
 * are LOST. */
void job_adopt_unclaimed(struct daemon *d);

/* Frees every job record in memory (at exit; the files stay). */
void job_free_all(struct daemon *d);
