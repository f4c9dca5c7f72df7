/* SPDX-License-Identifier: MIT */
/* Path globs of policy files ("**" for a whole subtree, '*' and '?' inside one name):
 * compile once, match many times. Matching is lexical on already-normalised sandbox paths
 * (sandbox-path.h makes them); what a glob means for a tool is decide.c. Named path-glob, not
 * glob, so that this header never shadows libc's <glob.h> on policy/'s include path. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATH_GLOB_MAX 4096 /* bytes of one pattern */

enum path_glob_kind {
	PATH_GLOB_LITERAL, /* a component without wildcards, compared byte for byte */
	PATH_GLOB_PATTERN, /* a component with '*' or '?' */
	PATH_GLOB_ANY,	   /* "**": zero or more whole components */
};

struct path_glob_component {
	uint16_t offset; /* into text */
	uint16_t len;
	uint8_t kind; /* enum path_glob_kind */
};

struct path_glob {
	char *text; /* the pattern as written; owns the allocation of comps too */
	struct path_glob_component *comps;
	size_t n_comps;
	size_t prefix_len; /* bytes of text before the first wildcard component; "/" counts as 1 */
};

/* Compiles an absolute pattern. Grammar: '/'-separated components, none empty, "." or "..";
 * '*' is any run of characters and '?' one character, neither crossing '/'; "**" only as a
 * whole component. Character classes, braces and backslashes are refused rather than guessed.
 * On -EINVAL, *ret_reason (if not NULL) says why in a few words. */
int path_glob_compile(const char *pattern, struct path_glob *ret, const char **ret_reason);

/* Frees what a compiled glob owns; safe on a zeroed struct. */
void path_glob_done(struct path_glob *g);

/* True when the normalised absolute path[0..len) matches. A "**" component also matches zero
 * components, so a directory followed by "**" matches the directory itself. */
bool path_glob_match(const struct path_glob *g, const char *path, size_t len);

/* True when g can match dir[0..len) or a path below it (dir normalised and absolute). */
bool path_glob_reaches(const struct path_glob *g, const char *dir, size_t len);

/* True when every path g can match is dir[0..len) or below it: g's literal prefix lies under
 * dir. */
bool path_glob_is_under(const struct path_glob *g, const char *dir, size_t len);
