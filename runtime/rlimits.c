/* SPDX-License-Identifier: MIT */
/* Child side, before exec: the rlimit table (no core dumps, nofile, largest file). The byte and
 * process budgets that hold across the whole sandbox are cgroup limits (cgroup.c); rlimits are
 * per process and only cover what cgroups cannot: fd count, file size, core files. */
#include <errno.h>
#include <sys/resource.h>

#include "macro.h"
#include "rlimits.h"

int rlimits_apply(const struct sandbox_limits *limits, uint64_t workspace_size)
{
	/* soft == hard everywhere: the sandboxed program cannot raise a soft limit it was given,
	 * and lowering a hard limit needs no privilege (raising one needs CAP_SYS_RESOURCE in the
	 * host's user namespace, which a sandbox child never has). */
	const struct {
		int resource;
		uint64_t value;
	} table[] = {
		/* A core dump goes where the host's core_pattern says: into the sandbox's cwd, or
		 * piped to a host-side handler (systemd-coredump) that would keep sandbox memory
		 * on the host. Neither is wanted. */
		{RLIMIT_CORE, 0},
		{RLIMIT_NOFILE, limits->nofile},
		/* No single file grows past the workspace size on any filesystem the sandbox can
		 * write, binds to host directories included, where no tmpfs size applies; a
		 * longer write gets SIGXFSZ, or EFBIG when that is ignored. */
		{RLIMIT_FSIZE, limits->fsize != 0 ? limits->fsize : workspace_size},
	};

	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		/* rlim_t is 64-bit here; the clamp keeps a 32-bit rlim_t from truncating. */
		rlim_t v = table[i].value >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY
								     : (rlim_t)table[i].value;
		struct rlimit rl = {.rlim_cur = v, .rlim_max = v};

		if (setrlimit(table[i].resource, &rl) < 0)
			return negative_errno();
	}
	return 0;
}
