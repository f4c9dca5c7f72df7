/* SPDX-License-Identifier: MIT */
/* Session-wide consequences of a policy: Landlock path lists and data source references are
 * computed once at load time so that creating a session allocates nothing for them; limits
 * are narrowed per session. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-scope.h"
#include "sandbox-path.h"
#include "units.h"

struct prefix {
	const char *s;
	size_t len;
};

static int prefix_cmp(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	int c = memcmp(x->s, y->s, MIN(x->len, y->len));

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Builds the list of literal prefixes of globs, keeping none that lies under another. */
static int landlock_list(const struct policy_glob *globs, size_t n, char ***ret, size_t *ret_n)
{
	_cleanup_free_ struct prefix *v = NULL;
	char **out = NULL;
	size_t k = 0;

	*ret = NULL;
	*ret_n = 0;
	if (n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	out = calloc(n, sizeof(*out));
	if (!v || !out) {
		free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (struct prefix){globs[i].glob.text, globs[i].glob.prefix_len};
	/* Sorted, a directory comes before what is below it; but "/a-b" sorts between "/a" and
	 * "/a/b", so compare with every kept entry, not only the last. */
	qsort(v, n, sizeof(*v), prefix_cmp);
	for (size_t i = 0; i < n; i++) {
		bool covered = false;

		for (size_t j = 0; j < k && !covered; j++)
			covered = sandbox_path_is_under(v[i].s, v[i].len, out[j], strlen(out[j]));
		if (covered)
			continue;
		out[k] = strndup(v[i].s, v[i].len);
		if (!out[k]) {
			for (size_t j = 0; j < k; j++)
				free(out[j]);
			free(out);
			return -ENOMEM;
		}
		k++;
	}
	*ret = out;
	*ret_n = k;
	return 0;
}

static uint64_t data_source_refs(const struct policy *p, const struct policy_glob *globs, size_t n)
{
	uint64_t bits = 0;

	for (size_t d = 0; d < p->n_data_sources; d++)
		for (size_t i = 0; i < n; i++)
			if (path_glob_reaches(&globs[i].glob, p->data_sources[d].mount,
					      p->data_sources[d].mount_len)) {
				bits |= UINT64_C(1) << d;
				break;
			}
	return bits;
}

int policy_scope_prepare(struct policy *p)
{
	int r;

	for (size_t i = 0; i < p->n_skills; i++) {
		struct policy_skill *s = &p->skills[i];

		r = landlock_list(s->read, s->n_read, &s->landlock_read, &s->n_landlock_read);
		if (r < 0)
			return r;
		r = landlock_list(s->write, s->n_write, &s->landlock_write, &s->n_landlock_write);
		if (r < 0)
			return r;
		s->data_sources = data_source_refs(p, s->read, s->n_read) |
				  data_source_refs(p, s->write, s->n_write);
	}
	return 0;
}

void policy_scope_landlock(const struct policy *p, size_t skill, struct policy_scope_paths *ret)
{
	const struct policy_skill *s = &p->skills[skill];

	*ret = (struct policy_scope_paths){
		.read = (const char *const *)s->landlock_read,
		.n_read = s->n_landlock_read,
		.write = (const char *const *)s->landlock_write,
		.n_write = s->n_landlock_write,
	};
}

uint64_t policy_scope_data_sources(const struct policy *p, const struct policy_skill_set *set)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < p->n_skills; i++)
		if (policy_skill_set_contains(set, i))
			bits |= p->skills[i].data_sources;
	return bits;
}

enum limit_kind {
	LIMIT_SIZE,
	LIMIT_COUNT,
	LIMIT_CPUS,
	LIMIT_DURATION,
};

static const char *format_limit(enum limit_kind kind, uint64_t v, char buf[static UNITS_TEXT_MAX])
{
	switch (kind) {
	case LIMIT_SIZE:
		return units_format_size(v, buf);
	case LIMIT_DURATION:
		return units_format_duration(v, buf);
	case LIMIT_CPUS:
		if (v % 1000 == 0)
			snprintf(buf, UNITS_TEXT_MAX, "%" PRIu64, v / 1000);
		else if (v % 100 == 0)
			snprintf(buf, UNITS_TEXT_MAX, "%" PRIu64 ".%01" PRIu64, v / 1000,
				 v % 1000 / 100);
		else if (v % 10 == 0)
			snprintf(buf, UNITS_TEXT_MAX, "%" PRIu64 ".%02" PRIu64, v / 1000,
				 v % 1000 / 10);
		else
			snprintf(buf, UNITS_TEXT_MAX, "%" PRIu64 ".%03" PRIu64, v / 1000, v % 1000);
		return buf;
	default:
		snprintf(buf, UNITS_TEXT_MAX, "%" PRIu64, v);
		return buf;
	}
}

int policy_scope_limits(const struct policy *p, const struct policy_limits *requested,
			struct policy_limits *ret, struct sbx_error *reterr)
{
	static const struct {
		const char *name;
		size_t offset;
		enum limit_kind kind;
	} limits[] = {
		{"memory", offsetof(struct policy_limits, memory_bytes), LIMIT_SIZE},
		{"pids", offsetof(struct policy_limits, pids), LIMIT_COUNT},
		{"cpus", offsetof(struct policy_limits, cpu_millis), LIMIT_CPUS},
		{"disk", offsetof(struct policy_limits, disk_bytes), LIMIT_SIZE},
		{"session_ttl", offsetof(struct policy_limits, session_ttl_usec), LIMIT_DURATION},
		{"idle_ttl", offsetof(struct policy_limits, idle_ttl_usec), LIMIT_DURATION},
	};
	struct policy_limits out = {};

	for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
		uint64_t want = *(const uint64_t *)((const char *)requested + limits[i].offset);
		uint64_t cap = *(const uint64_t *)((const char *)&p->limits + limits[i].offset);
		char a[UNITS_TEXT_MAX], b[UNITS_TEXT_MAX];

		if (cap != 0 && want > cap)
			return sbx_fail(reterr, -EPERM,
					"requested %s %s is above the limit of %s set by policy "
					"'%s'",
					limits[i].name, format_limit(limits[i].kind, want, a),
					format_limit(limits[i].kind, cap, b), p->name);
		*(uint64_t *)((char *)&out + limits[i].offset) = want != 0 ? want : cap;
	}
	*ret = out;
	return 0;
}
