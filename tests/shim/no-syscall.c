/* SPDX-License-Identifier: MIT */
/* no-syscall: runs a command with chosen syscalls failing with ENOSYS, as on a kernel that lacks
 * them, so the runtime's fallbacks are tested on this kernel.
 * Usage: no-syscall NAME[,NAME...] -- COMMAND [ARG]... */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	char *names, *save = NULL;

	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: no-syscall NAME[,NAME...] -- COMMAND [ARG]...\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 1;
	names = strdup(argv[1]);
	if (!names)
		return 1;
	for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		int nr = seccomp_syscall_resolve_name(n);

		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "no-syscall: unknown syscall '%s'\n", n);
			return 2;
		}
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0) {
			fprintf(stderr, "no-syscall: cannot filter '%s'\n", n);
			return 1;
		}
	}
	free(names);
	/* A filter needs no_new_privs unless the caller has CAP_SYS_ADMIN; set it either way so
	 * the command runs exactly as it would under a stricter parent. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0) {
		perror("no-syscall: load filter");
		return 1;
	}
	seccomp_release(ctx);
	execvp(argv[3], argv + 3);
	fprintf(stderr, "no-syscall: exec '%s': %s\n", argv[3], strerror(errno));
	return 127;
}
