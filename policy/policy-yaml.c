/* SPDX-License-Identifier: MIT */
/* Bounded libyaml event reading. libyaml itself is iterative (no recursion on nesting), and we
 * stop at the first event out of bounds, so no input makes us hold more than one event. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy-yaml.h"
#include "utf8.h"

_printf_(6, 0) static int verror(struct sbx_error *e, int code, const char *name, unsigned line,
				 unsigned column, const char *fmt, va_list ap)
{
	char msg[SBX_ERROR_MSG_MAX];

	if (!e)
		return code;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A message cut at the end still says where and what. */
	if (snprintf(e->msg, sizeof(e->msg), "%s:%u:%u: %s", name, line, column, msg) < 0)
		e->msg[0] = '\0';
	e->code = code;
	return code;
}

int policy_yaml_error(struct sbx_error *e, int code, const char *name, unsigned line,
		      unsigned column, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror(e, code, name, line, column, fmt, ap);
	va_end(ap);
	return r;
}

_printf_(4, 0) static int vfail_at(struct policy_yaml *y, unsigned line, unsigned column,
				   const char *fmt, va_list ap)
{
	return verror(y->e, -EINVAL, y->name, line, column, fmt, ap);
}

int policy_yaml_fail_at(struct policy_yaml *y, unsigned line, unsigned column, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(y, line, column, fmt, ap);
	va_end(ap);
	return r;
}

unsigned policy_yaml_line(const struct policy_yaml *y)
{
	return (unsigned)y->ev.start_mark.line + 1;
}

unsigned policy_yaml_column(const struct policy_yaml *y)
{
	return (unsigned)y->ev.start_mark.column + 1;
}

int policy_yaml_fail(struct policy_yaml *y, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(y, policy_yaml_line(y), policy_yaml_column(y), fmt, ap);
	va_end(ap);
	return r;
}

/* The position of a libyaml error. Reader errors (bad encoding) only carry a byte offset. */
static int parser_fail(struct policy_yaml *y)
{
	const yaml_parser_t *p = &y->parser;
	unsigned line = (unsigned)p->problem_mark.line + 1;
	unsigned column = (unsigned)p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR)
		return sbx_fail(y->e, -ENOMEM, "read policy '%s'", y->name);
	if (p->error == YAML_READER_ERROR) {
		size_t off = MIN(p->problem_offset, y->len);

		line = column = 1;
		for (size_t i = 0; i < off; i++, column++)
			if (y->text[i] == '\n') {
				line++;
				column = 0;
			}
	}
	return policy_yaml_fail_at(y, line, column, "%s",
				   p->problem ? p->problem : "malformed YAML");
}

int policy_yaml_next(struct policy_yaml *y)
{
	const yaml_event_t *ev = &y->ev;

	if (y->have_ev)
		yaml_event_delete(&y->ev);
	y->have_ev = false;
	if (!yaml_parser_parse(&y->parser, &y->ev))
		return parser_fail(y);
	y->have_ev = true;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		/* Aliases turn a small file into a large tree ("billion laughs"). */
		return policy_yaml_fail(y, "aliases are not allowed");
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor)
			return policy_yaml_fail(y, "anchors are not allowed");
		if (ev->data.scalar.tag)
			return policy_yaml_fail(y, "tags are not allowed");
		if (ev->data.scalar.length > POLICY_YAML_SCALAR_MAX)
			return policy_yaml_fail(y, "value is longer than %u bytes",
						POLICY_YAML_SCALAR_MAX);
		/* "\0" in a quoted scalar would cut the C string short of what was checked. */
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
			return policy_yaml_fail(y, "value contains a NUL byte");
		if (!utf8_is_valid((const char *)ev->data.scalar.value, ev->data.scalar.length))
			return policy_yaml_fail(y, "value is not valid UTF-8");
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
							   : ev->data.mapping_start.anchor))
			return policy_yaml_fail(y, "anchors are not allowed");
		if ((ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.tag
							   : ev->data.mapping_start.tag))
			return policy_yaml_fail(y, "tags are not allowed");
		if (++y->depth > POLICY_YAML_DEPTH_MAX)
			return policy_yaml_fail(y, "nested deeper than %u levels",
						POLICY_YAML_DEPTH_MAX);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		y->depth--;
		break;
	default:
		break;
	}
	return 0;
}

int policy_yaml_open(struct policy_yaml *y, const char *text, size_t len, const char *name,
		     struct sbx_error *e)
{
	int r;

	*y = (struct policy_yaml){.text = text, .len = len, .name = name, .e = e};
	if (!yaml_parser_initialize(&y->parser))
		return sbx_fail(e, -ENOMEM, "read policy '%s'", name);
	y->parser_ready = true;
	yaml_parser_set_input_string(&y->parser, (const unsigned char *)text, len);

	r = policy_yaml_next(y); /* stream start */
	if (r < 0)
		return r;
	r = policy_yaml_next(y);
	if (r < 0)
		return r;
	if (y->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	/* A document start; the root node follows. */
	r = policy_yaml_next(y);
	if (r < 0)
		return r;
	return 1;
}

int policy_yaml_finish(struct policy_yaml *y)
{
	int r;

	r = policy_yaml_next(y); /* document end */
	if (r < 0)
		return r;
	r = policy_yaml_next(y);
	if (r < 0)
		return r;
	if (y->ev.type != YAML_STREAM_END_EVENT)
		return policy_yaml_fail(y, "only one document is allowed");
	return 0;
}

void policy_yaml_close(struct policy_yaml *y)
{
	if (y->have_ev)
		yaml_event_delete(&y->ev);
	y->have_ev = false;
	if (y->parser_ready)
		yaml_parser_delete(&y->parser);
	y->parser_ready = false;
}

const char *policy_yaml_scalar(const struct policy_yaml *y)
{
	return (const char *)y->ev.data.scalar.value;
}

size_t policy_yaml_scalar_len(const struct policy_yaml *y)
{
	return y->ev.data.scalar.length;
}

bool policy_yaml_is_null(const struct policy_yaml *y)
{
	const char *s = policy_yaml_scalar(y);

	if (y->ev.type != YAML_SCALAR_EVENT || y->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}
