/* SPDX-License-Identifier: MIT */
/* The HTML-to-text half of the Browse tool: a fetched page (hostile bytes) -> title, readable
 * text and absolute http(s) links, with libxml2's HTML parser and an iterative walk of its tree.
 * It runs inside a session's sandbox, in sandbox-browse (tools/sandbox-browse.c), which does the
 * fetching and the JSON; the daemon never parses HTML. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define BROWSE_HTML_TEXT_MAX  (4u << 20) /* bytes of readable text returned at most */
#define BROWSE_HTML_TITLE_MAX 4096	 /* bytes of a title, without the NUL */
#define BROWSE_HTML_LINKS_MAX 1000	 /* distinct links returned at most */
#define BROWSE_HTML_LINK_MAX  4096	 /* bytes of an href or a resolved link, without the NUL */
#define BROWSE_HTML_INPUT_MAX (256u << 20) /* bytes of a document parsed at most */

/* What a page yields; every string is NUL-terminated, valid UTF-8 without embedded NUL. */
struct browse_html_page {
	char *title;  /* "" when the page has none */
	char *text;   /* readable text: block elements end lines, whitespace collapsed */
	char **links; /* n_links absolute http/https URLs, deduplicated, in document order */
	size_t n_links;
	bool truncated; /* text, title or links were cut at their limit */
};

/* Parses html[0..len) (charset as declared by the response, or NULL to detect it) and extracts
 * its title, at most text_max bytes of text (capped at BROWSE_HTML_TEXT_MAX) and its links
 * resolved against base_url; 0, -E2BIG (input above BROWSE_HTML_INPUT_MAX) or -ENOMEM. */
int browse_html_extract(const char *html, size_t len, const char *charset, const char *base_url,
			size_t text_max, struct browse_html_page *ret_page);

/* Frees what a page holds and zeroes it; accepts a zeroed page. */
void browse_html_page_done(struct browse_html_page *page);

/* Returns a malloc'd NUL-terminated copy of s[0..len) as valid UTF-8, each invalid byte and NUL
 * replaced by U+FFFD, cut at a character boundary to at most max bytes (sets *truncated then,
 * which may be NULL); NULL on -ENOMEM. */
char *browse_html_utf8_copy(const char *s, size_t len, size_t max, bool *truncated);
