/* SPDX-License-Identifier: MIT */
/* Wire values -> checked values: the one place wire data is validated (STYLE.md section 8).
 * What passes here is valid by construction for everything below it. */
#pragma once

#include <protobuf-c/protobuf-c.h>

#include "error.h"

#define CONVERT_DEPTH_MAX 16 /* message nesting; sandboxd.v1 needs 4 */

/* Checks every string field of m, at any depth, for well-formed UTF-8 (protobuf-c does not),
 * naming the first offending field in *e. */
int convert_check_strings(const ProtobufCMessage *m, struct sbx_error *e);

#include "sandboxd.pb-c.h"
#include "exec.h"
#include "session-params.h"

#define CONVERT_ARGV_MAX      4096
#define CONVERT_ENV_MAX	      1024
#define CONVERT_STRINGS_BYTES (1U << 20)    /* argv + env of one command */
#define CONVERT_CODE_MAX      (128U * 1024) /* one argv element: the kernel's MAX_ARG_STRLEN */
#define CONVERT_LABEL_KEY_MAX 63

/* A CreateSession request made valid: defaults filled, limits within the maxima, labels and
 * image checked. Strings point into req (or static storage); labels into *ret_labels. */
int convert_create_session(const Sandboxd__V1__CreateSessionRequest *req,
			   const struct session_defaults *defaults, struct session_params *ret,
			   struct session_label *labels, struct sbx_error *e);

/* A label filter or set from the wire, checked. */
int convert_labels(size_t n, Sandboxd__V1__CreateSessionRequest__LabelsEntry **entries,
		   struct session_label *ret, struct sbx_error *e);

/* An Exec request made runnable: argv (or the interpreter line for language + code), the
 * environment (session defaults, then the request's), cwd, limits. The arrays are malloc'd
 * into *ret_argv and *ret_env (strings borrowed from req or static, env strings malloc'd). */
struct exec_command {
	const char **argv;
	char **env; /* "K=V", malloc'd */
	const char *cwd;
	uint64_t timeout_ms;
	size_t output_cap;
};

int convert_exec(const Sandboxd__V1__ExecRequest *req, const char *const *base_env,
		 struct exec_command *ret, struct sbx_error *e);

void exec_command_done(struct exec_command *c);

/* The wire's name for how a command ended. */
Sandboxd__V1__Termination convert_termination(enum exec_end end);
