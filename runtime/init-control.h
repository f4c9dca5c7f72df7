/* SPDX-License-Identifier: MIT */
/* The control channel between a session's supervisor (outside) and sandbox-init (PID 1 inside):
 * one SOCK_SEQPACKET message per record, a fixed header, an optional payload of NUL-terminated
 * strings, and for EXEC the command's stdin, stdout and stderr as SCM_RIGHTS. The supervisor
 * treats every record from inside as hostile: exact sizes, no payload, values range-checked. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INIT_CONTROL_MAGIC	 0x43494253U /* "SBIC" */
#define INIT_CONTROL_PAYLOAD_MAX (1U << 20)  /* argv + env + cwd of one exec */
#define INIT_CONTROL_SOCKBUF	 (2U << 20)  /* so one whole EXEC fits the socket */
#define INIT_CONTROL_FD		 3	     /* where sandbox-init finds the channel */
#define INIT_CONTROL_EXECS_MAX	 256	     /* commands running at once in one session */
#define INIT_CONTROL_STRINGS_MAX 8192	     /* argv + env entries of one exec */

enum init_msg_type {
	INIT_MSG_EXEC = 1,    /* supervisor -> init: run; value = argc; fds 0, 1, 2 attached */
	INIT_MSG_SIGNAL = 2,  /* supervisor -> init: send signal `value` to the command's group */
	INIT_MSG_STARTED = 3, /* init -> supervisor: value = pid inside */
	INIT_MSG_FAILED = 4,  /* init -> supervisor: value = errno of the failed start */
	INIT_MSG_EXITED = 5,  /* init -> supervisor: value = wait status */
	_INIT_MSG_MAX,
};

struct init_msg {
	uint32_t magic;
	uint32_t type;
	uint64_t id; /* the exec this record is about, chosen by the supervisor */
	int32_t value;
	uint32_t payload_len; /* bytes following the header */
	uint64_t cpu_usec;    /* EXITED: user + system time of the command and what it waited for */
	uint64_t maxrss_kib;  /* EXITED: its peak resident set */
};

/* Packs cwd, argv and env of an exec as consecutive NUL-terminated strings into buf (cwd
 * first, then argc argv entries, then the environment); returns the length or -E2BIG. */
ssize_t init_control_pack_exec(const char *cwd, const char *const *argv, const char *const *env,
			       char *buf, size_t size);

/* Splits an EXEC payload into cwd, argv (argc entries) and env, pointing into payload, each
 * list NULL-terminated in the caller's arrays of max entries. -EBADMSG when the payload is not
 * argc+1 or more NUL-terminated strings, -E2BIG past max. */
int init_control_unpack_exec(char *payload, size_t len, int32_t argc, const char **ret_cwd,
			     const char **argv, const char **env, size_t max);

/* Supervisor side: sends an EXEC record with the command's stdin, stdout and stderr. */
int init_control_send_exec(int ctl, uint64_t id, const char *cwd, const char *const *argv,
			   const char *const *env, const int stdio[3]);

/* Supervisor side: asks PID 1 to send sig to the process group of exec id. */
int init_control_send_signal(int ctl, uint64_t id, int sig);

/* Supervisor side: receives one record from PID 1, which is hostile input: exact size, our
 * magic, a reply type, no payload, no fds. 0 with the record, -ECONNRESET when the channel
 * closed (PID 1 is gone), -EBADMSG for anything malformed. */
int init_control_recv(int ctl, struct init_msg *ret);

/* Supervisor side: makes a socket pair for a session, [0] ours and [1] sandbox-init's, with
 * buffers large enough for one EXEC record (needs CAP_NET_ADMIN; falls back to the default). */
int init_control_pair(int ret_fds[2]);
