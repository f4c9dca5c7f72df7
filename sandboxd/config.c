/* SPDX-License-Identifier: MIT */
/* A small recursive reader over libyaml's events: one top-level mapping of known keys, each
 * value a scalar, a list of scalars, or (session_defaults) one more mapping. Unknown keys,
 * wrong types, duplicates and bad values are errors naming the place; sizes and depth are
 * bounded before anything is kept. Fuzzed by tests/fuzz/fuzz-config.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"
#include "io-util.h"
#include "macro.h"
#include "parse-util.h"
#include "units.h"

struct reader {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	const char *name;
	struct sbx_error *e;
};

static int fail_at(struct reader *rd, const yaml_mark_t *m, const char *msg, const char *arg)
{
	return sbx_fail(rd->e, -EINVAL, "%s:%zu:%zu: %s%s%.64s%s", rd->name, m->line + 1,
			m->column + 1, msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* Takes the next event into rd->ev (the previous one is released). */
static int next(struct reader *rd)
{
	if (rd->have_ev)
		yaml_event_delete(&rd->ev);
	rd->have_ev = false;
	if (!yaml_parser_parse(&rd->parser, &rd->ev)) {
		yaml_mark_t m = rd->parser.problem_mark;

		return fail_at(rd, &m, rd->parser.problem ? rd->parser.problem : "malformed YAML",
			       NULL);
	}
	rd->have_ev = true;
	if (rd->ev.type == YAML_ALIAS_EVENT)
		return fail_at(rd, &rd->ev.start_mark, "aliases are not allowed", NULL);
	return 0;
}

static int expect_scalar(struct reader *rd, const char *key)
{
	int r = next(rd);

	if (r < 0)
		return r;
	if (rd->ev.type != YAML_SCALAR_EVENT)
		return fail_at(rd, &rd->ev.start_mark, "expected a single value for", key);
	if (rd->ev.data.scalar.length > CONFIG_STRING_MAX)
		return fail_at(rd, &rd->ev.start_mark, "value too long for", key);
	return 0;
}

static const char *scalar(struct reader *rd)
{
	return (const char *)rd->ev.data.scalar.value;
}

static int read_path(struct reader *rd, const char *key, char **ret)
{
	int r = expect_scalar(rd, key);

	if (r < 0)
		return r;
	if (scalar(rd)[0] != '/')
		return fail_at(rd, &rd->ev.start_mark, "expected an absolute path for", key);
	free(*ret);
	*ret = strdup(scalar(rd));
	return *ret ? 0 : sbx_fail(rd->e, -ENOMEM, "read '%s'", rd->name);
}

static int read_id_list(struct reader *rd, const char *key, uint32_t *ids, size_t *n)
{
	int r = next(rd);

	if (r < 0)
		return r;
	if (rd->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail_at(rd, &rd->ev.start_mark, "expected a list of numbers for", key);
	*n = 0;
	for (;;) {
		uint64_t v;

		r = next(rd);
		if (r < 0)
			return r;
		if (rd->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (rd->ev.type != YAML_SCALAR_EVENT)
			return fail_at(rd, &rd->ev.start_mark, "expected a number in", key);
		if (*n >= CONFIG_LIST_MAX)
			return fail_at(rd, &rd->ev.start_mark, "too many entries in", key);
		if (parse_u64_range(scalar(rd), 0, UINT32_MAX - 1, &v) < 0)
			return fail_at(rd, &rd->ev.start_mark, "expected an id, not", scalar(rd));
		ids[(*n)++] = (uint32_t)v;
	}
}

/* One value of session_defaults, checked against the maximum a request may ask for. */
static int read_default(struct reader *rd, const char *key, struct session_defaults *d)
{
	static const struct {
		const char *key;
		char kind; /* s size, n number, c cpus, d duration */
		size_t offset;
		uint64_t min, max;
	} keys[] = {
		{"memory", 's', offsetof(struct session_defaults, memory_bytes), 4ULL << 20,
		 SESSION_MEMORY_MAX},
		{"pids", 'n', offsetof(struct session_defaults, pids), 8, SESSION_PIDS_MAX},
		{"cpus", 'c', offsetof(struct session_defaults, cpu_millis), 10, 256000},
		{"disk", 's', offsetof(struct session_defaults, disk_bytes), 1ULL << 20,
		 SESSION_DISK_MAX},
		{"ttl", 'd', offsetof(struct session_defaults, ttl_ms), 1000, SESSION_TTL_MAX_MS},
		{"idle_ttl", 'd', offsetof(struct session_defaults, idle_ttl_ms), 1000,
		 SESSION_TTL_MAX_MS},
	};
	uint64_t v = 0;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		r = expect_scalar(rd, key);
		if (r < 0)
			return r;
		switch (keys[i].kind) {
		case 's':
			r = units_parse_size(scalar(rd), &v);
			break;
		case 'n':
			r = parse_u64(scalar(rd), &v);
			break;
		case 'c':
			r = units_parse_cpus(scalar(rd), &v);
			break;
		default:
			r = units_parse_duration(scalar(rd), &v);
			v /= 1000; /* to ms */
			break;
		}
		if (r < 0 || v < keys[i].min || v > keys[i].max)
			return fail_at(rd, &rd->ev.start_mark, "bad value for", key);
		*(uint64_t *)((char *)d + keys[i].offset) = v;
		return 0;
	}
	return fail_at(rd, &rd->ev.start_mark, "unknown key in session_defaults:", key);
}

/* Reads a mapping's keys; top level when defaults is NULL. */
static int read_mapping(struct reader *rd, struct config_file *c, bool top, unsigned depth)
{
	char seen[16][32];
	size_t n_seen = 0;
	int r;

	if (depth > CONFIG_DEPTH_MAX)
		return fail_at(rd, &rd->ev.start_mark, "nested too deeply", NULL);
	for (;;) {
		char key[32];

		r = next(rd);
		if (r < 0)
			return r;
		if (rd->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (rd->ev.type != YAML_SCALAR_EVENT || rd->ev.data.scalar.length >= sizeof(key))
			return fail_at(rd, &rd->ev.start_mark, "expected a key", NULL);
		memcpy(key, scalar(rd), rd->ev.data.scalar.length + 1);
		for (size_t i = 0; i < n_seen; i++)
			if (strcmp(seen[i], key) == 0)
				return fail_at(rd, &rd->ev.start_mark, "duplicate key", key);
		if (n_seen < ELEMENTSOF(seen))
			memcpy(seen[n_seen++], key, sizeof(key));

		if (!top)
			r = read_default(rd, key, &c->defaults);
		else if (strcmp(key, "socket") == 0)
			r = read_path(rd, key, &c->socket_path);
		else if (strcmp(key, "state_dir") == 0)
			r = read_path(rd, key, &c->state_dir);
		else if (strcmp(key, "policy_dir") == 0)
			r = read_path(rd, key, &c->policy_dir);
		else if (strcmp(key, "allow_inline_policies") == 0) {
			r = expect_scalar(rd, key);
			if (r >= 0 && strcmp(scalar(rd), "true") != 0 &&
			    strcmp(scalar(rd), "false") != 0)
				r = fail_at(rd, &rd->ev.start_mark, "expected true or false for",
					    key);
			c->allow_inline_policies = r >= 0 && strcmp(scalar(rd), "true") == 0;
			c->has_allow_inline_policies = true;
		} else if (strcmp(key, "allowed_uids") == 0)
			r = read_id_list(rd, key, c->allowed_uids, &c->n_allowed_uids);
		else if (strcmp(key, "allowed_gids") == 0)
			r = read_id_list(rd, key, c->allowed_gids, &c->n_allowed_gids);
		else if (strcmp(key, "max_sessions") == 0) {
			uint64_t v = 0;

			r = expect_scalar(rd, key);
			if (r >= 0 && parse_u64_range(scalar(rd), 0, 65536, &v) < 0)
				r = fail_at(rd, &rd->ev.start_mark, "expected 0 to 65536 for", key);
			c->max_sessions = (unsigned)v;
			c->has_max_sessions = true;
		} else if (strcmp(key, "warm_pool") == 0) {
			uint64_t v = 0;

			r = expect_scalar(rd, key);
			if (r >= 0 && parse_u64_range(scalar(rd), 0, 64, &v) < 0)
				r = fail_at(rd, &rd->ev.start_mark, "expected 0 to 64 for", key);
			c->warm_pool = (unsigned)v;
			c->has_warm_pool = true;
		} else if (strcmp(key, "session_defaults") == 0) {
			r = next(rd);
			if (r >= 0 && rd->ev.type != YAML_MAPPING_START_EVENT)
				r = fail_at(rd, &rd->ev.start_mark, "expected a mapping for", key);
			if (r >= 0)
				r = read_mapping(rd, c, false, depth + 1);
		} else
			r = fail_at(rd, &rd->ev.start_mark, "unknown key", key);
		if (r < 0)
			return r;
	}
}

int config_parse(const char *text, size_t len, const char *name, struct config_file *ret,
		 struct sbx_error *reterr)
{
	struct config_file c = {.defaults = SESSION_DEFAULTS_INIT};
	struct reader rd = {.name = name, .e = reterr};
	int r;

	if (len > CONFIG_FILE_MAX)
		return sbx_fail(reterr, -EFBIG, "%s: larger than %u bytes", name, CONFIG_FILE_MAX);
	if (!yaml_parser_initialize(&rd.parser))
		return sbx_fail(reterr, -ENOMEM, "read '%s'", name);
	yaml_parser_set_input_string(&rd.parser, (const unsigned char *)text, len);
	r = next(&rd); /* stream start */
	if (r >= 0)
		r = next(&rd);
	if (r >= 0 && rd.ev.type == YAML_DOCUMENT_START_EVENT) {
		r = next(&rd);
		if (r >= 0 && rd.ev.type != YAML_MAPPING_START_EVENT)
			r = fail_at(&rd, &rd.ev.start_mark, "expected a mapping of settings", NULL);
		if (r >= 0)
			r = read_mapping(&rd, &c, true, 1);
		if (r >= 0)
			r = next(&rd); /* document end */
		if (r >= 0)
			r = next(&rd);
		if (r >= 0 && rd.ev.type != YAML_STREAM_END_EVENT)
			r = fail_at(&rd, &rd.ev.start_mark, "only one document is allowed", NULL);
	}
	if (rd.have_ev)
		yaml_event_delete(&rd.ev);
	yaml_parser_delete(&rd.parser);
	if (r < 0) {
		config_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

int config_load(const char *path, struct config_file *ret, struct sbx_error *reterr)
{
	_cleanup_free_ char *buf = malloc(CONFIG_FILE_MAX + 1);
	ssize_t n;

	if (!buf)
		return sbx_fail(reterr, -ENOMEM, "read '%s'", path);
	n = read_file_at(AT_FDCWD, path, buf, CONFIG_FILE_MAX + 1);
	if (n < 0)
		return sbx_fail(reterr, (int)n, "read config '%s'", path);
	return config_parse(buf, (size_t)n, path, ret, reterr);
}

void config_done(struct config_file *c)
{
	free(c->socket_path);
	free(c->state_dir);
	free(c->policy_dir);
	c->socket_path = c->state_dir = c->policy_dir = NULL;
}
