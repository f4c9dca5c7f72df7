/* SPDX-License-Identifier: MIT */
/* Policy files -> struct policy, one libyaml event at a time (policy-yaml.c bounds them). Each
 * mapping has a fixed set of keys; every value is checked where it is read, so an error points
 * at the value that caused it. The policy is built in place and returned only when all of it,
 * including the cross-checks at the end, is valid. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse-util.h"
#include "policy-load.h"
#include "policy-scope.h"
#include "policy-yaml.h"
#include "sandbox-path.h"
#include "units.h"

#define WHAT_MAX  192	     /* "skills.<64>.exec.commands" and friends */
#define PRINT_MAX 72	     /* a user string quoted in a message */
#define PIDS_MAX  4194304ULL /* the kernel's PID_MAX_LIMIT */

const char policy_load_default_text[] =
	"# The built-in policy: code and files in /workspace and /tmp, no network.\n"
	"version: 1\n"
	"name: default\n"
	"skills:\n"
	"  default:\n"
	"    tools: [exec, file.read, file.write, file.list, file.delete]\n"
	"    files:\n"
	"      read: [\"/workspace/**\", \"/tmp/**\"]\n"
	"      write: [\"/workspace/**\", \"/tmp/**\"]\n";

struct loader {
	struct policy_yaml y;
	struct policy *p;
	size_t cap_skills, cap_data_sources;
};

/* Directories whose host or sandbox side must never be a data source: kernel interfaces. */
static const char *const kernel_dirs[] = {"/proc", "/sys", "/dev"};

/* A user string made safe to quote in a message: control bytes shown as '?', long ones cut. */
static const char *printable(const char *s, char buf[static PRINT_MAX])
{
	size_t i = 0;

	for (; s[i] && i < PRINT_MAX - 4; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i]) {
		/* Do not cut a UTF-8 sequence in half: drop the part already copied. */
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--;
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* "ctx.key" for messages; names are at most 64 bytes, so nothing is cut in practice. */
static const char *join(char what[static WHAT_MAX], const char *ctx, const char *key)
{
	if (snprintf(what, WHAT_MAX, "%s.%s", ctx, key) >= WHAT_MAX)
		what[WHAT_MAX - 1] = '\0';
	return what;
}

static struct policy_yaml *Y(struct loader *l)
{
	return &l->y;
}

static const char *scalar(struct loader *l)
{
	return policy_yaml_scalar(&l->y);
}

static int oom(struct loader *l)
{
	return sbx_fail(l->y.e, -ENOMEM, "load policy '%s'", l->y.name);
}

/* Makes room for element n of an array of elements of size. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t want;
	void *q;

	if (n < *cap)
		return 0;
	want = MAX(*cap * 2, (size_t)4);
	q = reallocarray(*arr, want, size);
	if (!q)
		return -ENOMEM;
	*arr = q;
	*cap = want;
	return 0;
}

/* Names: lowercase letters and digits first, then also '_', '-' (and '.' when dots). Skill
 * and data source names take no dots so that rule names ("skills.NAME.files.read") split
 * unambiguously. */
static bool valid_name(const char *s, bool dots)
{
	size_t n = strlen(s);

	if (n == 0 || n > POLICY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '-' && c != '_' && !(dots && c == '.'))))
			return false;
	}
	return true;
}

/* Reads the next key of a mapping with known keys: 1 and *ret_index, or 0 at its end. */
static int next_key(struct loader *l, const char *ctx, const char *const *keys, size_t n,
		    uint32_t *seen, size_t *ret_index)
{
	char b[PRINT_MAX];
	int r;

	r = policy_yaml_next(Y(l));
	if (r < 0)
		return r;
	if (l->y.ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	if (l->y.ev.type != YAML_SCALAR_EVENT || policy_yaml_is_null(Y(l)))
		return policy_yaml_fail(Y(l), "expected a key");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i], scalar(l)) != 0)
			continue;
		if (*seen & (UINT32_C(1) << i))
			return ctx ? policy_yaml_fail(Y(l), "duplicate key '%s' in %s", keys[i],
						      ctx)
				   : policy_yaml_fail(Y(l), "duplicate key '%s'", keys[i]);
		*seen |= UINT32_C(1) << i;
		*ret_index = i;
		return 1;
	}
	return ctx ? policy_yaml_fail(Y(l), "unknown key '%s' in %s", printable(scalar(l), b), ctx)
		   : policy_yaml_fail(Y(l), "unknown key '%s'", printable(scalar(l), b));
}

/* Moves to the value of what, which must be one scalar of at most max bytes. */
static int expect_scalar(struct loader *l, const char *what, size_t max)
{
	int r = policy_yaml_next(Y(l));

	if (r < 0)
		return r;
	if (l->y.ev.type != YAML_SCALAR_EVENT)
		return policy_yaml_fail(Y(l), "expected a single value for '%s'", what);
	if (policy_yaml_is_null(Y(l)))
		return policy_yaml_fail(Y(l), "missing value for '%s'", what);
	if (policy_yaml_scalar_len(Y(l)) > max)
		return policy_yaml_fail(Y(l), "value of '%s' is longer than %zu bytes", what, max);
	return 0;
}

static int expect_start(struct loader *l, yaml_event_type_t type, const char *what)
{
	int r = policy_yaml_next(Y(l));

	if (r < 0)
		return r;
	if (l->y.ev.type != type)
		return policy_yaml_fail(Y(l),
					type == YAML_MAPPING_START_EVENT
						? "expected a mapping for '%s'"
						: "expected a list for '%s'",
					what);
	return 0;
}

static int read_string(struct loader *l, const char *what, size_t max, char **ret)
{
	int r = expect_scalar(l, what, max);

	if (r < 0)
		return r;
	*ret = strdup(scalar(l));
	return *ret ? 0 : oom(l);
}

static int read_bool(struct loader *l, const char *what, bool *ret)
{
	int r = expect_scalar(l, what, POLICY_SCALAR_MAX);

	if (r < 0)
		return r;
	/* Only JSON's spelling: YAML 1.1's yes/no/on/off are too easy to write by accident. */
	if (strcmp(scalar(l), "true") == 0)
		*ret = true;
	else if (strcmp(scalar(l), "false") == 0)
		*ret = false;
	else
		return policy_yaml_fail(Y(l), "expected true or false for '%s'", what);
	return 0;
}

static int read_size(struct loader *l, const char *what, uint64_t *ret)
{
	char b[PRINT_MAX];
	uint64_t v;
	int r = expect_scalar(l, what, POLICY_SCALAR_MAX);

	if (r < 0)
		return r;
	if (units_parse_size(scalar(l), &v) < 0 || v == 0)
		return policy_yaml_fail(Y(l),
					"bad size '%s' for '%s' (expected a size above 0 such as "
					"512Mi, 1G or 4096)",
					printable(scalar(l), b), what);
	*ret = v;
	return 0;
}

static int read_duration(struct loader *l, const char *what, uint64_t *ret)
{
	char b[PRINT_MAX];
	uint64_t v;
	int r = expect_scalar(l, what, POLICY_SCALAR_MAX);

	if (r < 0)
		return r;
	if (units_parse_duration(scalar(l), &v) < 0 || v == 0)
		return policy_yaml_fail(Y(l),
					"bad duration '%s' for '%s' (expected a duration above 0 "
					"such as 30s, 5m or 1h30m)",
					printable(scalar(l), b), what);
	*ret = v;
	return 0;
}

/* Reads a list of scalars, calling item for each with the scalar as the current event. */
typedef int (*item_fn)(struct loader *l, const char *what, void *userdata);

static int read_list(struct loader *l, const char *what, size_t max, item_fn item, void *userdata)
{
	size_t n = 0;
	int r;

	r = expect_start(l, YAML_SEQUENCE_START_EVENT, what);
	if (r < 0)
		return r;
	for (;;) {
		r = policy_yaml_next(Y(l));
		if (r < 0)
			return r;
		if (l->y.ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (l->y.ev.type != YAML_SCALAR_EVENT)
			return policy_yaml_fail(Y(l), "expected single values in '%s'", what);
		if (policy_yaml_is_null(Y(l)))
			return policy_yaml_fail(Y(l), "empty entry in '%s'", what);
		if (policy_yaml_scalar_len(Y(l)) > POLICY_SCALAR_MAX)
			return policy_yaml_fail(Y(l), "entry of '%s' is longer than %u bytes", what,
						POLICY_SCALAR_MAX);
		if (n++ >= max)
			return policy_yaml_fail(Y(l), "more than %zu entries in '%s'", max, what);
		r = item(l, what, userdata);
		if (r < 0)
			return r;
	}
}

struct glob_list {
	struct policy_glob **globs;
	size_t *n;
	size_t cap;
	const char *kind; /* "glob" or "command" */
};

static int add_glob(struct loader *l, const char *what, void *userdata)
{
	struct glob_list *gl = userdata;
	struct path_glob g;
	const char *why = NULL;
	char b[PRINT_MAX];
	int r;

	if (grow((void **)gl->globs, &gl->cap, *gl->n, sizeof(**gl->globs)) < 0)
		return oom(l);
	r = path_glob_compile(scalar(l), &g, &why);
	if (r == -ENOMEM)
		return oom(l);
	if (r < 0)
		return policy_yaml_fail(Y(l), "bad %s '%s' in '%s': %s", gl->kind,
					printable(scalar(l), b), what, why);
	(*gl->globs)[(*gl->n)++] = (struct policy_glob){
		.glob = g,
		.line = policy_yaml_line(Y(l)),
		.column = policy_yaml_column(Y(l)),
	};
	return 0;
}

static int read_globs(struct loader *l, const char *what, const char *kind,
		      struct policy_glob **globs, size_t *n)
{
	struct glob_list gl = {.globs = globs, .n = n, .kind = kind};

	return read_list(l, what, POLICY_GLOBS_MAX, add_glob, &gl);
}

static int add_tool(struct loader *l, const char *what, void *userdata)
{
	struct policy_skill *s = userdata;
	enum policy_tool t = policy_tool_from_string(scalar(l));
	char b[PRINT_MAX];

	if (t < 0)
		return policy_yaml_fail(Y(l),
					"unknown tool '%s' in '%s' (expected exec, file.read, "
					"file.write, file.list, file.delete, browse or network)",
					printable(scalar(l), b), what);
	if (s->tools & (UINT32_C(1) << t))
		return policy_yaml_fail(Y(l), "duplicate tool '%s' in '%s'", scalar(l), what);
	s->tools |= UINT32_C(1) << t;
	return 0;
}

static int add_language(struct loader *l, const char *what, void *userdata)
{
	struct policy_skill *s = userdata;
	enum policy_language lang = policy_language_from_string(scalar(l));
	char b[PRINT_MAX];

	if (lang < 0)
		return policy_yaml_fail(Y(l),
					"unknown language '%s' in '%s' (expected python, bash, sh "
					"or node)",
					printable(scalar(l), b), what);
	if (s->languages & (UINT32_C(1) << lang))
		return policy_yaml_fail(Y(l), "duplicate language '%s' in '%s'", scalar(l), what);
	s->languages |= UINT32_C(1) << lang;
	return 0;
}

struct host_list {
	struct policy_skill *s;
	size_t cap;
};

static int add_host(struct loader *l, const char *what, void *userdata)
{
	struct host_list *hl = userdata;
	struct policy_skill *s = hl->s;
	const char *why = NULL;
	char b[PRINT_MAX];

	if (grow((void **)&s->allow, &hl->cap, s->n_allow, sizeof(*s->allow)) < 0)
		return oom(l);
	if (hostmatch_pattern_parse(scalar(l), &s->allow[s->n_allow], &why) < 0)
		return policy_yaml_fail(Y(l), "bad host pattern '%s' in '%s': %s",
					printable(scalar(l), b), what, why);
	s->n_allow++;
	return 0;
}

static int add_cidr(struct loader *l, const char *what, void *userdata)
{
	struct host_list *hl = userdata;
	struct policy_skill *s = hl->s;
	const char *why = NULL;
	char b[PRINT_MAX];

	if (grow((void **)&s->allow_cidrs, &hl->cap, s->n_allow_cidrs, sizeof(*s->allow_cidrs)) < 0)
		return oom(l);
	if (hostmatch_cidr_parse(scalar(l), &s->allow_cidrs[s->n_allow_cidrs], &why) < 0)
		return policy_yaml_fail(Y(l), "bad CIDR '%s' in '%s': %s", printable(scalar(l), b),
					what, why);
	s->n_allow_cidrs++;
	return 0;
}

static int read_files(struct loader *l, struct policy_skill *s, const char *ctx)
{
	static const char *const keys[] = {"read", "write", "max_bytes"};
	char what[WHAT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	for (;;) {
		r = next_key(l, ctx, keys, ELEMENTSOF(keys), &seen, &k);
		if (r <= 0)
			return r;
		join(what, ctx, keys[k]);
		r = k == 0   ? read_globs(l, what, "glob", &s->read, &s->n_read)
		    : k == 1 ? read_globs(l, what, "glob", &s->write, &s->n_write)
			     : read_size(l, what, &s->files_max_bytes);
		if (r < 0)
			return r;
	}
}

static int read_exec(struct loader *l, struct policy_skill *s, const char *ctx)
{
	static const char *const keys[] = {"languages", "commands", "timeout", "max_output"};
	char what[WHAT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	for (;;) {
		r = next_key(l, ctx, keys, ELEMENTSOF(keys), &seen, &k);
		if (r <= 0)
			return r;
		join(what, ctx, keys[k]);
		switch (k) {
		case 0:
			s->languages = 0; /* listed: exactly these */
			r = read_list(l, what, _POLICY_LANGUAGE_MAX * 2, add_language, s);
			break;
		case 1:
			s->has_commands = true;
			r = read_globs(l, what, "command", &s->commands, &s->n_commands);
			break;
		case 2:
			r = read_duration(l, what, &s->exec_timeout_usec);
			break;
		default:
			r = read_size(l, what, &s->exec_max_output);
			break;
		}
		if (r < 0)
			return r;
	}
}

static int read_network(struct loader *l, struct policy_skill *s, const char *ctx)
{
	static const char *const keys[] = {"allow", "allow_cidrs"};
	char what[WHAT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	for (;;) {
		struct host_list hl = {.s = s};

		r = next_key(l, ctx, keys, ELEMENTSOF(keys), &seen, &k);
		if (r <= 0)
			return r;
		join(what, ctx, keys[k]);
		r = read_list(l, what, POLICY_HOSTS_MAX, k == 0 ? add_host : add_cidr, &hl);
		if (r < 0)
			return r;
	}
}

static int read_browse(struct loader *l, struct policy_skill *s, const char *ctx)
{
	static const char *const keys[] = {"max_bytes", "timeout"};
	char what[WHAT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	for (;;) {
		r = next_key(l, ctx, keys, ELEMENTSOF(keys), &seen, &k);
		if (r <= 0)
			return r;
		join(what, ctx, keys[k]);
		r = k == 0 ? read_size(l, what, &s->browse_max_bytes)
			   : read_duration(l, what, &s->browse_timeout_usec);
		if (r < 0)
			return r;
	}
}

#define TOOL_BIT(t) (UINT32_C(1) << (t))

/* What a skill grants must be usable and what it scopes must be granted: a scope without its
 * tool, or a tool without the scope it needs, is a policy that does not mean what it says. */
static int check_skill(struct loader *l, const struct policy_skill *s, uint32_t blocks)
{
	const uint32_t reads = TOOL_BIT(POLICY_TOOL_FILE_READ) | TOOL_BIT(POLICY_TOOL_FILE_LIST);
	const uint32_t writes =
		TOOL_BIT(POLICY_TOOL_FILE_WRITE) | TOOL_BIT(POLICY_TOOL_FILE_DELETE);
	const uint32_t nets = TOOL_BIT(POLICY_TOOL_BROWSE) | TOOL_BIT(POLICY_TOOL_NETWORK);
	const uint32_t exec = TOOL_BIT(POLICY_TOOL_EXEC);
	struct policy_yaml *y = Y(l);
	unsigned line = s->line, col = s->column;

	if (s->tools == 0)
		return policy_yaml_fail_at(y, line, col, "skill '%s' grants no tools", s->name);
	if ((s->tools & reads) && s->n_read == 0)
		return policy_yaml_fail_at(
			y, line, col, "skill '%s' grants %s but has no files.read globs", s->name,
			policy_tool_to_string(__builtin_ctz(s->tools & reads)));
	if ((s->tools & writes) && s->n_write == 0)
		return policy_yaml_fail_at(
			y, line, col, "skill '%s' grants %s but has no files.write globs", s->name,
			policy_tool_to_string(__builtin_ctz(s->tools & writes)));
	if (s->n_read > 0 && !(s->tools & (reads | exec)))
		return policy_yaml_fail_at(y, line, col,
					   "skill '%s' has files.read globs but grants none of "
					   "file.read, file.list and exec",
					   s->name);
	if (s->n_write > 0 && !(s->tools & (writes | exec)))
		return policy_yaml_fail_at(y, line, col,
					   "skill '%s' has files.write globs but grants none of "
					   "file.write, file.delete and exec",
					   s->name);
	if ((blocks & (1U << 2)) && !(s->tools & exec))
		return policy_yaml_fail_at(y, line, col,
					   "skill '%s' has an exec block but does not grant exec",
					   s->name);
	if ((blocks & (1U << 3)) && !(s->tools & nets))
		return policy_yaml_fail_at(
			y, line, col,
			"skill '%s' has a network block but grants neither network "
			"nor browse",
			s->name);
	if ((blocks & (1U << 4)) && !(s->tools & TOOL_BIT(POLICY_TOOL_BROWSE)))
		return policy_yaml_fail_at(
			y, line, col, "skill '%s' has a browse block but does not grant browse",
			s->name);
	if ((s->tools & nets) && s->n_allow == 0 && s->n_allow_cidrs == 0)
		return policy_yaml_fail_at(y, line, col,
					   "skill '%s' grants %s but allows no hosts "
					   "(network.allow, network.allow_cidrs)",
					   s->name,
					   policy_tool_to_string(__builtin_ctz(s->tools & nets)));
	return 0;
}

static int read_skill(struct loader *l, struct policy_skill *s)
{
	/* The order of keys is the bit order check_skill() uses. */
	static const char *const keys[] = {"tools", "files", "exec", "network", "browse"};
	char ctx[WHAT_MAX], what[WHAT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	snprintf(ctx, sizeof(ctx), "skills.%s", s->name);
	r = expect_start(l, YAML_MAPPING_START_EVENT, ctx);
	if (r < 0)
		return r;
	for (;;) {
		r = next_key(l, ctx, keys, ELEMENTSOF(keys), &seen, &k);
		if (r < 0)
			return r;
		if (r == 0)
			return check_skill(l, s, seen);
		join(what, ctx, keys[k]);
		if (k == 0) {
			r = read_list(l, what, _POLICY_TOOL_MAX * 2, add_tool, s);
		} else {
			r = expect_start(l, YAML_MAPPING_START_EVENT, what);
			if (r >= 0)
				r = k == 1   ? read_files(l, s, what)
				    : k == 2 ? read_exec(l, s, what)
				    : k == 3 ? read_network(l, s, what)
					     : read_browse(l, s, what);
		}
		if (r < 0)
			return r;
	}
}

static int read_skills(struct loader *l)
{
	struct policy *p = l->p;
	unsigned line, col;
	char b[PRINT_MAX];
	int r;

	r = expect_start(l, YAML_MAPPING_START_EVENT, "skills");
	if (r < 0)
		return r;
	line = policy_yaml_line(Y(l));
	col = policy_yaml_column(Y(l));
	for (;;) {
		struct policy_skill *s;

		r = policy_yaml_next(Y(l));
		if (r < 0)
			return r;
		if (l->y.ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (l->y.ev.type != YAML_SCALAR_EVENT || policy_yaml_is_null(Y(l)))
			return policy_yaml_fail(Y(l), "expected a skill name");
		if (!valid_name(scalar(l), false))
			return policy_yaml_fail(
				Y(l),
				"bad skill name '%s' (expected up to 64 lowercase "
				"letters, digits, '_' and '-', starting with a letter "
				"or digit)",
				printable(scalar(l), b));
		if (policy_skill_index(p, scalar(l)) >= 0)
			return policy_yaml_fail(Y(l), "duplicate skill '%s'", scalar(l));
		if (p->n_skills >= POLICY_SKILLS_MAX)
			return policy_yaml_fail(Y(l), "more than %d skills", POLICY_SKILLS_MAX);
		if (grow((void **)&p->skills, &l->cap_skills, p->n_skills, sizeof(*p->skills)) < 0)
			return oom(l);
		s = &p->skills[p->n_skills++];
		*s = (struct policy_skill){
			.languages = POLICY_LANGUAGES_ALL,
			.line = policy_yaml_line(Y(l)),
			.column = policy_yaml_column(Y(l)),
		};
		s->name = strdup(scalar(l));
		if (!s->name)
			return oom(l);
		r = read_skill(l, s);
		if (r < 0)
			return r;
	}
	if (p->n_skills == 0)
		return policy_yaml_fail_at(Y(l), line, col, "'skills' lists no skills");
	return 0;
}

/* Checks a data source path: absolute, in normal form, not the root, not a kernel dir. */
static int check_ds_path(struct loader *l, const char *what, const char *path)
{
	char b[PRINT_MAX];

	if (!sandbox_path_is_normalized(path))
		return policy_yaml_fail(Y(l),
					"bad path '%s' for '%s' (expected an absolute path "
					"without '.', '..', '//' or a trailing '/')",
					printable(path, b), what);
	if (strcmp(path, "/") == 0)
		return policy_yaml_fail(Y(l), "'%s' must not be '/'", what);
	for (size_t i = 0; i < ELEMENTSOF(kernel_dirs); i++)
		if (sandbox_path_is_under(path, strlen(path), kernel_dirs[i],
					  strlen(kernel_dirs[i])))
			return policy_yaml_fail(Y(l), "'%s' must not be under /proc, /sys or /dev",
						what);
	return 0;
}

static int read_data_source(struct loader *l, struct policy_data_source *ds, size_t index)
{
	static const char *const keys[] = {"name", "host_path", "mount", "read_only"};
	const struct policy *p = l->p;
	char ctx[WHAT_MAX], what[WHAT_MAX], b[PRINT_MAX];
	unsigned line = policy_yaml_line(Y(l)), col = policy_yaml_column(Y(l));
	uint32_t seen = 0;
	size_t k;
	int r;

	snprintf(ctx, sizeof(ctx), "data_sources[%zu]", index);
	for (;;) {
		r = next_key(l, ctx, keys, ELEMENTSOF(keys), &seen, &k);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		join(what, ctx, keys[k]);
		switch (k) {
		case 0:
			r = read_string(l, what, POLICY_SCALAR_MAX, &ds->name);
			if (r < 0)
				return r;
			if (!valid_name(ds->name, false))
				return policy_yaml_fail(
					Y(l),
					"bad data source name '%s' (expected up to "
					"64 lowercase letters, digits, '_' and '-', "
					"starting with a letter or digit)",
					printable(ds->name, b));
			for (size_t i = 0; i < index; i++)
				if (strcmp(p->data_sources[i].name, ds->name) == 0)
					return policy_yaml_fail(Y(l), "duplicate data source '%s'",
								ds->name);
			break;
		case 1:
			r = read_string(l, what, POLICY_SCALAR_MAX, &ds->host_path);
			if (r >= 0)
				r = check_ds_path(l, what, ds->host_path);
			break;
		case 2:
			r = read_string(l, what, POLICY_SCALAR_MAX, &ds->mount);
			if (r >= 0)
				r = check_ds_path(l, what, ds->mount);
			if (r < 0)
				return r;
			ds->mount_len = strlen(ds->mount);
			/* Nested mounts would depend on mount order; one source per subtree. */
			for (size_t i = 0; i < index; i++) {
				const struct policy_data_source *o = &p->data_sources[i];

				if (sandbox_path_is_under(ds->mount, ds->mount_len, o->mount,
							  o->mount_len) ||
				    sandbox_path_is_under(o->mount, o->mount_len, ds->mount,
							  ds->mount_len))
					return policy_yaml_fail(Y(l),
								"mount '%s' overlaps data source "
								"'%s' at '%s'",
								printable(ds->mount, b), o->name,
								o->mount);
			}
			break;
		default:
			r = read_bool(l, what, &ds->read_only);
			break;
		}
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < 3; i++)
		if (!(seen & (UINT32_C(1) << i)))
			return policy_yaml_fail_at(Y(l), line, col, "missing '%s' in %s", keys[i],
						   ctx);
	return 0;
}

static int read_data_sources(struct loader *l)
{
	struct policy *p = l->p;
	int r;

	r = expect_start(l, YAML_SEQUENCE_START_EVENT, "data_sources");
	if (r < 0)
		return r;
	for (;;) {
		struct policy_data_source *ds;

		r = policy_yaml_next(Y(l));
		if (r < 0)
			return r;
		if (l->y.ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (l->y.ev.type != YAML_MAPPING_START_EVENT)
			return policy_yaml_fail(Y(l), "expected a mapping in 'data_sources'");
		if (p->n_data_sources >= POLICY_DATA_SOURCES_MAX)
			return policy_yaml_fail(Y(l), "more than %d data sources",
						POLICY_DATA_SOURCES_MAX);
		if (grow((void **)&p->data_sources, &l->cap_data_sources, p->n_data_sources,
			 sizeof(*p->data_sources)) < 0)
			return oom(l);
		ds = &p->data_sources[p->n_data_sources];
		*ds = (struct policy_data_source){.read_only = true};
		r = read_data_source(l, ds, p->n_data_sources);
		/* Counted even when half read, so policy_free() releases it. */
		p->n_data_sources++;
		if (r < 0)
			return r;
	}
}

static int read_limits(struct loader *l)
{
	static const char *const keys[] = {"memory", "pids",	    "cpus",
					   "disk",   "session_ttl", "idle_ttl"};
	struct policy_limits *lim = &l->p->limits;
	char what[WHAT_MAX], b[PRINT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	r = expect_start(l, YAML_MAPPING_START_EVENT, "limits");
	if (r < 0)
		return r;
	for (;;) {
		r = next_key(l, "limits", keys, ELEMENTSOF(keys), &seen, &k);
		if (r <= 0)
			return r;
		snprintf(what, sizeof(what), "limits.%s", keys[k]);
		switch (k) {
		case 0:
			r = read_size(l, what, &lim->memory_bytes);
			break;
		case 1:
			r = expect_scalar(l, what, POLICY_SCALAR_MAX);
			if (r >= 0 && parse_u64_range(scalar(l), 1, PIDS_MAX, &lim->pids) < 0)
				r = policy_yaml_fail(
					Y(l), "bad number '%s' for '%s' (expected 1 to %llu)",
					printable(scalar(l), b), what, PIDS_MAX);
			break;
		case 2:
			r = expect_scalar(l, what, POLICY_SCALAR_MAX);
			if (r >= 0 && units_parse_cpus(scalar(l), &lim->cpu_millis) < 0)
				r = policy_yaml_fail(Y(l),
						     "bad CPU count '%s' for '%s' (expected a "
						     "number above 0 such as 1, 0.5 or 2.25)",
						     printable(scalar(l), b), what);
			break;
		case 3:
			r = read_size(l, what, &lim->disk_bytes);
			break;
		case 4:
			r = read_duration(l, what, &lim->session_ttl_usec);
			break;
		default:
			r = read_duration(l, what, &lim->idle_ttl_usec);
			break;
		}
		if (r < 0)
			return r;
	}
}

static int read_top(struct loader *l)
{
	static const char *const keys[] = {"version", "name",	      "instructions",
					   "limits",  "data_sources", "skills"};
	struct policy *p = l->p;
	unsigned line, col;
	char b[PRINT_MAX];
	uint32_t seen = 0;
	size_t k;
	int r;

	if (l->y.ev.type != YAML_MAPPING_START_EVENT)
		return policy_yaml_fail(Y(l), "expected a mapping at the top level");
	line = policy_yaml_line(Y(l));
	col = policy_yaml_column(Y(l));
	for (;;) {
		r = next_key(l, NULL, keys, ELEMENTSOF(keys), &seen, &k);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		switch (k) {
		case 0:
			r = expect_scalar(l, "version", POLICY_SCALAR_MAX);
			if (r >= 0 && strcmp(scalar(l), "1") != 0)
				r = policy_yaml_fail(Y(l), "unsupported version '%s' (expected 1)",
						     printable(scalar(l), b));
			break;
		case 1:
			r = read_string(l, "name", POLICY_SCALAR_MAX, &p->name);
			if (r >= 0 && !valid_name(p->name, true))
				r = policy_yaml_fail(
					Y(l),
					"bad name '%s' (expected up to 64 lowercase "
					"letters, digits, '.', '_' and '-', starting with "
					"a letter or digit)",
					printable(p->name, b));
			p->name_line = policy_yaml_line(Y(l));
			p->name_column = policy_yaml_column(Y(l));
			break;
		case 2:
			r = read_string(l, "instructions", POLICY_INSTRUCTIONS_MAX,
					&p->instructions);
			break;
		case 3:
			r = read_limits(l);
			break;
		case 4:
			r = read_data_sources(l);
			break;
		default:
			r = read_skills(l);
			break;
		}
		if (r < 0)
			return r;
	}
	/* version first: a policy for another version fails on that, not on its keys. */
	if (!(seen & 1U))
		return policy_yaml_fail_at(Y(l), line, col, "missing 'version' (expected 1)");
	if (!(seen & 2U))
		return policy_yaml_fail_at(Y(l), line, col, "missing 'name'");
	if (!(seen & 32U))
		return policy_yaml_fail_at(Y(l), line, col, "missing 'skills'");
	return 0;
}

/* A write glob wholly under a read-only source can never be honoured: the bind mount is
 * read-only. (Broader write globs stay valid; decide.c denies writes under the source.) */
static int check_read_only(struct loader *l)
{
	const struct policy *p = l->p;

	for (size_t i = 0; i < p->n_skills; i++)
		for (size_t j = 0; j < p->skills[i].n_write; j++) {
			const struct policy_glob *g = &p->skills[i].write[j];

			for (size_t d = 0; d < p->n_data_sources; d++) {
				const struct policy_data_source *ds = &p->data_sources[d];
				char b[PRINT_MAX];

				if (ds->read_only &&
				    path_glob_is_under(&g->glob, ds->mount, ds->mount_len))
					return policy_yaml_fail_at(
						Y(l), g->line, g->column,
						"write glob '%s' in skill '%s' lies under "
						"read-only data source '%s'",
						printable(g->glob.text, b), p->skills[i].name,
						ds->name);
			}
		}
	return 0;
}

int policy_load_text(const char *text, size_t len, const char *name, struct policy **ret,
		     struct sbx_error *reterr)
{
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct loader l = {};
	int r;

	if (!name)
		name = "policy";
	if (len > POLICY_FILE_MAX)
		return policy_yaml_error(reterr, -EFBIG, name, 1, 1,
					 "policy is larger than %u bytes", POLICY_FILE_MAX);
	p = calloc(1, sizeof(*p));
	if (!p)
		return sbx_fail(reterr, -ENOMEM, "load policy '%s'", name);
	p->source = strdup(name);
	if (!p->source)
		return sbx_fail(reterr, -ENOMEM, "load policy '%s'", name);
	l.p = p;

	r = policy_yaml_open(&l.y, text, len, name, reterr);
	if (r == 0)
		r = policy_yaml_fail_at(&l.y, 1, 1, "policy is empty");
	else if (r > 0)
		r = read_top(&l);
	if (r >= 0)
		r = policy_yaml_finish(&l.y);
	policy_yaml_close(&l.y);
	if (r >= 0)
		r = check_read_only(&l);
	if (r >= 0 && policy_scope_prepare(p) < 0)
		r = oom(&l);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

int policy_load_file_at(int dirfd, const char *path, const char *name, struct policy **ret,
			struct sbx_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t got = 0;
	struct stat st;

	if (!name)
		name = path;
	/* O_NONBLOCK: a FIFO dropped into the policy directory must not hang a reload. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return sbx_fail(reterr, negative_errno(), "read policy '%s'", name);
	if (fstat(fd, &st) < 0)
		return sbx_fail(reterr, negative_errno(), "read policy '%s'", name);
	if (!S_ISREG(st.st_mode))
		return sbx_fail(reterr, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
				"read policy '%s': not a regular file", name);
	buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf)
		return sbx_fail(reterr, -ENOMEM, "read policy '%s'", name);
	/* Read one byte past the limit so that a file that grew since fstat() is still caught. */
	while (got < POLICY_FILE_MAX + 1) {
		ssize_t n = read(fd, buf + got, POLICY_FILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_fail(reterr, negative_errno(), "read policy '%s'", name);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return policy_load_text(buf, got, name, ret, reterr);
}

int policy_load_file(const char *path, struct policy **ret, struct sbx_error *reterr)
{
	return policy_load_file_at(AT_FDCWD, path, path, ret, reterr);
}

int policy_load_default(struct policy **ret, struct sbx_error *reterr)
{
	return policy_load_text(policy_load_default_text, strlen(policy_load_default_text),
				"<built-in default>", ret, reterr);
}
