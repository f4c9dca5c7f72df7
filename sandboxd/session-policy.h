/* SPDX-License-Identifier: MIT */
/* A session's policy: which policy (a named one of the daemon's set, or inline text), which of
 * its skills the session holds, and the one place every tool call of the session is decided
 * (policy/decide.h), recorded in its history and, for exec, turned into the command's Landlock
 * rules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"
#include "decide.h"
#include "error.h"
#include "policy-set.h"
#include "policy.h"
#include "spec.h"

#define SESSION_SKILLS_MAX 64 /* skills a CreateSession may name */

struct session;

struct session_policy {
	struct policy_set *set;	     /* the set a named policy came from (a reference) */
	struct policy *own;	     /* an inline policy, owned */
	const struct policy *policy; /* one of the two; NULL: gone after a restart, deny all */
	char *name;		     /* as the session was created with */
	char *text;		     /* inline policy text, kept for the session's record */
	struct policy_skill_set skills;
};

/* Resolves what CreateSession (or a session record) names: policy name ("" = "default") or
 * inline text (only with allow_inline), and skill names (none = every skill of the policy).
 * Errors name what was wrong. */
int session_policy_resolve(struct daemon *d, const char *name, const char *text,
			   char *const *skills, size_t n_skills, bool allow_inline,
			   struct session_policy *ret, struct sbx_error *reterr);

void session_policy_done(struct session_policy *sp);

/* Decides one call of session s, writes it to the session's history (target: what the call is
 * about, for people reading it), and on a denial fills reterr (-EACCES, the reason) and rule.
 * 0 when allowed, with the decision in *ret. */
int session_policy_decide(struct session *s, const struct policy_call *call, const char *target,
			  struct policy_decision *ret, char rule[static POLICY_RULE_MAX],
			  struct sbx_error *reterr);

/* Whether skill (NULL: the only one) may list path: the quiet check that filters what a
 * decided call returns (entries of a listing, watch events); nothing goes to the history. */
bool session_policy_may_list(const struct session_policy *sp, const char *skill, const char *path);

/* The Landlock rules of an exec under skill number skill, encoded for sandbox-init (malloc'd
 * into *ret, its length into *ret_len); *ret NULL when the kernel has no Landlock. */
int session_policy_landlock(const struct session *s, int skill, char **ret, size_t *ret_len);

/* The same, for the browse tool's own program: read and run it from SESSION_TOOLS_DIR, read
 * nothing of the skill's files, connect only to the skill's proxy. */
int session_policy_landlock_browse(const struct session *s, int skill, char **ret, size_t *ret_len);

#define SESSION_BINDS_MAX POLICY_DATA_SOURCES_MAX

/* The data sources the session's skills refer to, as binds for its sandbox: each host path
 * opened without following symlinks (and refused under the state dir), bound through its fd
 * ("/proc/self/fd/N", kept open in fds until the sandbox exists; close them then). */
struct session_binds {
	struct sandbox_bind binds[SESSION_BINDS_MAX];
	char sources[SESSION_BINDS_MAX][32];
	int fds[SESSION_BINDS_MAX];
	size_t n;
};

int session_policy_binds(struct daemon *d, const struct session_policy *sp,
			 struct session_binds *ret, struct sbx_error *reterr);
void session_binds_done(struct session_binds *b);

/* The session limits: each requested one (0: none) narrowed by the policy's; a request above
 * the policy's is -EPERM. 0 where neither sets one (the daemon's default applies). */
int session_policy_limits(const struct session_policy *sp, const struct policy_limits *requested,
			  struct policy_limits *ret, struct sbx_error *reterr);

/* The names of the session's skills in policy order, borrowed; n into *ret_n (at most max). */
size_t session_policy_skill_names(const struct session_policy *sp, const char **ret, size_t max);
