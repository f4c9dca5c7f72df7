/* SPDX-License-Identifier: MIT */
/* Fuzz target for tools/browse-html.c: a fetched page (hostile markup) turned into title, text
 * and links. Checks every limit and that each string out is valid UTF-8 without NUL, links
 * only http(s) and distinct. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "browse-html.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max || !utf8_is_valid(s, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct browse_html_page page = {};
	/* A small text limit so that cutting is exercised too. */
	size_t text_max = size > 0 && data[0] & 1 ? 64 : BROWSE_HTML_TEXT_MAX;

	if (browse_html_extract((const char *)data, size, NULL, "http://example.com/a/b.html",
				text_max, &page) < 0)
		return 0;
	check_string(page.title, BROWSE_HTML_TITLE_MAX);
	check_string(page.text, text_max);
	if (page.n_links > BROWSE_HTML_LINKS_MAX)
		abort();
	for (size_t i = 0; i < page.n_links; i++) {
		check_string(page.links[i], BROWSE_HTML_LINK_MAX);
		if (strncasecmp(page.links[i], "http://", 7) != 0 &&
		    strncasecmp(page.links[i], "https://", 8) != 0)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(page.links[i], page.links[j]) == 0)
				abort();
	}
	browse_html_page_done(&page);
	return 0;
}
