/* SPDX-License-Identifier: MIT */
/* PID 1 inside every sandbox (its own static executable, run from a read-only mount): starts the
 * command, forwards signals to it, reaps every orphan, and exits with the command's status
 * (128+N when a signal N ended it). Its exit ends the pid namespace and everything in it. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-control.h"
#include "init-session.h"

/* Signals passed on to the command; everything else keeps its default for PID 1 (ignored). */
static const int forwarded[] = {
	SIGHUP,	 SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
	SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGPIPE,
};

extern char **environ;

static void usage(void)
{
	fputs("usage: sandbox-init -- COMMAND [ARG]...\n"
	      "       sandbox-init --session   (commands from the control channel on fd 3)\n"
	      "PID 1 of a sandboxd sandbox; started by the runtime, not by hand.\n",
	      stderr);
}

int main(int argc, char **argv)
{
	sigset_t set, old;
	pid_t child;
	int status;

	bool session = argc == 2 && strcmp(argv[1], "--session") == 0;

	if (!session && (argc < 3 || strcmp(argv[1], "--") != 0)) {
		usage();
		return 125;
	}

	/* Nothing of the creator's crosses in, whatever the runtime did before exec: only the
	 * control channel of a session, its listening socket and lock, at their fixed numbers. */
	if (close_range(session ? INIT_CONTROL_LOCK_FD + 1 : 3, ~0U, 0) < 0 && errno != ENOSYS)
		return 125;
	if (session && fcntl(INIT_CONTROL_FD, F_SETFD, FD_CLOEXEC) < 0)
		return 125;
	for (int fd = INIT_CONTROL_LISTEN_FD; session && fd <= INIT_CONTROL_LOCK_FD; fd++)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC); /* optional ones: EBADF when absent */

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		return 125;
	if (session)
		return init_session_run(INIT_CONTROL_FD, &old);

	/* posix_spawn shares memory with us until the exec (vfork semantics): no page tables
	 * copied on the path of every command. The command gets an empty signal mask, default
	 * dispositions and its own process group, so a terminal's job control reaches it. */
	posix_spawnattr_t attr;
	sigset_t all;
	int r;

	sigfillset(&all);
	if (posix_spawnattr_init(&attr) != 0 ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						    POSIX_SPAWN_SETPGROUP) != 0 ||
	    posix_spawnattr_setsigmask(&attr, &old) != 0 ||
	    posix_spawnattr_setsigdefault(&attr, &all) != 0 ||
	    posix_spawnattr_setpgroup(&attr, 0) != 0)
		return 125;
	r = posix_spawnp(&child, argv[2], NULL, &attr, argv + 2, environ);
	posix_spawnattr_destroy(&attr);
	if (r != 0) {
		fprintf(stderr, "sandbox-init: exec '%s': %s\n", argv[2], strerror(r));
		return r == ENOENT ? 127 : 126;
	}

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (p != child)
				continue;
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return status;
		}
	}
}
