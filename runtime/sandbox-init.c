/* SPDX-License-Identifier: MIT */
/* PID 1 inside every sandbox (its own static executable, run from a sealed memfd): starts the
 * command, forwards signals to it, reaps every orphan, and exits with the command's status
 * (128+N when a signal N ended it). Its exit ends the pid namespace and everything in it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals passed on to the command; everything else keeps its default for PID 1 (ignored). */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP,
	SIGTTIN, SIGTTOU, SIGALRM, SIGPIPE,
};

static void usage(void)
{
	fputs("usage: sandbox-init -- COMMAND [ARG]...\n"
	      "PID 1 of a sandboxd sandbox; started by the runtime, not by hand.\n",
	      stderr);
}

int main(int argc, char **argv)
{
	sigset_t set, old;
	pid_t child;
	int status = 0;

	if (argc < 3 || strcmp(argv[1], "--") != 0) {
		usage();
		return 125;
	}

	/* Nothing of the creator's crosses in, whatever the runtime did before exec. */
	if (close_range(3, ~0U, 0) < 0 && errno != ENOSYS)
		return 125;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		return 125;

	child = fork();
	if (child < 0) {
		fprintf(stderr, "sandbox-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Its own process group, so a terminal's job control reaches it, not PID 1. */
		setpgid(0, 0);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "sandbox-init: exec '%s': %s\n", argv[2], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
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
