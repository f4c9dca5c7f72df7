/* SPDX-License-Identifier: MIT */
/* Generic checks over unpacked messages, driven by protobuf-c's descriptors so no field can be
 * forgotten when the schema grows. Per-call conversion into internal structs joins this file
 * with the calls that need it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "utf8.h"

static int check_string(const ProtobufCFieldDescriptor *f, const char *s, struct sbx_error *e)
{
	if (s && !utf8_is_valid(s, strlen(s)))
		return sbx_fail(e, -EILSEQ, "field '%s' is not valid UTF-8", f->name);
	return 0;
}

static int check_message(const ProtobufCMessage *m, unsigned depth, struct sbx_error *e)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	int r;

	if (depth > CONVERT_DEPTH_MAX)
		return sbx_fail(e, -E2BIG, "message nested deeper than %d", CONVERT_DEPTH_MAX);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)m + f->offset;
		size_t n = 1;
		const void *values = member;

		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		/* A oneof member is only meaningful when its case is the one set. */
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which =
				*(const uint32_t *)((const char *)m + f->quantifier_offset);

			if (which != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)m + f->quantifier_offset);
			values = *(const void *const *)member;
		}
		for (size_t k = 0; k < n; k++) {
			if (f->type == PROTOBUF_C_TYPE_STRING) {
				const char *s = f->label == PROTOBUF_C_LABEL_REPEATED
							? ((const char *const *)values)[k]
							: *(const char *const *)member;

				r = check_string(f, s, e);
			} else {
				const ProtobufCMessage *sub =
					f->label == PROTOBUF_C_LABEL_REPEATED
						? ((const ProtobufCMessage *const *)values)[k]
						: *(const ProtobufCMessage *const *)member;

				r = sub ? check_message(sub, depth + 1, e) : 0;
			}
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int convert_check_strings(const ProtobufCMessage *m, struct sbx_error *e)
{
	return check_message(m, 0, e);
}

/* ---- per-call conversion */

#include "exec.h"
#include "macro.h"

static bool label_key_valid(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > CONVERT_LABEL_KEY_MAX)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '/'))
			return false;
	return true;
}

int convert_labels(size_t n, Sandboxd__V1__CreateSessionRequest__LabelsEntry **entries,
		   struct session_label *ret, struct sbx_error *e)
{
	if (n > SESSION_LABELS_MAX)
		return sbx_fail(e, -E2BIG, "%zu labels, at most %d", n, SESSION_LABELS_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *k = entries[i]->key ? entries[i]->key : "";
		const char *v = entries[i]->value ? entries[i]->value : "";

		if (!label_key_valid(k))
			return sbx_fail(e, -EINVAL,
					"label key '%.64s': 1 to %d of A-Z a-z 0-9 . _ - /", k,
					CONVERT_LABEL_KEY_MAX);
		if (strlen(v) > SESSION_LABEL_MAX)
			return sbx_fail(e, -EINVAL, "label '%s': value longer than %d bytes", k,
					SESSION_LABEL_MAX);
		ret[i] = (struct session_label){.key = (char *)k, .value = (char *)v};
	}
	return 0;
}

/* "" and "host" are the built-in image; anything else must be a plain name (images live in the
 * daemon's image directory): a client never picks a host directory as a root. */
static int image_valid(const char *image, struct sbx_error *e)
{
	size_t n = strlen(image);

	if (n == 0)
		return 0;
	if (n > 64 || image[0] == '.' || image[0] == '-')
		return sbx_fail(e, -EINVAL, "image '%.64s': not an image name", image);
	for (const char *p = image; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return sbx_fail(e, -EINVAL, "image '%.64s': not an image name", image);
	return 0;
}

static int limit(uint64_t v, uint64_t dflt, uint64_t min, uint64_t max, const char *what,
		 uint64_t *ret, struct sbx_error *e)
{
	if (v == 0) {
		*ret = dflt;
		return 0;
	}
	if (v < min || v > max)
		return sbx_fail(e, -ERANGE, "%s %llu: allowed from %llu to %llu", what,
				(unsigned long long)v, (unsigned long long)min,
				(unsigned long long)max);
	*ret = v;
	return 0;
}

int convert_create_session(const Sandboxd__V1__CreateSessionRequest *req,
			   const struct session_defaults *defaults, struct session_params *ret,
			   struct session_label *labels, struct sbx_error *e)
{
	struct session_params p = {};
	const Sandboxd__V1__Limits *l = req->limits;
	int r;

	r = image_valid(req->image ? req->image : "", e);
	if (r < 0)
		return r;
	p.image = req->image && *req->image && strcmp(req->image, "host") != 0 ? req->image : NULL;
	r = limit(l ? l->memory_bytes : 0, defaults->memory_bytes, 4ULL << 20, SESSION_MEMORY_MAX,
		  "memory_bytes", &p.memory_bytes, e);
	if (r >= 0)
		r = limit(l ? l->pids : 0, defaults->pids, 8, SESSION_PIDS_MAX, "pids", &p.pids, e);
	if (r >= 0)
		r = limit(l ? l->cpu_millis : 0, defaults->cpu_millis, 10, 256000, "cpu_millis",
			  &p.cpu_millis, e);
	if (r >= 0)
		r = limit(l ? l->disk_bytes : 0, defaults->disk_bytes, 1ULL << 20, SESSION_DISK_MAX,
			  "disk_bytes", &p.disk_bytes, e);
	if (r >= 0)
		r = limit(req->ttl_ms, defaults->ttl_ms, 1000, SESSION_TTL_MAX_MS, "ttl_ms",
			  &p.ttl_ms, e);
	if (r >= 0)
		r = limit(req->idle_ttl_ms, defaults->idle_ttl_ms, 1000, SESSION_TTL_MAX_MS,
			  "idle_ttl_ms", &p.idle_ttl_ms, e);
	if (r >= 0)
		r = convert_labels(req->n_labels, req->labels, labels, e);
	if (r < 0)
		return r;
	p.labels = labels;
	p.n_labels = req->n_labels;
	*ret = p;
	return 0;
}

/* The interpreters code runs with; the code is one argv element, so nothing is ever quoted. */
static const struct {
	const char *language;
	const char *argv[3];
} interpreters[] = {
	{"python", {"python3", "-c", NULL}},
	{"bash", {"bash", "-c", NULL}},
	{"sh", {"sh", "-c", NULL}},
	{"node", {"node", "-e", NULL}},
};

void exec_command_done(struct exec_command *c)
{
	free(c->argv);
	if (c->env)
		for (char **p = c->env; *p; p++)
			free(*p);
	free(c->env);
	c->argv = NULL;
	c->env = NULL;
}

static int build_env(const Sandboxd__V1__ExecRequest *req, const char *const *base,
		     struct exec_command *c, struct sbx_error *e)
{
	size_t n_base = 0, n = 0;

	while (base[n_base])
		n_base++;
	if (req->n_env > CONVERT_ENV_MAX)
		return sbx_fail(e, -E2BIG, "%zu environment variables, at most %d", req->n_env,
				CONVERT_ENV_MAX);
	c->env = calloc(n_base + req->n_env + 1, sizeof(char *));
	if (!c->env)
		return -ENOMEM;
	for (size_t i = 0; i < req->n_env; i++) {
		const char *k = req->env[i]->key ? req->env[i]->key : "";
		const char *v = req->env[i]->value ? req->env[i]->value : "";

		if (!*k || strchr(k, '='))
			return sbx_fail(e, -EINVAL, "environment variable '%.64s': bad name", k);
		if (asprintf(&c->env[n], "%s=%s", k, v) < 0) {
			c->env[n] = NULL;
			return -ENOMEM;
		}
		n++;
	}
	/* The session's defaults, unless the request set the same name. */
	for (size_t i = 0; i < n_base; i++) {
		size_t klen = strcspn(base[i], "=") + 1;
		bool overridden = false;

		for (size_t j = 0; j < req->n_env && !overridden; j++)
			overridden = strlen(req->env[j]->key) + 1 == klen &&
				     strncmp(req->env[j]->key, base[i], klen - 1) == 0;
		if (overridden)
			continue;
		c->env[n] = strdup(base[i]);
		if (!c->env[n])
			return -ENOMEM;
		n++;
	}
	return 0;
}

int convert_exec(const Sandboxd__V1__ExecRequest *req, const char *const *base_env,
		 struct exec_command *ret, struct sbx_error *e)
{
	struct exec_command c = {};
	size_t bytes = 0;
	int r;

	if (req->n_argv > 0 && req->language && *req->language)
		return sbx_fail(e, -EINVAL, "give argv or language and code, not both");
	if (req->n_argv > 0) {
		if (req->n_argv > CONVERT_ARGV_MAX)
			return sbx_fail(e, -E2BIG, "%zu arguments, at most %d", req->n_argv,
					CONVERT_ARGV_MAX);
		if (!req->argv[0] || !*req->argv[0])
			return sbx_fail(e, -EINVAL, "argv[0] is empty");
		c.argv = calloc(req->n_argv + 1, sizeof(char *));
		if (!c.argv)
			return -ENOMEM;
		for (size_t i = 0; i < req->n_argv; i++) {
			c.argv[i] = req->argv[i] ? req->argv[i] : "";
			bytes += strlen(c.argv[i]) + 1;
		}
	} else if (req->language && *req->language) {
		size_t k;

		for (k = 0; k < ELEMENTSOF(interpreters); k++)
			if (strcmp(interpreters[k].language, req->language) == 0)
				break;
		if (k == ELEMENTSOF(interpreters))
			return sbx_fail(e, -EINVAL,
					"language '%.32s': one of python, bash, sh, node",
					req->language);
		if (strlen(req->code ? req->code : "") > CONVERT_CODE_MAX)
			return sbx_fail(e, -E2BIG, "code longer than %u bytes", CONVERT_CODE_MAX);
		c.argv = calloc(4, sizeof(char *));
		if (!c.argv)
			return -ENOMEM;
		c.argv[0] = interpreters[k].argv[0];
		c.argv[1] = interpreters[k].argv[1];
		c.argv[2] = req->code ? req->code : "";
		bytes = strlen(c.argv[2]);
	} else
		return sbx_fail(e, -EINVAL, "no command: give argv, or language and code");

	r = build_env(req, base_env, &c, e);
	for (char **p = c.env; r >= 0 && p && *p; p++)
		bytes += strlen(*p) + 1;
	if (r >= 0 && bytes > CONVERT_STRINGS_BYTES)
		r = sbx_fail(e, -E2BIG, "command and environment exceed %u bytes",
			     CONVERT_STRINGS_BYTES);
	if (r >= 0 && req->cwd && *req->cwd && req->cwd[0] != '/')
		r = sbx_fail(e, -EINVAL, "cwd '%.64s': expected an absolute path", req->cwd);
	if (r >= 0 && req->stdin.len > EXEC_STDIN_MAX)
		r = sbx_fail(e, -E2BIG, "stdin of %zu bytes, at most %u", req->stdin.len,
			     EXEC_STDIN_MAX);
	if (r >= 0)
		r = limit(req->timeout_ms, EXEC_TIMEOUT_DEFAULT_MS, 1, EXEC_TIMEOUT_MAX_MS,
			  "timeout_ms", &c.timeout_ms, e);
	if (r >= 0) {
		uint64_t cap = 0;

		r = limit(req->output_cap_bytes, EXEC_OUTPUT_CAP_DEFAULT, 16, EXEC_OUTPUT_CAP_MAX,
			  "output_cap_bytes", &cap, e);
		c.output_cap = (size_t)cap;
	}
	if (r < 0) {
		if (e && e->code == 0)
			sbx_fail(e, r, "convert the command");
		exec_command_done(&c);
		return r;
	}
	c.cwd = req->cwd && *req->cwd ? req->cwd : "/workspace";
	*ret = c;
	return 0;
}

Sandboxd__V1__Termination convert_termination(enum exec_end end)
{
	static const Sandboxd__V1__Termination names[] = {
		[EXEC_EXITED] = SANDBOXD__V1__TERMINATION__TERMINATION_EXITED,
		[EXEC_SIGNALED] = SANDBOXD__V1__TERMINATION__TERMINATION_SIGNALED,
		[EXEC_TIMEOUT] = SANDBOXD__V1__TERMINATION__TERMINATION_TIMEOUT,
		[EXEC_OOM] = SANDBOXD__V1__TERMINATION__TERMINATION_OOM,
		[EXEC_CANCELLED] = SANDBOXD__V1__TERMINATION__TERMINATION_CANCELLED,
	};

	return (size_t)end < ELEMENTSOF(names) ? names[end]
					       : SANDBOXD__V1__TERMINATION__TERMINATION_UNSPECIFIED;
}
