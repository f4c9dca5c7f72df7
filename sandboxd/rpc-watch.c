/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "files.h"
#include "macro.h"
#include "rpc-file.h"
#include "rpc-session.h"
#include "rpc-watch.h"
#include "session-files.h"
#include "session.h"

#define WATCH_READ_BATCH 64

struct rpc_watch {
	struct rpc_watch *next;
	struct session *session;
	struct conn *conn;
	struct conn_watch *closed;
	uint64_t request_id;
	char *skill;
	struct files_watch *files;
	sd_event_source *io, *timer;
	uint32_t max_events;
	uint64_t events;
};

static void watch_free(struct rpc_watch *w)
{
	for (struct rpc_watch **pp = &w->session->watches; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			w->session->n_watches--;
			break;
		}
	if (w->conn && w->closed)
		conn_unwatch(w->conn, w->closed);
	sd_event_source_disable_unref(w->io);
	sd_event_source_disable_unref(w->timer);
	files_watch_free(w->files);
	free(w->skill);
	free(w);
}

/* Answers the WatchDir with WatchEnd{reason} and frees the watch. */
static void watch_end(struct rpc_watch *w, const char *reason)
{
	Sandboxd__V1__Response resp = SANDBOXD__V1__RESPONSE__INIT;
	Sandboxd__V1__WatchEnd end = SANDBOXD__V1__WATCH_END__INIT;

	if (w->conn) {
		end.reason = (char *)reason;
		end.events = w->events;
		resp.id = w->request_id;
		resp.body_case = SANDBOXD__V1__RESPONSE__BODY_WATCH_END;
		resp.watch_end = &end;
		rpc_send_response(w->conn, &resp);
	}
	watch_free(w);
}

static void on_conn_closed(void *userdata)
{
	struct rpc_watch *w = userdata;

	w->conn = NULL;
	w->closed = NULL;
	watch_free(w);
}

static const Sandboxd__V1__FileEventType wire_types[] = {
	[FILES_EVENT_CREATED] = SANDBOXD__V1__FILE_EVENT_TYPE__FILE_CREATED,
	[FILES_EVENT_MODIFIED] = SANDBOXD__V1__FILE_EVENT_TYPE__FILE_MODIFIED,
	[FILES_EVENT_DELETED] = SANDBOXD__V1__FILE_EVENT_TYPE__FILE_DELETED,
	[FILES_EVENT_MOVED_FROM] = SANDBOXD__V1__FILE_EVENT_TYPE__FILE_MOVED_FROM,
	[FILES_EVENT_MOVED_TO] = SANDBOXD__V1__FILE_EVENT_TYPE__FILE_MOVED_TO,
	[FILES_EVENT_OVERFLOW] = SANDBOXD__V1__FILE_EVENT_TYPE__FILE_EVENTS_LOST,
};

static int on_events(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	static struct files_event evs[WATCH_READ_BATCH];
	struct rpc_watch *w = userdata;
	size_t n = 0;

	(void)src;
	(void)fd;
	(void)revents;
	if (files_watch_read(w->files, evs, ELEMENTSOF(evs), &n) < 0) {
		watch_end(w, "the watch failed");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		Sandboxd__V1__Event ev = SANDBOXD__V1__EVENT__INIT;
		Sandboxd__V1__FileEvent fe = SANDBOXD__V1__FILE_EVENT__INIT;

		if ((size_t)evs[i].type >= ELEMENTSOF(wire_types) ||
		    !session_policy_may_list(&w->session->policy, w->skill, evs[i].path))
			continue;
		fe.type = wire_types[evs[i].type];
		fe.path = evs[i].path;
		fe.is_dir = evs[i].is_dir;
		ev.request_id = w->request_id;
		ev.body_case = SANDBOXD__V1__EVENT__BODY_FILE_EVENT;
		ev.file_event = &fe;
		rpc_send_event(w->conn, &ev);
		if (++w->events == w->max_events && w->max_events > 0) {
			watch_end(w, "max_events");
			return 0;
		}
	}
	return 0;
}

static int on_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	watch_end(userdata, "timeout");
	return 0;
}

int rpc_watch_dir(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__WatchDirRequest *req = call->req->watch_dir;
	struct session *s = rpc_find_session(call, req->session_id, e);
	struct policy_decision d;
	struct files_root root;
	struct rpc_watch *w;
	int r;

	(void)resp;
	if (!s)
		return e->code;
	if (s->n_watches >= RPC_WATCHES_MAX)
		return sbx_fail(e, -EUSERS, "watch in session %s: %d watches exist", s->id,
				RPC_WATCHES_MAX);
	r = session_policy_decide(
		s,
		&(struct policy_call){.tool = POLICY_TOOL_FILE_LIST,
				      .skill = req->skill && *req->skill ? req->skill : NULL,
				      .path = req->path ? req->path : ""},
		req->path, &d, call->rule, e);
	if (r < 0)
		return sbx_wrap(e, "watch a directory in session %s", s->id);
	r = session_files_root(s, &root, e);
	if (r < 0)
		return r;
	w = calloc(1, sizeof(*w));
	if (!w)
		return sbx_fail(e, -ENOMEM, "watch '%s'", d.path);
	w->session = s;
	w->next = s->watches;
	s->watches = w;
	s->n_watches++;
	w->conn = call->conn;
	w->request_id = call->req->id;
	w->max_events = req->max_events;
	w->skill = req->skill && *req->skill ? strdup(req->skill) : NULL;
	session_files_enter(&root);
	r = files_watch_new(&root, d.path, req->recursive, 0, &w->files, e);
	session_files_leave();
	if (r >= 0)
		r = sd_event_add_io(s->daemon->event, &w->io, files_watch_fd(w->files), EPOLLIN,
				    on_events, w);
	if (r >= 0 && req->timeout_ms > 0)
		r = sd_event_add_time_relative(s->daemon->event, &w->timer, CLOCK_MONOTONIC,
					       req->timeout_ms * 1000ULL, 1000, on_timeout, w);
	if (r >= 0) {
		w->closed = conn_watch(call->conn, on_conn_closed, w);
		if (!w->closed)
			r = -ENOMEM;
	}
	if (r < 0) {
		w->conn = NULL;
		watch_free(w);
		return e->code ? e->code : sbx_fail(e, r, "watch '%s'", d.path);
	}
	return RPC_ANSWER_LATER;
}

int rpc_cancel(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	uint64_t id = call->req->cancel->request_id;
	Sandboxd__V1__Empty *empty = rpc_alloc(call, sizeof(*empty));

	if (!empty)
		return sbx_fail(e, -ENOMEM, "cancel request %llu", (unsigned long long)id);
	/* Only this connection's own calls can be cancelled. */
	for (struct session *s = call->daemon->sessions; s; s = s->next)
		for (struct rpc_watch *w = s->watches; w; w = w->next)
			if (w->conn == call->conn && w->request_id == id) {
				watch_end(w, "cancelled");
				sandboxd__v1__empty__init(empty);
				resp->destroyed = empty;
				resp->body_case = SANDBOXD__V1__RESPONSE__BODY_DESTROYED;
				return 0;
			}
	return sbx_fail(e, -ENOENT, "cancel request %llu: no watch of this connection has that id",
			(unsigned long long)id);
}

void rpc_watch_end_all(struct session *s)
{
	while (s->watches)
		watch_end(s->watches, "session ended");
}
