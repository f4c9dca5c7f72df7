/* SPDX-License-Identifier: MIT */
/* The seccomp allowlist every sandbox runs under: built with libseccomp for the native arch only,
 * exported as a BPF program so it is compiled once (at build time for the built-in copy) and
 * loaded with one syscall per sandbox. Loading happens in the child, last, in sandbox.c. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

#include "error.h"

struct syscall_filter {
	const struct sock_filter *insns;
	unsigned short len;
	struct sock_filter
		*owned; /* freed by syscall_filter_done(); NULL for the built-in program */
};

/* Compiles the allowlist with libseccomp into a BPF program in memory. */
int syscall_filter_build(struct syscall_filter *ret, struct sbx_error *reterr);

/* Frees the program of a filter built by syscall_filter_build(); a no-op for the built-in one. */
void syscall_filter_done(struct syscall_filter *f);

/* The program compiled at build time from the same allowlist (syscall-filter-bpf.c). */
void syscall_filter_builtin(struct syscall_filter *ret);

/* Installs the program on the calling thread with SECCOMP_FILTER_FLAG_TSYNC off; the caller has
 * set no_new_privs. Async-signal-safe: it is called between clone and exec. */
int syscall_filter_load(const struct syscall_filter *f);
