/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "landlock.h"
#include "log.h"
#include "macro.h"
#include "policy-load.h"
#include "policy-scope.h"
#include "session-egress.h"
#include "session-policy.h"
#include "session.h"

int session_policy_resolve(struct daemon *d, const char *name, const char *text,
			   char *const *skills, size_t n_skills, bool allow_inline,
			   struct session_policy *ret, struct sbx_error *reterr)
{
	struct session_policy sp = {};
	int r;

	if (n_skills > SESSION_SKILLS_MAX)
		return sbx_fail(reterr, -E2BIG, "a session may name at most %d skills",
				SESSION_SKILLS_MAX);
	if (text && *text) {
		if (name && *name)
			return sbx_fail(reterr, -EINVAL,
					"give a policy name or a policy text, not both");
		if (!allow_inline)
			return sbx_fail(reterr, -EPERM,
					"inline policies are not allowed by this daemon's "
					"configuration (allow_inline_policies)");
		r = policy_load_text(text, strlen(text), "<inline>", &sp.own, reterr);
		if (r < 0)
			return r;
		sp.policy = sp.own;
		sp.text = strdup(text);
		if (!sp.text) {
			session_policy_done(&sp);
			return sbx_fail(reterr, -ENOMEM, "keep the inline policy");
		}
	} else {
		const char *want = name && *name ? name : "default";

		sp.set = policy_set_ref(d->policies);
		sp.policy = policy_set_find(sp.set, want);
		if (!sp.policy) {
			session_policy_done(&sp);
			return sbx_fail(reterr, -ENOENT, "find policy '%.64s'", want);
		}
	}
	sp.name = strdup(sp.policy->name);
	if (!sp.name) {
		session_policy_done(&sp);
		return sbx_fail(reterr, -ENOMEM, "keep the policy's name");
	}
	if (n_skills == 0)
		policy_skill_set_all(sp.policy, &sp.skills);
	else {
		r = policy_skill_set_from_names(sp.policy, (const char *const *)skills, n_skills,
						&sp.skills, reterr);
		if (r < 0) {
			session_policy_done(&sp);
			return r;
		}
	}
	*ret = sp;
	return 0;
}

void session_policy_done(struct session_policy *sp)
{
	policy_set_unref(sp->set);
	policy_free(sp->own);
	free(sp->name);
	free(sp->text);
	*sp = (struct session_policy){};
}

bool session_policy_may_list(const struct session_policy *sp, const char *skill, const char *path)
{
	struct policy_decision d;

	return sp->policy &&
	       policy_decide(sp->policy, &sp->skills,
			     &(struct policy_call){.tool = POLICY_TOOL_FILE_LIST,
						   .skill = skill && *skill ? skill : NULL,
						   .path = path},
			     &d);
}

static const char *skill_name(const struct session_policy *sp, int skill, const char *asked)
{
	if (sp->policy && skill >= 0 && (size_t)skill < sp->policy->n_skills)
		return sp->policy->skills[skill].name;
	return asked ? asked : "";
}

int session_policy_decide(struct session *s, const struct policy_call *call, const char *target,
			  struct policy_decision *ret, char rule[static POLICY_RULE_MAX],
			  struct sbx_error *reterr)
{
	const struct session_policy *sp = &s->policy;

	if (!sp->policy) {
		*ret = (struct policy_decision){.allow = false, .skill = -1};
		snprintf(ret->rule, sizeof(ret->rule), "session.policy");
		snprintf(ret->reason, sizeof(ret->reason),
			 "the session's policy '%.64s' is no longer loaded by this daemon",
			 sp->name ? sp->name : "");
	} else
		(void)policy_decide(sp->policy, &sp->skills, call, ret);
	history_append(s, &(struct history_call){
				  .tool = policy_tool_to_string(call->tool),
				  .skill = skill_name(sp, ret->skill, call->skill),
				  .target = target,
				  .allowed = ret->allow,
				  .rule = ret->rule,
				  .reason = ret->reason,
			  });
	if (ret->allow)
		return 0;
	/* A malformed call (an empty path, a bad host) is the caller's mistake, not a refusal. */
	if (strncmp(ret->rule, "call.", 5) == 0)
		return sbx_fail(reterr, -EINVAL, "%s", ret->reason);
	snprintf(rule, POLICY_RULE_MAX, "%s", ret->rule);
	return sbx_fail(reterr, -EACCES, "%s", ret->reason);
}

/* Whether a write prefix stands for a directory (some write glob goes on below it) rather than
 * one file the glob names whole. */
static bool write_prefix_is_dir(const struct policy_skill *sk, const char *prefix)
{
	size_t n = strlen(prefix);

	for (size_t i = 0; i < sk->n_write; i++) {
		const char *text = sk->write[i].glob.text;

		if (strncmp(text, prefix, n) == 0 && (text[n] == '/' || (n == 1 && text[1])))
			return true;
	}
	return false;
}

static int build_landlock(const struct session *s, int skill, bool browse, char **ret,
			  size_t *ret_len)
{
	const struct policy_skill *sk;
	struct policy_scope_paths paths;
	_cleanup_free_ char *buf = NULL;
	struct landlock_rules *rules;
	ssize_t n;
	int r;

	*ret = NULL;
	*ret_len = 0;
	if (s->daemon->landlock_abi <= 0 || !s->policy.policy || skill < 0)
		return 0;
	rules = malloc(sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	landlock_rules_init(rules);
	sk = &s->policy.policy->skills[skill];
	policy_scope_landlock(s->policy.policy, (size_t)skill, &paths);
	r = landlock_rules_add_system(rules);
	if (browse) {
		paths.n_read = paths.n_write =
			0; /* the page's code reads none of the skill's files */
		if (r >= 0)
			r = landlock_rules_add(rules, SESSION_TOOLS_DIR, LANDLOCK_READ_EXEC);
	}
	/* Reading what the skill reads; writing (which Landlock cannot give without reading)
	 * and running programs where it writes, so a build in the workspace can run what it
	 * built. The file tools keep write and read apart (policy/decide.c). */
	for (size_t i = 0; r >= 0 && i < paths.n_read; i++)
		r = landlock_rules_add(rules, paths.read[i], LANDLOCK_READ_EXEC);
	for (size_t i = 0; r >= 0 && i < paths.n_write; i++)
		r = landlock_rules_add(rules, paths.write[i],
				       LANDLOCK_WRITE | LANDLOCK_GRANT_EXEC |
					       (write_prefix_is_dir(sk, paths.write[i])
							? LANDLOCK_GRANT_CREATE
							: 0));
	/* TCP connect only to the skill's own egress proxy; none at all without the network. */
	rules->connect_port = session_egress_port(s, skill);
	n = r < 0 ? r : landlock_rules_encoded_size(rules);
	if (n > 0) {
		buf = malloc((size_t)n);
		n = buf ? landlock_rules_encode(rules, buf, (size_t)n) : -ENOMEM;
	}
	free(rules);
	if (n < 0)
		return (int)n;
	*ret = TAKE_PTR(buf);
	*ret_len = (size_t)n;
	return 0;
}

int session_policy_binds(struct daemon *d, const struct session_policy *sp,
			 struct session_binds *ret, struct sbx_error *reterr)
{
	const struct policy *p = sp->policy;
	uint64_t used = policy_scope_data_sources(p, &sp->skills);
	size_t state_len = strlen(d->state_dir_real);

	ret->n = 0;
	for (size_t i = 0; i < p->n_data_sources; i++) {
		const struct policy_data_source *ds = &p->data_sources[i];
		struct open_how how = {.flags = O_PATH | O_CLOEXEC,
				       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
		size_t k = ret->n;
		int fd;

		if (!(used & (UINT64_C(1) << i)))
			continue;
		if (strncmp(ds->host_path, d->state_dir_real, state_len) == 0 &&
		    (ds->host_path[state_len] == '/' || ds->host_path[state_len] == '\0')) {
			session_binds_done(ret);
			return sbx_fail(
				reterr, -EPERM,
				"data source '%s': '%s' is inside the daemon's state directory",
				ds->name, ds->host_path);
		}
		fd = (int)syscall(SYS_openat2, AT_FDCWD, ds->host_path, &how, sizeof(how));
		if (fd < 0) {
			int r = negative_errno();

			session_binds_done(ret);
			return sbx_fail(reterr, r == -ELOOP ? -EPERM : r,
					"data source '%s': open '%s'%s", ds->name, ds->host_path,
					r == -ELOOP ? " (a symlink is on its path)" : "");
		}
		ret->fds[k] = fd;
		snprintf(ret->sources[k], sizeof(ret->sources[k]), "/proc/self/fd/%d", fd);
		ret->binds[k] = (struct sandbox_bind){
			.source = ret->sources[k],
			.target = ds->mount,
			.writable = !ds->read_only,
		};
		ret->n++;
	}
	return 0;
}

void session_binds_done(struct session_binds *b)
{
	for (size_t i = 0; i < b->n; i++)
		safe_close(b->fds[i]);
	b->n = 0;
}

int session_policy_limits(const struct session_policy *sp, const struct policy_limits *requested,
			  struct policy_limits *ret, struct sbx_error *reterr)
{
	return policy_scope_limits(sp->policy, requested, ret, reterr);
}

int session_policy_landlock(const struct session *s, int skill, char **ret, size_t *ret_len)
{
	return build_landlock(s, skill, false, ret, ret_len);
}

int session_policy_landlock_browse(const struct session *s, int skill, char **ret, size_t *ret_len)
{
	return build_landlock(s, skill, true, ret, ret_len);
}

size_t session_policy_skill_names(const struct session_policy *sp, const char **ret, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; sp->policy && i < sp->policy->n_skills && n < max; i++)
		if (policy_skill_set_contains(&sp->skills, i))
			ret[n++] = sp->policy->skills[i].name;
	return n;
}
