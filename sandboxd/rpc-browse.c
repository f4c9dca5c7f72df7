/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "macro.h"
#include "rpc-browse.h"
#include "rpc-session.h"
#include "session-egress.h"
#include "session.h"

struct pending_browse {
	struct conn *conn; /* NULL once the client went away */
	struct conn_watch *watch;
	struct exec *exec;
	uint64_t request_id;
};

/* The host of an http(s) URL, for the policy: scheme, then the authority up to the first '/',
 * '?' or '#'; userinfo is refused (the proxy refuses it too). */
static int url_host(const char *url, char *host, size_t size, struct sbx_error *e)
{
	const char *p, *end;
	size_t n;

	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return sbx_fail(e, -EINVAL, "browse '%.128s': only http and https URLs", url);
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)))
		return sbx_fail(e, -EINVAL, "browse '%.128s': a URL with user info is refused",
				url);
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close)
			return sbx_fail(e, -EINVAL, "browse '%.128s': bad IPv6 host", url);
		n = (size_t)(close + 1 - p);
	} else
		n = strcspn(p, ":/?#");
	if (n == 0 || n >= size)
		return sbx_fail(e, -EINVAL, "browse '%.128s': no host", url);
	memcpy(host, p, n);
	host[n] = '\0';
	return 0;
}

static const char *json_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

static void answer(struct pending_browse *p, const struct exec_result *res)
{
	Sandboxd__V1__Response resp = SANDBOXD__V1__RESPONSE__INIT;
	Sandboxd__V1__Page page = SANDBOXD__V1__PAGE__INIT;
	json_t *o = NULL, *links;
	const char **list = NULL;
	json_error_t err;

	resp.id = p->request_id;
	/* What comes out of the sandbox is hostile: bounded by the capture, parsed strictly. */
	if (res->end == EXEC_EXITED && (res->exit_code == 0 || res->exit_code == 1))
		o = json_loadb(res->out, res->out_len, JSON_REJECT_DUPLICATES, &err);
	if (!o || !json_is_object(o)) {
		(void)conn_send_error(p->conn, p->request_id, SANDBOXD__V1__CODE__INTERNAL,
				      res->end == EXEC_TIMEOUT
					      ? "browse: the page did not arrive in time"
					      : "browse: sandbox-browse gave no answer",
				      NULL);
		json_decref(o);
		return;
	}
	if (res->exit_code == 1) {
		char msg[512];

		snprintf(msg, sizeof(msg), "browse: %s", json_str(o, "error"));
		(void)conn_send_error(p->conn, p->request_id, SANDBOXD__V1__CODE__UNAVAILABLE, msg,
				      NULL);
		json_decref(o);
		return;
	}
	page.url = (char *)json_str(o, "url");
	page.status = (int32_t)json_integer_value(json_object_get(o, "status"));
	page.content_type = (char *)json_str(o, "content_type");
	page.title = (char *)json_str(o, "title");
	page.text = (char *)json_str(o, "text");
	page.truncated = json_is_true(json_object_get(o, "truncated"));
	page.redirects = (uint32_t)json_integer_value(json_object_get(o, "redirects"));
	links = json_object_get(o, "links");
	if (json_is_array(links) && json_array_size(links) > 0) {
		list = calloc(json_array_size(links), sizeof(*list));
		for (size_t i = 0; list && i < json_array_size(links); i++)
			if (json_string_value(json_array_get(links, i)))
				list[page.n_links++] = json_string_value(json_array_get(links, i));
		page.links = (char **)list;
	}
	resp.body_case = SANDBOXD__V1__RESPONSE__BODY_PAGE;
	resp.page = &page;
	rpc_send_response(p->conn, &resp);
	free(list);
	json_decref(o);
}

static void on_done(struct exec *x, const struct exec_result *res, void *userdata)
{
	struct pending_browse *p = userdata;

	(void)x;
	if (p->conn) {
		answer(p, res);
		conn_unwatch(p->conn, p->watch);
	}
	free(p);
}

static void on_conn_closed(void *userdata)
{
	struct pending_browse *p = userdata;

	p->conn = NULL;
	p->watch = NULL;
	exec_cancel(p->exec);
}

int rpc_browse(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__BrowseRequest *req = call->req->browse;
	struct session *s = rpc_find_session(call, req->session_id, e);
	char host[256], bytes[32], timeout[32], *exe = NULL, **env = NULL;
	_cleanup_free_ char *landlock = NULL;
	struct policy_decision d;
	struct pending_browse *p;
	size_t landlock_len = 0, n = 0;
	uint64_t max_bytes, timeout_ms;
	int r;

	(void)resp;
	if (!s)
		return e->code;
	if (s->paused)
		return sbx_fail(e, -EBUSY, "browse in session %s: the session is paused", s->id);
	r = url_host(req->url ? req->url : "", host, sizeof(host), e);
	if (r < 0)
		return r;
	r = session_policy_decide(
		s,
		&(struct policy_call){.tool = POLICY_TOOL_BROWSE,
				      .skill = req->skill && *req->skill ? req->skill : NULL,
				      .host = host,
				      .timeout_usec = req->timeout_ms * 1000ULL,
				      .max_bytes = req->max_bytes},
		req->url, &d, call->rule, e);
	if (r < 0)
		return sbx_wrap(e, "browse in session %s", s->id);
	if (!s->daemon->browse_dir[0])
		return sbx_fail(e, -EAGAIN, "browse: sandbox-browse is not installed");
	session_touch(s);
	max_bytes = d.max_bytes ? d.max_bytes : RPC_BROWSE_MAX_BYTES_DEFAULT;
	timeout_ms = d.timeout_usec ? d.timeout_usec / 1000ULL : RPC_BROWSE_TIMEOUT_MS_DEFAULT;
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)max_bytes);
	snprintf(timeout, sizeof(timeout), "%llu", (unsigned long long)timeout_ms);
	while (session_default_env[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	r = env && asprintf(&exe, "%s/sandbox-browse", SESSION_TOOLS_DIR) >= 0 ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (!(env[i] = strdup(session_default_env[i])))
			r = -ENOMEM;
	if (r >= 0)
		r = session_egress_env(&env, session_egress_port(s, d.skill));
	if (r >= 0)
		r = session_policy_landlock_browse(s, d.skill, &landlock, &landlock_len);
	p = r >= 0 ? calloc(1, sizeof(*p)) : NULL;
	if (!p)
		r = sbx_fail(e, r < 0 ? r : -ENOMEM, "browse in session %s", s->id);
	else {
		const char *argv[] = {
			exe,  "--max-bytes", bytes, "--timeout-ms", timeout, "--max-redirects", "5",
			"--", req->url,	     NULL};

		p->conn = call->conn;
		p->request_id = call->req->id;
		r = exec_start(s,
			       &(struct exec_params){
				       .argv = argv,
				       .env = (const char *const *)env,
				       .cwd = "/",
				       .timeout_ms = timeout_ms + 5000,
				       .output_cap = EXEC_OUTPUT_CAP_MAX,
				       .landlock = landlock,
				       .landlock_len = landlock_len,
			       },
			       NULL, on_done, p, &p->exec, e);
		if (r < 0)
			free(p);
	}
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
	free(exe);
	if (r < 0)
		return r;
	p->watch = conn_watch(call->conn, on_conn_closed, p);
	if (!p->watch) {
		p->conn = NULL;
		exec_cancel(p->exec);
		return sbx_fail(e, -ENOMEM, "browse in session %s", s->id);
	}
	return RPC_ANSWER_LATER;
}
