/* SPDX-License-Identifier: MIT */
/* The policy object's destructor, name tables and skill sets. Loading is policy-load.c,
 * deciding is decide.c. */
#include <string.h>

#include "policy.h"

static const char *const tool_names[_POLICY_TOOL_MAX] = {
	[POLICY_TOOL_EXEC] = "exec",
	[POLICY_TOOL_FILE_READ] = "file.read",
	[POLICY_TOOL_FILE_WRITE] = "file.write",
	[POLICY_TOOL_FILE_LIST] = "file.list",
	[POLICY_TOOL_FILE_DELETE] = "file.delete",
	[POLICY_TOOL_BROWSE] = "browse",
	[POLICY_TOOL_NETWORK] = "network",
};

static const char *const language_names[_POLICY_LANGUAGE_MAX] = {
	[POLICY_LANGUAGE_PYTHON] = "python",
	[POLICY_LANGUAGE_BASH] = "bash",
	[POLICY_LANGUAGE_SH] = "sh",
	[POLICY_LANGUAGE_NODE] = "node",
};

const char *policy_tool_to_string(enum policy_tool t)
{
	if (t < 0 || t >= _POLICY_TOOL_MAX)
		return NULL;
	return tool_names[t];
}

enum policy_tool policy_tool_from_string(const char *s)
{
	for (int i = 0; s && i < _POLICY_TOOL_MAX; i++)
		if (strcmp(s, tool_names[i]) == 0)
			return (enum policy_tool)i;
	return _POLICY_TOOL_INVALID;
}

const char *policy_language_to_string(enum policy_language l)
{
	if (l < 0 || l >= _POLICY_LANGUAGE_MAX)
		return NULL;
	return language_names[l];
}

enum policy_language policy_language_from_string(const char *s)
{
	for (int i = 0; s && i < _POLICY_LANGUAGE_MAX; i++)
		if (strcmp(s, language_names[i]) == 0)
			return (enum policy_language)i;
	return _POLICY_LANGUAGE_INVALID;
}

static void globs_free(struct policy_glob *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		path_glob_done(&g[i].glob);
	free(g);
}

static void skill_done(struct policy_skill *s)
{
	free(s->name);
	globs_free(s->read, s->n_read);
	globs_free(s->write, s->n_write);
	globs_free(s->commands, s->n_commands);
	free(s->allow);
	free(s->allow_cidrs);
	for (size_t i = 0; i < s->n_landlock_read; i++)
		free(s->landlock_read[i]);
	free(s->landlock_read);
	for (size_t i = 0; i < s->n_landlock_write; i++)
		free(s->landlock_write[i]);
	free(s->landlock_write);
}

struct policy *policy_free(struct policy *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_skills; i++)
		skill_done(&p->skills[i]);
	free(p->skills);
	for (size_t i = 0; i < p->n_data_sources; i++) {
		free(p->data_sources[i].name);
		free(p->data_sources[i].host_path);
		free(p->data_sources[i].mount);
	}
	free(p->data_sources);
	free(p->name);
	free(p->source);
	free(p->instructions);
	free(p);
	return NULL;
}

int policy_skill_index(const struct policy *p, const char *name)
{
	for (size_t i = 0; name && i < p->n_skills; i++)
		if (strcmp(p->skills[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int policy_skill_set_from_names(const struct policy *p, const char *const *names, size_t n,
				struct policy_skill_set *ret, struct sbx_error *reterr)
{
	struct policy_skill_set s = {};

	for (size_t i = 0; i < n; i++) {
		int k = policy_skill_index(p, names[i]);

		if (k < 0)
			return sbx_fail(reterr, k, "policy '%s' has no skill '%.64s'", p->name,
					names[i] ? names[i] : "");
		policy_skill_set_add(&s, (size_t)k);
	}
	*ret = s;
	return 0;
}

void policy_skill_set_all(const struct policy *p, struct policy_skill_set *ret)
{
	*ret = (struct policy_skill_set){};
	for (size_t i = 0; i < p->n_skills; i++)
		policy_skill_set_add(ret, i);
}
