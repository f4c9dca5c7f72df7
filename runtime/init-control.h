/* SPDX-License-Identifier: MIT */
/* The control channel between a session's supervisor (outside) and sandbox-init (PID 1 inside):
 * one SOCK_SEQPACKET message per record, a fixed header, an optional payload of NUL-terminated
 * strings, and for EXEC the command's stdin, stdout and stderr as SCM_RIGHTS. The supervisor
 * treats every record from inside as hostile: exact sizes, no payload, values range-checked.
 *
 * A session outlives its supervisor (a daemon restart, kill -9 included) when it was given a
 * listening socket (INIT_CONTROL_LISTEN_FD) and a deadline: PID 1 then keeps running when the
 * channel closes, keeps the exit status of what ends meanwhile, and the next supervisor that
 * connects gets a snapshot (RUNNING and EXITED records, then ADOPTED). Output pipes of EXECs
 * marked INIT_EXEC_HOLD have their read ends held by PID 1, so output written while nobody
 * reads waits in the pipe instead of being lost, and travels to the new supervisor. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INIT_CONTROL_MAGIC	 0x43494253U /* "SBIC" */
#define INIT_CONTROL_PAYLOAD_MAX (1U << 20)  /* argv + env + cwd of one exec */
#define INIT_CONTROL_SOCKBUF	 (2U << 20)  /* so one whole EXEC fits the socket */
#define INIT_CONTROL_FD		 3	     /* where sandbox-init finds the channel */
#define INIT_CONTROL_LISTEN_FD	 4    /* session mode, optional: where the next one connects */
#define INIT_CONTROL_LOCK_FD	 5    /* session mode, optional: held for the supervisor */
#define INIT_CONTROL_EXECS_MAX	 256  /* commands running at once in one session */
#define INIT_CONTROL_STRINGS_MAX 8192 /* argv + env entries of one exec */

enum init_msg_type {
	INIT_MSG_EXEC = 1,     /* supervisor -> init: run; value = argc; fds 0, 1, 2 attached */
	INIT_MSG_SIGNAL = 2,   /* supervisor -> init: send signal `value` to the command's group */
	INIT_MSG_STARTED = 3,  /* init -> supervisor: value = pid inside */
	INIT_MSG_FAILED = 4,   /* init -> supervisor: value = errno of the failed start */
	INIT_MSG_EXITED = 5,   /* init -> supervisor: value = wait status (in a snapshot: plus
				* the held output read ends, when the EXEC had them) */
	INIT_MSG_DEADLINE = 6, /* supervisor -> init: id = realtime ms at which a session left
				* without a supervisor ends; 0 (the default) = at once */
	INIT_MSG_RUNNING = 7,  /* init -> supervisor, snapshot: value = pid inside; fds = held
				* output read ends, when the EXEC had them */
	INIT_MSG_ADOPTED = 8,  /* init -> supervisor: the snapshot is complete; fd = the lock */
	INIT_MSG_PROXY_LISTEN = 9, /* supervisor -> init: listen on 127.0.0.1:value inside for
				    * proxy id (the supervisor's egress proxy of one skill) */
	INIT_MSG_PROXY_CONN = 10,  /* init -> supervisor: fd = a connection accepted there */
	_INIT_MSG_MAX,
};

/* EXEC flags */
#define INIT_EXEC_HOLD	   1U /* two more fds follow stdio: the stdout and stderr read ends */
#define INIT_EXEC_LANDLOCK 2U /* the payload ends with landlock_len bytes of Landlock rules */

struct init_msg {
	uint32_t magic;
	uint32_t type;
	uint64_t id; /* the exec this record is about, chosen by the supervisor */
	int32_t value;
	uint32_t payload_len; /* bytes following the header */
	uint32_t flags;
	uint32_t landlock_len; /* EXEC with INIT_EXEC_LANDLOCK: bytes at the payload's end */
	uint64_t cpu_usec;   /* EXITED: user + system time of the command and what it waited for */
	uint64_t maxrss_kib; /* EXITED: its peak resident set */
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

/* One command for PID 1 to start. */
struct init_exec_request {
	uint64_t id;
	const char *cwd;
	const char *const *argv;
	const char *const *env;
	int stdio[3];
	const int *held;      /* NULL, or the read ends of stdout and stderr to hold */
	const char *landlock; /* NULL, or the command's Landlock rules (landlock_rules_encode()) */
	size_t landlock_len;
};

/* Supervisor side: sends an EXEC record with the command's stdin, stdout and stderr, the held
 * pipes (INIT_EXEC_HOLD) and the Landlock rules (INIT_EXEC_LANDLOCK) when given. */
int init_control_send_exec(int ctl, const struct init_exec_request *x);

#define INIT_CONTROL_PROXIES_MAX 16 /* proxy listeners of one session */

/* Supervisor side: asks PID 1 to listen on 127.0.0.1:port inside the sandbox and hand every
 * connection there over as PROXY_CONN records of id. */
int init_control_send_proxy_listen(int ctl, uint64_t id, uint16_t port);

/* Supervisor side: sets the deadline of a session left without a supervisor (realtime ms). */
int init_control_send_deadline(int ctl, uint64_t unix_ms);

/* Supervisor side: asks PID 1 to send sig to the process group of exec id. */
int init_control_send_signal(int ctl, uint64_t id, int sig);

/* Supervisor side: receives one record from PID 1, which is hostile input: exact size, our
 * magic, a reply type, no payload, and fds only where the type has them (two with RUNNING and
 * EXITED, one with ADOPTED; into ret_fds, which the caller closes, -EBADF where none came).
 * 0 with the record, -ECONNRESET when the channel closed (PID 1 is gone), -EBADMSG for
 * anything malformed. */
int init_control_recv(int ctl, struct init_msg *ret, int ret_fds[2]);

/* Supervisor side: makes a socket pair for a session, [0] ours and [1] sandbox-init's, with
 * buffers large enough for one EXEC record (needs CAP_NET_ADMIN; falls back to the default). */
int init_control_pair(int ret_fds[2]);
