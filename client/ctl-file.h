/* SPDX-License-Identifier: MIT */
/* What the file commands share: ctl-file.c parses every `file` command and runs all but the
 * watch, which is ctl-file-watch.c (a second request on a pending call, and signals). */
#pragma once

#include <stdio.h>

#include "ctl.h"

#define CTL_FILE_ARGS 3 /* positional arguments of a file command at most */

/* Options of every file command; which ones a command takes is its row's `options`. */
struct ctl_file_opts {
	const char *skill;
	bool recursive, parents, overwrite;
	uint64_t offset, length;
	uint32_t depth, limit, max_events;
	uint64_t timeout_ms;
	uint32_t mode;
	Sandboxd__V1__WriteMode write_mode;
	unsigned n_write_modes;
	char *args[CTL_FILE_ARGS];
	int n_args;
};

/* Writes s with control characters as '?': names come out of the sandbox, and a newline or an
 * escape in one must not forge a line of our output or drive the operator's terminal. */
void ctl_file_put_safe(const char *s, FILE *f);

/* Prints an answer that breaks the protocol (more bytes than asked, a missing upload id) as
 * INTERNAL; returns CTL_EXIT_ERROR. */
int ctl_file_broken_answer(const char *what);

/* file watch ID PATH: prints events until the WatchEnd; returns the exit status. */
int ctl_file_watch(struct ctl *ctl, const struct ctl_file_opts *o);
