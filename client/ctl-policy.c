/* SPDX-License-Identifier: MIT */
/* sandboxctl policy check|explain, which run here, without the daemon, on the same policy/
 * code the daemon decides with; and the --policy NAME|FILE option of session create and
 * oneshot. Sending the session's policy is ctl-session.c and ctl-exec.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"
#include "decide.h"
#include "io-util.h"
#include "macro.h"
#include "policy-load.h"
#include "policy.h"
#include "units.h"

int ctl_policy_option(const char *arg, Sandboxd__V1__CreateSessionRequest *cs, char **ret_text)
{
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	/* A name never contains '/' (docs/policy.md), so "./x.yaml" is always a file. */
	if (!strchr(arg, '/') && (stat(arg, &st) < 0 || !S_ISREG(st.st_mode))) {
		cs->policy_name = (char *)arg;
		cs->policy_text = (char *)"";
		*ret_text = NULL;
		return 0;
	}
	buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf)
		return ctl_usage_error("--policy '%s': %s", arg, strerror(ENOMEM));
	n = read_file_at(AT_FDCWD, arg, buf, POLICY_FILE_MAX + 1);
	if (n == -EFBIG)
		return ctl_usage_error("--policy '%s': larger than %u bytes", arg, POLICY_FILE_MAX);
	if (n < 0)
		return ctl_usage_error("--policy '%s': %s", arg, strerror((int)-n));
	/* The wire's policy_text is a string: a NUL would cut it short without a word. */
	if (memchr(buf, '\0', (size_t)n))
		return ctl_usage_error("--policy '%s': contains a NUL byte", arg);
	cs->policy_name = (char *)"";
	cs->policy_text = buf;
	*ret_text = TAKE_PTR(buf);
	return 0;
}

static json_t *skills_json(const struct policy *p)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < p->n_skills; i++)
		json_array_append_new(a, json_string(p->skills[i].name));
	return a;
}

static int policy_check(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_(json_decrefp) json_t *all = NULL;
	bool all_ok = true;

	if (argc < 2)
		return ctl_usage_error("policy check: expected FILE...");
	if (ctl->output == CTL_OUTPUT_JSON) {
		all = json_array();
		if (!all)
			return CTL_EXIT_ERROR;
	}
	for (int i = 1; i < argc; i++) {
		_cleanup_(policy_freep) struct policy *p = NULL;
		struct sbx_error e = {};
		int r;

		r = policy_load_file(argv[i], &p, &e);
		if (r < 0)
			all_ok = false;
		if (all) {
			json_t *o =
				r < 0 ? json_pack("{s:s, s:b, s:o}", "file", argv[i], "ok", 0,
						  "error", ctl_json_text(e.msg))
				      : json_pack("{s:s, s:b, s:s, s:o}", "file", argv[i], "ok", 1,
						  "policy", p->name, "skills", skills_json(p));

			if (!o || json_array_append_new(all, o) < 0)
				return CTL_EXIT_ERROR;
		} else if (r < 0)
			fprintf(stderr, "%s\n", e.msg);
		else
			printf("%s: ok (policy %s, %zu skill%s)\n", argv[i], p->name, p->n_skills,
			       p->n_skills == 1 ? "" : "s");
	}
	if (all && ctl_print_json(TAKE_PTR(all)) != 0)
		return CTL_EXIT_ERROR;
	return all_ok ? 0 : CTL_EXIT_ERROR;
}

/* The tool's argument option; which option a tool takes (struct policy_call in decide.h). */
enum explain_arg { ARG_NONE, ARG_PATH, ARG_HOST, ARG_LANG, ARG_ARGV0 };

static bool tool_takes(enum policy_tool t, enum explain_arg a)
{
	switch (t) {
	case POLICY_TOOL_EXEC:
		return a == ARG_LANG || a == ARG_ARGV0;
	case POLICY_TOOL_BROWSE:
	case POLICY_TOOL_NETWORK:
		return a == ARG_HOST;
	default:
		return a == ARG_PATH;
	}
}

static int usage_tool(const char *arg)
{
	char list[128] = "";

	for (int i = 0; i < _POLICY_TOOL_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0			     ? ""
			 : i == _POLICY_TOOL_MAX - 1 ? " or "
						     : ", ",
			 policy_tool_to_string((enum policy_tool)i));
	return ctl_usage_error("policy explain: --tool '%s': expected %s", arg, list);
}

static const char *cap_text(uint64_t v, bool duration, char buf[static UNITS_TEXT_MAX])
{
	if (v == 0)
		return "the daemon's default";
	return duration ? units_format_duration(v, buf) : units_format_size(v, buf);
}

static int explain_print(struct ctl *ctl, const char *file, const char *skill,
			 const struct policy_call *call, const struct policy_decision *d)
{
	bool caps = call->tool == POLICY_TOOL_EXEC || call->tool == POLICY_TOOL_BROWSE;
	const char *bytes_key = call->tool == POLICY_TOOL_EXEC ? "max_output" : "max_bytes";
	char buf[UNITS_TEXT_MAX];

	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "file", file, "skill",
				      skill, "tool", policy_tool_to_string(call->tool), "allow",
				      d->allow, "rule", ctl_json_text(d->rule), "reason",
				      ctl_json_text(d->reason));

		if (!o)
			return -ENOMEM;
		if (d->allow && call->path)
			json_object_set_new(o, "path", ctl_json_text(d->path));
		if (d->allow && call->host)
			json_object_set_new(o, "host", json_string(d->host.name));
		if (d->allow && caps) {
			json_object_set_new(o, "timeout_usec",
					    json_integer((json_int_t)d->timeout_usec));
			json_object_set_new(o, bytes_key, json_integer((json_int_t)d->max_bytes));
		}
		return ctl_print_json(o) == 0 ? 0 : -ENOMEM;
	}
	printf("%s\nrule: %s\nreason: %s\n", d->allow ? "allow" : "deny", d->rule, d->reason);
	if (!d->allow)
		return 0;
	if (call->path)
		printf("path: %s\n", d->path);
	if (call->host)
		printf("host: %s\n", d->host.name);
	if (caps) {
		printf("timeout: %s\n", cap_text(d->timeout_usec, true, buf));
		printf("%s: %s\n", bytes_key, cap_text(d->max_bytes, false, buf));
	}
	return 0;
}

static int policy_explain(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"skill", required_argument, NULL, 's'},
		{"tool", required_argument, NULL, 't'},
		{"path", required_argument, NULL, ARG_PATH},
		{"host", required_argument, NULL, ARG_HOST},
		{"lang", required_argument, NULL, ARG_LANG},
		{"argv0", required_argument, NULL, ARG_ARGV0},
		{"timeout", required_argument, NULL, 'T'},
		{"max-bytes", required_argument, NULL, 'B'},
		{},
	};
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct policy_call call = {.tool = _POLICY_TOOL_INVALID};
	enum explain_arg arg = ARG_NONE;
	const char *skill = NULL, *tool = NULL, *value = NULL, *file;
	struct policy_skill_set granted = {};
	struct policy_decision d;
	struct sbx_error e = {};
	int c, r, k;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			skill = optarg;
			break;
		case 't':
			tool = optarg;
			break;
		case ARG_PATH:
		case ARG_HOST:
		case ARG_LANG:
		case ARG_ARGV0:
			if (arg != ARG_NONE)
				return ctl_usage_error("policy explain: give one of --path, "
						       "--host, --lang, --argv0");
			arg = (enum explain_arg)c;
			value = optarg;
			break;
		case 'T':
			if (units_parse_duration(optarg, &call.timeout_usec) < 0)
				return ctl_usage_error("--timeout '%s': expected a duration like "
						       "30s",
						       optarg);
			break;
		case 'B':
			if (units_parse_size(optarg, &call.max_bytes) < 0)
				return ctl_usage_error("--max-bytes '%s': expected a size like 1Mi",
						       optarg);
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return ctl_usage_error("policy explain: expected one FILE");
	file = argv[optind];
	if (!skill || !tool)
		return ctl_usage_error("policy explain: --skill and --tool are required");
	call.tool = policy_tool_from_string(tool);
	if (call.tool < 0)
		return usage_tool(tool);
	if (arg == ARG_NONE || !tool_takes(call.tool, arg))
		return ctl_usage_error("policy explain: --tool %s takes %s", tool,
				       call.tool == POLICY_TOOL_EXEC ? "--lang L or --argv0 CMD"
				       : call.tool == POLICY_TOOL_BROWSE ||
						       call.tool == POLICY_TOOL_NETWORK
					       ? "--host H"
					       : "--path P");
	if ((call.timeout_usec || call.max_bytes) && call.tool != POLICY_TOOL_EXEC &&
	    call.tool != POLICY_TOOL_BROWSE)
		return ctl_usage_error("policy explain: --timeout and --max-bytes apply to exec "
				       "and browse only");
	switch (arg) {
	case ARG_PATH:
		call.path = value;
		break;
	case ARG_HOST:
		call.host = value;
		break;
	case ARG_LANG:
		call.language = value;
		break;
	default:
		call.argv0 = value;
		break;
	}

	r = policy_load_file(file, &p, &e);
	if (r < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return CTL_EXIT_ERROR;
	}
	/* The session this explains holds the one skill, as `session create --skill S` would. */
	k = policy_skill_index(p, skill);
	if (k < 0) {
		fprintf(stderr, "sandboxctl: policy '%s' in '%s' has no skill '%s' (it has",
			p->name, file, skill);
		for (size_t i = 0; i < p->n_skills; i++)
			fprintf(stderr, " %s", p->skills[i].name);
		fputs(")\n", stderr);
		return CTL_EXIT_ERROR;
	}
	policy_skill_set_add(&granted, (size_t)k);
	call.skill = skill;
	(void)policy_decide(p, &granted, &call, &d);
	if (explain_print(ctl, file, skill, &call, &d) < 0)
		return CTL_EXIT_ERROR;
	return d.allow ? 0 : CTL_EXIT_ERROR;
}

int ctl_policy(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "check") == 0)
		return policy_check(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "explain") == 0)
		return policy_explain(ctl, argc - 1, argv + 1);
	return ctl_usage_error("policy: expected check FILE... or explain FILE --skill S --tool T "
			       "...");
}
