/* SPDX-License-Identifier: MIT */
/* The runtime's create-to-exec path in one process: N sandboxes in a loop through
 * runtime/sandbox.h (no process start per sandbox besides the sandbox's own), each running
 * /bin/true. Prints the median create-to-exec time, the whole create+wait+free cycle, and peak
 * RSS. Usage: bench-create [N]. */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-util.h"
#include "sandbox.h"

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 300;
	static const char *const argv_true[] = {"/bin/true", NULL};
	static const char *const env[] = {"PATH=/usr/bin:/bin", NULL};
	struct runtime_config cfg = {
		.init_path = SANDBOX_INIT_PATH,
		.uids = {UID_RANGE_LOCK_DIR_DEFAULT, UID_RANGE_BASE_DEFAULT,
			 UID_RANGE_COUNT_DEFAULT},
		.kill_on_parent_death = true,
	};
	struct sandbox_spec spec = {
		.image = SANDBOX_IMAGE_HOST,
		.argv = argv_true,
		.env = env,
		.workspace_size = SANDBOX_WORKSPACE_SIZE_DEFAULT,
		.tmp_size = SANDBOX_TMP_SIZE_DEFAULT,
		.limits = {.memory_max = SANDBOX_MEMORY_DEFAULT,
			   .pids_max = SANDBOX_PIDS_DEFAULT,
			   .nofile = SANDBOX_NOFILE_DEFAULT},
		.stdio = {-1, -1, -1},
	};
	struct sandbox_runtime *rt = NULL;
	struct sbx_error e = {};
	uint64_t *create, *cycle;
	struct rusage ru;

	if (n < 5 || n > 100000) {
		fprintf(stderr, "usage: bench-create [N>=5]\n");
		return 2;
	}
	create = calloc(n, sizeof(*create));
	cycle = calloc(n, sizeof(*cycle));
	if (!create || !cycle)
		return 1;
	if (sandbox_runtime_new(&cfg, &rt, &e) < 0) {
		fprintf(stderr, "bench-create: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < n + 10; i++) {
		struct sandbox *sb = NULL;
		struct sandbox_result res;
		uint64_t t0 = bench_now_ns(), t1;

		if (sandbox_create(rt, &spec, &sb, &e) < 0) {
			fprintf(stderr, "bench-create: %s\n", e.msg);
			return 1;
		}
		t1 = bench_now_ns();
		if (sandbox_wait(sb, &res, &e) < 0 || res.exit_code != 0) {
			fprintf(stderr, "bench-create: /bin/true failed in the sandbox\n");
			return 1;
		}
		sandbox_free(sb);
		if (i >= 10) { /* the first ten warm up */
			create[i - 10] = t1 - t0;
			cycle[i - 10] = bench_now_ns() - t0;
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("in-process create-to-exec, %zu sandboxes\n", n);
	printf("  create (clone .. sandbox-init exec'd): median %.2f ms  p90 %.2f ms\n",
	       bench_quantile(create, n, 0.5) / 1e6, bench_quantile(create, n, 0.9) / 1e6);
	printf("  whole cycle (create, run /bin/true, wait, tear down): median %.2f ms\n",
	       bench_quantile(cycle, n, 0.5) / 1e6);
	printf("  peak RSS of the creating process: %ld KiB\n", ru.ru_maxrss);
	sandbox_runtime_free(rt);
	free(create);
	free(cycle);
	return 0;
}
