/* SPDX-License-Identifier: MIT */
/* sbx-run vs bubblewrap, side by side in one run: starts `sbx-run -- /bin/true` and
 * `bwrap --unshare-all ... /bin/true` alternately, N times each, and prints both medians and
 * their ratio. Usage: bench-startup [N] [SBX_RUN]. */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"

extern char **environ;

static int run(char *const argv[], uint64_t *ret_ns)
{
	uint64_t t0 = bench_now_ns();
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	*ret_ns = bench_now_ns() - t0;
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200;
	char *sbx = argc > 2 ? argv[2] : (char *)SBX_RUN_PATH;
	char *const sbx_argv[] = {sbx, "--", "/bin/true", NULL};
	/* The same image shape sbx-run's host image has: /usr read-only, merged-/usr links,
	 * fresh /proc and /dev, every namespace unshared. */
	char *const bwrap_argv[] = {
		"/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/usr",	     "/usr",
		"--symlink",	  "usr/bin",	   "/bin",	"--symlink", "usr/lib",
		"/lib",		  "--symlink",	   "usr/lib64", "/lib64",    "--symlink",
		"usr/sbin",	  "/sbin",	   "--proc",	"/proc",     "--dev",
		"/dev",		  "--tmpfs",	   "/tmp",	"/bin/true", NULL,
	};
	uint64_t *a, *b, ma, mb;

	if (n < 5 || n > 100000) {
		fprintf(stderr, "usage: bench-startup [N>=5] [SBX_RUN]\n");
		return 2;
	}
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	if (!a || !b)
		return 1;
	/* Warm the page cache and the kernel's slabs for both before measuring. */
	for (int i = 0; i < 10; i++) {
		uint64_t x;
		if (run(sbx_argv, &x) < 0 || run(bwrap_argv, &x) < 0) {
			fprintf(stderr,
				"bench-startup: a warm-up run failed (is bwrap installed? are "
				"we root?)\n");
			return 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (run(sbx_argv, &a[i]) < 0 || run(bwrap_argv, &b[i]) < 0) {
			fprintf(stderr, "bench-startup: run %zu failed\n", i);
			return 1;
		}
	}
	ma = bench_quantile(a, n, 0.5);
	mb = bench_quantile(b, n, 0.5);
	printf("startup of /bin/true, %zu runs each, alternating\n", n);
	printf("  sbx-run (all layers: 6 namespaces, pivot_root, lo, seccomp, cgroup): median %.2f "
	       "ms  p90 %.2f ms\n",
	       ma / 1e6, bench_quantile(a, n, 0.9) / 1e6);
	printf("  bwrap --unshare-all (no seccomp, no cgroup):                        median %.2f "
	       "ms  p90 %.2f ms\n",
	       mb / 1e6, bench_quantile(b, n, 0.9) / 1e6);
	printf("  ratio sbx-run/bwrap: %.2fx (target <= 0.70x)\n", (double)ma / (double)mb);
	free(a);
	free(b);
	return 0;
}
