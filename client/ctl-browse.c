/* SPDX-License-Identifier: MIT */
/* sandboxctl browse ID URL [--skill S] [--max-bytes SIZE] [--timeout DUR]: a page fetched and
 * turned into text inside the session; text output is the title, the text and the links. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "units.h"

int ctl_browse(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"skill", required_argument, NULL, 's'},
		{"max-bytes", required_argument, NULL, 'b'},
		{"timeout", required_argument, NULL, 't'},
		{},
	};
	Sandboxd__V1__BrowseRequest body = SANDBOXD__V1__BROWSE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__Page *pg;
	uint64_t v;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			body.skill = optarg;
			break;
		case 'b':
			if (units_parse_size(optarg, &v) < 0)
				return ctl_usage_error("browse --max-bytes '%s': not a size",
						       optarg);
			body.max_bytes = v;
			break;
		case 't':
			if (units_parse_duration(optarg, &v) < 0)
				return ctl_usage_error("browse --timeout '%s': not a duration",
						       optarg);
			body.timeout_ms = v / 1000;
			break;
		default:
			return ctl_usage_error("browse ID URL [--skill S] [--max-bytes SIZE] "
					       "[--timeout DUR]");
		}
	}
	if (argc - optind != 2)
		return ctl_usage_error("browse takes a session id and a URL");
	body.session_id = argv[optind];
	body.url = argv[optind + 1];
	req.body_case = SANDBOXD__V1__REQUEST__BODY_BROWSE;
	req.browse = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_PAGE) < 0)
		return CTL_EXIT_ERROR;
	pg = resp->page;
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *links = json_array();

		for (size_t i = 0; i < pg->n_links; i++)
			json_array_append_new(links, json_string(pg->links[i]));
		ret = ctl_print_json(json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:b, s:i}", "url",
					       pg->url, "status", (int)pg->status, "content_type",
					       pg->content_type, "title", pg->title, "text",
					       pg->text, "links", links, "truncated", pg->truncated,
					       "redirects", (int)pg->redirects));
	} else {
		printf("%s  %d  %s%s\n", pg->url, (int)pg->status, pg->content_type,
		       pg->truncated ? "  (truncated)" : "");
		if (pg->title[0])
			printf("# %s\n", pg->title);
		if (pg->text[0])
			printf("\n%s%s", pg->text,
			       pg->text[strlen(pg->text) - 1] == '\n' ? "" : "\n");
		if (pg->n_links > 0)
			printf("\nlinks:\n");
		for (size_t i = 0; i < pg->n_links; i++)
			printf("  %s\n", pg->links[i]);
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}
