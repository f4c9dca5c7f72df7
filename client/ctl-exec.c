/* SPDX-License-Identifier: MIT */
/* sandboxctl exec and run: the command's output is streamed to our stdout and stderr as it
 * arrives, and sandboxctl exits with the command's status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "io-util.h"
#include "macro.h"
#include "units.h"

#define CTL_ENV_MAX  1024
#define CTL_FILE_MAX (8U << 20)

/* Reads a whole file (or stdin for "-") of at most CTL_FILE_MAX bytes. */
static int read_input(const char *path, uint8_t **ret, size_t *ret_len)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 65536;
	uint8_t *buf;

	if (fd < 0)
		return negative_errno();
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			uint8_t *p;

			if (cap >= CTL_FILE_MAX) {
				free(buf);
				return -EFBIG;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int on_event(const Sandboxd__V1__Event *ev, void *userdata)
{
	(void)userdata;
	if (ev->body_case != SANDBOXD__V1__EVENT__BODY_OUTPUT)
		return 0;
	ctl_elapsed_stop(); /* the output itself shows progress from here on */
	(void)write_all(ev->output->stream == SANDBOXD__V1__STREAM__STREAM_STDERR ? STDERR_FILENO
										  : STDOUT_FILENO,
			ev->output->data.data, ev->output->data.len);
	return 0;
}

static const char *termination_name(Sandboxd__V1__Termination t)
{
	switch (t) {
	case SANDBOXD__V1__TERMINATION__TERMINATION_EXITED:
		return "exited";
	case SANDBOXD__V1__TERMINATION__TERMINATION_SIGNALED:
		return "signaled";
	case SANDBOXD__V1__TERMINATION__TERMINATION_TIMEOUT:
		return "timeout";
	case SANDBOXD__V1__TERMINATION__TERMINATION_OOM:
		return "oom";
	case SANDBOXD__V1__TERMINATION__TERMINATION_CANCELLED:
		return "cancelled";
	default:
		return "unknown";
	}
}

/* Sends the Exec request; prints the result; returns the command's exit status. */
static int do_exec(struct ctl *ctl, Sandboxd__V1__ExecRequest *body)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__ExecResult *r;
	int ret;

	/* Text output streams as it comes; JSON is one object at the end. */
	body->stream = ctl->output == CTL_OUTPUT_TEXT && !body->background;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = body;
	if (body->background) {
		resp = ctl_call(ctl, &req, NULL, NULL);
		if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_JOB) < 0)
			return CTL_EXIT_ERROR;
		if (ctl->output == CTL_OUTPUT_JSON)
			ret = ctl_print_job(ctl, resp->job);
		else
			ret = printf("%s\n", resp->job->id) < 0;
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return ret;
	}
	ctl_elapsed_start();
	resp = ctl_call(ctl, &req, body->stream ? on_event : NULL, NULL);
	ctl_elapsed_stop();
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT) < 0)
		return CTL_EXIT_ERROR;
	r = resp->exec_result;
	ret = r->exit_code;
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *j = json_pack(
			"{s:s, s:i, s:i, s:s%, s:s%, s:b, s:b, s:I, s:I, s:I}", "termination",
			termination_name(r->termination), "exit_code", r->exit_code, "signal",
			r->signal, "stdout", ctl_bytes_str(r->stdout.data), r->stdout.len, "stderr",
			ctl_bytes_str(r->stderr.data), r->stderr.len, "stdout_truncated",
			r->stdout_truncated, "stderr_truncated", r->stderr_truncated, "wall_usec",
			(json_int_t)r->wall_usec, "cpu_usec", (json_int_t)r->cpu_usec,
			"peak_memory_bytes", (json_int_t)r->peak_memory_bytes);
		if (!j) /* output that is not UTF-8 cannot be a JSON string */
			fprintf(stderr, "sandboxctl: output is not UTF-8; use -o text\n");
		else
			(void)ctl_print_json(j);
	} else if (r->termination == SANDBOXD__V1__TERMINATION__TERMINATION_TIMEOUT ||
		   r->termination == SANDBOXD__V1__TERMINATION__TERMINATION_OOM)
		fprintf(stderr, "sandboxctl: killed: %s\n",
			r->termination == SANDBOXD__V1__TERMINATION__TERMINATION_OOM
				? "the session's memory limit was exceeded"
				: "timeout");
	if (r->stdout_truncated || r->stderr_truncated)
		fprintf(stderr, "sandboxctl: output over the cap was cut from the middle\n");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

struct exec_opts {
	Sandboxd__V1__ExecRequest__EnvEntry env[CTL_ENV_MAX];
	Sandboxd__V1__ExecRequest__EnvEntry *env_ptrs[CTL_ENV_MAX];
	uint8_t *stdin_data;
};

/* Options shared by exec and run; returns 0, or a usage exit status. */
static int parse_common(int c, const char *arg, Sandboxd__V1__ExecRequest *body,
			struct exec_opts *o)
{
	uint64_t v;
	int r;

	switch (c) {
	case 't':
		if (units_parse_duration(arg, &v) < 0 || v < 1000)
			return ctl_usage_error("--timeout '%s': expected a duration like 30s", arg);
		body->timeout_ms = v / 1000;
		return 0;
	case 'i':
		r = read_input(arg, &o->stdin_data, &body->stdin.len);
		if (r < 0)
			return ctl_usage_error("--stdin '%s': %s", arg, strerror(-r));
		body->stdin.data = o->stdin_data;
		return 0;
	case 'e': {
		char *eq = strchr(arg, '=');

		if (!eq || eq == arg || body->n_env >= CTL_ENV_MAX)
			return ctl_usage_error("--env '%s': expected KEY=VALUE", arg);
		sandboxd__v1__exec_request__env_entry__init(&o->env[body->n_env]);
		o->env[body->n_env].key = strndup(arg, (size_t)(eq - arg));
		o->env[body->n_env].value = eq + 1;
		o->env_ptrs[body->n_env] = &o->env[body->n_env];
		body->n_env++;
		body->env = o->env_ptrs;
		return 0;
	}
	case 'C':
		body->cwd = (char *)arg;
		return 0;
	default:
		return CTL_EXIT_USAGE;
	}
}

static void exec_opts_done(struct exec_opts *o, Sandboxd__V1__ExecRequest *body)
{
	for (size_t i = 0; i < body->n_env; i++)
		free(o->env[i].key);
	free(o->stdin_data);
}

int ctl_exec(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"timeout", required_argument, NULL, 't'},
		{"stdin", required_argument, NULL, 'i'},
		{"env", required_argument, NULL, 'e'},
		{"cwd", required_argument, NULL, 'C'},
		{"skill", required_argument, NULL, 's'},
		{"background", no_argument, NULL, 'b'},
		{},
	};
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	static struct exec_opts o;
	int c, r;

	if (argc < 2)
		return ctl_usage_error("exec: expected ID [OPTIONS] -- ARGV...");
	body.session_id = argv[1];
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "+", opts, NULL)) != -1) {
		if (c == 's') {
			body.skill = optarg;
			continue;
		}
		if (c == 'b') {
			body.background = true;
			continue;
		}
		r = parse_common(c, optarg, &body, &o);
		if (r != 0)
			return r;
	}
	if (optind >= argc - 1)
		return ctl_usage_error("exec: no command given");
	body.argv = argv + 1 + optind;
	body.n_argv = (size_t)(argc - 1 - optind);
	r = do_exec(ctl, &body);
	exec_opts_done(&o, &body);
	return r;
}

int ctl_run(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"lang", required_argument, NULL, 'l'},
		{"timeout", required_argument, NULL, 't'},
		{"stdin", required_argument, NULL, 'i'},
		{"env", required_argument, NULL, 'e'},
		{"cwd", required_argument, NULL, 'C'},
		{"skill", required_argument, NULL, 's'},
		{},
	};
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	static struct exec_opts o;
	uint8_t *code_file = NULL;
	char *owned_code = NULL;
	size_t code_len;
	int c, r;

	if (argc < 2)
		return ctl_usage_error("run: expected ID --lang LANG (-c CODE | FILE)");
	body.session_id = argv[1];
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "+c:", opts, NULL)) != -1) {
		if (c == 'l')
			body.language = optarg;
		else if (c == 's')
			body.skill = optarg;
		else if (c == 'c')
			body.code = optarg;
		else {
			r = parse_common(c, optarg, &body, &o);
			if (r != 0)
				return r;
		}
	}
	/* protobuf-c initialises strings to "", not NULL. */
	if (!*body.language)
		return ctl_usage_error("run: --lang is required (python, bash, sh or node)");
	if (!*body.code) {
		if (optind != argc - 2)
			return ctl_usage_error("run: give -c CODE or one FILE");
		r = read_input(argv[1 + optind], &code_file, &code_len);
		if (r < 0)
			return ctl_usage_error("run: '%s': %s", argv[1 + optind], strerror(-r));
		if (memchr(code_file, 0, code_len)) {
			free(code_file);
			return ctl_usage_error("run: '%s' contains a NUL byte", argv[1 + optind]);
		}
		owned_code = strndup((char *)code_file, code_len);
		free(code_file);
		if (!owned_code)
			return CTL_EXIT_ERROR;
		body.code = owned_code;
	} else if (optind != argc - 1)
		return ctl_usage_error("run: unexpected argument '%s'", argv[1 + optind]);
	r = do_exec(ctl, &body);
	free(owned_code);
	exec_opts_done(&o, &body);
	return r;
}

int ctl_oneshot(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"image", required_argument, NULL, 'i'},   {"memory", required_argument, NULL, 'm'},
		{"timeout", required_argument, NULL, 't'}, {"policy", required_argument, NULL, 'P'},
		{"skill", required_argument, NULL, 's'},   {},
	};
	Sandboxd__V1__CreateSessionRequest cs = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__DestroySessionRequest ds = SANDBOXD__V1__DESTROY_SESSION_REQUEST__INIT;
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Limits limits = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	_cleanup_free_ char *policy_text = NULL;
	char *skills[1];
	char *id;
	uint64_t v;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			cs.image = optarg;
			break;
		case 'm':
			if (units_parse_size(optarg, &limits.memory_bytes) < 0)
				return ctl_usage_error("--memory '%s': expected a size", optarg);
			break;
		case 't':
			if (units_parse_duration(optarg, &v) < 0 || v < 1000)
				return ctl_usage_error("--timeout '%s': expected a duration",
						       optarg);
			body.timeout_ms = v / 1000;
			break;
		case 'P':
			free(policy_text); /* the last --policy counts */
			policy_text = NULL;
			if (ctl_policy_option(optarg, &cs, &policy_text) != 0)
				return CTL_EXIT_USAGE;
			break;
		case 's':
			/* One command, so one skill: the session holds it and the exec names it. */
			if (cs.n_skills > 0)
				return ctl_usage_error("oneshot: give --skill once");
			skills[0] = optarg;
			cs.skills = skills;
			cs.n_skills = 1;
			body.skill = optarg;
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return ctl_usage_error("oneshot: no command given");
	cs.limits = &limits;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &cs;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_SESSION) < 0)
		return CTL_EXIT_ERROR;
	id = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	if (!id)
		return CTL_EXIT_ERROR;

	body.session_id = id;
	body.argv = argv + optind;
	body.n_argv = (size_t)(argc - optind);
	ret = do_exec(ctl, &body);

	req = (Sandboxd__V1__Request)SANDBOXD__V1__REQUEST__INIT;
	ds.session_id = id;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_DESTROY_SESSION;
	req.destroy_session = &ds;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (resp)
		sandboxd__v1__response__free_unpacked(resp, NULL);
	free(id);
	return ret;
}
