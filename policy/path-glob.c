/* SPDX-License-Identifier: MIT */
/* Path globs: a pattern is split into components once, at load time; matching walks the
 * components of a normalised path with one backtracking point for "**" and one for '*'
 * inside a component, so the cost is linear in practice and bounded by length product in
 * the worst case (no exponential blow-up on hostile patterns). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-glob.h"

/* Finds the next component at or after p; false at the end of the path. */
static bool next_component(const char *p, const char *end, const char **ret_start, size_t *ret_len,
			   const char **ret_after)
{
	const char *s;

	while (p < end && *p == '/')
		p++;
	if (p >= end)
		return false;
	s = p;
	while (p < end && *p != '/')
		p++;
	*ret_start = s;
	*ret_len = (size_t)(p - s);
	*ret_after = p;
	return true;
}

/* Bytes of the character at s[i]: a lead byte and its continuation bytes, so that '?' and
 * the backtracking of '*' never split a UTF-8 sequence. */
static size_t char_len(const char *s, size_t i, size_t n)
{
	size_t j = i + 1;

	while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
		j++;
	return j - i;
}

static bool pattern_match(const char *pat, size_t plen, const char *s, size_t slen)
{
	size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;

	while (i < slen) {
		if (p < plen && pat[p] == '*') {
			star_p = p++;
			star_i = i;
		} else if (p < plen && pat[p] == '?') {
			p++;
			i += char_len(s, i, slen);
		} else if (p < plen && pat[p] == s[i]) {
			p++;
			i++;
		} else if (star_p != SIZE_MAX) {
			p = star_p + 1;
			star_i += char_len(s, star_i, slen);
			i = star_i;
		} else
			return false;
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

static bool component_match(const struct path_glob *g, size_t gi, const char *c, size_t len)
{
	const struct path_glob_component *k = &g->comps[gi];

	if (k->kind == PATH_GLOB_LITERAL)
		return k->len == len && memcmp(g->text + k->offset, c, len) == 0;
	return pattern_match(g->text + k->offset, k->len, c, len);
}

/* Classifies one component of a pattern; -EINVAL with a reason for what we refuse. */
static int classify(const char *c, size_t len, uint8_t *ret_kind, const char **ret_reason)
{
	bool wild = false;

	if (len == 0) {
		*ret_reason = "empty path component ('//' or a trailing '/')";
		return -EINVAL;
	}
	if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')) {
		*ret_reason = "'.' and '..' components are not allowed";
		return -EINVAL;
	}
	if (len == 2 && c[0] == '*' && c[1] == '*') {
		*ret_kind = PATH_GLOB_ANY;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		switch (c[i]) {
		case '*':
			if (i + 1 < len && c[i + 1] == '*') {
				*ret_reason = "'**' must be a whole path component";
				return -EINVAL;
			}
			wild = true;
			break;
		case '?':
			wild = true;
			break;
		case '[':
		case ']':
			*ret_reason = "character classes ('[...]') are not supported";
			return -EINVAL;
		case '{':
		case '}':
			*ret_reason = "braces ('{a,b}') are not supported; list each glob";
			return -EINVAL;
		case '\\':
			*ret_reason = "backslash escapes are not supported";
			return -EINVAL;
		default:
			break;
		}
	*ret_kind = wild ? PATH_GLOB_PATTERN : PATH_GLOB_LITERAL;
	return 0;
}

int path_glob_compile(const char *pattern, struct path_glob *ret, const char **ret_reason)
{
	const char *unused_reason, *p;
	struct path_glob_component *comps;
	size_t len, n = 0, prefix_len = SIZE_MAX;
	char *mem;
	int r;

	if (!ret_reason)
		ret_reason = &unused_reason;
	if (!pattern || pattern[0] != '/') {
		*ret_reason = "not an absolute path";
		return -EINVAL;
	}
	len = strnlen(pattern, PATH_GLOB_MAX + 1);
	if (len > PATH_GLOB_MAX) {
		*ret_reason = "longer than 4096 bytes";
		return -EINVAL;
	}
	for (size_t i = 1; i < len; i++)
		n += pattern[i] == '/';
	if (len > 1)
		n++;

	/* One allocation: the component table, then the text it points into. */
	mem = malloc(n * sizeof(*comps) + len + 1);
	if (!mem)
		return -ENOMEM;
	comps = (struct path_glob_component *)mem;
	memcpy(mem + n * sizeof(*comps), pattern, len + 1);

	p = pattern + 1;
	for (size_t i = 0; i < n; i++) {
		const char *slash = memchr(p, '/', (size_t)(pattern + len - p));
		size_t clen = slash ? (size_t)(slash - p) : (size_t)(pattern + len - p);

		r = classify(p, clen, &comps[i].kind, ret_reason);
		if (r < 0) {
			free(mem);
			return r;
		}
		comps[i].offset = (uint16_t)(p - pattern);
		comps[i].len = (uint16_t)clen;
		/* The literal prefix ends before the first wildcard component; a
		 * wildcard first component leaves "/". */
		if (comps[i].kind != PATH_GLOB_LITERAL && prefix_len == SIZE_MAX)
			prefix_len = MAX((size_t)(p - pattern) - 1, (size_t)1);
		p += clen + 1;
	}
	*ret = (struct path_glob){
		.text = mem + n * sizeof(*comps),
		.comps = comps,
		.n_comps = n,
		.prefix_len = prefix_len == SIZE_MAX ? len : prefix_len,
	};
	return 0;
}

void path_glob_done(struct path_glob *g)
{
	/* comps is the start of the single allocation; text points into it. */
	free(g->comps);
	*g = (struct path_glob){};
}

bool path_glob_match(const struct path_glob *g, const char *path, size_t len)
{
	const char *p = path, *end = path + len, *star_p = NULL;
	size_t gi = 0, star_gi = SIZE_MAX;

	if (len == 0 || path[0] != '/')
		return false;
	for (;;) {
		const char *c, *after;
		size_t clen;

		if (!next_component(p, end, &c, &clen, &after))
			break;
		if (gi < g->n_comps && g->comps[gi].kind == PATH_GLOB_ANY) {
			star_gi = gi++;
			star_p = p;
		} else if (gi < g->n_comps && component_match(g, gi, c, clen)) {
			gi++;
			p = after;
		} else if (star_gi != SIZE_MAX) {
			/* Let the last "**" swallow one more component and retry after it. */
			gi = star_gi + 1;
			if (!next_component(star_p, end, &c, &clen, &after))
				return false;
			star_p = after;
			p = star_p;
		} else
			return false;
	}
	while (gi < g->n_comps && g->comps[gi].kind == PATH_GLOB_ANY)
		gi++;
	return gi == g->n_comps;
}

bool path_glob_reaches(const struct path_glob *g, const char *dir, size_t len)
{
	const char *p = dir, *end = dir + len, *c, *after;
	size_t gi = 0, clen;

	while (next_component(p, end, &c, &clen, &after)) {
		if (gi >= g->n_comps)
			return false;
		if (g->comps[gi].kind == PATH_GLOB_ANY)
			return true;
		if (!component_match(g, gi, c, clen))
			return false;
		gi++;
		p = after;
	}
	return true;
}

bool path_glob_is_under(const struct path_glob *g, const char *dir, size_t len)
{
	const char *p = dir, *end = dir + len, *c, *after;
	size_t gi = 0, clen;

	while (next_component(p, end, &c, &clen, &after)) {
		if (gi >= g->n_comps || g->comps[gi].kind != PATH_GLOB_LITERAL ||
		    !component_match(g, gi, c, clen))
			return false;
		gi++;
		p = after;
	}
	return true;
}
