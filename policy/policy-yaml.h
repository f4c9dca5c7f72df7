/* SPDX-License-Identifier: MIT */
/* A thin bounded layer over libyaml's events for policy files: one document, no aliases,
 * anchors or tags, nesting and scalar sizes bounded, NUL bytes and bad UTF-8 refused, and
 * every error as "NAME:LINE:COL: message". What the events mean is policy-load.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "error.h"
#include "macro.h"

#define POLICY_YAML_DEPTH_MAX  8
#define POLICY_YAML_SCALAR_MAX (64U * 1024) /* the longest scalar kept at all */

struct policy_yaml {
	yaml_parser_t parser;
	yaml_event_t ev; /* the current event, valid after policy_yaml_next() */
	bool have_ev;
	bool parser_ready;
	unsigned depth;
	const char *text;
	size_t len;
	const char *name;
	struct sbx_error *e;
};

/* Starts reading text[0..len) named name. Returns 1 when a document follows (the next event is
 * its root node), 0 when the stream is empty. Errors go to e. */
int policy_yaml_open(struct policy_yaml *y, const char *text, size_t len, const char *name,
		     struct sbx_error *e);

/* Releases the parser and the current event; safe after a failed or no open. */
void policy_yaml_close(struct policy_yaml *y);

/* Moves to the next event, enforcing the bounds above. */
int policy_yaml_next(struct policy_yaml *y);

/* Checks that the document ends here and no second one follows. */
int policy_yaml_finish(struct policy_yaml *y);

/* Writes "NAME:LINE:COL: <formatted>" (1-based) into e (if not NULL) with code; returns code.
 * No strerror() tail: the message is the whole sentence, as compilers print theirs. */
int policy_yaml_error(struct sbx_error *e, int code, const char *name, unsigned line,
		      unsigned column, const char *fmt, ...) _printf_(6, 7);

/* policy_yaml_error() with -EINVAL and the reader's name and error. */
int policy_yaml_fail_at(struct policy_yaml *y, unsigned line, unsigned column, const char *fmt, ...)
	_printf_(4, 5);

/* policy_yaml_fail_at() at the start of the current event. */
int policy_yaml_fail(struct policy_yaml *y, const char *fmt, ...) _printf_(2, 3);

/* 1-based position of the current event. */
unsigned policy_yaml_line(const struct policy_yaml *y);
unsigned policy_yaml_column(const struct policy_yaml *y);

/* The current scalar's text and length (NUL-free, valid UTF-8). */
const char *policy_yaml_scalar(const struct policy_yaml *y);
size_t policy_yaml_scalar_len(const struct policy_yaml *y);

/* True when the current event is a plain null scalar: empty, "~" or "null". */
bool policy_yaml_is_null(const struct policy_yaml *y);
