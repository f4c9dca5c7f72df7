/* SPDX-License-Identifier: MIT */
/* HTML -> title, text and links for the Browse tool (browse-html.h). Owns the libxml2 parse of
 * hostile markup and the walk of its tree; not the fetch or the output format, which are
 * tools/sandbox-browse.c's. The walk follows parent/next pointers, so it needs no recursion and
 * no stack however deep the document nests. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "browse-html.h"
#include "macro.h"

/* A charset name from a Content-Type header goes to libxml2 only when it looks like one. */
#define BROWSE_HTML_CHARSET_MAX 40

static inline void xml_freep(xmlChar **p)
{
	if (*p)
		xmlFree(*p);
}

static inline void xml_free_docp(xmlDoc **p)
{
	if (*p)
		xmlFreeDoc(*p);
}

static inline void html_free_ctxtp(htmlParserCtxt **p)
{
	if (*p)
		htmlFreeParserCtxt(*p);
}

/* Length of the well-formed UTF-8 character at s (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0 when s[0] does not start one. NUL counts as invalid. */
static size_t utf8_char_len(const unsigned char *s, size_t len)
{
	if (len == 0 || s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return len >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (len < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0) /* overlong */
			return 0;
		if (s[0] == 0xed && s[1] >= 0xa0) /* surrogates */
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (len < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xf0 && s[1] < 0x90) /* overlong */
			return 0;
		if (s[0] == 0xf4 && s[1] >= 0x90) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

char *browse_html_utf8_copy(const char *s, size_t len, size_t max, bool *truncated)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t out_max, n = 0;
	char *out;

	/* Every input byte becomes at most 3 output bytes, and the output stops at max. */
	if (__builtin_mul_overflow(MIN(len, max), (size_t)3, &out_max) ||
	    __builtin_add_overflow(out_max, (size_t)1, &out_max))
		return NULL;
	out_max = MIN(out_max, max + 1);
	out = malloc(out_max);
	if (!out)
		return NULL;

	for (size_t i = 0; i < len;) {
		size_t clen = utf8_char_len(u + i, len - i);
		const char *src = clen > 0 ? s + i : replacement;
		size_t slen = clen > 0 ? clen : 3;

		if (slen > max - n) {
			if (truncated)
				*truncated = true;
			break;
		}
		memcpy(out + n, src, slen);
		n += slen;
		i += clen > 0 ? clen : 1;
	}
	out[n] = '\0';
	return out;
}

/* A bounded text builder that collapses whitespace: runs of blanks become one space, block
 * boundaries one line break, and nothing leads or trails. */
struct text_buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t max;
	bool pending_space;
	bool pending_newline;
	bool full; /* something was dropped at max */
	bool oom;
};

static bool text_buf_reserve(struct text_buf *b, size_t add)
{
	size_t need, alloc;
	char *p;

	if (__builtin_add_overflow(b->len, add + 1, &need))
		return false;
	if (need <= b->alloc)
		return true;
	alloc = MAX(b->alloc, (size_t)256);
	while (alloc < need)
		alloc *= 2;
	alloc = MIN(alloc, b->max + 1);
	if (alloc < need)
		return false;
	p = realloc(b->data, alloc);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->alloc = alloc;
	return true;
}

/* Appends bytes that are already one or more whole characters, after any pending separator. */
static void text_buf_put(struct text_buf *b, const char *s, size_t n)
{
	const char *sep = NULL;

	if (b->full || b->oom)
		return;
	if (b->len > 0 && b->pending_newline)
		sep = "\n";
	else if (b->len > 0 && b->pending_space && b->data[b->len - 1] != '\n')
		sep = " ";
	if (n + (sep ? 1 : 0) > b->max - b->len) {
		b->full = true;
		return;
	}
	if (!text_buf_reserve(b, n + 1))
		return;
	if (sep)
		b->data[b->len++] = *sep;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	b->pending_space = b->pending_newline = false;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Adds a text node's content; inside <pre> line breaks are kept, other blanks still collapse. */
static void text_buf_add(struct text_buf *b, const char *s, bool pre)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);

	for (size_t i = 0; i < len && !b->full && !b->oom;) {
		size_t clen;

		if (is_blank(u[i])) {
			if (pre && u[i] == '\n')
				b->pending_newline = true;
			else
				b->pending_space = true;
			i++;
			continue;
		}
		clen = utf8_char_len(u + i, len - i);
		if (clen == 0) {
			/* libxml2 hands out UTF-8; anything else is replaced, not trusted. */
			text_buf_put(b, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		/* Copy the run of non-blank characters at once. */
		size_t j = i + clen;
		while (j < len && !is_blank(u[j])) {
			size_t c = utf8_char_len(u + j, len - j);
			if (c == 0)
				break;
			j += c;
		}
		if (j - i > b->max - b->len) {
			/* Cut the run at a character boundary so the text stays valid UTF-8. */
			size_t k = i;
			while (k < j) {
				size_t c = utf8_char_len(u + k, j - k);
				if (k + c - i + 1 > b->max - b->len)
					break;
				k += c;
			}
			if (k > i)
				text_buf_put(b, s + i, k - i);
			b->full = true;
			return;
		}
		text_buf_put(b, s + i, j - i);
		i = j;
	}
}

static void text_buf_break(struct text_buf *b)
{
	b->pending_newline = true;
}

/* Elements whose content is never readable text. <head> holds <title>, read on its own. */
static const char *const skipped_elements[] = {
	"script", "style",  "noscript", "template", "head",
	"iframe", "object", "embed",	"svg",	    "math",
};

/* Elements that begin and end a line of text. */
static const char *const block_elements[] = {
	"address", "article", "aside",	 "blockquote", "body",	 "br",	     "caption",	   "dd",
	"details", "dialog",  "div",	 "dl",	       "dt",	 "fieldset", "figcaption", "figure",
	"footer",  "form",    "h1",	 "h2",	       "h3",	 "h4",	     "h5",	   "h6",
	"header",  "hgroup",  "hr",	 "li",	       "main",	 "nav",	     "ol",	   "p",
	"pre",	   "section", "summary", "table",      "tbody",	 "td",	     "tfoot",	   "th",
	"thead",   "tr",      "ul",	 "option",     "legend", "center",
};

static bool name_in(const xmlChar *name, const char *const *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp((const char *)name, table[i]) == 0)
			return true;
	return false;
}

struct walk {
	struct text_buf text;
	struct text_buf title;
	bool have_title;
	unsigned pre_depth;
	xmlChar *base; /* from <base href>, when it resolves to http(s) */
	const char *base_url;
	char **links;
	size_t n_links;
	bool links_full;
	bool oom;
};

static bool is_web_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* Resolves an href (hostile, untrimmed) against the page; NULL when it is no http(s) link. */
static xmlChar *resolve_href(struct walk *w, const xmlChar *href)
{
	const char *s = (const char *)href, *e;
	_cleanup_(xml_freep) xmlChar *trimmed = NULL;
	const xmlChar *base = w->base ? w->base : (const xmlChar *)w->base_url;
	xmlChar *uri;

	while (*s && is_blank((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank((unsigned char)e[-1]))
		e--;
	if (e == s || (size_t)(e - s) > BROWSE_HTML_LINK_MAX)
		return NULL;
	trimmed = xmlStrndup((const xmlChar *)s, (int)(e - s));
	if (!trimmed) {
		w->oom = true;
		return NULL;
	}
	uri = xmlBuildURI(trimmed, base);
	if (!uri)
		return NULL;
	if (!is_web_url((const char *)uri) || strlen((const char *)uri) > BROWSE_HTML_LINK_MAX) {
		xmlFree(uri);
		return NULL;
	}
	return uri;
}

static void walk_add_link(struct walk *w, const xmlChar *href)
{
	_cleanup_(xml_freep) xmlChar *uri = NULL;
	char *copy;

	if (w->links_full)
		return;
	uri = resolve_href(w, href);
	if (!uri)
		return;
	/* Deduplicated by a linear scan: at most BROWSE_HTML_LINKS_MAX entries are ever held. */
	for (size_t i = 0; i < w->n_links; i++)
		if (strcmp(w->links[i], (const char *)uri) == 0)
			return;
	if (w->n_links >= BROWSE_HTML_LINKS_MAX) {
		w->links_full = true;
		return;
	}
	copy = browse_html_utf8_copy((const char *)uri, strlen((const char *)uri),
				     BROWSE_HTML_LINK_MAX, NULL);
	if (!copy) {
		w->oom = true;
		return;
	}
	w->links[w->n_links++] = copy;
}

static void walk_title(struct walk *w, xmlNode *title)
{
	/* libxml2 2.9 parses tags inside <title> as elements, so all text below it counts; walked
	 * without recursion, as walk_tree() walks. */
	xmlNode *n = title->children;

	while (n && n != title) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
			text_buf_add(&w->title, (const char *)n->content, false);
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && n != title && !n->next)
			n = n->parent;
		if (n && n != title)
			n = n->next;
	}
	w->have_title = true;
}

/* Takes what <head> contributes: the first <title>, and the first <base href> that resolves to
 * http(s) (later links resolve against it, as a browser would). Parsers also put these in <body>.
 */
static void walk_head_child(struct walk *w, xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE || !n->name)
		return;
	if (xmlStrcasecmp(n->name, (const xmlChar *)"title") == 0 && !w->have_title)
		walk_title(w, n);
	if (xmlStrcasecmp(n->name, (const xmlChar *)"base") == 0 && !w->base) {
		_cleanup_(xml_freep) xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
		if (href)
			w->base = resolve_href(w, href);
	}
}

/* Handles an element or text node on the way down; returns whether to walk its children. */
static bool walk_enter(struct walk *w, xmlNode *n)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content)
			text_buf_add(&w->text, (const char *)n->content, w->pre_depth > 0);
		return false;
	}
	if (n->type != XML_ELEMENT_NODE || !n->name)
		return false;

	if (xmlStrcasecmp(n->name, (const xmlChar *)"title") == 0) {
		walk_head_child(w, n);
		return false;
	}
	walk_head_child(w, n);
	if (xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0 ||
	    xmlStrcasecmp(n->name, (const xmlChar *)"area") == 0) {
		_cleanup_(xml_freep) xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
		if (href)
			walk_add_link(w, href);
	}
	if (name_in(n->name, skipped_elements, ELEMENTSOF(skipped_elements))) {
		/* <head> is skipped for text, but its <title> and <base> still count. */
		if (xmlStrcasecmp(n->name, (const xmlChar *)"head") == 0)
			for (xmlNode *c = n->children; c; c = c->next)
				walk_head_child(w, c);
		return false;
	}
	if (name_in(n->name, block_elements, ELEMENTSOF(block_elements)))
		text_buf_break(&w->text);
	if (xmlStrcasecmp(n->name, (const xmlChar *)"pre") == 0)
		w->pre_depth++;
	return true;
}

/* Undoes walk_enter() on the way up, for elements whose children were walked. */
static void walk_leave(struct walk *w, xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE || !n->name)
		return;
	if (name_in(n->name, block_elements, ELEMENTSOF(block_elements)))
		text_buf_break(&w->text);
	if (xmlStrcasecmp(n->name, (const xmlChar *)"pre") == 0 && w->pre_depth > 0)
		w->pre_depth--;
}

/* Visits the tree under root in document order without recursion: down through children, then
 * along next, then back up through parent, so a document nested 100000 deep costs no stack. */
static void walk_tree(struct walk *w, xmlNode *root)
{
	xmlNode *n = root;

	while (n) {
		if (walk_enter(w, n) && n->children) {
			n = n->children;
			continue;
		}
		/* n is done: leave it and each ancestor it was the last child of. */
		for (;;) {
			walk_leave(w, n);
			if (n == root)
				return;
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n)
				return;
		}
	}
}

/* Accepts a charset token only (RFC 2978 names are letters, digits and a few marks). */
static bool charset_ok(const char *c)
{
	size_t n = 0;

	if (!c)
		return false;
	for (; c[n]; n++)
		if (!(c[n] >= 'a' && c[n] <= 'z') && !(c[n] >= 'A' && c[n] <= 'Z') &&
		    !(c[n] >= '0' && c[n] <= '9') && !strchr("-_.:+", c[n]))
			return false;
	return n > 0 && n <= BROWSE_HTML_CHARSET_MAX;
}

static char *text_buf_steal(struct text_buf *b)
{
	if (!b->data)
		return strdup("");
	/* Trailing separators are only pending, so data ends with text: nothing to trim. */
	return TAKE_PTR(b->data);
}

void browse_html_page_done(struct browse_html_page *page)
{
	if (!page)
		return;
	free(page->title);
	free(page->text);
	for (size_t i = 0; i < page->n_links; i++)
		free(page->links[i]);
	free(page->links);
	*page = (struct browse_html_page){};
}

static void walk_done(struct walk *w)
{
	free(w->text.data);
	free(w->title.data);
	if (w->base)
		xmlFree(w->base);
	for (size_t i = 0; i < w->n_links; i++)
		free(w->links[i]);
	free(w->links);
}

int browse_html_extract(const char *html, size_t len, const char *charset, const char *base_url,
			size_t text_max, struct browse_html_page *ret_page)
{
	static const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				   HTML_PARSE_NONET | HTML_PARSE_COMPACT;
	_cleanup_(xml_free_docp) xmlDoc *doc = NULL;
	struct walk w = {
		.text.max = MIN(text_max, (size_t)BROWSE_HTML_TEXT_MAX),
		.title.max = BROWSE_HTML_TITLE_MAX,
		.base_url = base_url,
	};
	_cleanup_(html_free_ctxtp) htmlParserCtxt *ctxt = NULL;
	struct browse_html_page page = {};
	bool halted = false;
	xmlNode *root;

	if (len > BROWSE_HTML_INPUT_MAX || len > INT_MAX)
		return -E2BIG;

	w.links = calloc(BROWSE_HTML_LINKS_MAX, sizeof(char *));
	if (!w.links)
		return -ENOMEM;

	if (len > 0) {
		ctxt = htmlNewParserCtxt();
		if (!ctxt) {
			walk_done(&w);
			return -ENOMEM;
		}
		/* An unknown charset makes libxml2 give up: parse again with detection then. */
		if (charset_ok(charset))
			doc = htmlCtxtReadMemory(ctxt, html, (int)len, base_url, charset, options);
		if (!doc)
			doc = htmlCtxtReadMemory(ctxt, html, (int)len, base_url, NULL, options);
		/* libxml2 halts at its own nesting limit (256) and keeps what it built so far: the
		 * rest of the page is lost, which the caller learns as a cut. */
		halted = ctxt->instate == XML_PARSER_EOF || ctxt->disableSAX;
	}
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root)
		walk_tree(&w, root);

	if (w.oom || w.text.oom || w.title.oom) {
		walk_done(&w);
		return -ENOMEM;
	}

	page.text = text_buf_steal(&w.text);
	page.title = text_buf_steal(&w.title);
	page.links = TAKE_PTR(w.links);
	page.n_links = w.n_links;
	w.n_links = 0;
	page.truncated = w.text.full || w.title.full || w.links_full || halted;
	walk_done(&w);
	if (!page.text || !page.title) {
		browse_html_page_done(&page);
		return -ENOMEM;
	}
	*ret_page = page;
	return 0;
}
