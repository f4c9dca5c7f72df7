/* SPDX-License-Identifier: MIT */
/* Session calls. Another uid's session is answered exactly like a missing one (NOT_FOUND), so
 * ids cannot be probed across users. Answers are built in the call's memory (rpc_alloc). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "convert.h"
#include "history.h"
#include "macro.h"
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
	w->policy_name = s->policy.name ? s->policy.name : (char *)"";
	w->skills = rpc_alloc(call, SESSION_SKILLS_MAX * sizeof(char *));
	if (!w->skills)
		return NULL;
	w->n_skills = session_policy_skill_names(&s->policy, (const char **)w->skills,
						 SESSION_SKILLS_MAX);
	if (s->policy.policy && s->policy.policy->instructions)
		w->instructions = s->policy.policy->instructions;
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

/* The request with its limits narrowed by the policy's: what the policy sets becomes the
 * session's value where the request is silent, never more than the daemon's maxima. */
static int narrow_request(const Sandboxd__V1__CreateSessionRequest *req,
			  const struct session_policy *sp, Sandboxd__V1__CreateSessionRequest *ret,
			  Sandboxd__V1__Limits *ret_limits, struct sbx_error *e)
{
	const Sandboxd__V1__Limits *l = req->limits;
	struct policy_limits want = {
		.memory_bytes = l ? l->memory_bytes : 0,
		.pids = l ? l->pids : 0,
		.cpu_millis = l ? l->cpu_millis : 0,
		.disk_bytes = l ? l->disk_bytes : 0,
		.session_ttl_usec = req->ttl_ms * 1000ULL,
		.idle_ttl_usec = req->idle_ttl_ms * 1000ULL,
	};
	struct policy_limits got;
	int r;

	if (req->ttl_ms > SESSION_TTL_MAX_MS || req->idle_ttl_ms > SESSION_TTL_MAX_MS)
		return sbx_fail(e, -ERANGE, "a TTL is at most %llu ms",
				(unsigned long long)SESSION_TTL_MAX_MS);
	r = session_policy_limits(sp, &want, &got, e);
	if (r < 0)
		return r;
	/* A request stands as it is (the range checks refuse it when too large); what the
	 * policy sets in its place is held to the daemon's maxima. */
	*ret = *req;
	sandboxd__v1__limits__init(ret_limits);
	ret_limits->memory_bytes = want.memory_bytes ?: MIN(got.memory_bytes, SESSION_MEMORY_MAX);
	ret_limits->pids = want.pids ?: MIN(got.pids, (uint64_t)SESSION_PIDS_MAX);
	ret_limits->cpu_millis = (uint32_t)(want.cpu_millis ?: MIN(got.cpu_millis, 256000ULL));
	ret_limits->disk_bytes = want.disk_bytes ?: MIN(got.disk_bytes, SESSION_DISK_MAX);
	ret->limits = ret_limits;
	ret->ttl_ms = req->ttl_ms ?: MIN(got.session_ttl_usec / 1000ULL, SESSION_TTL_MAX_MS);
	ret->idle_ttl_ms = req->idle_ttl_ms ?: MIN(got.idle_ttl_usec / 1000ULL, SESSION_TTL_MAX_MS);
	return 0;
}

int rpc_create_session(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__CreateSessionRequest *req = call->req->create_session;
	struct session_label labels[SESSION_LABELS_MAX];
	struct session_policy sp = {};
	Sandboxd__V1__CreateSessionRequest narrowed;
	Sandboxd__V1__Limits limits;
	struct session_binds *binds = NULL;
	struct session_params p;
	struct session *s;
	int r;

	r = session_policy_resolve(call->daemon, req->policy_name, req->policy_text, req->skills,
				   req->n_skills, call->daemon->cfg.inline_policies, &sp, e);
	if (r >= 0)
		r = narrow_request(req, &sp, &narrowed, &limits, e);
	if (r >= 0)
		r = convert_create_session(&narrowed, &call->daemon->cfg.session_defaults, &p,
					   labels, e);
	if (r >= 0) {
		binds = malloc(sizeof(*binds));
		r = binds ? session_policy_binds(call->daemon, &sp, binds, e)
			  : sbx_fail(e, -ENOMEM, "create a session");
	}
	if (r < 0) {
		session_policy_done(&sp);
		free(binds);
		return sbx_wrap(e, "create a session");
	}
	p.binds = binds->binds;
	p.n_binds = binds->n;
	r = session_create(call->daemon, conn_peer(call->conn)->uid, &p, &sp, &s, e);
	session_binds_done(binds);
	free(binds);
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

int rpc_get_history(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__GetHistoryRequest *req = call->req->get_history;
	struct session *s = rpc_find_session(call, req->session_id, e);
	Sandboxd__V1__History *h = NULL;
	int r;

	if (!s)
		return e->code;
	r = history_read(s, req->limit, &h);
	if (r < 0)
		return sbx_fail(e, r, "read the history of session %s", s->id);
	/* Sent now: the entries are the history's, freed right after. */
	resp->history = h;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_HISTORY;
	rpc_send_response(call->conn, resp);
	history_free(h);
	return RPC_ANSWER_LATER;
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
