/* SPDX-License-Identifier: MIT */
/* Background jobs through the real daemon (issue 3): an Exec that answers with a job at once,
 * GetJob/WaitJob/CancelJob/ListJobs, JobLogs resumable from a byte offset and followed while
 * the job runs, and restarts of the daemon (kill -9 and SIGTERM): the session runs on with its
 * workspace, finished results are intact, a running job is taken over with every byte of its
 * output, a synchronous exec of the old daemon is ended, and a job whose session died while no
 * daemon ran is reported LOST. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
#include "test-util.h"

static struct test_daemon daemon_;
static char cgroup_parent[64];
static char lock_dir[] = "/tmp/sbxd-locks-XXXXXX";
static char state_dir[] = "/tmp/sbxd-state-XXXXXX";

static void start(void)
{
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--state-dir", state_dir, NULL});
}

static void setup(void)
{
	test_daemon_keep_sessions = true; /* restarts take sessions over */
	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	ck_assert_ptr_nonnull(mkdtemp(lock_dir));
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	start();
}

static void teardown(void)
{
	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	test_daemon_assert_no_leaks(cgroup_parent);
	/* Destroyed sessions leave no record and no init socket behind. */
	for (size_t i = 0; i < 2; i++) {
		char path[256];
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "%s/%s", state_dir, i == 0 ? "sessions" : "init");
		d = opendir(path);
		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)))
			ck_assert_msg(de->d_name[0] == '.', "%s/%s left behind", path, de->d_name);
		closedir(d);
	}
	test_daemon_remove_cgroup_parent(cgroup_parent);
	test_rm_rf(lock_dir);
	test_rm_rf(state_dir);
}

static struct sbx_client *client(void)
{
	struct sbx_client *c = NULL;

	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	return c;
}

static Sandboxd__V1__Response *call(struct sbx_client *c, Sandboxd__V1__Request *req,
				    sbx_client_event_fn fn, void *userdata)
{
	Sandboxd__V1__Response *resp = NULL;

	ck_assert_ok(sbx_client_call(c, req, fn, userdata, &resp));
	ck_assert_msg(resp->body_case != SANDBOXD__V1__RESPONSE__BODY_ERROR, "error: %s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "");
	return resp;
}

static char *create_session(struct sbx_client *c)
{
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *id;

	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	resp = call(c, &req, NULL, NULL);
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

static char *start_job(struct sbx_client *c, const char *sid, const char *script)
{
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *id;

	body.session_id = (char *)sid;
	body.language = (char *)"sh";
	body.code = (char *)script;
	body.background = true;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	resp = call(c, &req, NULL, NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_JOB);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_RUNNING);
	id = strdup(resp->job->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return id;
}

static Sandboxd__V1__Response *job_call(struct sbx_client *c, int which, const char *id,
					uint64_t timeout_ms)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__GetJobRequest g = SANDBOXD__V1__GET_JOB_REQUEST__INIT;
	Sandboxd__V1__WaitJobRequest w = SANDBOXD__V1__WAIT_JOB_REQUEST__INIT;
	Sandboxd__V1__CancelJobRequest x = SANDBOXD__V1__CANCEL_JOB_REQUEST__INIT;

	switch (which) {
	case 'g':
		g.job_id = (char *)id;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_JOB;
		req.get_job = &g;
		break;
	case 'w':
		w.job_id = (char *)id;
		w.timeout_ms = timeout_ms;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_WAIT_JOB;
		req.wait_job = &w;
		break;
	default:
		x.job_id = (char *)id;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_CANCEL_JOB;
		req.cancel_job = &x;
		break;
	}
	return call(c, &req, NULL, NULL);
}

struct collected {
	char buf[4096];
	size_t len;
	uint64_t next_offset;
};

static int collect(const Sandboxd__V1__Event *ev, void *userdata)
{
	struct collected *col = userdata;

	ck_assert_int_eq(ev->body_case, SANDBOXD__V1__EVENT__BODY_OUTPUT);
	ck_assert_uint_eq(ev->output->offset, col->next_offset); /* contiguous, in order */
	ck_assert_uint_lt(col->len + ev->output->data.len, sizeof(col->buf));
	memcpy(col->buf + col->len, ev->output->data.data, ev->output->data.len);
	col->len += ev->output->data.len;
	col->next_offset += ev->output->data.len;
	return 0;
}

START_TEST(test_job_lifecycle)
{
	struct sbx_client *c = client();
	char *sid = create_session(c);
	char *jid =
		start_job(c, sid, "echo one; sleep 0.5; echo two; sleep 0.5; echo three; exit 5");
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__JobLogsRequest logs = SANDBOXD__V1__JOB_LOGS_REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	struct collected col = {};

	/* A short wait times out with the job still running. */
	resp = job_call(c, 'w', jid, 100);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_RUNNING);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* Following the stdout log: everything, in order, then finished. */
	logs.job_id = jid;
	logs.stream = SANDBOXD__V1__STREAM__STREAM_STDOUT;
	logs.follow = true;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_JOB_LOGS;
	req.job_logs = &logs;
	resp = call(c, &req, collect, &col);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_LOGS);
	ck_assert(resp->logs->finished);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	ck_assert_uint_eq(col.len, strlen("one\ntwo\nthree\n"));
	ck_assert(memcmp(col.buf, "one\ntwo\nthree\n", col.len) == 0);

	resp = job_call(c, 'w', jid, 0);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_FINISHED);
	ck_assert_int_eq(resp->job->result->exit_code, 5);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* Resuming from a byte offset. */
	req.id = 0;
	logs.follow = false;
	logs.offset = 4;
	resp = call(c, &req, NULL, NULL);
	ck_assert_uint_eq(resp->logs->n_chunks, 1);
	ck_assert_uint_eq(resp->logs->chunks[0]->offset, 4);
	ck_assert_uint_eq(resp->logs->chunks[0]->data.len, strlen("two\nthree\n"));
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(jid);
	free(sid);
	sbx_client_free(c);
}
END_TEST

START_TEST(test_cancel_and_list)
{
	struct sbx_client *c = client();
	char *sid = create_session(c);
	char *jid = start_job(c, sid, "sleep 60");
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__ListJobsRequest list = SANDBOXD__V1__LIST_JOBS_REQUEST__INIT;
	Sandboxd__V1__Response *resp;

	sandboxd__v1__response__free_unpacked(job_call(c, 'c', jid, 0), NULL);
	resp = job_call(c, 'w', jid, 10000);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_CANCELLED);
	ck_assert_int_eq(resp->job->result->termination,
			 SANDBOXD__V1__TERMINATION__TERMINATION_CANCELLED);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	list.session_id = sid;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_JOBS;
	req.list_jobs = &list;
	resp = call(c, &req, NULL, NULL);
	ck_assert_uint_eq(resp->jobs->n_jobs, 1);
	ck_assert_str_eq(resp->jobs->jobs[0]->id, jid);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(jid);
	free(sid);
	sbx_client_free(c);
}
END_TEST

/* A synchronous exec of a shell script. */
static void sync_exec_request(Sandboxd__V1__Request *req, Sandboxd__V1__ExecRequest *body,
			      const char *sid, const char *script)
{
	sandboxd__v1__request__init(req);
	sandboxd__v1__exec_request__init(body);
	body->session_id = (char *)sid;
	body->language = (char *)"sh";
	body->code = (char *)script;
	req->body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req->exec = body;
}

/* Runs a script synchronously; returns stdout (malloc'd) and the exit code. */
static char *run_sync(struct sbx_client *c, const char *sid, const char *script, int *ret_code)
{
	Sandboxd__V1__ExecRequest body;
	Sandboxd__V1__Request req;
	Sandboxd__V1__Response *resp;
	char *out;

	sync_exec_request(&req, &body, sid, script);
	resp = call(c, &req, NULL, NULL);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT);
	out = resp->exec_result->stdout.len > 0
		      ? strndup((const char *)resp->exec_result->stdout.data,
				resp->exec_result->stdout.len)
		      : strdup("");
	*ret_code = resp->exec_result->exit_code;
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return out;
}

static bool process_named(const char *cmdline)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "pgrep -f '^%s$' >/dev/null", cmdline);
	return system(cmd) == 0;
}

/* SIGKILLs every process in the sandboxes under this test's cgroup parent; returns how many. */
static int kill_test_sandboxes(void)
{
	static const char *const roots[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup"};
	int killed = 0;

	for (size_t i = 0; i < ELEMENTSOF(roots) && killed == 0; i++) {
		char cmd[512];
		FILE *f;
		int pid;

		snprintf(cmd, sizeof(cmd), "cat %s/%s/*/cgroup.procs 2>/dev/null", roots[i],
			 cgroup_parent);
		f = popen(cmd, "re");
		ck_assert_ptr_nonnull(f);
		while (fscanf(f, "%d", &pid) == 1)
			if (kill(pid, SIGKILL) == 0)
				killed++;
		pclose(f);
	}
	return killed;
}

/* A synchronous exec from a client of its own, left hanging in the daemon. */
static pid_t start_hanging_exec(const char *sid, const char *script)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sbx_client *c = NULL;
		Sandboxd__V1__ExecRequest body;
		Sandboxd__V1__Request req;
		Sandboxd__V1__Response *resp = NULL;

		if (sbx_client_connect(daemon_.socket, &c) < 0)
			_exit(1);
		sync_exec_request(&req, &body, sid, script);
		(void)sbx_client_call(c, &req, NULL, NULL, &resp); /* fails when the daemon dies */
		_exit(0);
	}
	return pid;
}

static void restart_takes_over(int sig)
{
	struct sbx_client *c = client();
	char *sid = create_session(c);
	char *done = start_job(c, sid, "echo finished-before");
	char *running, *cancelled, *out;
	Sandboxd__V1__Response *resp;
	pid_t hanging;
	int code;

	resp = job_call(c, 'w', done, 0);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_FINISHED);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	out = run_sync(c, sid, "echo kept > /workspace/f", &code);
	free(out);
	/* Writes on while no daemon reads; its output must all arrive. */
	running = start_job(c, sid, "echo start; sleep 1.5; echo middle; sleep 0.5; echo end");
	cancelled = start_job(c, sid, "exec sleep 61");
	hanging = start_hanging_exec(sid, "exec sleep 62");
	for (int i = 0; i < 200 && !(process_named("sleep 61") && process_named("sleep 62")); i++)
		usleep(10000);
	ck_assert(process_named("sleep 62"));
	sbx_client_free(c);

	test_daemon_kill(&daemon_, sig);
	ck_assert_int_eq(waitpid(hanging, NULL, 0), hanging);
	usleep(300000); /* the session runs on without a daemon */
	start();
	c = client();

	/* The session and its workspace are there. */
	out = run_sync(c, sid, "cat /workspace/f", &code);
	ck_assert_int_eq(code, 0);
	ck_assert_str_eq(out, "kept\n");
	free(out);
	/* A finished result is intact. */
	resp = job_call(c, 'g', done, 0);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_FINISHED);
	ck_assert_uint_eq(resp->job->result->stdout.len, strlen("finished-before\n"));
	ck_assert(memcmp(resp->job->result->stdout.data, "finished-before\n", 16) == 0);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* The running job was taken over and ends with all of its output. */
	resp = job_call(c, 'w', running, 10000);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_FINISHED);
	ck_assert_int_eq(resp->job->result->exit_code, 0);
	ck_assert_uint_eq(resp->job->result->stdout.len, strlen("start\nmiddle\nend\n"));
	ck_assert(memcmp(resp->job->result->stdout.data, "start\nmiddle\nend\n", 17) == 0);
	ck_assert_uint_ge(resp->job->result->wall_usec, 1900000);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* The other one is still ours to cancel. */
	sandboxd__v1__response__free_unpacked(job_call(c, 'c', cancelled, 0), NULL);
	resp = job_call(c, 'w', cancelled, 10000);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_CANCELLED);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* The old daemon's synchronous exec, whose caller is gone, was ended. */
	for (int i = 0; i < 200 && process_named("sleep 62"); i++)
		usleep(10000);
	ck_assert(!process_named("sleep 62"));
	free(done);
	free(running);
	free(cancelled);
	free(sid);
	sbx_client_free(c);
}

START_TEST(test_kill9_takes_over)
{
	restart_takes_over(SIGKILL);
}
END_TEST

START_TEST(test_sigterm_takes_over)
{
	restart_takes_over(SIGTERM);
}
END_TEST

START_TEST(test_session_dies_while_down)
{
	struct sbx_client *c = client();
	char *sid = create_session(c);
	char *running = start_job(c, sid, "exec sleep 63");
	Sandboxd__V1__GetSessionRequest g = SANDBOXD__V1__GET_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp = NULL;

	for (int i = 0; i < 200 && !process_named("sleep 63"); i++)
		usleep(10000);
	sbx_client_free(c);
	test_daemon_kill(&daemon_, SIGKILL);
	/* The whole sandbox dies while no daemon runs: its PID 1 goes, and everything with it. */
	ck_assert_int_gt(kill_test_sandboxes(), 0);
	for (int i = 0; i < 200 && process_named("sleep 63"); i++)
		usleep(10000);
	start();
	c = client();
	resp = job_call(c, 'g', running, 0);
	ck_assert_int_eq(resp->job->state, SANDBOXD__V1__JOB_STATE__JOB_LOST);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	g.session_id = sid;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_SESSION;
	req.get_session = &g;
	ck_assert_ok(sbx_client_call(c, &req, NULL, NULL, &resp));
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__NOT_FOUND);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(running);
	free(sid);
	sbx_client_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-jobs");
	TCase *tc = tcase_create("jobs");

	if (geteuid() != 0) {
		fputs("test-daemon-jobs: needs root\n", stderr);
		return 77;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_job_lifecycle);
	tcase_add_test(tc, test_cancel_and_list);
	tcase_add_test(tc, test_kill9_takes_over);
	tcase_add_test(tc, test_sigterm_takes_over);
	tcase_add_test(tc, test_session_dies_while_down);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
