/* SPDX-License-Identifier: MIT */
/* Each call: find the caller's session, decide it (the decision normalises the path, and the
 * tool acts on that normalised path only), then do it inside the session's root. A move is two
 * decisions: file.delete on the source, file.write on the destination. Stat and listings are
 * file.list; entries of a listing the policy would not list are left out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "macro.h"
#include "rpc-file.h"
#include "rpc-session.h"
#include "session-files.h"
#include "session.h"

/* The caller's session, not paused, and its root. */
static struct session *file_session(struct rpc_call *call, const char *id, struct files_root *root,
				    struct sbx_error *e)
{
	struct session *s = rpc_find_session(call, id, e);

	if (!s)
		return NULL;
	if (s->paused) {
		sbx_fail(e, -EBUSY, "file call in session %s: the session is paused", s->id);
		return NULL;
	}
	if (session_files_root(s, root, e) < 0)
		return NULL;
	session_touch(s);
	return s;
}

static int decide_path_bytes(struct rpc_call *call, struct session *s, enum policy_tool tool,
			     const char *skill, const char *path, uint64_t bytes,
			     struct policy_decision *d, struct sbx_error *e)
{
	struct policy_call pc = {
		.tool = tool,
		.skill = skill && *skill ? skill : NULL,
		.path = path ? path : "",
		.max_bytes = bytes,
	};

	return session_policy_decide(s, &pc, path, d, call->rule, e);
}

static int decide_path(struct rpc_call *call, struct session *s, enum policy_tool tool,
		       const char *skill, const char *path, struct policy_decision *d,
		       struct sbx_error *e)
{
	return decide_path_bytes(call, s, tool, skill, path, 0, d, e);
}

/* The caller's session and its root, and the call decided on path; verb names it in errors. */
static int file_call(struct rpc_call *call, const char *session_id, enum policy_tool tool,
		     const char *skill, const char *path, uint64_t bytes, const char *verb,
		     struct session **ret_s, struct files_root *root, struct policy_decision *d,
		     struct sbx_error *e)
{
	struct session *s = file_session(call, session_id, root, e);
	int r;

	if (!s)
		return e->code;
	r = decide_path_bytes(call, s, tool, skill, path, bytes, d, e);
	if (r < 0)
		return sbx_wrap(e, "%s in session %s", verb, s->id);
	*ret_s = s;
	return 0;
}

static Sandboxd__V1__FileType wire_type(enum files_type t)
{
	switch (t) {
	case FILES_REGULAR:
		return SANDBOXD__V1__FILE_TYPE__FILE_REGULAR;
	case FILES_DIRECTORY:
		return SANDBOXD__V1__FILE_TYPE__FILE_DIRECTORY;
	case FILES_SYMLINK:
		return SANDBOXD__V1__FILE_TYPE__FILE_SYMLINK;
	default:
		return SANDBOXD__V1__FILE_TYPE__FILE_OTHER;
	}
}

/* The wire's FileInfo of i (strings borrowed: i must live until the answer is packed). */
static void info_to_wire(const struct files_info *i, Sandboxd__V1__FileInfo *w)
{
	sandboxd__v1__file_info__init(w);
	w->path = i->path;
	w->name = (char *)i->name;
	w->type = wire_type(i->type);
	w->size = i->size;
	w->mode = i->mode;
	w->mtime_unix_ms = i->mtime_ms;
	w->link_target = i->link_target ? i->link_target : (char *)"";
}

/* Answers with the FileInfo of path now (the info is freed right after). */
static int answer_stat(struct rpc_call *call, const struct files_root *root, const char *path,
		       Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	struct files_info i = {};
	Sandboxd__V1__FileInfo w;
	int r;

	session_files_enter(root);
	r = files_stat(root, path, &i, e);
	session_files_leave();
	if (r < 0)
		return r;
	info_to_wire(&i, &w);
	resp->file_info = &w;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_FILE_INFO;
	rpc_send_response(call->conn, resp);
	files_info_done(&i);
	return RPC_ANSWER_LATER;
}

int rpc_read_file(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__ReadFileRequest *req = call->req->read_file;
	Sandboxd__V1__FileData *fd = rpc_alloc(call, sizeof(*fd));
	struct policy_decision d;
	struct files_root root;
	struct session *s;
	size_t len, n = 0;
	uint64_t size = 0;
	void *buf;
	int r;

	r = file_call(call, req->session_id, POLICY_TOOL_FILE_READ, req->skill, req->path,
		      req->length, "read a file", &s, &root, &d, e);
	if (r < 0)
		return r;
	/* The request's length, else the skill's cap, and never more than one chunk. */
	len = (size_t)MIN(req->length	? req->length
			  : d.max_bytes ? d.max_bytes
					: UINT64_MAX,
			  (uint64_t)RPC_FILE_CHUNK_MAX);
	buf = rpc_alloc_buffer(call, len);
	if (!fd || !buf)
		return sbx_fail(e, -ENOMEM, "read '%s'", d.path);
	session_files_enter(&root);
	r = files_read(&root, d.path, req->offset, buf, len, &n, &size, e);
	session_files_leave();
	if (r < 0)
		return r;
	sandboxd__v1__file_data__init(fd);
	fd->path = rpc_strdup(call, d.path);
	fd->data.data = buf;
	fd->data.len = n;
	fd->offset = req->offset;
	fd->size = size;
	fd->eof = req->offset + n >= size;
	resp->file_data = fd;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_FILE_DATA;
	return fd->path ? 0 : sbx_fail(e, -ENOMEM, "read '%s'", d.path);
}

static int answer_write(struct rpc_call *call, const char *path, uint64_t size,
			const char *upload_id, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	Sandboxd__V1__WriteResult *w = rpc_alloc(call, sizeof(*w));

	if (!w)
		return sbx_fail(e, -ENOMEM, "write '%s'", path);
	sandboxd__v1__write_result__init(w);
	w->path = rpc_strdup(call, path);
	w->size = size;
	w->upload_id = rpc_strdup(call, upload_id ? upload_id : "");
	resp->write_result = w;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_WRITE_RESULT;
	return w->path && w->upload_id ? 0 : sbx_fail(e, -ENOMEM, "write '%s'", path);
}

/* A later chunk of an upload; the last one renames it into place. */
static int continue_upload(struct rpc_call *call, struct session *s, const struct files_root *root,
			   const Sandboxd__V1__WriteFileRequest *req, Sandboxd__V1__Response *resp,
			   struct sbx_error *e)
{
	struct session_upload *up =
		session_upload_find(s, conn_peer(call->conn)->uid, req->upload_id);
	_cleanup_free_ char *path = NULL;
	uint64_t size;
	int r;

	if (!up)
		return sbx_fail(e, -ENOENT, "find upload '%.32s' in session %s", req->upload_id,
				s->id);
	if (up->max_bytes > 0 && files_upload_size(up->upload) + req->data.len > up->max_bytes)
		return sbx_fail(e, -EFBIG,
				"upload %s: past the skill's files.max_bytes of %llu bytes", up->id,
				(unsigned long long)up->max_bytes);
	if (req->offset != files_upload_size(up->upload))
		return sbx_fail(e, -EINVAL,
				"upload %s: a chunk at offset %llu, where %llu bytes were written",
				up->id, (unsigned long long)req->offset,
				(unsigned long long)files_upload_size(up->upload));
	session_files_enter(root);
	r = files_upload_write(up->upload, req->data.data, req->data.len, e);
	session_files_leave();
	if (r < 0) {
		(void)session_upload_end(up, false, NULL);
		return r;
	}
	size = files_upload_size(up->upload);
	if (req->more)
		return answer_write(call, up->path, size, up->id, resp, e);
	path = strdup(up->path);
	r = session_upload_end(up, true, e);
	if (r < 0)
		return r;
	return answer_write(call, path ? path : "", size, NULL, resp, e);
}

int rpc_write_file(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__WriteFileRequest *req = call->req->write_file;
	struct policy_decision d;
	struct session_upload *up;
	struct files_root root;
	struct session *s;
	uint64_t size = 0;
	int r;

	s = file_session(call, req->session_id, &root, e);
	if (!s)
		return e->code;
	if (req->data.len > RPC_FILE_CHUNK_MAX)
		return sbx_fail(e, -E2BIG, "write a file: a chunk is at most %u bytes",
				RPC_FILE_CHUNK_MAX);
	if ((int)req->mode < 0 || (int)req->mode >= (int)_FILES_WRITE_MODE_MAX)
		return sbx_fail(e, -EINVAL, "write a file: unknown mode %d", (int)req->mode);
	if (req->upload_id && *req->upload_id)
		return continue_upload(call, s, &root, req, resp, e);
	r = decide_path_bytes(call, s, POLICY_TOOL_FILE_WRITE, req->skill, req->path, req->data.len,
			      &d, e);
	if (r < 0)
		return sbx_wrap(e, "write a file in session %s", s->id);
	if (req->more) {
		if (req->mode != SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE)
			return sbx_fail(e, -EINVAL,
					"write '%s': chunks of an upload need WRITE_REPLACE "
					"(or send WRITE_TRUNCATE then WRITE_APPEND)",
					d.path);
		r = session_upload_start(s, conn_peer(call->conn)->uid, d.path, req->file_mode,
					 req->make_parents, &up, e);
		if (r < 0)
			return r;
		/* A skill's files.max_bytes holds for the upload's whole. */
		up->max_bytes = s->policy.policy->skills[d.skill].files_max_bytes;
		session_files_enter(&root);
		r = files_upload_write(up->upload, req->data.data, req->data.len, e);
		session_files_leave();
		if (r < 0) {
			(void)session_upload_end(up, false, NULL);
			return r;
		}
		return answer_write(call, d.path, files_upload_size(up->upload), up->id, resp, e);
	}
	session_files_enter(&root);
	r = files_write(&root, d.path, (enum files_write_mode)req->mode, req->data.data,
			req->data.len, req->file_mode, req->make_parents, &size, e);
	session_files_leave();
	if (r < 0)
		return r;
	return answer_write(call, d.path, size, NULL, resp, e);
}

int rpc_list_dir(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__ListDirRequest *req = call->req->list_dir;
	Sandboxd__V1__DirListing listing = SANDBOXD__V1__DIR_LISTING__INIT;
	Sandboxd__V1__FileInfo *infos = NULL, **ptrs = NULL;
	struct files_info *entries = NULL;
	size_t n = 0, skipped = 0, kept = 0;
	struct policy_decision d;
	struct files_root root;
	bool truncated = false;
	struct session *s;
	int r;

	r = file_call(call, req->session_id, POLICY_TOOL_FILE_LIST, req->skill, req->path, 0,
		      "list a directory", &s, &root, &d, e);
	if (r < 0)
		return r;
	session_files_enter(&root);
	r = files_list(&root, d.path, req->recursive, MIN(req->depth, (uint32_t)RPC_LIST_DEPTH_MAX),
		       MIN(req->limit, (uint32_t)RPC_LIST_LIMIT_MAX), &entries, &n, &truncated,
		       &skipped, e);
	session_files_leave();
	if (r < 0)
		return r;
	infos = calloc(n + 1, sizeof(*infos));
	ptrs = calloc(n + 1, sizeof(*ptrs));
	if (!infos || !ptrs) {
		r = sbx_fail(e, -ENOMEM, "list '%s'", d.path);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		/* Below a listed directory, only what the skill may list itself. */
		if (req->recursive &&
		    !session_policy_may_list(&s->policy, req->skill, entries[i].path))
			continue;
		info_to_wire(&entries[i], &infos[kept]);
		ptrs[kept] = &infos[kept];
		kept++;
	}
	listing.path = d.path;
	listing.entries = ptrs;
	listing.n_entries = kept;
	listing.truncated = truncated;
	resp->listing = &listing;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_LISTING;
	rpc_send_response(call->conn, resp);
	r = RPC_ANSWER_LATER;
out:
	free(infos);
	free(ptrs);
	files_info_free_array(entries, n);
	return r;
}

int rpc_stat(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__StatRequest *req = call->req->stat;
	struct policy_decision d;
	struct files_root root;
	struct session *s;
	int r;

	r = file_call(call, req->session_id, POLICY_TOOL_FILE_LIST, req->skill, req->path, 0,
		      "stat a file", &s, &root, &d, e);
	if (r < 0)
		return r;
	return answer_stat(call, &root, d.path, resp, e);
}

int rpc_remove(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__RemoveRequest *req = call->req->remove;
	Sandboxd__V1__Empty *empty = rpc_alloc(call, sizeof(*empty));
	struct policy_decision d;
	struct files_root root;
	struct session *s;
	int r;

	r = file_call(call, req->session_id, POLICY_TOOL_FILE_DELETE, req->skill, req->path, 0,
		      "remove a file", &s, &root, &d, e);
	if (r < 0)
		return r;
	if (!empty)
		return sbx_fail(e, -ENOMEM, "remove '%s'", d.path);
	session_files_enter(&root);
	r = files_remove(&root, d.path, req->recursive, e);
	session_files_leave();
	if (r < 0)
		return r;
	sandboxd__v1__empty__init(empty);
	resp->destroyed = empty;
	resp->body_case = SANDBOXD__V1__RESPONSE__BODY_DESTROYED;
	return 0;
}

int rpc_mkdir(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__MkdirRequest *req = call->req->mkdir;
	struct policy_decision d;
	struct files_root root;
	struct session *s;
	int r;

	r = file_call(call, req->session_id, POLICY_TOOL_FILE_WRITE, req->skill, req->path, 0,
		      "make a directory", &s, &root, &d, e);
	if (r < 0)
		return r;
	session_files_enter(&root);
	r = files_mkdir(&root, d.path, req->mode, req->parents, e);
	session_files_leave();
	if (r < 0)
		return r;
	return answer_stat(call, &root, d.path, resp, e);
}

int rpc_move(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e)
{
	const Sandboxd__V1__MoveRequest *req = call->req->move;
	struct policy_decision from, to;
	struct files_root root;
	struct session *s;
	int r;

	s = file_session(call, req->session_id, &root, e);
	if (!s)
		return e->code;
	r = decide_path(call, s, POLICY_TOOL_FILE_DELETE, req->skill, req->from, &from, e);
	if (r >= 0)
		r = decide_path(call, s, POLICY_TOOL_FILE_WRITE, req->skill, req->to, &to, e);
	if (r < 0)
		return sbx_wrap(e, "move a file in session %s", s->id);
	session_files_enter(&root);
	r = files_move(&root, from.path, to.path, req->overwrite, e);
	session_files_leave();
	if (r < 0)
		return r;
	return answer_stat(call, &root, to.path, resp, e);
}
