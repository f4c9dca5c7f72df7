/* SPDX-License-Identifier: MIT */
/* tools/browse-html.c on tricky documents: hidden content, blocks and whitespace, entities,
 * broken markup, links of every kind, and hostile sizes and depths. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "browse-html.h"
#include "macro.h"
#include "test-util.h"
#include "utf8.h"

#define BASE "http://example.com/dir/page.html"

/* Extracts s against BASE with the full text limit; the page must be well-formed. */
static struct browse_html_page extract(const char *s, size_t len, size_t text_max)
{
	struct browse_html_page p = {};

	ck_assert_ok(browse_html_extract(s, len, NULL, BASE, text_max, &p));
	ck_assert_ptr_nonnull(p.title);
	ck_assert_ptr_nonnull(p.text);
	ck_assert(utf8_is_valid(p.title, strlen(p.title)));
	ck_assert(utf8_is_valid(p.text, strlen(p.text)));
	ck_assert_uint_le(strlen(p.title), BROWSE_HTML_TITLE_MAX);
	ck_assert_uint_le(strlen(p.text), MIN(text_max, (size_t)BROWSE_HTML_TEXT_MAX));
	ck_assert_uint_le(p.n_links, BROWSE_HTML_LINKS_MAX);
	for (size_t i = 0; i < p.n_links; i++) {
		ck_assert(strncasecmp(p.links[i], "http://", 7) == 0 ||
			  strncasecmp(p.links[i], "https://", 8) == 0);
		ck_assert_uint_le(strlen(p.links[i]), BROWSE_HTML_LINK_MAX);
	}
	return p;
}

static struct browse_html_page extract_str(const char *s)
{
	return extract(s, strlen(s), BROWSE_HTML_TEXT_MAX);
}

static const struct {
	const char *html;
	const char *title;
	const char *text;
} text_cases[] = {
	{"<html><head><title>T</title></head><body>Hello</body></html>", "T", "Hello"},
	{"<title>  A \n  B  </title><p>x</p>", "A B", "x"},
	/* hidden content */
	{"<p>a<script>document.write('no')</script>b</p>", "", "ab"},
	{"<p>a</p><style>p { color: red }</style><p>b</p>", "", "a\nb"},
	{"<noscript>enable js</noscript><p>ok</p>", "", "ok"},
	{"<template><p>t</p></template><p>ok</p>", "", "ok"},
	{"<head><meta charset=utf-8><script>x</script><style>y</style></head><body>z</body>", "",
	 "z"},
	{"<script>var s = '</p><p>still script';</script>after", "", "after"},
	/* blocks and whitespace */
	{"<div>a<div>b<div>c</div>d</div>e</div>", "", "a\nb\nc\nd\ne"},
	{"<p>one   two\n\tthree</p>", "", "one two three"},
	{"a<br>b<br/><br>c", "", "a\nb\nc"},
	{"<ul><li>1<li>2</ul><table><tr><td>x<td>y</table>", "", "1\n2\nx\ny"},
	{"<span>in</span><b>line</b> <i>text</i>", "", "inline text"},
	{"<pre>l1\nl2</pre>", "", "l1\nl2"},
	{"<h1>H</h1>\n\n\n<p>  P  </p>  ", "", "H\nP"},
	/* entities */
	{"<p>&amp;&lt;&gt;&quot;&#65;&#x42;&eacute;&nbsp;x</p>", "", "&<>\"AB\xc3\xa9\xc2\xa0x"},
	{"<title>a &amp; b</title>", "a & b", ""},
	{"<p>&bogus; &#xFFFFFFFF; &#0;</p>", NULL, NULL},
	/* broken markup */
	{"<p>unclosed <b>bold <i>both</p> tail", "", NULL},
	{"<<<>>><p>x</p></div></div></html>", NULL, NULL},
	{"<p attr=\"unterminated>text", NULL, NULL},
	{"<!-- comment --><p>x<!-- inner --></p>", "", "x"},
	{"<![CDATA[cd]]><p>x</p>", NULL, NULL},
	{"", "", ""},
	{"plain text, no tags", "", "plain text, no tags"},
	{"<title>first</title><title>second</title>", "first", NULL},
};

START_TEST(test_text)
{
	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract_str(text_cases[_i].html);

	if (text_cases[_i].title)
		ck_assert_msg(strcmp(p.title, text_cases[_i].title) == 0, "case %d: title '%s'", _i,
			      p.title);
	if (text_cases[_i].text)
		ck_assert_msg(strcmp(p.text, text_cases[_i].text) == 0, "case %d: text '%s'", _i,
			      p.text);
	ck_assert(!p.truncated);
}
END_TEST

static bool has_link(const struct browse_html_page *p, const char *url)
{
	for (size_t i = 0; i < p->n_links; i++)
		if (strcmp(p->links[i], url) == 0)
			return true;
	return false;
}

START_TEST(test_links)
{
	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract_str("<a href=\"other.html\">rel</a>"
			    "<a href=\"/root?q=1#frag\">abs path</a>"
			    "<a href=\"../up/x\">up</a>"
			    "<a href=\"//cdn.example.net/s\">scheme-relative</a>"
			    "<a href=\"https://elsewhere.org/\">absolute</a>"
			    "<a href=\"  HTTP://Upper.example/  \">spaces</a>"
			    "<a href=\"javascript:alert(1)\">js</a>"
			    "<a href=\"JaVaScRiPt:alert(1)\">js</a>"
			    "<a href=\"data:text/html,<p>x\">data</a>"
			    "<a href=\"mailto:a@b.c\">mail</a>"
			    "<a href=\"file:///etc/passwd\">file</a>"
			    "<a href=\"ftp://f.example/\">ftp</a>"
			    "<a href=\"\">empty</a><a>none</a>"
			    "<a href=\"other.html\">duplicate</a>"
			    "<map><area href=\"area.html\"></map>");

	ck_assert(has_link(&p, "http://example.com/dir/other.html"));
	ck_assert(has_link(&p, "http://example.com/root?q=1#frag"));
	ck_assert(has_link(&p, "http://example.com/up/x"));
	ck_assert(has_link(&p, "http://cdn.example.net/s"));
	ck_assert(has_link(&p, "https://elsewhere.org/"));
	ck_assert(has_link(&p, "HTTP://Upper.example/"));
	ck_assert(has_link(&p, "http://example.com/dir/area.html"));
	/* The empty href is the page itself. */
	ck_assert(has_link(&p, BASE) || p.n_links == 7);
	ck_assert_uint_le(p.n_links, 8);
	for (size_t i = 0; i < p.n_links; i++)
		for (size_t j = i + 1; j < p.n_links; j++)
			ck_assert_str_ne(p.links[i], p.links[j]);
	ck_assert_str_eq(p.text, "relabs pathupscheme-relativeabsolutespacesjsjsdatamailfileftp"
				 "emptynoneduplicate");
}
END_TEST

START_TEST(test_base_href)
{
	_cleanup_(browse_html_page_done) struct browse_html_page p = extract_str(
		"<head><base href=\"https://b.example/sub/\"></head><a href=\"x\">x</a>");

	ck_assert_uint_eq(p.n_links, 1);
	ck_assert_str_eq(p.links[0], "https://b.example/sub/x");
}
END_TEST

START_TEST(test_base_href_not_web)
{
	/* A javascript: base must not turn relative links into javascript: URLs. */
	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract_str("<base href=\"javascript:/\"><a href=\"x\">x</a>");

	ck_assert_uint_eq(p.n_links, 1);
	ck_assert_str_eq(p.links[0], "http://example.com/dir/x");
}
END_TEST

START_TEST(test_links_limit)
{
	size_t n = 3000, cap = n * 40 + 1, len = 0;
	_cleanup_free_ char *html = malloc(cap);

	ck_assert_ptr_nonnull(html);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(html + len, cap - len, "<a href=\"/l%zu\">x</a>", i);

	_cleanup_(browse_html_page_done) struct browse_html_page p = extract(html, len, 1 << 20);
	ck_assert_uint_eq(p.n_links, BROWSE_HTML_LINKS_MAX);
	ck_assert_str_eq(p.links[0], "http://example.com/l0");
	ck_assert(p.truncated);
}
END_TEST

START_TEST(test_link_too_long)
{
	size_t n = BROWSE_HTML_LINK_MAX + 10;
	_cleanup_free_ char *html = malloc(n + 64);

	ck_assert_ptr_nonnull(html);
	strcpy(html, "<a href=\"/");
	memset(html + strlen(html), 'a', n);
	strcpy(html + 10 + n, "\">x</a><a href=\"/ok\">y</a>");

	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, strlen(html), BROWSE_HTML_TEXT_MAX);
	ck_assert_uint_eq(p.n_links, 1);
	ck_assert_str_eq(p.links[0], "http://example.com/ok");
}
END_TEST

START_TEST(test_huge_text_truncated)
{
	/* 16 MiB of text, multibyte characters included, cut at 1 MiB on a character boundary. */
	size_t len = 16u << 20, len_max = 1u << 20;
	_cleanup_free_ char *html = malloc(len + 1);

	ck_assert_ptr_nonnull(html);
	memcpy(html, "<p>", 3);
	for (size_t i = 3; i + 3 <= len; i += 3)
		memcpy(html + i, i % 300 == 0 ? "\xe2\x82\xac" : "abc", 3);
	len -= len % 3;

	_cleanup_(browse_html_page_done) struct browse_html_page p = extract(html, len, len_max);
	ck_assert(p.truncated);
	ck_assert_uint_le(strlen(p.text), len_max);
	ck_assert_uint_ge(strlen(p.text), len_max - 4);
}
END_TEST

START_TEST(test_text_max_capped)
{
	/* A caller's limit above BROWSE_HTML_TEXT_MAX is held to it. */
	size_t len = BROWSE_HTML_TEXT_MAX + (1u << 20);
	_cleanup_free_ char *html = malloc(len);

	ck_assert_ptr_nonnull(html);
	memset(html, 'x', len);
	for (size_t i = 100; i < len; i += 100)
		html[i] = ' ';

	_cleanup_(browse_html_page_done) struct browse_html_page p = extract(html, len, SIZE_MAX);
	ck_assert(p.truncated);
	ck_assert_uint_le(strlen(p.text), BROWSE_HTML_TEXT_MAX);
}
END_TEST

START_TEST(test_huge_title)
{
	size_t n = 100000;
	_cleanup_free_ char *html = malloc(n + 64);

	ck_assert_ptr_nonnull(html);
	strcpy(html, "<title>");
	memset(html + 7, 't', n);
	strcpy(html + 7 + n, "</title><p>body</p>");

	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, strlen(html), BROWSE_HTML_TEXT_MAX);
	ck_assert_uint_le(strlen(p.title), BROWSE_HTML_TITLE_MAX);
	ck_assert(p.truncated);
	ck_assert_str_eq(p.text, "body");
}
END_TEST

static char *nested(const char *open, const char *close, size_t depth, const char *middle,
		    size_t *ret_len)
{
	size_t lo = strlen(open), lc = strlen(close), lm = strlen(middle);
	size_t len = depth * (lo + lc) + lm, k = 0;
	char *s = malloc(len + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < depth; i++, k += lo)
		memcpy(s + k, open, lo);
	memcpy(s + k, middle, lm);
	k += lm;
	for (size_t i = 0; i < depth; i++, k += lc)
		memcpy(s + k, close, lc);
	s[k] = '\0';
	*ret_len = k;
	return s;
}

START_TEST(test_deep_nesting)
{
	size_t len;
	_cleanup_free_ char *html = nested("<div>", "</div>", 100000, "deep", &len);

	/* libxml2 stops at its nesting limit; what lies below is lost, and said to be. */
	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, len, BROWSE_HTML_TEXT_MAX);
	ck_assert(p.truncated);
}
END_TEST

START_TEST(test_nesting_below_limit)
{
	size_t len;
	_cleanup_free_ char *html = nested("<div><span>", "</span></div>", 100, "deep", &len);

	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, len, BROWSE_HTML_TEXT_MAX);
	ck_assert_str_eq(p.text, "deep");
	ck_assert(!p.truncated);
}
END_TEST

START_TEST(test_deep_nesting_unclosed)
{
	size_t len;
	_cleanup_free_ char *html = nested("<span><b><a href=x>", "", 100000, "deep", &len);

	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, len, BROWSE_HTML_TEXT_MAX);
}
END_TEST

START_TEST(test_deep_title)
{
	size_t len;
	_cleanup_free_ char *inner = nested("<b>", "</b>", 100000, "t", &len);
	_cleanup_free_ char *html = malloc(len + 64);

	ck_assert_ptr_nonnull(html);
	snprintf(html, len + 64, "<title>%s</title>", inner);
	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, strlen(html), BROWSE_HTML_TEXT_MAX);
}
END_TEST

START_TEST(test_invalid_utf8_and_nul)
{
	static const char html[] = "<title>a\xff\xfe</title><p>x\xc0\xafy\0z\xed\xa0\x80</p>";

	_cleanup_(browse_html_page_done) struct browse_html_page p =
		extract(html, sizeof(html) - 1, BROWSE_HTML_TEXT_MAX);
	ck_assert_ptr_nonnull(strchr(p.text, 'x'));
}
END_TEST

START_TEST(test_charset)
{
	static const char html[] = "<p>caf\xe9</p>";
	_cleanup_(browse_html_page_done) struct browse_html_page p = {};
	_cleanup_(browse_html_page_done) struct browse_html_page q = {};

	ck_assert_ok(browse_html_extract(html, sizeof(html) - 1, "iso-8859-1", BASE,
					 BROWSE_HTML_TEXT_MAX, &p));
	ck_assert_str_eq(p.text, "caf\xc3\xa9");
	/* An unknown or malformed charset falls back to detection. */
	ck_assert_ok(browse_html_extract(html, sizeof(html) - 1, "no-such\"charset", BASE,
					 BROWSE_HTML_TEXT_MAX, &q));
	ck_assert(utf8_is_valid(q.text, strlen(q.text)));
}
END_TEST

START_TEST(test_utf8_copy)
{
	bool truncated = false;
	_cleanup_free_ char *a = browse_html_utf8_copy("ok\xff\0x", 5, 100, &truncated);
	_cleanup_free_ char *b =
		browse_html_utf8_copy("\xe2\x82\xac\xe2\x82\xac", 6, 4, &truncated);
	_cleanup_free_ char *c = browse_html_utf8_copy("", 0, 0, NULL);

	ck_assert_str_eq(a, "ok\xef\xbf\xbd\xef\xbf\xbdx");
	ck_assert_str_eq(b, "\xe2\x82\xac");
	ck_assert(truncated);
	ck_assert_str_eq(c, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("browse-html");
	TCase *tc = tcase_create("browse-html");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_text, 0, (int)ELEMENTSOF(text_cases));
	tcase_add_test(tc, test_links);
	tcase_add_test(tc, test_base_href);
	tcase_add_test(tc, test_base_href_not_web);
	tcase_add_test(tc, test_links_limit);
	tcase_add_test(tc, test_link_too_long);
	tcase_add_test(tc, test_huge_text_truncated);
	tcase_add_test(tc, test_text_max_capped);
	tcase_add_test(tc, test_huge_title);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_nesting_below_limit);
	tcase_add_test(tc, test_deep_nesting_unclosed);
	tcase_add_test(tc, test_deep_title);
	tcase_add_test(tc, test_invalid_utf8_and_nul);
	tcase_add_test(tc, test_charset);
	tcase_add_test(tc, test_utf8_copy);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
