/* SPDX-License-Identifier: MIT */
/* Job calls. WaitJob and a following JobLogs stay pending: they subscribe to the job and
 * answer when it ends (or the wait times out), and let go if their client leaves first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "rpc-job.h"
#include "rpc-session.h"
#include "session.h"

#define JOB_LOGS_CHUNK	    (256U * 1024) /* bytes of log per OutputChunk */
#define JOB_LOGS_ANSWER_MAX (4U << 20)	  /* bytes of log in one JobLogs answer */

static struct job *find_job(struct rpc_call *call, const char *id, struct sbx_error *e)
{
	struct job *j = job_find(call->daemon, id ? id : "", conn_peer(call->conn)->uid);

	if (!j)
		sbx_fail(e, -ENOENT, "find job '%.64s'", id ? id : "");
	return j;
}

static int answer_job(struct rpc_call *call, struct job *j, Sandboxd__V1__Response *resp,
		      struct sbx_error *e)
{
	Sandboxd__V1__Job *w = rpc_alloc(call, sizeof(*w));
	Sandboxd__V1__ExecResult *r = rpc_alloc(call, sizeof(*r));

	if (!w || !r)
		return sbx_fail(e, -ENOMEM, "describe job %s", job_id(j));
	job_to_wire(j, w, r);
	resp->job = w;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_JOB;
	return 0;
}

int rpc_exec_background(struct rpc_call *call, struct session *s, const struct exec_params *p,
			Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct job *j;
	int r;

	r = job_start(call->daemon, s, conn_peer(call->conn)->uid, p, &j, e);
	if (r < 0)
		return r;
	return answer_job(call, j, resp, e);
}

int rpc_get_job(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct job *j = find_job(call, call->req->get_job->job_id, e);

	return j ? answer_job(call, j, resp, e) : e->code;
}

int rpc_cancel_job(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct job *j = find_job(call, call->req->cancel_job->job_id, e);

	if (!j)
		return e->code;
	/* The answer shows the job as it is now; its end (CANCELLED) follows shortly. */
	job_cancel(j);
	return answer_job(call, j, resp, e);
}

int rpc_list_jobs(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const char *sid = call->req->list_jobs->session_id;
	uid_t uid = conn_peer(call->conn)->uid;
	Sandboxd__V1__JobList *list = rpc_alloc(call, sizeof(*list));
	Sandboxd__V1__Job **items = rpc_alloc(call, (call->daemon->n_jobs + 1) * sizeof(*items));
	size_t n = 0;

	if (!list || !items)
		return sbx_fail(e, -ENOMEM, "list jobs");
	sandboxd__v1__job_list__init(list);
	for (struct job *j = call->daemon->jobs; j; j = job_next(j)) {
		Sandboxd__V1__ExecResult *r;

		if ((uid != 0 && job_owner(j) != uid) ||
		    (sid && *sid && strcmp(job_session_id(j), sid) != 0))
			continue;
		items[n] = rpc_alloc(call, sizeof(**items));
		r = rpc_alloc(call, sizeof(*r));
		if (!items[n] || !r)
			return sbx_fail(e, -ENOMEM, "list jobs");
		job_to_wire(j, items[n], r);
		items[n]->result = NULL; /* results are for GetJob: keep lists small */
		n++;
	}
	list->jobs = items;
	list->n_jobs = n;
	resp->jobs = list;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_JOBS;
	return 0;
}

/* A call waiting on a job: WaitJob (answers with the Job) or JobLogs --follow (answers with
 * JobLogs{finished} after streaming the output as events). */
struct waiter {
	struct daemon *daemon;
	struct job *job;
	struct job_sub *sub;
	struct conn *conn;
	struct conn_watch *watch;
	sd_event_source *timer;
	uint64_t request_id;
	bool logs;
	int stream; /* logs: 0 both, else 1 or 2 */
};

static void waiter_free(struct waiter *w)
{
	if (w->sub)
		job_unsubscribe(w->job, w->sub);
	if (w->conn && w->watch)
		conn_unwatch(w->conn, w->watch);
	sd_event_source_disable_unref(w->timer);
	free(w);
}

static void waiter_answer(struct waiter *w)
{
	Sandboxd__V1__Response resp = SANDBOXD__V1__RESPONSE__INIT;
	Sandboxd__V1__Job job;
	Sandboxd__V1__ExecResult res;
	Sandboxd__V1__JobLogs logs = SANDBOXD__V1__JOB_LOGS__INIT;

	resp.id = w->request_id;
	if (w->logs) {
		logs.finished = job_state(w->job) != JOB_RUNNING;
		resp.body_case = SANDBOXD__V1__RESPONSE__BODY_LOGS;
		resp.logs = &logs;
	} else {
		job_to_wire(w->job, &job, &res);
		resp.body_case = SANDBOXD__V1__RESPONSE__BODY_JOB;
		resp.job = &job;
	}
	rpc_send_response(w->conn, &resp);
	waiter_free(w);
}

static void on_job_event(struct job *j, int stream, const char *data, size_t len, uint64_t offset,
			 void *userdata)
{
	struct waiter *w = userdata;

	(void)j;
	if (stream == 0) {
		waiter_answer(w);
		return;
	}
	if (w->logs && (w->stream == 0 || w->stream == stream))
		rpc_send_output(w->conn, w->request_id, stream, data, len, offset);
}

static void on_waiter_conn_closed(void *userdata)
{
	struct waiter *w = userdata;

	w->watch = NULL; /* the connection frees it */
	w->conn = NULL;
	waiter_free(w);
}

static int on_wait_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	waiter_answer(userdata); /* the job as it is: still RUNNING */
	return 0;
}

static int wait_on(struct rpc_call *call, struct job *j, bool logs, int stream, uint64_t timeout_ms,
		   struct sbx_error *e)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return sbx_fail(e, -ENOMEM, "wait for job %s", job_id(j));
	w->daemon = call->daemon;
	w->job = j;
	w->conn = call->conn;
	w->request_id = call->req->id;
	w->logs = logs;
	w->stream = stream;
	w->sub = job_subscribe(j, on_job_event, w);
	w->watch = conn_watch(call->conn, on_waiter_conn_closed, w);
	if (!w->sub || !w->watch ||
	    (timeout_ms > 0 &&
	     sd_event_add_time_relative(call->daemon->event, &w->timer, CLOCK_MONOTONIC,
					timeout_ms * 1000ULL, 1000, on_wait_timeout, w) < 0)) {
		waiter_free(w);
		return sbx_fail(e, -ENOMEM, "wait for job %s", job_id(j));
	}
	return RPC_ANSWER_LATER;
}

int rpc_wait_job(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__WaitJobRequest *req = call->req->wait_job;
	struct job *j = find_job(call, req->job_id, e);

	if (!j)
		return e->code;
	if (job_state(j) != JOB_RUNNING)
		return answer_job(call, j, resp, e);
	return wait_on(call, j, false, 0, req->timeout_ms, e);
}

int rpc_job_logs(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__JobLogsRequest *req = call->req->job_logs;
	struct job *j = find_job(call, req->job_id, e);
	Sandboxd__V1__JobLogs *logs = rpc_alloc(call, sizeof(*logs));
	Sandboxd__V1__OutputChunk **chunks;
	int stream = req->stream == SANDBOXD__V1__STREAM__STREAM_STDOUT	  ? 1
		     : req->stream == SANDBOXD__V1__STREAM__STREAM_STDERR ? 2
									  : 0;
	size_t n = 0, total = 0, max_chunks = 2 * (JOB_LOGS_ANSWER_MAX / JOB_LOGS_CHUNK) + 2;

	if (!j)
		return e->code;
	if (req->follow && stream == 0 && req->offset > 0)
		return sbx_fail(e, -EINVAL, "logs of job %s: an offset needs one stream",
				job_id(j));
	chunks = rpc_alloc(call, max_chunks * sizeof(*chunks));
	if (!logs || !chunks)
		return sbx_fail(e, -ENOMEM, "logs of job %s", job_id(j));
	sandboxd__v1__job_logs__init(logs);

	/* What is on disk from the offset, bounded per answer (ask again from the last offset). */
	for (int s = 1; s <= 2; s++) {
		uint64_t off = stream == 0 ? 0 : req->offset;

		if (stream != 0 && s != stream)
			continue;
		while (total < JOB_LOGS_ANSWER_MAX && n < max_chunks) {
			char *buf = rpc_alloc(call, JOB_LOGS_CHUNK);
			ssize_t got;

			if (!buf)
				return sbx_fail(e, -ENOMEM, "logs of job %s", job_id(j));
			got = job_read_log(j, s, off, buf, JOB_LOGS_CHUNK);
			if (got < 0)
				return sbx_fail(e, (int)got, "read the logs of job %s", job_id(j));
			if (got == 0)
				break;
			chunks[n] = rpc_alloc(call, sizeof(**chunks));
			if (!chunks[n])
				return sbx_fail(e, -ENOMEM, "logs of job %s", job_id(j));
			sandboxd__v1__output_chunk__init(chunks[n]);
			chunks[n]->stream = s == 1 ? SANDBOXD__V1__STREAM__STREAM_STDOUT
						   : SANDBOXD__V1__STREAM__STREAM_STDERR;
			chunks[n]->data.data = (uint8_t *)buf;
			chunks[n]->data.len = (size_t)got;
			chunks[n]->offset = off;
			n++;
			off += (uint64_t)got;
			total += (size_t)got;
		}
	}
	if (!req->follow || job_state(j) != JOB_RUNNING || total >= JOB_LOGS_ANSWER_MAX) {
		logs->chunks = chunks;
		logs->n_chunks = n;
		logs->finished = job_state(j) != JOB_RUNNING;
		resp->logs = logs;
		resp->body_case = SANDBOXD__V1__RESPONSE__BODY_LOGS;
		return 0;
	}
	/* Following: what was on disk goes out as events now, the rest as it is written. */
	for (size_t i = 0; i < n; i++)
		rpc_send_output(call->conn, call->req->id,
				chunks[i]->stream == SANDBOXD__V1__STREAM__STREAM_STDOUT ? 1 : 2,
				(const char *)chunks[i]->data.data, chunks[i]->data.len,
				chunks[i]->offset);
	return wait_on(call, j, true, stream, 0, e);
}
