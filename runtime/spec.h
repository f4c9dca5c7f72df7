/* SPDX-License-Identifier: MIT */
/* struct sandbox_spec: what one sandbox should be, as plain C already validated by the caller
 * (sbx-run's option parser, later the daemon's convert.c). No protobuf types, no policy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SANDBOX_IMAGE_HOST "host"
#define SANDBOX_WORKSPACE  "/workspace"
#define SANDBOX_BINDS_MAX  64
#define SANDBOX_ARGV_MAX   4096
#define SANDBOX_ENV_MAX	   1024

#define SANDBOX_MEMORY_DEFAULT	       (1ULL << 30)
#define SANDBOX_PIDS_DEFAULT	       1024
#define SANDBOX_WORKSPACE_SIZE_DEFAULT (1ULL << 30)
#define SANDBOX_TMP_SIZE_DEFAULT       (256ULL << 20)
#define SANDBOX_NOFILE_DEFAULT	       4096
#define SANDBOX_HOSTNAME_DEFAULT       "sandbox"

struct sandbox_bind {
	const char *source; /* host path */
	const char *target; /* absolute path inside the sandbox */
	bool writable;
};

struct sandbox_limits {
	uint64_t memory_max;   /* bytes; 0 = no limit */
	uint64_t pids_max;     /* 0 = no limit */
	uint64_t cpu_millis;   /* thousandths of a CPU; 0 = no limit */
	uint64_t timeout_usec; /* wall clock from start; 0 = none */
	uint64_t nofile;       /* RLIMIT_NOFILE */
	uint64_t fsize;	       /* RLIMIT_FSIZE in bytes; 0 = same as workspace_size */
};

struct sandbox_spec {
	const char *image;	   /* "host", an absolute directory, or a name in images_dir */
	const char *const *argv;   /* NULL-terminated, argv[0] resolved inside by sandbox-init */
	const char *const *env;	   /* complete environment of the command, NULL-terminated */
	const char *cwd;	   /* inside the sandbox; NULL = /workspace */
	const char *hostname;	   /* NULL = "sandbox" */
	const char *workspace_dir; /* host directory bound at /workspace; NULL = a tmpfs */
	uint64_t workspace_size;   /* tmpfs size of /workspace */
	uint64_t tmp_size;	   /* tmpfs size of /tmp */
	const struct sandbox_bind *binds;
	size_t n_binds;
	struct sandbox_limits limits;
	int stdio[3]; /* fds for the command's 0, 1, 2; -1 = /dev/null */
	/* Session mode: sandbox-init serves commands from control_fd (init-control.h), which it
	 * finds as fd 3; argv is then unused. Otherwise it runs argv and exits with it. */
	bool session;
	int control_fd;
	/* Session mode, optional (-1 = none): a listening socket through which a later supervisor
	 * takes the session over (init-control.h); sandbox-init then also holds the uid range
	 * lock, so the range stays taken while the session lives on without its creator. */
	int listen_fd;
};
