/* SPDX-License-Identifier: MIT */
/* Session calls. Another uid's session is answered exactly like a missing one (NOT_FOUND), so
 * ids cannot be probed across users. Answers are built in the call's memory (rpc_alloc). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "convert.h"
#include "rpc-session.h"
#include "session.h"

struct session *rpc_find_session(struct rpc_call *call, const char *id, struct sbx_error *e)
{
	struct session *s = session_find(call->daemon, id ? id : "", conn_peer(call->conn)->uid);

	if (!s)
		sbx_fail(e, -ENOENT, "find session '%.64s'", id ? id : "");
	return s;
}

static Sandboxd__V1__Session *session_to_wire(struct rpc_call *call, struct session *s)
{
	Sandboxd__V1__Session *w = rpc_alloc(call, sizeof(*w));
	Sandboxd__V1__Limits *l = rpc_alloc(call, sizeof(*l));
	Sandboxd__V1__Usage *u = rpc_alloc(call, sizeof(*u));
	Sandboxd__V1__Session__LabelsEntry **labels =
		rpc_alloc(call, (s->n_labels + 1) * sizeof(*labels));
	struct cgroup_stats st = {};

	if (!w || !l || !u || !labels)
		return NULL;
	sandboxd__v1__session__init(w);
	sandboxd__v1__limits__init(l);
	sandboxd__v1__usage__init(u);
	w->id = s->id;
	w->state = s->paused ? SANDBOXD__V1__SESSION_STATE__SESSION_PAUSED
			     : SANDBOXD__V1__SESSION_STATE__SESSION_RUNNING;
	w->image = s->image;
	l->memory_bytes = s->memory_bytes;
	l->pids = s->pids;
	l->cpu_millis = (uint32_t)s->cpu_millis;
	l->disk_bytes = s->disk_bytes;
	w->limits = l;
	if (sandbox_read_stats(s->sandbox, &st) >= 0) {
		u->memory_bytes = st.memory_current;
		u->memory_peak_bytes = st.memory_peak;
		u->pids = st.pids_current;
		u->cpu_usec = st.cpu_usec;
	}
	(void)sandbox_disk_used(s->sandbox, &u->disk_bytes);
	w->usage = u;
	for (size_t i = 0; i < s->n_labels; i++) {
		labels[i] = rpc_alloc(call, sizeof(**labels));
		if (!labels[i])
			return NULL;
		sandboxd__v1__session__labels_entry__init(labels[i]);
		labels[i]->key = s->labels[i].key;
		labels[i]->value = s->labels[i].value;
	}
	w->labels = labels;
	w->n_labels = s->n_labels;
	w->created_unix_ms = s->created_ms;
	w->expires_unix_ms = s->expires_ms;
	w->idle_expires_unix_ms = s->idle_expires_ms;
	return w;
}

static int answer_session(struct rpc_call *call, struct session *s, Sandboxd__V1__Response *resp,
			  struct sbx_error *e)
{
	resp->session = session_to_wire(call, s);
	if (!resp->session)
		return sbx_fail(e, -ENOMEM, "describe session %s", s->id);
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_SESSION;
	return 0;
}

int rpc_create_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct session_label labels[SESSION_LABELS_MAX];
	struct session_params p;
	struct session *s;
	int r;

	r = convert_create_session(call->req->create_session, &call->daemon->cfg.session_defaults,
				   &p, labels, e);
	if (r < 0)
		return sbx_wrap(e, "create a session");
	r = session_create(call->daemon, conn_peer(call->conn)->uid, &p, &s, e);
	if (r < 0)
		return r;
	return answer_session(call, s, resp, e);
}

int rpc_get_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct session *s = rpc_find_session(call, call->req->get_session->session_id, e);

	return s ? answer_session(call, s, resp, e) : e->code;
}

int rpc_list_sessions(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__ListSessionsRequest *req = call->req->list_sessions;
	struct session_label filter[SESSION_LABELS_MAX];
	Sandboxd__V1__SessionList *list = rpc_alloc(call, sizeof(*list));
	Sandboxd__V1__Session **items;
	uid_t uid = conn_peer(call->conn)->uid;
	size_t n = 0;
	int r;

	/* protoc-c gives each map its own entry type; all string-to-string entries have the same
	 * layout (base, key, value), so one label checker serves both. */
	r = convert_labels(req->n_labels,
			   (Sandboxd__V1__CreateSessionRequest__LabelsEntry **)req->labels, filter,
			   e);
	if (r < 0)
		return sbx_wrap(e, "list sessions");
	items = rpc_alloc(call, (call->daemon->n_sessions + 1) * sizeof(*items));
	if (!list || !items)
		return sbx_fail(e, -ENOMEM, "list sessions");
	sandboxd__v1__session_list__init(list);
	for (struct session *s = call->daemon->sessions; s; s = s->next) {
		if ((uid != 0 && s->owner != uid) || !session_has_labels(s, filter, req->n_labels))
			continue;
		items[n] = session_to_wire(call, s);
		if (!items[n++])
			return sbx_fail(e, -ENOMEM, "list sessions");
	}
	list->sessions = items;
	list->n_sessions = n;
	resp->sessions = list;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_SESSIONS;
	return 0;
}

int rpc_extend_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__ExtendSessionRequest *req = call->req->extend_session;
	struct session *s = rpc_find_session(call, req->session_id, e);
	int r;

	if (!s)
		return e->code;
	r = session_extend(s, req->extend_ms, e);
	if (r < 0)
		return r;
	return answer_session(call, s, resp, e);
}

int rpc_destroy_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct session *s = rpc_find_session(call, call->req->destroy_session->session_id, e);
	Sandboxd__V1__Empty *empty = rpc_alloc(call, sizeof(*empty));

	if (!s)
		return e->code;
	if (!empty)
		return sbx_fail(e, -ENOMEM, "destroy session");
	sandboxd__v1__empty__init(empty);
	session_destroy(s, "its owner destroyed it");
	resp->destroyed = empty;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_DESTROYED;
	return 0;
}

static int pause_or_resume(struct rpc_call *call, const char *id, bool paused,
			   Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct session *s = rpc_find_session(call, id, e);
	int r;

	if (!s)
		return e->code;
	r = session_pause(s, paused, e);
	if (r < 0)
		return r;
	return answer_session(call, s, resp, e);
}

int rpc_pause_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	return pause_or_resume(call, call->req->pause_session->session_id, true, resp, e);
}

int rpc_resume_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	return pause_or_resume(call, call->req->resume_session->session_id, false, resp, e);
}
