/* SPDX-License-Identifier: MIT */
/* The filesystem a sandbox sees (DESIGN.md section 6: a fresh rootfs, pivot_root, minimal /dev,
 * masked /proc and /sys paths): host files outside the binds are invisible, the root and the
 * read-only binds cannot be written, writable binds reach the host, /proc's masks and read-only
 * parts hold, PID 1's and the command's executables cannot be rewritten. The steps are
 * runtime/rootfs.c, mounts.c and dev.c; the directory image's overlay is tested in
 * tests/integration/test-sbx-run.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "sbx-harness.h"

static struct sbx_harness_result *result_new(void)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));

	ck_assert_ptr_nonnull(res);
	return res;
}

/* A fresh directory under the program's temp dir, with one file "f" in it. Host files appear
 * owned by nobody inside (binds are not idmapped) and the sandbox's root has no capabilities, so
 * with open set both are world-writable: then only a read-only mount can refuse a write. */
static char *dir_with_file(const char *name, bool open)
{
	char *dir = NULL, file[PATH_MAX];

	ck_assert_int_gt(asprintf(&dir, "%s/%s", sbx_harness_tmpdir(), name), 0);
	ck_assert_msg(mkdir(dir, 0755) == 0, "mkdir '%s': %s", dir, strerror(errno));
	snprintf(file, sizeof(file), "%s/f", dir);
	sbx_harness_write_file(file, "host content\n");
	if (open) {
		ck_assert_int_eq(chmod(dir, 0777), 0);
		ck_assert_int_eq(chmod(file, 0666), 0);
	}
	return dir;
}

static void expect_probe(const char *const *opts, const char *cmd, const char *path, int want)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	int r = sbx_harness_probe(res, opts, SBX_ARGS(cmd, path));

	ck_assert_msg(r == want, "%s '%s': exit %d, expected %d (%s); probe said: %s", cmd, path, r,
		      want, want ? strerrorname_np(want) : "success", res->out);
}

/* clang-format off */
/* Host paths that hold secrets or state and are not part of the host image. */
static const char *const host_private[] = {
	"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh", "/etc/machine-id",
	"/root", "/home", "/var", "/srv", "/boot",
	"/run", "/mnt", "/opt", "/media", "/sys/fs/cgroup", "/sys/kernel", "/sys/firmware",
	"/proc/1/root/etc/shadow",
};
/* clang-format on */

START_TEST(test_host_paths_invisible)
{
	const char *path = host_private[_i];

	expect_probe(NULL, "stat", path, ENOENT);
}
END_TEST

/* The test's own temp dir (a host /tmp path) is invisible unless bound, then visible there. */
START_TEST(test_host_tmp_invisible_unless_bound)
{
	_cleanup_free_ char *dir = dir_with_file("private", false), *file = NULL, *bind = NULL;

	ck_assert_int_gt(asprintf(&file, "%s/f", dir), 0);
	ck_assert_int_gt(asprintf(&bind, "%s:/data", dir), 0);
	expect_probe(NULL, "stat", sbx_harness_tmpdir(), ENOENT);
	expect_probe(NULL, "stat", dir, ENOENT);
	expect_probe(NULL, "open", file, ENOENT);
	expect_probe(SBX_ARGS("--ro-bind", bind), "open", "/data/f", 0);
	expect_probe(SBX_ARGS("--ro-bind", bind), "stat", file, ENOENT);
}
END_TEST

/* /etc holds generated files, not the host's: only root and nobody exist. */
START_TEST(test_etc_is_generated)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/cat", "/etc/passwd")), 0);
	ck_assert_msg(strncmp(res->out, "root:x:0:0:", 11) == 0, "/etc/passwd: %s", res->out);
	for (const char *p = res->out; *p; p = strchr(p, '\n') + 1) {
		ck_assert_msg(strncmp(p, "root:", 5) == 0 || strncmp(p, "nobody:", 7) == 0,
			      "a host account is visible in /etc/passwd: %s", res->out);
		if (!strchr(p, '\n'))
			break;
	}
}
END_TEST

/* clang-format off */
/* Paths of the host image that must refuse writes because their mount is read-only. */
static const char *const readonly_paths[] = {
	"/sbx-test-file",           /* the root tmpfs */
	"/etc/sbx-test-file",
	"/etc/passwd",
	"/usr/bin/sbx-test-file",   /* the host's /usr */
	"/usr/lib/sbx-test-file",
	"/bin/sbx-test-file",
	"/dev/sbx-test-file",
};
/* clang-format on */

START_TEST(test_root_readonly)
{
	expect_probe(NULL, "write", readonly_paths[_i], EROFS);
}
END_TEST

START_TEST(test_root_mkdir_readonly)
{
	expect_probe(NULL, "mkdir", "/sbx-test-dir", EROFS);
	expect_probe(NULL, "mkdir", "/usr/sbx-test-dir", EROFS);
}
END_TEST

/* The writable places exist (so the refusals above are about read-only mounts). */
START_TEST(test_scratch_writable)
{
	expect_probe(NULL, "write", "/tmp/sbx-test-file", 0);
	expect_probe(NULL, "write", "/workspace/sbx-test-file", 0);
	expect_probe(NULL, "write", "/dev/shm/sbx-test-file", 0);
}
END_TEST

/* --ro-bind of a directory and of a file: readable, every write EROFS, the host untouched. */
START_TEST(test_ro_bind_readonly)
{
	_cleanup_free_ char *dir = dir_with_file("ro", true), *bind_dir = NULL, *bind_file = NULL,
			    *host_new = NULL, *host_f = NULL, *content = NULL;
	struct stat st;
	FILE *f;
	char buf[64] = "";

	ck_assert_int_gt(asprintf(&bind_dir, "%s:/data", dir), 0);
	ck_assert_int_gt(asprintf(&bind_file, "%s/f:/etc/sbx-test.conf", dir), 0);
	ck_assert_int_gt(asprintf(&host_new, "%s/new", dir), 0);
	ck_assert_int_gt(asprintf(&host_f, "%s/f", dir), 0);

	expect_probe(SBX_ARGS("--ro-bind", bind_dir), "open", "/data/f", 0);
	expect_probe(SBX_ARGS("--ro-bind", bind_dir), "write", "/data/f", EROFS);
	expect_probe(SBX_ARGS("--ro-bind", bind_dir), "write", "/data/new", EROFS);
	expect_probe(SBX_ARGS("--ro-bind", bind_dir), "mkdir", "/data/newdir", EROFS);
	expect_probe(SBX_ARGS("--ro-bind", bind_file), "open", "/etc/sbx-test.conf", 0);
	expect_probe(SBX_ARGS("--ro-bind", bind_file), "write", "/etc/sbx-test.conf", EROFS);

	ck_assert_msg(stat(host_new, &st) < 0 && errno == ENOENT, "a file appeared on the host");
	f = fopen(host_f, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "host content\n");
}
END_TEST

static void check_bind_writable(const char *name, bool open)
{
	_cleanup_free_ char *dir = dir_with_file(name, open), *bind = NULL, *host_new = NULL;
	char buf[8] = "";
	FILE *f;

	ck_assert_int_gt(asprintf(&bind, "%s:/out", dir), 0);
	ck_assert_int_gt(asprintf(&host_new, "%s/new", dir), 0);
	expect_probe(SBX_ARGS("--bind", bind), "write", "/out/new", 0);
	f = fopen(host_new, "re");
	ck_assert_msg(f, "the host does not see '%s': %s", host_new, strerror(errno));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "x");
}

/* --bind: the mount is writable, and the host sees what was written. */
START_TEST(test_bind_writable)
{
	check_bind_writable("rw-open", true);
}
END_TEST

/* --bind of an ordinary directory (root's, mode 0755), as an operator writes it: the sandbox's
 * root must be able to write there, as it can in --workspace (which is idmapped for this). */
START_TEST(test_bind_writable_root_owned)
{
	check_bind_writable("rw-root", false);
}
END_TEST

/* clang-format off */
/* Kernel memory, keys and timing side channels: absent on this kernel, unreadable, or empty. */
static const char *const proc_masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
	"/proc/timer_stats", "/proc/latency_stats",
};
/* clang-format on */

START_TEST(test_proc_masked)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	const char *path = proc_masked[_i];
	int r;

	/* head works and reads /proc (so an empty answer below means something). */
	ck_assert_int_eq(sbx_harness_run(res, NULL,
					 SBX_ARGS("/usr/bin/head", "-c", "64", "/proc/self/stat")),
			 0);
	ck_assert_uint_gt(res->out_len, 0);

	r = sbx_harness_run(res, NULL, SBX_ARGS("/usr/bin/head", "-c", "64", path));
	ck_assert_msg(r != 0 || res->out_len == 0, "%s is readable inside: '%.64s'", path,
		      res->out);
}
END_TEST

/* clang-format off */
/* Host-wide knobs under /proc. ns_last_pid is mode 0666: only the read-only mount stops it. */
static const char *const proc_readonly[] = {
	"/proc/sys/kernel/ns_last_pid", "/proc/sys/kernel/core_pattern",
	"/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", "/proc/sys/net/ipv4/ip_forward",
	"/proc/irq/default_smp_affinity", "/proc/sysrq-trigger",
};
/* clang-format on */

START_TEST(test_proc_not_writable)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	const char *path = proc_readonly[_i];
	int r;

	r = sbx_harness_probe(res, NULL, SBX_ARGS("proc-write", path));
	if (r == 0 && strcmp(path, "/proc/sysrq-trigger") == 0) {
		/* Masked with /dev/null (open succeeds, nothing reaches the kernel) is the one
		 * acceptable way for sysrq-trigger to open. */
		r = sbx_harness_run(res, NULL, SBX_ARGS("/usr/bin/stat", "-c", "%F %t:%T", path));
		ck_assert_msg(r == 0 && strcmp(res->out, "character special file 1:3\n") == 0,
			      "%s can be opened for writing and is not the /dev/null mask: %s",
			      path, res->out);
		return;
	}
	ck_assert_msg(r != 0, "%s can be opened for writing inside", path);
	if (strcmp(path, "/proc/sys/kernel/ns_last_pid") == 0)
		ck_assert_msg(r == EROFS, "%s: %s, expected EROFS from the read-only mount", path,
			      res->out);
}
END_TEST

/* /proc/sys, /proc/bus, /proc/fs and /proc/irq are read-only mounts inside. */
START_TEST(test_proc_readonly_mounts)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	static const char *const dirs[] = {"/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq"};

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/cat", "/proc/self/mountinfo")),
			 0);
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		char needle[64];
		const char *line;

		if (access(dirs[i], F_OK) < 0)
			continue; /* not on this kernel */
		snprintf(needle, sizeof(needle), " %s ro,", dirs[i]);
		line = strstr(res->out, needle);
		ck_assert_msg(line, "%s is not a read-only mount inside:\n%s", dirs[i], res->out);
	}
}
END_TEST

/* The runc CVE-2019-5736 class: neither PID 1's binary nor the command's can be opened for
 * writing through /proc. */
START_TEST(test_selfexe_not_writable)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	int r = sbx_harness_probe(res, NULL, SBX_ARGS("selfexe-write"));

	ck_assert_msg(r != 0, "an executable was written: %s", res->out);
	ck_assert_ptr_null(strstr(res->out, "WRITTEN"));
}
END_TEST

/* /dev holds the harmless nodes only, a private devpts, and nothing of the host's devices. */
START_TEST(test_dev_minimal)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	static const char *const allowed[] = {
		"null", "zero", "full",	 "random", "urandom", "tty",	"ptmx", "pts",
		"shm",	"fd",	"stdin", "stdout", "stderr",  "mqueue", "core",
	};
	static const char *const host_devices[] = {
		"/dev/mem",	"/dev/kmem", "/dev/port",    "/dev/kmsg", "/dev/vda",	"/dev/sda",
		"/dev/console", "/dev/fuse", "/dev/net/tun", "/dev/kvm",  "/dev/loop0",
	};
	char *save = NULL;
	int n = 0;

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/ls", "-A", "/dev")), 0);
	for (char *e = strtok_r(res->out, "\n", &save); e; e = strtok_r(NULL, "\n", &save)) {
		bool ok = false;

		for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
			ok = ok || strcmp(e, allowed[i]) == 0;
		ck_assert_msg(ok, "/dev/%s exists inside", e);
		n++;
	}
	ck_assert_int_ge(n, 6);

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/bin/ls", "-A", "/dev/pts")), 0);
	ck_assert_msg(strcmp(res->out, "ptmx\n") == 0, "host ptys visible: %s", res->out);

	for (size_t i = 0; i < ELEMENTSOF(host_devices); i++)
		expect_probe(NULL, "stat", host_devices[i], ENOENT);
	expect_probe(NULL, "write", "/dev/null", 0);
}
END_TEST

static Suite *filesystem_suite(void)
{
	Suite *s = suite_create("security-filesystem");
	TCase *tc;

	tc = sbx_harness_tcase("invisible", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_host_paths_invisible, 0, (int)ELEMENTSOF(host_private));
	tcase_add_test(tc, test_host_tmp_invisible_unless_bound);
	tcase_add_test(tc, test_etc_is_generated);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("readonly", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_root_readonly, 0, (int)ELEMENTSOF(readonly_paths));
	tcase_add_test(tc, test_root_mkdir_readonly);
	tcase_add_test(tc, test_scratch_writable);
	tcase_add_test(tc, test_ro_bind_readonly);
	tcase_add_test(tc, test_bind_writable);
	tcase_add_test(tc, test_bind_writable_root_owned);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("proc", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_proc_masked, 0, (int)ELEMENTSOF(proc_masked));
	tcase_add_loop_test(tc, test_proc_not_writable, 0, (int)ELEMENTSOF(proc_readonly));
	tcase_add_test(tc, test_proc_readonly_mounts);
	tcase_add_test(tc, test_selfexe_not_writable);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("dev", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_dev_minimal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sbx_harness_main(filesystem_suite());
}
