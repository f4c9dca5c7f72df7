/* SPDX-License-Identifier: MIT */
/* Fuzz target for policy/path-glob.c and policy/sandbox-path.c. Input: a pattern, a NUL, a
 * path. The path is normalised, and when the pattern compiles, path_glob_match() must agree
 * with a slow recursive reference matcher (short inputs only: the reference is exponential). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path-glob.h"
#include "sandbox-path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REFERENCE_MAX 48

static size_t char_len(const char *s)
{
	size_t n = 1;

	while (s[n] && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/* One component: pattern p against name s, both ending at '/' or NUL. */
static int ref_component(const char *p, const char *s)
{
	bool p_end = !*p || *p == '/', s_end = !*s || *s == '/';

	if (p_end)
		return s_end;
	if (*p == '*')
		return ref_component(p + 1, s) || (!s_end && ref_component(p, s + char_len(s)));
	if (s_end)
		return 0;
	if (*p == '?')
		return ref_component(p + 1, s + char_len(s));
	return *p == *s && ref_component(p + 1, s + 1);
}

static const char *next(const char *s)
{
	while (*s && *s != '/')
		s++;
	return *s ? s + 1 : s;
}

/* Whole paths, component by component; p and s point after a '/'. */
static int ref_match(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (p[0] == '*' && p[1] == '*' && (!p[2] || p[2] == '/'))
		return ref_match(next(p), s) || (*s && ref_match(p, next(s)));
	if (!*s)
		return 0;
	return ref_component(p, s) && ref_match(next(p), next(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pattern, *path, norm[SANDBOX_PATH_MAX];
	const uint8_t *nul = memchr(data, '\0', size);
	struct path_glob g;
	int n;

	if (!nul)
		return 0;
	pattern = strndup((const char *)data, (size_t)(nul - data));
	path = malloc(size - (size_t)(nul - data));
	if (!pattern || !path)
		abort();
	memcpy(path, nul + 1, size - (size_t)(nul - data) - 1);
	n = sandbox_path_normalize(path, size - (size_t)(nul - data) - 1, norm);
	if (n >= 0 && !sandbox_path_is_normalized(norm))
		abort();
	if (n >= 0 && path_glob_compile(pattern, &g, NULL) == 0) {
		bool got = path_glob_match(&g, norm, (size_t)n);

		(void)path_glob_reaches(&g, norm, (size_t)n);
		(void)path_glob_is_under(&g, norm, (size_t)n);
		if (strlen(pattern) <= REFERENCE_MAX && n <= REFERENCE_MAX &&
		    got != (bool)ref_match(pattern + 1, norm + 1))
			abort();
		path_glob_done(&g);
	}
	free(pattern);
	free(path);
	return 0;
}
