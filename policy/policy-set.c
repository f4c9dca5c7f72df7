/* SPDX-License-Identifier: MIT */
/* A directory of policy files as one immutable, reference-counted set. Files are read through
 * the directory's fd so that a rename of the directory mid-load cannot mix two trees. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-load.h"
#include "policy-set.h"
#include "policy-yaml.h"

struct policy_set {
	unsigned n_ref;
	struct policy **policies; /* sorted by name */
	size_t n;
};

struct policy_set *policy_set_ref(struct policy_set *s)
{
	if (s)
		s->n_ref++;
	return s;
}

struct policy_set *policy_set_unref(struct policy_set *s)
{
	if (!s || --s->n_ref > 0)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		policy_free(s->policies[i]);
	free(s->policies);
	free(s);
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int policy_cmp(const void *a, const void *b)
{
	return strcmp((*(struct policy *const *)a)->name, (*(struct policy *const *)b)->name);
}

static bool is_policy_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* Lists the policy file names of d, sorted. */
static int list_files(DIR *d, const char *dir, char ***ret, size_t *ret_n, struct sbx_error *reterr)
{
	_cleanup_strv_free_ char **names = calloc(POLICY_SET_FILES_MAX + 1, sizeof(char *));
	struct dirent *de;
	size_t n = 0;

	if (!names)
		return sbx_fail(reterr, -ENOMEM, "read policy directory '%s'", dir);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno != 0)
				return sbx_fail(reterr, -errno, "read policy directory '%s'", dir);
			break;
		}
		if (!is_policy_file(de->d_name))
			continue;
		if (n >= POLICY_SET_FILES_MAX)
			return sbx_fail(reterr, -E2BIG,
					"read policy directory '%s': more than %d files", dir,
					POLICY_SET_FILES_MAX);
		names[n] = strdup(de->d_name);
		if (!names[n])
			return sbx_fail(reterr, -ENOMEM, "read policy directory '%s'", dir);
		n++;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	*ret = TAKE_PTR(names);
	*ret_n = n;
	return 0;
}

static int load_dir(struct policy_set *s, const char *dir, struct sbx_error *reterr)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_free_ char **names = NULL;
	size_t n = 0;
	int r;

	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0; /* no policies installed: the built-in one alone */
		return sbx_fail(reterr, negative_errno(), "read policy directory '%s'", dir);
	}
	r = list_files(d, dir, &names, &n, reterr);
	if (r < 0)
		return r;
	s->policies = calloc(n + 1, sizeof(*s->policies));
	if (!s->policies)
		return sbx_fail(reterr, -ENOMEM, "read policy directory '%s'", dir);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL;
		struct policy *p;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			return sbx_fail(reterr, -ENOMEM, "read policy directory '%s'", dir);
		r = policy_load_file_at(dirfd(d), names[i], path, &p, reterr);
		if (r < 0)
			return r;
		s->policies[s->n++] = p;
		for (size_t j = 0; j + 1 < s->n; j++)
			if (strcmp(s->policies[j]->name, p->name) == 0)
				return policy_yaml_error(reterr, -EINVAL, p->source, p->name_line,
							 p->name_column,
							 "policy '%s' is already defined in '%s'",
							 p->name, s->policies[j]->source);
	}
	return 0;
}

int policy_set_load(const char *dir, struct policy_set **ret, struct sbx_error *reterr)
{
	_cleanup_(policy_set_unrefp) struct policy_set *s = NULL;
	struct policy *def = NULL;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return sbx_fail(reterr, -ENOMEM, "load policies");
	s->n_ref = 1;
	if (dir) {
		r = load_dir(s, dir, reterr);
		if (r < 0)
			return r;
	}
	if (!policy_set_find(s, "default")) {
		struct policy **q = reallocarray(s->policies, s->n + 1, sizeof(*q));

		if (!q)
			return sbx_fail(reterr, -ENOMEM, "load policies");
		s->policies = q;
		r = policy_load_default(&def, reterr);
		if (r < 0)
			return r;
		s->policies[s->n++] = def;
	}
	qsort(s->policies, s->n, sizeof(*s->policies), policy_cmp);
	*ret = TAKE_PTR(s);
	return 0;
}

const struct policy *policy_set_find(const struct policy_set *s, const char *name)
{
	/* A scan: loading looks names up before the final sort, and sets are small. */
	for (size_t i = 0; name && i < s->n; i++)
		if (strcmp(s->policies[i]->name, name) == 0)
			return s->policies[i];
	return NULL;
}

size_t policy_set_size(const struct policy_set *s)
{
	return s->n;
}

const struct policy *policy_set_get(const struct policy_set *s, size_t i)
{
	return i < s->n ? s->policies[i] : NULL;
}
