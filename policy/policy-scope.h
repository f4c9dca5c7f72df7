/* SPDX-License-Identifier: MIT */
/* What a session's skills reach outside the per-call decision: the path lists a Landlock
 * ruleset is built from, the data sources to mount, and the session limits. The daemon and
 * runtime/landlock.c consume these; computing them is pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy.h"

/* Landlock-ready paths of one skill, borrowed from the policy. Each entry is the literal
 * prefix of a glob: its components before the first wildcard component ("/workspace/out" for
 * that directory followed by "**", "/" when the first component is a wildcard, the glob itself
 * when it has no wildcard, which may name a file). Sorted, without duplicates or entries below
 * another entry of the same list. Write paths grant no reading: a skill reads only what its read
 * list names. */
struct policy_scope_paths {
	const char *const *read;
	size_t n_read;
	const char *const *write;
	size_t n_write;
};

/* Computes the derived fields of every skill (Landlock lists, data source references); called
 * once by policy-load.c. 0 or -ENOMEM. */
int policy_scope_prepare(struct policy *p);

/* The Landlock lists of skill number skill (which must exist). */
void policy_scope_landlock(const struct policy *p, size_t skill, struct policy_scope_paths *ret);

/* Bit i set: data_sources[i] is referred to by a skill in set, i.e. one of its read or write
 * globs can match the source's mount or a path below it. The daemon mounts only these. */
uint64_t policy_scope_data_sources(const struct policy *p, const struct policy_skill_set *set);

/* The limits of a session: each requested limit (0 = not requested) narrowed by the policy's
 * (0 = not set); a request above the policy's limit is -EPERM naming the limit. Where neither
 * sets a limit the result is 0 and the daemon's default applies. */
int policy_scope_limits(const struct policy *p, const struct policy_limits *requested,
			struct policy_limits *ret, struct sbx_error *reterr);
