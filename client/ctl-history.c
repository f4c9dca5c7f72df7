/* SPDX-License-Identifier: MIT */
/* sandboxctl history ID: a session's tool calls with the policy's decision on each, as the
 * daemon keeps them (sandboxd/history.c). Explaining a call without a session is
 * ctl-policy.c. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "parse-util.h"

/* Prints s with control characters as '?': a target is an agent's argv[0] or path, and must
 * not be able to move the cursor or recolour the operator's terminal. */
static void print_field(const char *s)
{
	if (!s || !*s) {
		fputc('-', stdout);
		return;
	}
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stdout);
}

static void print_entry(const Sandboxd__V1__HistoryEntry *e)
{
	time_t t = (time_t)(e->unix_ms / 1000);
	char when[16] = "??:??:??";
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("%s.%03u  %s  ", when, (unsigned)(e->unix_ms % 1000), e->allowed ? "allow" : "deny");
	print_field(e->tool);
	fputs("  ", stdout);
	print_field(e->skill);
	fputs("  ", stdout);
	print_field(e->target);
	fputs("  ", stdout);
	print_field(e->rule);
	fputc('\n', stdout);
	if (!e->allowed && e->reason && *e->reason) {
		fputs("    ", stdout);
		print_field(e->reason);
		fputc('\n', stdout);
	}
}

static json_t *entry_json(const Sandboxd__V1__HistoryEntry *e)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:b, s:o, s:o}", "unix_ms", (json_int_t)e->unix_ms,
			 "tool", ctl_json_text(e->tool), "skill", ctl_json_text(e->skill), "target",
			 ctl_json_text(e->target), "allowed", e->allowed, "rule",
			 ctl_json_text(e->rule), "reason", ctl_json_text(e->reason));
}

int ctl_history(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"limit", required_argument, NULL, 'n'},
		{},
	};
	Sandboxd__V1__GetHistoryRequest body = SANDBOXD__V1__GET_HISTORY_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__History *h;
	uint64_t v;
	int c, ret = 0;

	if (argc < 2)
		return ctl_usage_error("history: expected ID [--limit N]");
	body.session_id = argv[1];
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "+", opts, NULL)) != -1) {
		if (c != 'n')
			return CTL_EXIT_USAGE;
		if (parse_u64_range(optarg, 0, UINT32_MAX, &v) < 0)
			return ctl_usage_error("--limit '%s': expected a number (0: all)", optarg);
		body.limit = (uint32_t)v;
	}
	if (optind < argc - 1)
		return ctl_usage_error("history: unexpected argument '%s'", argv[1 + optind]);
	req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_HISTORY;
	req.get_history = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_HISTORY) < 0)
		return CTL_EXIT_ERROR;
	h = resp->history;
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < h->n_entries; i++)
			json_array_append_new(a, entry_json(h->entries[i]));
		ret = ctl_print_json(
			json_pack("{s:o, s:I}", "entries", a, "dropped", (json_int_t)h->dropped));
	} else {
		for (size_t i = 0; i < h->n_entries; i++)
			print_entry(h->entries[i]);
		if (h->dropped > 0)
			printf("(%" PRIu64 " older entries no longer kept)\n", h->dropped);
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}
