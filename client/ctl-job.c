/* SPDX-License-Identifier: MIT */
/* sandboxctl job get|wait|cancel|ls|logs, and printing a Job. */
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "io-util.h"
#include "parse-util.h"
#include "units.h"

static const char *job_state_name(Sandboxd__V1__JobState s)
{
	switch (s) {
	case SANDBOXD__V1__JOB_STATE__JOB_RUNNING:
		return "running";
	case SANDBOXD__V1__JOB_STATE__JOB_FINISHED:
		return "finished";
	case SANDBOXD__V1__JOB_STATE__JOB_CANCELLED:
		return "cancelled";
	case SANDBOXD__V1__JOB_STATE__JOB_LOST:
		return "lost";
	default:
		return "unknown";
	}
}

static json_t *job_json(const Sandboxd__V1__Job *j)
{
	json_t *argv = json_array(), *o;

	for (size_t i = 0; i < j->n_argv; i++)
		json_array_append_new(argv, json_string(j->argv[i]));
	o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:I}", "id", j->id, "session_id", j->session_id,
		      "state", job_state_name(j->state), "argv", argv, "created_unix_ms",
		      (json_int_t)j->created_unix_ms, "finished_unix_ms",
		      (json_int_t)j->finished_unix_ms);
	if (o && j->result)
		json_object_set_new(
			o, "result",
			json_pack("{s:i, s:i, s:s%, s:s%, s:b, s:b, s:I, s:I}", "exit_code",
				  j->result->exit_code, "signal", j->result->signal, "stdout",
				  ctl_bytes_str(j->result->stdout.data), j->result->stdout.len,
				  "stderr", ctl_bytes_str(j->result->stderr.data),
				  j->result->stderr.len, "stdout_truncated",
				  j->result->stdout_truncated, "stderr_truncated",
				  j->result->stderr_truncated, "wall_usec",
				  (json_int_t)j->result->wall_usec, "cpu_usec",
				  (json_int_t)j->result->cpu_usec));
	return o;
}

int ctl_print_job(struct ctl *ctl, const Sandboxd__V1__Job *j)
{
	if (ctl->output == CTL_OUTPUT_JSON)
		return ctl_print_json(job_json(j));
	printf("%s  %s  session=%s", j->id, job_state_name(j->state), j->session_id);
	if (j->result)
		printf("  exit=%d", j->result->exit_code);
	for (size_t i = 0; i < j->n_argv && i < 8; i++)
		printf("%s%.40s", i == 0 ? "  " : " ", j->argv[i]);
	putchar('\n');
	fflush(stdout); /* the header before the output written below */
	if (j->result) {
		(void)write_all(STDOUT_FILENO, j->result->stdout.data, j->result->stdout.len);
		(void)write_all(STDERR_FILENO, j->result->stderr.data, j->result->stderr.len);
	}
	return 0;
}

static int answer_job(struct ctl *ctl, Sandboxd__V1__Request *req, bool exit_with_job)
{
	Sandboxd__V1__Response *resp;
	int ret;

	if (exit_with_job)
		ctl_elapsed_start();
	resp = ctl_call(ctl, req, NULL, NULL);
	ctl_elapsed_stop();
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_JOB) < 0)
		return CTL_EXIT_ERROR;
	ret = ctl_print_job(ctl, resp->job);
	/* job wait exits with the command's status once it ended, like exec. */
	if (exit_with_job && resp->job->result && ret == 0)
		ret = resp->job->result->exit_code;
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static int print_chunk(const Sandboxd__V1__Event *ev, void *userdata)
{
	(void)userdata;
	if (ev->body_case == SANDBOXD__V1__EVENT__BODY_OUTPUT)
		(void)write_all(ev->output->stream == SANDBOXD__V1__STREAM__STREAM_STDERR
					? STDERR_FILENO
					: STDOUT_FILENO,
				ev->output->data.data, ev->output->data.len);
	return 0;
}

static int job_logs(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"stream", required_argument, NULL, 's'},
		{"offset", required_argument, NULL, 'o'},
		{},
	};
	Sandboxd__V1__JobLogsRequest body = SANDBOXD__V1__JOB_LOGS_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			body.follow = true;
			break;
		case 's':
			if (strcmp(optarg, "stdout") == 0)
				body.stream = SANDBOXD__V1__STREAM__STREAM_STDOUT;
			else if (strcmp(optarg, "stderr") == 0)
				body.stream = SANDBOXD__V1__STREAM__STREAM_STDERR;
			else
				return ctl_usage_error("--stream '%s': stdout or stderr", optarg);
			break;
		case 'o':
			if (parse_u64(optarg, &body.offset) < 0)
				return ctl_usage_error("--offset '%s': expected bytes", optarg);
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return ctl_usage_error("job logs: expected JOB [--follow] [--stream S --offset N]");
	body.job_id = argv[optind];
	req.body_case = SANDBOXD__V1__REQUEST__BODY_JOB_LOGS;
	req.job_logs = &body;
	resp = ctl_call(ctl, &req, print_chunk, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_LOGS) < 0)
		return CTL_EXIT_ERROR;
	for (size_t i = 0; i < resp->logs->n_chunks; i++) {
		Sandboxd__V1__Event ev = SANDBOXD__V1__EVENT__INIT;

		ev.body_case = SANDBOXD__V1__EVENT__BODY_OUTPUT;
		ev.output = resp->logs->chunks[i];
		(void)print_chunk(&ev, NULL);
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return 0;
}

int ctl_job(struct ctl *ctl, int argc, char **argv)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "get") == 0 && argc == 3) {
		Sandboxd__V1__GetJobRequest b = SANDBOXD__V1__GET_JOB_REQUEST__INIT;

		b.job_id = argv[2];
		req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_JOB;
		req.get_job = &b;
		return answer_job(ctl, &req, false);
	}
	if (strcmp(sub, "wait") == 0 &&
	    (argc == 3 || (argc == 5 && strcmp(argv[3], "--timeout") == 0))) {
		Sandboxd__V1__WaitJobRequest b = SANDBOXD__V1__WAIT_JOB_REQUEST__INIT;
		uint64_t v;

		if (argc == 5) {
			if (units_parse_duration(argv[4], &v) < 0 || v < 1000)
				return ctl_usage_error("--timeout '%s': expected a duration",
						       argv[4]);
			b.timeout_ms = v / 1000;
		}
		b.job_id = argv[2];
		req.body_case = SANDBOXD__V1__REQUEST__BODY_WAIT_JOB;
		req.wait_job = &b;
		return answer_job(ctl, &req, true);
	}
	if (strcmp(sub, "cancel") == 0 && argc == 3) {
		Sandboxd__V1__CancelJobRequest b = SANDBOXD__V1__CANCEL_JOB_REQUEST__INIT;

		b.job_id = argv[2];
		req.body_case = SANDBOXD__V1__REQUEST__BODY_CANCEL_JOB;
		req.cancel_job = &b;
		return answer_job(ctl, &req, false);
	}
	if (strcmp(sub, "ls") == 0 && argc <= 3) {
		Sandboxd__V1__ListJobsRequest b = SANDBOXD__V1__LIST_JOBS_REQUEST__INIT;
		Sandboxd__V1__Response *resp;
		json_t *a = NULL;

		if (argc == 3)
			b.session_id = argv[2];
		req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_JOBS;
		req.list_jobs = &b;
		resp = ctl_call(ctl, &req, NULL, NULL);
		if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_JOBS) < 0)
			return CTL_EXIT_ERROR;
		if (ctl->output == CTL_OUTPUT_JSON)
			a = json_array();
		for (size_t i = 0; i < resp->jobs->n_jobs; i++) {
			if (a)
				json_array_append_new(a, job_json(resp->jobs->jobs[i]));
			else
				(void)ctl_print_job(ctl, resp->jobs->jobs[i]);
		}
		if (a)
			(void)ctl_print_json(a);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return 0;
	}
	if (strcmp(sub, "logs") == 0)
		return job_logs(ctl, argc - 1, argv + 1);
	return ctl_usage_error("job: expected get JOB, wait JOB [--timeout DUR], cancel JOB, "
			       "ls [ID] or logs JOB [--follow]");
}
