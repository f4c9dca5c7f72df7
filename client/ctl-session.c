/* SPDX-License-Identifier: MIT */
/* sandboxctl session create|ls|get|extend|rm. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "macro.h"
#include "parse-util.h"
#include "units.h"

#define CTL_LABELS_MAX 32

static const char *state_name(Sandboxd__V1__SessionState s)
{
	switch (s) {
	case SANDBOXD__V1__SESSION_STATE__SESSION_RUNNING:
		return "running";
	case SANDBOXD__V1__SESSION_STATE__SESSION_PAUSED:
		return "paused";
	case SANDBOXD__V1__SESSION_STATE__SESSION_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

static json_t *session_json(const Sandboxd__V1__Session *s)
{
	json_t *labels = json_object(), *skills = json_array(), *limits, *usage, *o;

	for (size_t i = 0; i < s->n_labels; i++)
		json_object_set_new(labels, s->labels[i]->key, json_string(s->labels[i]->value));
	limits = json_pack("{s:I, s:I, s:i, s:I}", "memory_bytes",
			   (json_int_t)s->limits->memory_bytes, "pids", (json_int_t)s->limits->pids,
			   "cpu_millis", (int)s->limits->cpu_millis, "disk_bytes",
			   (json_int_t)s->limits->disk_bytes);
	usage = json_pack("{s:I, s:I, s:I, s:I, s:I}", "memory_bytes",
			  (json_int_t)s->usage->memory_bytes, "memory_peak_bytes",
			  (json_int_t)s->usage->memory_peak_bytes, "pids",
			  (json_int_t)s->usage->pids, "cpu_usec", (json_int_t)s->usage->cpu_usec,
			  "disk_bytes", (json_int_t)s->usage->disk_bytes);
	for (size_t i = 0; skills && i < s->n_skills; i++)
		json_array_append_new(skills, ctl_json_text(s->skills[i]));
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I}", "id", s->id, "state",
		      state_name(s->state), "image", s->image, "limits", limits, "usage", usage,
		      "labels", labels, "created_unix_ms", (json_int_t)s->created_unix_ms,
		      "expires_unix_ms", (json_int_t)s->expires_unix_ms, "idle_expires_unix_ms",
		      (json_int_t)s->idle_expires_unix_ms);
	/* Instructions are the policy author's free text: "" when the policy has none. */
	if (o && json_object_set_new(o, "policy", ctl_json_text(s->policy_name)) == 0 &&
	    json_object_set_new(o, "skills", skills) == 0 &&
	    json_object_set_new(o, "instructions", ctl_json_text(s->instructions)) == 0)
		return o;
	json_decref(o);
	return NULL;
}

static void print_session(const Sandboxd__V1__Session *s)
{
	char mem[UNITS_TEXT_MAX], disk[UNITS_TEXT_MAX];
	time_t now = time(NULL);

	printf("%s  %s  image=%s  policy=%s  memory=%s pids=%" PRIu64 " disk=%s", s->id,
	       state_name(s->state), s->image, s->policy_name,
	       units_format_size(s->limits->memory_bytes, mem), s->limits->pids,
	       units_format_size(s->limits->disk_bytes, disk));
	if (s->limits->cpu_millis)
		printf(" cpus=%u.%03u", s->limits->cpu_millis / 1000, s->limits->cpu_millis % 1000);
	printf("  expires in %llds", (long long)(s->expires_unix_ms / 1000) - (long long)now);
	printf("  using memory=%s pids=%" PRIu64 " disk=%s",
	       units_format_size(s->usage->memory_bytes / 1024 * 1024, mem), s->usage->pids,
	       units_format_size(s->usage->disk_bytes / 4096 * 4096, disk));
	for (size_t i = 0; i < s->n_labels; i++)
		printf(" %s=%s", s->labels[i]->key, s->labels[i]->value);
	putchar('\n');
}

/* The session's line, then what the agent in it works with: the policy, the skills granted,
 * and the policy's instructions (any number of lines, indented under their heading). */
static void print_session_detail(const Sandboxd__V1__Session *s)
{
	const char *line = s->instructions;

	print_session(s);
	printf("policy: %s\nskills:", s->policy_name);
	for (size_t i = 0; i < s->n_skills; i++)
		printf(" %s", s->skills[i]);
	putchar('\n');
	if (!line || !*line)
		return;
	puts("instructions:");
	while (*line) {
		size_t n = strcspn(line, "\n");

		printf("  %.*s\n", (int)n, line);
		line += n;
		if (*line == '\n')
			line++;
	}
}

/* Parses K=V into a labels entry (pointing into arg). */
static int parse_label(char *arg, Sandboxd__V1__CreateSessionRequest__LabelsEntry *ret)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return ctl_usage_error("--label '%s': expected KEY=VALUE", arg);
	*eq = '\0';
	sandboxd__v1__create_session_request__labels_entry__init(ret);
	ret->key = arg;
	ret->value = eq + 1;
	return 0;
}

static int answer_session(struct ctl *ctl, Sandboxd__V1__Request *req, bool detail)
{
	Sandboxd__V1__Response *resp = ctl_call(ctl, req, NULL, NULL);
	int ret = 0;

	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_SESSION) < 0)
		return CTL_EXIT_ERROR;
	if (ctl->output == CTL_OUTPUT_JSON)
		ret = ctl_print_json(session_json(resp->session));
	else if (detail)
		print_session_detail(resp->session);
	else
		print_session(resp->session);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static int session_create(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"image", required_argument, NULL, 'i'},
		{"memory", required_argument, NULL, 'm'},
		{"pids", required_argument, NULL, 'p'},
		{"cpus", required_argument, NULL, 'c'},
		{"disk", required_argument, NULL, 'd'},
		{"ttl", required_argument, NULL, 't'},
		{"idle-ttl", required_argument, NULL, 'I'},
		{"label", required_argument, NULL, 'l'},
		{"policy", required_argument, NULL, 'P'},
		{"skill", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{},
	};
	bool quiet = false;
	Sandboxd__V1__CreateSessionRequest__LabelsEntry labels[CTL_LABELS_MAX];
	Sandboxd__V1__CreateSessionRequest__LabelsEntry *label_ptrs[CTL_LABELS_MAX];
	Sandboxd__V1__CreateSessionRequest body = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Limits limits = SANDBOXD__V1__LIMITS__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	_cleanup_free_ char *policy_text = NULL;
	char *skills[CTL_SKILLS_MAX];
	uint64_t v;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'i':
			body.image = optarg;
			break;
		case 'm':
			if (units_parse_size(optarg, &limits.memory_bytes) < 0)
				return ctl_usage_error("--memory '%s': expected a size like 512Mi",
						       optarg);
			break;
		case 'd':
			if (units_parse_size(optarg, &limits.disk_bytes) < 0)
				return ctl_usage_error("--disk '%s': expected a size like 1Gi",
						       optarg);
			break;
		case 'p':
			if (parse_u64_range(optarg, 1, UINT32_MAX, &limits.pids) < 0)
				return ctl_usage_error("--pids '%s': expected a number", optarg);
			break;
		case 'c':
			if (units_parse_cpus(optarg, &v) < 0 || v > UINT32_MAX)
				return ctl_usage_error("--cpus '%s': expected a number like 0.5",
						       optarg);
			limits.cpu_millis = (uint32_t)v;
			break;
		case 't':
		case 'I':
			if (units_parse_duration(optarg, &v) < 0 || v < 1000)
				return ctl_usage_error("--%s '%s': expected a duration like 1h",
						       c == 't' ? "ttl" : "idle-ttl", optarg);
			if (c == 't')
				body.ttl_ms = v / 1000;
			else
				body.idle_ttl_ms = v / 1000;
			break;
		case 'l':
			if (body.n_labels >= CTL_LABELS_MAX)
				return ctl_usage_error("at most %d labels", CTL_LABELS_MAX);
			if (parse_label(optarg, &labels[body.n_labels]) != 0)
				return CTL_EXIT_USAGE;
			label_ptrs[body.n_labels] = &labels[body.n_labels];
			body.n_labels++;
			break;
		case 'P':
			free(policy_text); /* the last --policy counts */
			policy_text = NULL;
			if (ctl_policy_option(optarg, &body, &policy_text) != 0)
				return CTL_EXIT_USAGE;
			break;
		case 's':
			if (body.n_skills >= CTL_SKILLS_MAX)
				return ctl_usage_error("at most %d skills", CTL_SKILLS_MAX);
			skills[body.n_skills++] = optarg;
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return ctl_usage_error("session create: unexpected argument '%s'", argv[optind]);
	body.labels = label_ptrs;
	body.skills = skills;
	body.limits = &limits;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	if (quiet) { /* the id alone, for scripts: id=$(sandboxctl session create -q) */
		Sandboxd__V1__Response *resp = ctl_call(ctl, &req, NULL, NULL);

		if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_SESSION) < 0)
			return CTL_EXIT_ERROR;
		puts(resp->session->id);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return 0;
	}
	return answer_session(ctl, &req, true);
}

static int session_ls(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"label", required_argument, NULL, 'l'},
		{},
	};
	Sandboxd__V1__ListSessionsRequest__LabelsEntry labels[CTL_LABELS_MAX];
	Sandboxd__V1__ListSessionsRequest__LabelsEntry *label_ptrs[CTL_LABELS_MAX];
	Sandboxd__V1__ListSessionsRequest body = SANDBOXD__V1__LIST_SESSIONS_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	int c, ret = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		char *eq;

		if (c != 'l')
			return CTL_EXIT_USAGE;
		eq = strchr(optarg, '=');
		if (!eq || eq == optarg || body.n_labels >= CTL_LABELS_MAX)
			return ctl_usage_error("--label '%s': expected KEY=VALUE", optarg);
		*eq = '\0';
		sandboxd__v1__list_sessions_request__labels_entry__init(&labels[body.n_labels]);
		labels[body.n_labels].key = optarg;
		labels[body.n_labels].value = eq + 1;
		label_ptrs[body.n_labels] = &labels[body.n_labels];
		body.n_labels++;
	}
	if (optind < argc)
		return ctl_usage_error("session ls: unexpected argument '%s'", argv[optind]);
	body.labels = label_ptrs;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_SESSIONS;
	req.list_sessions = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_SESSIONS) < 0)
		return CTL_EXIT_ERROR;
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; i < resp->sessions->n_sessions; i++)
			json_array_append_new(a, session_json(resp->sessions->sessions[i]));
		ret = ctl_print_json(a);
	} else
		for (size_t i = 0; i < resp->sessions->n_sessions; i++)
			print_session(resp->sessions->sessions[i]);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static int session_get(struct ctl *ctl, char *id)
{
	Sandboxd__V1__GetSessionRequest body = SANDBOXD__V1__GET_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = id;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_SESSION;
	req.get_session = &body;
	return answer_session(ctl, &req, true);
}

static int session_extend(struct ctl *ctl, char *id, const char *dur)
{
	Sandboxd__V1__ExtendSessionRequest body = SANDBOXD__V1__EXTEND_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	uint64_t v;

	if (units_parse_duration(dur, &v) < 0 || v < 1000)
		return ctl_usage_error("session extend: '%s': expected a duration like 30m", dur);
	body.session_id = id;
	body.extend_ms = v / 1000;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXTEND_SESSION;
	req.extend_session = &body;
	return answer_session(ctl, &req, false);
}

static int session_rm(struct ctl *ctl, char *id)
{
	Sandboxd__V1__DestroySessionRequest body = SANDBOXD__V1__DESTROY_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;

	body.session_id = id;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_DESTROY_SESSION;
	req.destroy_session = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_DESTROYED) < 0)
		return CTL_EXIT_ERROR;
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return 0;
}

static int session_pause(struct ctl *ctl, char *id, bool pause)
{
	Sandboxd__V1__PauseSessionRequest p = SANDBOXD__V1__PAUSE_SESSION_REQUEST__INIT;
	Sandboxd__V1__ResumeSessionRequest r = SANDBOXD__V1__RESUME_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	if (pause) {
		p.session_id = id;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_PAUSE_SESSION;
		req.pause_session = &p;
	} else {
		r.session_id = id;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_RESUME_SESSION;
		req.resume_session = &r;
	}
	return answer_session(ctl, &req, false);
}

int ctl_session(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "create") == 0)
		return session_create(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "ls") == 0)
		return session_ls(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "get") == 0 && argc == 3)
		return session_get(ctl, argv[2]);
	if (strcmp(sub, "extend") == 0 && argc == 4)
		return session_extend(ctl, argv[2], argv[3]);
	if (strcmp(sub, "rm") == 0 && argc == 3)
		return session_rm(ctl, argv[2]);
	if ((strcmp(sub, "pause") == 0 || strcmp(sub, "resume") == 0) && argc == 3)
		return session_pause(ctl, argv[2], strcmp(sub, "pause") == 0);
	return ctl_usage_error("session: expected create, ls, get ID, extend ID DUR, pause ID, "
			       "resume ID or rm ID");
}
