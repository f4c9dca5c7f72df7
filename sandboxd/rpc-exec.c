/* SPDX-License-Identifier: MIT */
/* An Exec call stays pending while its command runs; if the client goes away first, the
 * command is cancelled (a synchronous exec has nobody left to answer). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "files.h"
#include "sandbox-path.h"
#include "session-egress.h"
#include "session-files.h"
#include "macro.h"
#include "exec.h"
#include "rpc-exec.h"
#include "rpc-job.h"
#include "rpc-session.h"
#include "session.h"

struct pending_exec {
	struct conn *conn; /* NULL once the client went away */
	struct conn_watch *watch;
	struct exec *exec;
	uint64_t request_id;
	bool stream;
};

static void on_conn_closed(void *userdata)
{
	struct pending_exec *p = userdata;

	p->conn = NULL;
	p->watch = NULL;
	exec_cancel(p->exec);
}

static void on_output(struct exec *x, int stream, const char *data, size_t len, uint64_t offset,
		      void *userdata)
{
	struct pending_exec *p = userdata;

	(void)x;
	if (p->conn && p->stream)
		rpc_send_output(p->conn, p->request_id, stream, data, len, offset);
}

static void on_done(struct exec *x, const struct exec_result *res, void *userdata)
{
	struct pending_exec *p = userdata;
	Sandboxd__V1__Response resp = SANDBOXD__V1__RESPONSE__INIT;
	Sandboxd__V1__ExecResult r = SANDBOXD__V1__EXEC_RESULT__INIT;

	(void)x;
	if (p->conn) {
		r.termination = convert_termination(res->end);
		r.exit_code = res->exit_code;
		r.signal = res->signal;
		r.stdout.data = (uint8_t *)res->out;
		r.stdout.len = res->out_len;
		r.stderr.data = (uint8_t *)res->err;
		r.stderr.len = res->err_len;
		r.stdout_truncated = res->out_truncated;
		r.stderr_truncated = res->err_truncated;
		r.wall_usec = res->wall_usec;
		r.cpu_usec = res->cpu_usec;
		r.peak_memory_bytes = res->peak_memory_bytes;
		resp.id = p->request_id;
		resp.body_case = SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT;
		resp.exec_result = &r;
		rpc_send_response(p->conn, &resp);
		conn_unwatch(p->conn, p->watch);
	}
	free(p);
}

/* argv[0] without a slash, looked up in the command's PATH inside the session (as sandbox-init
 * will run it), so a policy's `commands` are matched against the program that runs; NULL when
 * not found there (the bare name is then decided, and runs as the kernel finds it). */
static const char *resolve_argv0(struct rpc_call *call, struct session *s,
				 const struct exec_command *cmd)
{
	const char *path = "/usr/local/bin:/usr/bin:/bin";
	struct files_root root;

	for (size_t i = 0; cmd->env[i]; i++)
		if (strncmp(cmd->env[i], "PATH=", 5) == 0)
			path = cmd->env[i] + 5;
	if (session_files_root(s, &root, NULL) < 0)
		return NULL;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char candidate[FILES_PATH_MAX], normal[SANDBOX_PATH_MAX];
		struct files_info info = {};
		int r = -ENOENT;

		if (n > 0 && p[0] == '/' &&
		    snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)n, p, cmd->argv[0]) <
			    (int)sizeof(candidate) &&
		    sandbox_path_normalize(candidate, strlen(candidate), normal) >= 0) {
			session_files_enter(&root);
			r = files_stat(&root, normal, &info, NULL);
			session_files_leave();
		}
		if (r >= 0) {
			bool runnable = (info.type == FILES_REGULAR && (info.mode & 0111)) ||
					info.type == FILES_SYMLINK;

			files_info_done(&info);
			if (runnable)
				return rpc_strdup(call, normal);
		}
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* The exec's policy decision: its skill, language or argv[0], and the caps asked for. */
static int decide_exec(struct rpc_call *call, struct session *s,
		       const Sandboxd__V1__ExecRequest *req, struct exec_command *cmd,
		       char **ret_landlock, size_t *ret_landlock_len, struct sbx_error *e)
{
	bool by_language = req->language && *req->language;
	struct policy_call pc = {
		.tool = POLICY_TOOL_EXEC,
		.skill = req->skill && *req->skill ? req->skill : NULL,
		.language = by_language ? req->language : NULL,
		.argv0 = by_language ? NULL : cmd->argv[0],
		.timeout_usec = req->timeout_ms * 1000ULL,
		.max_bytes = req->output_cap_bytes,
	};
	struct policy_decision d;
	int r;

	if (!by_language && !strchr(cmd->argv[0], '/')) {
		const char *found = resolve_argv0(call, s, cmd);

		/* What is decided is what runs: the program at that path. */
		if (found)
			pc.argv0 = cmd->argv[0] = found;
	}
	r = session_policy_decide(s, &pc, by_language ? req->language : cmd->argv[0], &d,
				  call->rule, e);
	if (r < 0)
		return sbx_wrap(e, "exec in session %s", s->id);
	if (d.timeout_usec > 0)
		cmd->timeout_ms = MAX(d.timeout_usec / 1000ULL, 1ULL);
	if (d.max_bytes > 0)
		cmd->output_cap = (size_t)MIN(d.max_bytes, (uint64_t)EXEC_OUTPUT_CAP_MAX);
	if (session_egress_port(s, d.skill) > 0 &&
	    session_egress_env(&cmd->env, session_egress_port(s, d.skill)) < 0)
		return sbx_fail(e, -ENOMEM, "exec in session %s", s->id);
	r = session_policy_landlock(s, d.skill, ret_landlock, ret_landlock_len);
	if (r < 0)
		return sbx_fail(e, r, "build the Landlock rules of an exec in session %s", s->id);
	return 0;
}

int rpc_exec(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__ExecRequest *req = call->req->exec;
	struct session *s = rpc_find_session(call, req->session_id, e);
	_cleanup_free_ char *landlock = NULL;
	struct exec_command cmd;
	struct exec_params params;
	struct pending_exec *p;
	size_t landlock_len;
	int r;

	if (!s)
		return e->code;
	if (s->paused)
		return sbx_fail(e, -EBUSY, "exec in session %s: the session is paused", s->id);
	r = convert_exec(req, session_default_env, &cmd, e);
	if (r < 0)
		return sbx_wrap(e, "exec in session %s", s->id);
	session_touch(s);
	/* The policy decides before anything runs; its caps replace the defaults. */
	r = decide_exec(call, s, req, &cmd, &landlock, &landlock_len, e);
	if (r < 0) {
		exec_command_done(&cmd);
		return r;
	}
	params = (struct exec_params){
		.argv = cmd.argv,
		.env = (const char *const *)cmd.env,
		.cwd = cmd.cwd,
		.stdin_data = req->stdin.data,
		.stdin_len = req->stdin.len,
		.timeout_ms = cmd.timeout_ms,
		.output_cap = cmd.output_cap,
		.landlock = landlock,
		.landlock_len = landlock_len,
	};
	if (req->background) {
		r = rpc_exec_background(call, s, &params, resp, e);
		exec_command_done(&cmd);
		return r;
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		exec_command_done(&cmd);
		return sbx_fail(e, -ENOMEM, "exec in session %s", s->id);
	}
	p->conn = call->conn;
	p->request_id = call->req->id;
	p->stream = req->stream;
	r = exec_start(s, &params, on_output, on_done, p, &p->exec, e);
	exec_command_done(&cmd);
	if (r < 0) {
		free(p);
		return r;
	}
	p->watch = conn_watch(call->conn, on_conn_closed, p);
	if (!p->watch) {
		p->conn = NULL;
		exec_cancel(p->exec);
		return sbx_fail(e, -ENOMEM, "exec in session %s", s->id);
	}
	return RPC_ANSWER_LATER;
}
