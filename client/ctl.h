/* SPDX-License-Identifier: MIT */
/* What sandboxctl's command files share: the connection, output mode, and calling the daemon
 * with errors printed as DESIGN.md section 4 says ("sandboxctl: CODE: message", exit 1). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sandboxd-client.h"

#define CTL_EXIT_ERROR 1
#define CTL_EXIT_USAGE 2

#define CTL_SKILLS_MAX 64 /* --skill options of one session create or oneshot */

enum ctl_output { CTL_OUTPUT_TEXT, CTL_OUTPUT_JSON };

struct ctl {
	const char *socket;
	enum ctl_output output;
	struct sbx_client *client;
};

/* Sends req; prints a transport failure or an Error answer and returns NULL, else the answer
 * (free with sandboxd__v1__response__free_unpacked). on_event may be NULL. */
Sandboxd__V1__Response *ctl_call(struct ctl *ctl, Sandboxd__V1__Request *req,
				 sbx_client_event_fn on_event, void *userdata);

/* Prints an Error answer as "sandboxctl: CODE: message (rule: RULE)" on stderr. */
void ctl_print_error(const Sandboxd__V1__Error *e);

/* Checks the answer's body case, printing an INTERNAL error (and freeing resp) if it differs. */
int ctl_expect(Sandboxd__V1__Response *resp, Sandboxd__V1__Response__BodyCase body);

/* A bytes field's data for json_pack's "s%": never NULL (protobuf-c leaves empty bytes NULL). */
static inline const char *ctl_bytes_str(const uint8_t *data)
{
	return data ? (const char *)data : "";
}

/* Prints j (consumed) as indented JSON; returns 0. */
int ctl_print_json(json_t *j);

/* A JSON string of s; bytes that are not UTF-8 (a string the daemon cut short, say) become
 * '?' rather than failing the whole output. */
json_t *ctl_json_text(const char *s);

/* Prints a usage error for a command and returns CTL_EXIT_USAGE. */
int ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The command groups (ctl-session.c, ctl-exec.c, ctl-job.c, ctl-history.c, ctl-policy.c,
 * ctl-file.c):
 * argv[0] is the command's name. ctl_policy() runs locally: ctl->client is NULL. */
int ctl_session(struct ctl *ctl, int argc, char **argv);
int ctl_exec(struct ctl *ctl, int argc, char **argv);
int ctl_run(struct ctl *ctl, int argc, char **argv);
int ctl_job(struct ctl *ctl, int argc, char **argv);
int ctl_oneshot(struct ctl *ctl, int argc, char **argv);
int ctl_browse(struct ctl *ctl, int argc, char **argv);
int ctl_history(struct ctl *ctl, int argc, char **argv);
int ctl_policy(struct ctl *ctl, int argc, char **argv);
int ctl_file(struct ctl *ctl, int argc, char **argv);

/* --policy NAME|FILE of session create and oneshot: an existing regular file, or an argument
 * with a '/', is read (at most POLICY_FILE_MAX bytes) and sent as cs->policy_text, which
 * *ret_text then owns (free it after the call); anything else is cs->policy_name. Returns 0
 * or CTL_EXIT_USAGE (printed). */
int ctl_policy_option(const char *arg, Sandboxd__V1__CreateSessionRequest *cs, char **ret_text);

/* Shows elapsed seconds on a terminal until stopped (ctl-elapsed.c); no-ops elsewhere. */
void ctl_elapsed_start(void);
void ctl_elapsed_stop(void);

#define CTL_PROGRESS_MIN (1U << 20) /* bytes: smaller transfers show no progress bar */

/* A transfer's progress on a terminal (ctl-progress.c). */
struct ctl_progress {
	uint64_t total, done;
	uint64_t start_usec, last_usec;
	bool active; /* stderr is a terminal and total > CTL_PROGRESS_MIN */
};

/* Starts showing a transfer of total bytes (nothing when it is small or stderr no terminal). */
void ctl_progress_start(struct ctl_progress *p, uint64_t total);

/* Records done bytes; redraws the bar now and then. */
void ctl_progress_update(struct ctl_progress *p, uint64_t done);

/* Ends the bar: ok leaves the final numbers on their line, else the line is cleared. */
void ctl_progress_end(struct ctl_progress *p, bool ok);

/* Prints a Job (text: one line, then a finished job's output; or JSON). */
int ctl_print_job(struct ctl *ctl, const Sandboxd__V1__Job *j);
