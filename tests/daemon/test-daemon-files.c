/* SPDX-License-Identifier: MIT */
/* File tools through the real daemon (issue 5): write, read, chunked uploads, list, stat,
 * remove, mkdir, move and watch inside a session's own view; owner and mode of what is
 * written; the workspace quota leaving old contents intact; and hostile paths: `..` chains,
 * symlinks to the host's files or out of the root, a FIFO planted inside, empty, NUL and
 * overlong paths, paths the policy does not grant. Nothing reads or writes outside. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
#include "test-util.h"

static struct test_daemon daemon_;
static char cgroup_parent[64];
static char *lock_dir;
static struct sbx_client *c;

static void setup(void)
{
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	lock_dir = test_mkdtemp();
	test_daemon_start(&daemon_, (const char *const[]){"--cgroup-parent", cgroup_parent,
							  "--uid-lock-dir", lock_dir, NULL});
	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
}

static void teardown(void)
{
	sbx_client_free(c);
	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_daemon_assert_no_leaks(cgroup_parent);
	test_daemon_remove_cgroup_parent(cgroup_parent);
	test_rm_rf(lock_dir);
	free(lock_dir);
}

static Sandboxd__V1__Response *call(Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;

	ck_assert_ok(sbx_client_call(c, req, NULL, NULL, &resp));
	return resp;
}

static void expect_ok(Sandboxd__V1__Response *resp, Sandboxd__V1__Response__BodyCase body)
{
	ck_assert_msg(resp->body_case == body, "expected case %d, got %d: %s", (int)body,
		      (int)resp->body_case,
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "");
}

static void expect_error(Sandboxd__V1__Response *resp, Sandboxd__V1__Code code)
{
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR,
		      "expected error %d, got case %d", (int)code, (int)resp->body_case);
	ck_assert_msg(resp->error->code == code, "code %d, expected %d: %s", (int)resp->error->code,
		      (int)code, resp->error->message);
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

static char *create(uint64_t disk)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Limits limits = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *id;

	limits.disk_bytes = disk;
	body.limits = &limits;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_SESSION);
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

/* Runs a shell script in the session; returns stdout (malloc'd). */
static char *sh(const char *sid, const char *script)
{
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *out;

	body.session_id = (char *)sid;
	body.language = (char *)"sh";
	body.code = (char *)script;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT);
	out = strndup(resp->exec_result->stdout.data ? (char *)resp->exec_result->stdout.data : "",
		      resp->exec_result->stdout.len);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return out;
}

static Sandboxd__V1__Response *write_file(const char *sid, const char *path, const void *data,
					  size_t len, Sandboxd__V1__WriteMode mode, uint32_t fmode)
{
	Sandboxd__V1__WriteFileRequest body = SANDBOXD__V1__WRITE_FILE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = (char *)sid;
	body.path = (char *)path;
	body.data.data = (uint8_t *)data;
	body.data.len = len;
	body.mode = mode;
	body.file_mode = fmode;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_WRITE_FILE;
	req.write_file = &body;
	return call(&req);
}

static Sandboxd__V1__Response *read_file(const char *sid, const char *path, uint64_t off,
					 uint64_t len)
{
	Sandboxd__V1__ReadFileRequest body = SANDBOXD__V1__READ_FILE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = (char *)sid;
	body.path = (char *)path;
	body.offset = off;
	body.length = len;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_READ_FILE;
	req.read_file = &body;
	return call(&req);
}

static void expect_content(const char *sid, const char *path, const char *want)
{
	Sandboxd__V1__Response *resp = read_file(sid, path, 0, 0);

	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_DATA);
	ck_assert_uint_eq(resp->file_data->data.len, strlen(want));
	ck_assert(memcmp(resp->file_data->data.data ? (char *)resp->file_data->data.data : "", want,
			 strlen(want)) == 0);
	ck_assert(resp->file_data->eof);
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

static void ok_write(const char *sid, const char *path, const char *text,
		     Sandboxd__V1__WriteMode mode)
{
	Sandboxd__V1__Response *resp = write_file(sid, path, text, strlen(text), mode, 0);

	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_WRITE_RESULT);
	sandboxd__v1__response__free_unpacked(resp, NULL);
}

START_TEST(test_write_read_modes)
{
	char *sid = create(0), *out;
	Sandboxd__V1__Response *resp;

	ok_write(sid, "/workspace/a.txt", "hello\n", SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE);
	expect_content(sid, "/workspace/a.txt", "hello\n");
	/* Relative paths are from /workspace. */
	expect_content(sid, "a.txt", "hello\n");
	ok_write(sid, "a.txt", "more\n", SANDBOXD__V1__WRITE_MODE__WRITE_APPEND);
	expect_content(sid, "/workspace/a.txt", "hello\nmore\n");
	expect_error(write_file(sid, "a.txt", "x", 1, SANDBOXD__V1__WRITE_MODE__WRITE_EXCLUSIVE, 0),
		     SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	ok_write(sid, "a.txt", "new", SANDBOXD__V1__WRITE_MODE__WRITE_TRUNCATE);
	expect_content(sid, "a.txt", "new");
	/* A zero-byte write makes an empty file. */
	ok_write(sid, "empty", "", SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE);
	expect_content(sid, "empty", "");
	/* A window of a file. */
	resp = read_file(sid, "a.txt", 1, 1);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_DATA);
	ck_assert_uint_eq(resp->file_data->data.len, 1);
	ck_assert_int_eq(resp->file_data->data.data[0], 'e');
	ck_assert_uint_eq(resp->file_data->size, 3);
	ck_assert(!resp->file_data->eof);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* Written files belong to the session's root, with the mode asked for. */
	resp = write_file(sid, "/workspace/secret", "s", 1, SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE,
			  04600);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	out = sh(sid, "stat -c '%u %g %a' /workspace/secret /workspace/a.txt");
	ck_assert_str_eq(out, "0 0 600\n0 0 644\n");
	free(out);
	/* And code in the session sees what the file tools wrote, and the other way round. */
	free(sh(sid, "echo from-inside > /workspace/in.txt"));
	expect_content(sid, "in.txt", "from-inside\n");
	/* Acting as the session for file calls leaves the daemon as it was: new sessions
	 * still start (its sandboxes must stay inspectable by it). */
	free(create(0));
	free(sid);
}
END_TEST

START_TEST(test_chunked_upload)
{
	size_t len = 9u << 20, got = 0;
	char *sid = create(64ULL << 20), *data = malloc(len), *back = malloc(len);
	Sandboxd__V1__WriteFileRequest body = SANDBOXD__V1__WRITE_FILE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char upload[32] = "";

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(back);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)(i * 7 + i / 4096);
	body.session_id = sid;
	body.path = (char *)"/workspace/big.bin";
	req.body_case = SANDBOXD__V1__REQUEST__BODY_WRITE_FILE;
	req.write_file = &body;
	for (size_t off = 0; off < len; off += 4u << 20) {
		size_t n = MIN(len - off, (size_t)(4u << 20));

		body.data.data = (uint8_t *)data + off;
		body.data.len = n;
		body.more = off + n < len;
		body.upload_id = upload;
		body.offset = off;
		resp = call(&req);
		expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_WRITE_RESULT);
		ck_assert_uint_eq(resp->write_result->size, off + n);
		snprintf(upload, sizeof(upload), "%s", resp->write_result->upload_id);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		/* Until the last chunk, the file is not there. */
		if (body.more)
			expect_error(read_file(sid, "big.bin", 0, 1),
				     SANDBOXD__V1__CODE__NOT_FOUND);
	}
	while (got < len) {
		resp = read_file(sid, "big.bin", got, 0);
		expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_DATA);
		ck_assert_uint_le(resp->file_data->data.len, 4u << 20);
		memcpy(back + got, resp->file_data->data.data, resp->file_data->data.len);
		got += resp->file_data->data.len;
		sandboxd__v1__response__free_unpacked(resp, NULL);
	}
	ck_assert(memcmp(data, back, len) == 0);
	/* A chunk out of order, or of an unknown upload, is refused. */
	body.upload_id = (char *)"u-0000000000000000";
	body.more = false;
	expect_error(call(&req), SANDBOXD__V1__CODE__NOT_FOUND);
	free(data);
	free(back);
	free(sid);
}
END_TEST

START_TEST(test_list_stat_mkdir_move_remove)
{
	Sandboxd__V1__ListDirRequest list = SANDBOXD__V1__LIST_DIR_REQUEST__INIT;
	Sandboxd__V1__MkdirRequest mk = SANDBOXD__V1__MKDIR_REQUEST__INIT;
	Sandboxd__V1__MoveRequest mv = SANDBOXD__V1__MOVE_REQUEST__INIT;
	Sandboxd__V1__RemoveRequest rm = SANDBOXD__V1__REMOVE_REQUEST__INIT;
	Sandboxd__V1__StatRequest st = SANDBOXD__V1__STAT_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *sid = create(0);

	mk.session_id = list.session_id = mv.session_id = rm.session_id = st.session_id = sid;
	mk.path = (char *)"/workspace/d/e/f";
	mk.parents = true;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_MKDIR;
	req.mkdir = &mk;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_INFO);
	ck_assert_int_eq(resp->file_info->type, SANDBOXD__V1__FILE_TYPE__FILE_DIRECTORY);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	ok_write(sid, "/workspace/d/e/f/x", "1", SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE);
	ok_write(sid, "/workspace/d/y", "22", SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE);

	list.path = (char *)"/workspace/d";
	list.recursive = true;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_DIR;
	req.list_dir = &list;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_LISTING);
	ck_assert_uint_eq(resp->listing->n_entries, 4); /* e, e/f, e/f/x, y */
	ck_assert_str_eq(resp->listing->entries[0]->path, "/workspace/d/e");
	ck_assert_str_eq(resp->listing->entries[3]->path, "/workspace/d/y");
	ck_assert_uint_eq(resp->listing->entries[3]->size, 2);
	ck_assert(!resp->listing->truncated);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	list.limit = 2;
	resp = call(&req);
	ck_assert_uint_eq(resp->listing->n_entries, 2);
	ck_assert(resp->listing->truncated);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	st.path = (char *)"/workspace/d/y";
	req.body_case = SANDBOXD__V1__REQUEST__BODY_STAT;
	req.stat = &st;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_INFO);
	ck_assert_int_eq(resp->file_info->type, SANDBOXD__V1__FILE_TYPE__FILE_REGULAR);
	ck_assert_uint_eq(resp->file_info->mode, 0644);
	ck_assert_uint_gt(resp->file_info->mtime_unix_ms, 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	mv.from = (char *)"/workspace/d/y";
	mv.to = (char *)"/workspace/d/e/f/x";
	req.body_case = SANDBOXD__V1__REQUEST__BODY_MOVE;
	req.move = &mv;
	expect_error(call(&req), SANDBOXD__V1__CODE__FAILED_PRECONDITION); /* exists */
	mv.overwrite = true;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_INFO);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	expect_content(sid, "/workspace/d/e/f/x", "22");

	rm.path = (char *)"/workspace/d";
	req.body_case = SANDBOXD__V1__REQUEST__BODY_REMOVE;
	req.remove = &rm;
	expect_error(call(&req), SANDBOXD__V1__CODE__FAILED_PRECONDITION); /* not empty */
	rm.recursive = true;
	resp = call(&req);
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_DESTROYED);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	expect_error(call(&(Sandboxd__V1__Request){
			     .base = req.base,
			     .body_case = SANDBOXD__V1__REQUEST__BODY_STAT,
			     .stat = &(Sandboxd__V1__StatRequest){.base = st.base,
								  .session_id = sid,
								  .skill = (char *)"",
								  .path = (char *)"/workspace/d"}}),
		     SANDBOXD__V1__CODE__NOT_FOUND);
	free(sid);
}
END_TEST

START_TEST(test_hostile_paths)
{
	char *sid = create(0), *out, longpath[5000];
	Sandboxd__V1__Response *resp;
	struct timespec t0, t1;

	/* What the default policy does not grant, named by its rule; `..` cannot climb out of
	 * the policy's view either: the path is normalised before it is decided. */
	resp = write_file(sid, "/etc/x", "x", 1, SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE, 0);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__PERMISSION_DENIED);
	ck_assert_str_eq(resp->error->rule, "default/skills.default.files.write");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	expect_error(read_file(sid, "/workspace/../../../etc/passwd", 0, 0),
		     SANDBOXD__V1__CODE__PERMISSION_DENIED);
	expect_error(read_file(sid, "../../../../etc/shadow", 0, 0),
		     SANDBOXD__V1__CODE__PERMISSION_DENIED);
	/* Symlinks planted inside are never followed: not to the host's files, not out of the
	 * root, not in loops. */
	free(sh(sid, "ln -s /etc/passwd /workspace/pw; ln -s ../../../.. /workspace/up; "
		     "ln -s loop /workspace/loop; mkfifo /workspace/fifo"));
	expect_error(read_file(sid, "/workspace/pw", 0, 0),
		     SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	expect_error(read_file(sid, "/workspace/up/etc/passwd", 0, 0),
		     SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	expect_error(read_file(sid, "/workspace/loop", 0, 0),
		     SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	expect_error(write_file(sid, "/workspace/pw", "x", 1,
				SANDBOXD__V1__WRITE_MODE__WRITE_TRUNCATE, 0),
		     SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	/* The FIFO is refused at once, not opened (which would block). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_error(read_file(sid, "/workspace/fifo", 0, 0), SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	expect_error(write_file(sid, "/workspace/fifo", "x", 1,
				SANDBOXD__V1__WRITE_MODE__WRITE_APPEND, 0),
		     SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	/* A directory where a file is expected. */
	expect_error(read_file(sid, "/workspace", 0, 0), SANDBOXD__V1__CODE__FAILED_PRECONDITION);
	/* Empty and overlong paths. */
	expect_error(read_file(sid, "", 0, 0), SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	resp = read_file(sid, longpath, 0, 0);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* The host's /etc/passwd was never touched, the sandbox's pw link is still a link. */
	out = sh(sid, "readlink /workspace/pw");
	ck_assert_str_eq(out, "/etc/passwd\n");
	free(out);
	free(sid);
}
END_TEST

START_TEST(test_quota_keeps_old_contents)
{
	char *sid = create(2ULL << 20), *big = calloc(1, 3u << 20);
	Sandboxd__V1__Response *resp;

	ck_assert_ptr_nonnull(big);
	ok_write(sid, "/workspace/keep", "old contents", SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE);
	for (int mode = 0; mode < 3; mode++) {
		resp = write_file(sid, "/workspace/keep", big, 3u << 20,
				  (Sandboxd__V1__WriteMode)mode, 0);
		ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
		ck_assert_msg(resp->error->code == SANDBOXD__V1__CODE__RESOURCE_EXHAUSTED,
			      "mode %d: %s", mode, resp->error->message);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		expect_content(sid, "/workspace/keep", "old contents");
	}
	free(big);
	free(sid);
}
END_TEST

struct seen {
	int created;
	char path[256];
};

static int on_event(const Sandboxd__V1__Event *ev, void *userdata)
{
	struct seen *s = userdata;

	if (ev->body_case == SANDBOXD__V1__EVENT__BODY_FILE_EVENT &&
	    ev->file_event->type == SANDBOXD__V1__FILE_EVENT_TYPE__FILE_CREATED) {
		s->created++;
		snprintf(s->path, sizeof(s->path), "%s", ev->file_event->path);
	}
	return 0;
}

START_TEST(test_watch)
{
	Sandboxd__V1__WatchDirRequest w = SANDBOXD__V1__WATCH_DIR_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;
	char *sid = create(0);
	struct seen seen = {};
	pid_t writer;

	writer = fork();
	ck_assert_int_ge(writer, 0);
	if (writer == 0) {
		struct sbx_client *other = NULL;

		usleep(300000);
		if (sbx_client_connect(daemon_.socket, &other) < 0)
			_exit(1);
		c = other;
		ok_write(sid, "/workspace/new.txt", "x", SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE);
		_exit(0);
	}
	w.session_id = sid;
	w.path = (char *)"/workspace";
	w.recursive = true;
	w.max_events = 1;
	w.timeout_ms = 10000;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_WATCH_DIR;
	req.watch_dir = &w;
	ck_assert_ok(sbx_client_call(c, &req, on_event, &seen, &resp));
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_WATCH_END);
	ck_assert_str_eq(resp->watch_end->reason, "max_events");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	ck_assert_int_eq(seen.created, 1);
	/* The upload's temporary appears first, or the file itself. */
	ck_assert_msg(strncmp(seen.path, "/workspace/", 11) == 0, "%s", seen.path);
	ck_assert_int_eq(waitpid(writer, NULL, 0), writer);
	/* A watch that nothing happens to ends at its timeout. */
	w.max_events = 0;
	w.timeout_ms = 200;
	ck_assert_ok(sbx_client_call(c, &req, on_event, &seen, &resp));
	expect_ok(resp, SANDBOXD__V1__RESPONSE__BODY_WATCH_END);
	ck_assert_str_eq(resp->watch_end->reason, "timeout");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(sid);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-files");
	TCase *tc = tcase_create("files");

	if (geteuid() != 0) {
		fputs("test-daemon-files: needs root\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_read_modes);
	tcase_add_test(tc, test_chunked_upload);
	tcase_add_test(tc, test_list_stat_mkdir_move_remove);
	tcase_add_test(tc, test_hostile_paths);
	tcase_add_test(tc, test_quota_keeps_old_contents);
	tcase_add_test(tc, test_watch);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
