/* SPDX-License-Identifier: MIT */
/* The permission table and its walker. A request whose body this daemon does not serve (an
 * unknown oneof case from a newer client) is answered INVALID_ARGUMENT and the connection stays
 * open. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "dispatch.h"
#include "errmap.h"
#include "log.h"
#include "macro.h"
#include "rpc-browse.h"
#include "rpc-exec.h"
#include "rpc-file.h"
#include "rpc-watch.h"
#include "rpc-info.h"
#include "rpc-job.h"
#include "rpc-session.h"

typedef int (*rpc_handler)(struct rpc_call *call, Sandboxd__V1__Response *resp,
			   struct sbx_error *e);

struct rpc_alloc {
	struct rpc_alloc *next;
	max_align_t data[];
};

static void *alloc(struct rpc_call *call, size_t size, bool zeroed)
{
	struct rpc_alloc *a;

	if (size > SIZE_MAX - sizeof(*a))
		return NULL;
	a = zeroed ? calloc(1, sizeof(*a) + size) : malloc(sizeof(*a) + size);
	if (!a)
		return NULL;
	a->next = call->allocs;
	call->allocs = a;
	return a->data;
}

void *rpc_alloc(struct rpc_call *call, size_t size)
{
	return alloc(call, size, true);
}

void *rpc_alloc_buffer(struct rpc_call *call, size_t size)
{
	return alloc(call, size, false);
}

char *rpc_strdup(struct rpc_call *call, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = rpc_alloc(call, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static void rpc_free_allocs(struct rpc_call *call)
{
	while (call->allocs) {
		struct rpc_alloc *a = call->allocs;

		call->allocs = a->next;
		free(a);
	}
}

struct rpc_row {
	Sandboxd__V1__Request__BodyCase body;
	const char *name;
	rpc_handler handler;
};

static const struct rpc_row rpc_table[] = {
	{SANDBOXD__V1__REQUEST__BODY_HEALTH, "Health", rpc_health},
	{SANDBOXD__V1__REQUEST__BODY_VERSION, "Version", rpc_version},
	{SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION, "CreateSession", rpc_create_session},
	{SANDBOXD__V1__REQUEST__BODY_GET_SESSION, "GetSession", rpc_get_session},
	{SANDBOXD__V1__REQUEST__BODY_LIST_SESSIONS, "ListSessions", rpc_list_sessions},
	{SANDBOXD__V1__REQUEST__BODY_EXTEND_SESSION, "ExtendSession", rpc_extend_session},
	{SANDBOXD__V1__REQUEST__BODY_DESTROY_SESSION, "DestroySession", rpc_destroy_session},
	{SANDBOXD__V1__REQUEST__BODY_PAUSE_SESSION, "PauseSession", rpc_pause_session},
	{SANDBOXD__V1__REQUEST__BODY_RESUME_SESSION, "ResumeSession", rpc_resume_session},
	{SANDBOXD__V1__REQUEST__BODY_EXEC, "Exec", rpc_exec},
	{SANDBOXD__V1__REQUEST__BODY_GET_JOB, "GetJob", rpc_get_job},
	{SANDBOXD__V1__REQUEST__BODY_WAIT_JOB, "WaitJob", rpc_wait_job},
	{SANDBOXD__V1__REQUEST__BODY_CANCEL_JOB, "CancelJob", rpc_cancel_job},
	{SANDBOXD__V1__REQUEST__BODY_LIST_JOBS, "ListJobs", rpc_list_jobs},
	{SANDBOXD__V1__REQUEST__BODY_JOB_LOGS, "JobLogs", rpc_job_logs},
	{SANDBOXD__V1__REQUEST__BODY_GET_HISTORY, "GetHistory", rpc_get_history},
	{SANDBOXD__V1__REQUEST__BODY_READ_FILE, "ReadFile", rpc_read_file},
	{SANDBOXD__V1__REQUEST__BODY_WRITE_FILE, "WriteFile", rpc_write_file},
	{SANDBOXD__V1__REQUEST__BODY_LIST_DIR, "ListDir", rpc_list_dir},
	{SANDBOXD__V1__REQUEST__BODY_STAT, "Stat", rpc_stat},
	{SANDBOXD__V1__REQUEST__BODY_REMOVE, "Remove", rpc_remove},
	{SANDBOXD__V1__REQUEST__BODY_MKDIR, "Mkdir", rpc_mkdir},
	{SANDBOXD__V1__REQUEST__BODY_MOVE, "Move", rpc_move},
	{SANDBOXD__V1__REQUEST__BODY_WATCH_DIR, "WatchDir", rpc_watch_dir},
	{SANDBOXD__V1__REQUEST__BODY_CANCEL, "Cancel", rpc_cancel},
	{SANDBOXD__V1__REQUEST__BODY_BROWSE, "Browse", rpc_browse},
};

static const struct rpc_row *rpc_lookup(Sandboxd__V1__Request__BodyCase body)
{
	for (size_t i = 0; i < ELEMENTSOF(rpc_table); i++)
		if (rpc_table[i].body == body)
			return &rpc_table[i];
	return NULL;
}

void rpc_send_output(struct conn *c, uint64_t request_id, int stream, const char *data, size_t len,
		     uint64_t offset)
{
	Sandboxd__V1__ServerMessage m = SANDBOXD__V1__SERVER_MESSAGE__INIT;
	Sandboxd__V1__Event ev = SANDBOXD__V1__EVENT__INIT;
	Sandboxd__V1__OutputChunk chunk = SANDBOXD__V1__OUTPUT_CHUNK__INIT;

	chunk.stream = stream == 1 ? SANDBOXD__V1__STREAM__STREAM_STDOUT
				   : SANDBOXD__V1__STREAM__STREAM_STDERR;
	chunk.data.data = (uint8_t *)data;
	chunk.data.len = len;
	chunk.offset = offset;
	ev.request_id = request_id;
	ev.body_case = SANDBOXD__V1__EVENT__BODY_OUTPUT;
	ev.output = &chunk;
	m.body_case = SANDBOXD__V1__SERVER_MESSAGE__BODY_EVENT;
	m.event = &ev;
	(void)conn_send(c, &m);
}

void rpc_send_event(struct conn *c, Sandboxd__V1__Event *ev)
{
	Sandboxd__V1__ServerMessage m = SANDBOXD__V1__SERVER_MESSAGE__INIT;

	m.body_case = SANDBOXD__V1__SERVER_MESSAGE__BODY_EVENT;
	m.event = ev;
	(void)conn_send(c, &m);
}

void rpc_send_response(struct conn *c, Sandboxd__V1__Response *resp)
{
	Sandboxd__V1__ServerMessage m = SANDBOXD__V1__SERVER_MESSAGE__INIT;

	m.body_case = SANDBOXD__V1__SERVER_MESSAGE__BODY_RESPONSE;
	m.response = resp;
	(void)conn_send(c, &m);
}

void dispatch_frame(struct conn *c, struct daemon *d, const uint8_t *payload, size_t len)
{
	Sandboxd__V1__Response resp = SANDBOXD__V1__RESPONSE__INIT;
	Sandboxd__V1__Request *req;
	const struct rpc_row *row;
	struct sbx_error e = {};
	char msg[128];
	int r;

	/* protobuf-c bounds every length by the frame; strings are checked by convert.c. */
	req = sandboxd__v1__request__unpack(NULL, len, payload);
	if (!req) {
		(void)conn_send_error(c, 0, SANDBOXD__V1__CODE__INVALID_ARGUMENT,
				      "malformed request: the frame is not a sandboxd.v1.Request",
				      NULL);
		return;
	}

	r = convert_check_strings(&req->base, &e);
	if (r < 0) {
		sbx_wrap(&e, "request %llu", (unsigned long long)req->id);
		(void)conn_send_error(c, req->id, errmap_code(r), e.msg, NULL);
		sandboxd__v1__request__free_unpacked(req, NULL);
		return;
	}

	row = rpc_lookup(req->body_case);
	if (!row) {
		if (req->body_case == SANDBOXD__V1__REQUEST__BODY__NOT_SET)
			snprintf(msg, sizeof(msg), "request %llu has no body",
				 (unsigned long long)req->id);
		else
			snprintf(msg, sizeof(msg),
				 "request %llu: call %d is not served by this daemon",
				 (unsigned long long)req->id, (int)req->body_case);
		(void)conn_send_error(c, req->id, SANDBOXD__V1__CODE__INVALID_ARGUMENT, msg, NULL);
		sandboxd__v1__request__free_unpacked(req, NULL);
		return;
	}

	struct rpc_call call = {.daemon = d, .conn = c, .req = req};

	resp.id = req->id;
	r = row->handler(&call, &resp, &e);
	if (r < 0) {
		if (e.code == 0)
			sbx_fail(&e, r, "%s", row->name);
		log_info("%s from uid %u: %s", row->name, (unsigned)conn_peer(c)->uid, e.msg);
		/* A policy denial carries the rule that made it. */
		(void)conn_send_error(c, req->id,
				      call.rule[0] ? SANDBOXD__V1__CODE__PERMISSION_DENIED
						   : errmap_code(e.code),
				      e.msg, call.rule[0] ? call.rule : NULL);
	} else {
		if (r != RPC_ANSWER_LATER)
			rpc_send_response(c, &resp);
	}
	rpc_free_allocs(&call);
	sandboxd__v1__request__free_unpacked(req, NULL);
}
