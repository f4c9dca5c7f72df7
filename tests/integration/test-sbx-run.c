/* SPDX-License-Identifier: MIT */
/* sbx-run as a user runs it (docs/sbx-run.md): exit statuses, usage errors, the limits biting
 * (pids, memory, wall clock, workspace size, cpus), the workspace, binds, cwd, hostname, directory
 * images, setup failures naming their step, and signals to sbx-run itself. Every test ends with
 * the harness's leak checks (mounts, cgroups, processes, uid range locks). Confinement itself is
 * tests/security/. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "sbx-harness.h"

#define FIND_USEC (10ULL * 1000000ULL)

static struct sbx_harness_result *result_new(void)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));

	ck_assert_ptr_nonnull(res);
	return res;
}

/* A fresh directory under the program's temp dir; malloc'd path. */
static char *fresh_dir(const char *name)
{
	char *dir = NULL;

	ck_assert_int_gt(asprintf(&dir, "%s/%s", sbx_harness_tmpdir(), name), 0);
	ck_assert_msg(mkdir(dir, 0755) == 0, "mkdir '%s': %s", dir, strerror(errno));
	return dir;
}

static char *path_join(const char *dir, const char *name)
{
	char *p = NULL;

	ck_assert_int_gt(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static void read_host_file(const char *path, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	size_t n;

	ck_assert_msg(f, "the host does not see '%s': %s", path, strerror(errno));
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
}

/* ---- exit statuses */

static const int exit_codes[] = {0, 1, 42, 254, 255};

START_TEST(test_exit_passes_through)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	char arg[8], line[32];

	snprintf(arg, sizeof(arg), "%d", exit_codes[_i]);
	snprintf(line, sizeof(line), "exit: %d", exit_codes[_i]);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("exit", arg)), exit_codes[_i]);
	ck_assert_msg(sbx_harness_has_line(res->out, line), "stdout: %s", res->out);
	ck_assert_msg(res->err_len == 0, "stderr: %s", res->err);
}
END_TEST

static const int kill_signals[] = {SIGTERM, SIGKILL, SIGSEGV, SIGUSR1, SIGABRT};

START_TEST(test_signal_gives_128_plus)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	char arg[8];
	int r;

	snprintf(arg, sizeof(arg), "%d", kill_signals[_i]);
	r = sbx_harness_run(res, NULL, SBX_ARGS(SBX_HARNESS_PROBE, "kill-self", arg));
	ck_assert_msg(r == 128 + kill_signals[_i], "kill-self %s: exit %d; %s%s", arg, r, res->out,
		      res->err);
	/* Not reported as a kill by the sandbox. */
	ck_assert_ptr_null(strstr(res->err, "sbx-run: killed"));
}
END_TEST

START_TEST(test_missing_command)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/nonexistent/cmd")), 127);
	ck_assert_msg(strstr(res->err, "'/nonexistent/cmd'"), "stderr: %s", res->err);
	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("sbx-no-such-command")), 127);
	ck_assert_msg(strstr(res->err, "'sbx-no-such-command'"), "stderr: %s", res->err);
	/* Exists but cannot be executed. */
	ck_assert_int_eq(sbx_harness_run(res, NULL, SBX_ARGS("/etc/passwd")), 126);
}
END_TEST

/* ---- usage errors */

struct usage_case {
	const char *args[4]; /* NULL-terminated */
	const char *says;    /* a piece of the message */
};

static const struct usage_case usage_cases[] = {
	{{"--memory", "10X", "--", NULL}, "--memory '10X'"},
	{{"--memory", "512K", "--", NULL}, "--memory '512K'"},
	{{"--memory", "", "--", NULL}, "--memory ''"},
	{{"--pids", "0", "--", NULL}, "--pids '0'"},
	{{"--pids", "many", "--", NULL}, "--pids 'many'"},
	{{"--cpus", "fast", "--", NULL}, "--cpus 'fast'"},
	{{"--cpus", "-1", "--", NULL}, "--cpus '-1'"},
	{{"--timeout", "0", "--", NULL}, "--timeout '0'"},
	{{"--timeout", "5 parsecs", "--", NULL}, "--timeout '5 parsecs'"},
	{{"--workspace-size", "0", "--", NULL}, "--workspace-size '0'"},
	{{"--workspace", "relative/dir", "--", NULL}, "--workspace 'relative/dir'"},
	{{"--env", "NOEQUALS", "--", NULL}, "--env 'NOEQUALS'"},
	{{"--env", "=value", "--", NULL}, "--env '=value'"},
	{{"--ro-bind", "/tmp", "--", NULL}, "'/tmp'"},
	{{"--bind", "/tmp:relative", "--", NULL}, "'/tmp:relative'"},
	{{"--cwd", "relative", "--", NULL}, "--cwd 'relative'"},
	{{"--hostname", "", "--", NULL}, "--hostname ''"},
	{{"--hostname", "h2345678901234567890123456789012345678901234567890123456789012345", "--",
	  NULL},
	 "--hostname"}, /* 65 characters */
	{{"--no-such-option", "--", NULL}, "no-such-option"},
	{{"--", NULL}, "no command given"},
	{{NULL}, "no command given"},
};

START_TEST(test_usage_error)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	const struct usage_case *c = &usage_cases[_i];
	const char *args[8];
	size_t n = 0;
	int r;

	for (; c->args[n]; n++)
		args[n] = c->args[n];
	/* A command after "--" where the case has one, so only the option is wrong. */
	if (n > 0 && strcmp(args[n - 1], "--") == 0 && strcmp(c->says, "no command given") != 0)
		args[n++] = "/bin/true";
	args[n] = NULL;

	r = sbx_harness_run_raw(res, args);
	ck_assert_msg(r == 2, "%s: exit %d, expected 2; stderr: %s", c->says, r, res->err);
	ck_assert_msg(strstr(res->err, "sbx-run"), "no message: %s", res->err);
	ck_assert_msg(strstr(res->err, c->says), "message does not say '%s': %s", c->says,
		      res->err);
	ck_assert_msg(strstr(res->err, "--help"), "message does not point to --help: %s", res->err);
}
END_TEST

START_TEST(test_help)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_run_raw(res, SBX_ARGS("--help")), 0);
	ck_assert_msg(strstr(res->out, "usage: sbx-run"), "stdout: %s", res->out);
	ck_assert_ptr_nonnull(strstr(res->out, "--memory"));
}
END_TEST

/* ---- limits */

START_TEST(test_pids_limit)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	const char *p;
	unsigned long children;

	ck_assert_msg(sbx_harness_probe(res, SBX_ARGS("--pids", "32"), SBX_ARGS("fork-bomb")) == 0,
		      "%s", res->out);
	p = strstr(res->out, "fork failed after ");
	ck_assert_msg(p && sscanf(p, "fork failed after %lu children", &children) == 1, "%s",
		      res->out);
	/* sandbox-init and the probe count too. */
	ck_assert_msg(children <= 32, "%lu children under --pids 32", children);
	ck_assert_msg(children >= 16, "only %lu children under --pids 32", children);
}
END_TEST

START_TEST(test_memory_limit)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	int r;

	r = sbx_harness_probe(res, SBX_ARGS("--memory", "64Mi"), SBX_ARGS("balloon", "256"));
	ck_assert_msg(r == 137, "balloon 256 under --memory 64Mi: exit %d; %s%s", r, res->out,
		      res->err);
	ck_assert_msg(sbx_harness_has_line(res->err, "sbx-run: killed: memory limit 64Mi exceeded"),
		      "stderr: %s", res->err);
}
END_TEST

START_TEST(test_memory_below_limit)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_msg(sbx_harness_probe(res, SBX_ARGS("--memory", "64Mi"),
					SBX_ARGS("balloon", "16")) == 0,
		      "%s%s", res->out, res->err);
	ck_assert_ptr_null(strstr(res->err, "killed"));
}
END_TEST

START_TEST(test_timeout)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	int r;

	r = sbx_harness_probe(res, SBX_ARGS("--timeout", "1s"), SBX_ARGS("sleep", "30"));
	ck_assert_msg(r == 137, "exit %d; %s", r, res->err);
	ck_assert_msg(sbx_harness_has_line(res->err, "sbx-run: killed: timeout 1s"), "stderr: %s",
		      res->err);
	ck_assert_msg(res->wall_usec >= 900000 && res->wall_usec < 3000000,
		      "--timeout 1s ended after %" PRIu64 " ms", res->wall_usec / 1000);
}
END_TEST

START_TEST(test_workspace_size)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	unsigned long long written;
	const char *p;

	ck_assert_msg(sbx_harness_probe(res, SBX_ARGS("--workspace-size", "8Mi"),
					SBX_ARGS("fill", "/workspace/big")) == 0,
		      "%s", res->out);
	p = strstr(res->out, "wrote ");
	ck_assert_msg(p && sscanf(p, "wrote %llu bytes", &written) == 1, "%s", res->out);
	ck_assert_msg(written >= (7ULL << 20) && written <= (8ULL << 20),
		      "wrote %llu bytes into an 8Mi workspace", written);
}
END_TEST

/* Reads the CPU quota of the one sandbox cgroup under the test parent: v1 cfs_quota_us/period,
 * or v2 cpu.max; false if no such file exists. */
static bool read_cpu_quota(long long *ret_quota, long long *ret_period)
{
	static const char *const roots[] = {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct",
					    "/sys/fs/cgroup"};

	for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
		_cleanup_free_ char *parent = NULL;
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *de;

		ck_assert_int_gt(asprintf(&parent, "%s/%s", roots[i], sbx_harness_cgroup_parent()),
				 0);
		d = opendir(parent);
		while (d && (de = readdir(d))) {
			char path[PATH_MAX], buf[64] = "";
			_cleanup_fclose_ FILE *f = NULL;

			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/cpu.cfs_quota_us", parent, de->d_name);
			f = fopen(path, "re");
			if (f) {
				ck_assert_int_eq(fscanf(f, "%lld", ret_quota), 1);
				fclose(f);
				snprintf(path, sizeof(path), "%s/%s/cpu.cfs_period_us", parent,
					 de->d_name);
				f = fopen(path, "re");
				ck_assert_ptr_nonnull(f);
				ck_assert_int_eq(fscanf(f, "%lld", ret_period), 1);
				return true;
			}
			snprintf(path, sizeof(path), "%s/%s/cpu.max", parent, de->d_name);
			f = fopen(path, "re");
			if (f && fgets(buf, sizeof(buf), f) &&
			    sscanf(buf, "%lld %lld", ret_quota, ret_period) == 2)
				return true;
		}
	}
	return false;
}

/* --cpus is accepted, the command runs, and the cgroup's CFS quota says half a CPU. */
START_TEST(test_cpus)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	struct sbx_harness_proc p;
	long long quota = 0, period = 0;
	pid_t probe;

	ck_assert_int_eq(sbx_harness_probe(res, SBX_ARGS("--cpus", "0.5"), SBX_ARGS("exit", "0")),
			 0);

	sbx_harness_start_probe(&p, SBX_ARGS("--cpus", "0.5"), SBX_ARGS("sleep", "30"));
	probe = sbx_harness_find_descendant(p.pid, "sbx-probe", FIND_USEC);
	ck_assert_msg(read_cpu_quota(&quota, &period), "no CPU quota file for the sandbox");
	ck_assert_int_gt(period, 0);
	ck_assert_msg(quota * 2 == period, "quota %lld per period %lld is not half a CPU", quota,
		      period);
	ck_assert_int_eq(kill(probe, SIGKILL), 0);
	sbx_harness_finish(&p, res);
	ck_assert_int_eq(res->exit_code, 137);
}
END_TEST

/* ---- workspace, binds, cwd, hostname */

START_TEST(test_workspace_dir)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_free_ char *ws = fresh_dir("ws"), *host_file = path_join(ws, "from-host"),
			    *sbx_file = path_join(ws, "from-sandbox");
	const char *const opts[] = {"--workspace", ws, NULL};
	struct stat st;
	char buf[64];

	sbx_harness_write_file(host_file, "from the host\n");
	ck_assert_int_eq(chmod(host_file, 0600), 0); /* root's own: readable by root inside */

	ck_assert_int_eq(sbx_harness_run(res, opts, SBX_ARGS("/bin/cat", "/workspace/from-host")),
			 0);
	ck_assert_str_eq(res->out, "from the host\n");

	ck_assert_int_eq(sbx_harness_probe(res, opts, SBX_ARGS("write", "/workspace/from-sandbox")),
			 0);
	read_host_file(sbx_file, buf, sizeof(buf));
	ck_assert_str_eq(buf, "x");
	ck_assert_int_eq(stat(sbx_file, &st), 0);
	ck_assert_msg(st.st_uid == 0 && st.st_gid == 0,
		      "the sandbox's file lands owned by %u:%u on the host, expected 0:0",
		      (unsigned)st.st_uid, (unsigned)st.st_gid);

	ck_assert_int_eq(sbx_harness_probe(res, opts, SBX_ARGS("stat", "/workspace")), 0);
	ck_assert_msg(strstr(res->out, " uid=0 gid=0 "), "/workspace inside: %s", res->out);
	ck_assert_int_eq(sbx_harness_probe(res, opts, SBX_ARGS("cwd")), 0);
	ck_assert_str_eq(res->out, "/workspace\n");
}
END_TEST

START_TEST(test_workspace_tmpfs)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("stat", "/workspace")), 0);
	ck_assert_msg(strstr(res->out, " uid=0 gid=0 "), "/workspace inside: %s", res->out);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("write", "/workspace/x")), 0);
}
END_TEST

START_TEST(test_ro_bind_file_and_dir)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_free_ char *dir = fresh_dir("data"), *file = path_join(dir, "a.txt"),
			    *single = path_join(sbx_harness_tmpdir(), "single.conf"),
			    *bind_dir = NULL, *bind_file = NULL;

	sbx_harness_write_file(file, "in the dir\n");
	sbx_harness_write_file(single, "a single file\n");
	ck_assert_int_gt(asprintf(&bind_dir, "%s:/data/dir", dir), 0);
	ck_assert_int_gt(asprintf(&bind_file, "%s:/etc/single.conf", single), 0);

	ck_assert_int_eq(
		sbx_harness_run(res, SBX_ARGS("--ro-bind", bind_dir, "--ro-bind", bind_file),
				SBX_ARGS("/bin/cat", "/data/dir/a.txt", "/etc/single.conf")),
		0);
	ck_assert_str_eq(res->out, "in the dir\na single file\n");
}
END_TEST

START_TEST(test_cwd)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("cwd")), 0);
	ck_assert_str_eq(res->out, "/workspace\n");
	ck_assert_int_eq(sbx_harness_probe(res, SBX_ARGS("--cwd", "/tmp"), SBX_ARGS("cwd")), 0);
	ck_assert_str_eq(res->out, "/tmp\n");
	ck_assert_int_eq(sbx_harness_probe(res, SBX_ARGS("--cwd", "/usr/bin"), SBX_ARGS("cwd")), 0);
	ck_assert_str_eq(res->out, "/usr/bin\n");
}
END_TEST

START_TEST(test_hostname)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_probe(res, SBX_ARGS("--hostname", "sbx-test-host"),
					   SBX_ARGS("hostname")),
			 0);
	ck_assert_str_eq(res->out, "sbx-test-host\n");
	ck_assert_int_eq(sbx_harness_run(res, SBX_ARGS("--hostname", "sbx-test-host"),
					 SBX_ARGS("/bin/cat", "/etc/hostname")),
			 0);
	ck_assert_str_eq(res->out, "sbx-test-host\n");
}
END_TEST

/* ---- images */

static void copy_file(const char *from, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC), out = -EBADF;
	struct stat st;
	off_t off = 0;

	ck_assert_int_ge(in, 0);
	ck_assert_int_eq(fstat(in, &st), 0);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	ck_assert_msg(out >= 0, "create '%s': %s", to, strerror(errno));
	while (off < st.st_size)
		ck_assert_int_gt(sendfile(out, in, &off, (size_t)(st.st_size - off)), 0);
}

/* Names in a directory, sorted, newline-separated, into buf. */
static void list_dir(const char *dir, char *buf, size_t len)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	ck_assert_int_ge(n, 0);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/* A directory image runs from an overlay: the root is writable inside, the image never changes
 * and the host's /usr is not there. */
START_TEST(test_image_dir)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	_cleanup_free_ char *img = fresh_dir("image"), *probe = path_join(img, "sbx-probe"),
			    *etc = path_join(img, "etc"), *conf = NULL;
	const char *const opts[] = {"--image", img, NULL};
	char before[4096], after[4096], etc_before[1024], etc_after[1024], buf[64];

	copy_file(sbx_harness_probe_path(), probe, 0755);
	ck_assert_int_eq(mkdir(etc, 0755), 0);
	conf = path_join(etc, "image.conf");
	sbx_harness_write_file(conf, "from the image\n");
	for (const char *const *d = (const char *const[]){"tmp", "workspace", "proc", "dev", NULL};
	     *d; d++) {
		_cleanup_free_ char *p = path_join(img, *d);

		ck_assert_int_eq(mkdir(p, 0755), 0);
	}
	list_dir(img, before, sizeof(before));
	list_dir(etc, etc_before, sizeof(etc_before));

	ck_assert_int_eq(sbx_harness_run(res, opts, SBX_ARGS("/sbx-probe", "stat", "/usr/bin")),
			 ENOENT);
	ck_assert_int_eq(sbx_harness_run(res, opts, SBX_ARGS("/sbx-probe", "write", "/new-file")),
			 0);
	ck_assert_int_eq(
		sbx_harness_run(res, opts, SBX_ARGS("/sbx-probe", "write", "/etc/new-file")), 0);
	ck_assert_int_eq(sbx_harness_run(res, opts, SBX_ARGS("/sbx-probe", "mkdir", "/new-dir")),
			 0);
	ck_assert_int_eq(
		sbx_harness_run(res, opts, SBX_ARGS("/sbx-probe", "write", "/etc/image.conf")), 0);
	ck_assert_int_eq(sbx_harness_run(res, opts,
					 SBX_ARGS("/sbx-probe", "exec", "/sbx-probe", "exit", "3")),
			 3);
	/* Each sandbox starts from the image again. */
	ck_assert_int_eq(sbx_harness_run(res, opts, SBX_ARGS("/sbx-probe", "stat", "/new-file")),
			 ENOENT);

	list_dir(img, after, sizeof(after));
	list_dir(etc, etc_after, sizeof(etc_after));
	ck_assert_str_eq(after, before);
	ck_assert_str_eq(etc_after, etc_before);
	read_host_file(conf, buf, sizeof(buf));
	ck_assert_str_eq(buf, "from the image\n");
}
END_TEST

START_TEST(test_image_bad)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_run(res, SBX_ARGS("--image", "sbx-no-such-image"),
					 SBX_ARGS("/bin/true")),
			 125);
	ck_assert_msg(strncmp(res->err, "sbx-run: ", 9) == 0 &&
			      strstr(res->err, "'sbx-no-such-image'"),
		      "stderr: %s", res->err);

	ck_assert_int_eq(sbx_harness_run(res, SBX_ARGS("--image", "/nonexistent/image"),
					 SBX_ARGS("/bin/true")),
			 125);
	ck_assert_msg(strstr(res->err, "'/nonexistent/image'"), "stderr: %s", res->err);

	/* A name never walks out of the images directory. */
	ck_assert_int_eq(
		sbx_harness_run(res, SBX_ARGS("--image", "../../../etc"), SBX_ARGS("/bin/true")),
		125);
	ck_assert_msg(strstr(res->err, "'../../../etc'"), "stderr: %s", res->err);

	/* A file is not an image. */
	ck_assert_int_eq(
		sbx_harness_run(res, SBX_ARGS("--image", "/etc/passwd"), SBX_ARGS("/bin/true")),
		125);
	ck_assert_msg(strstr(res->err, "'/etc/passwd'"), "stderr: %s", res->err);
}
END_TEST

START_TEST(test_image_host)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	ck_assert_int_eq(sbx_harness_run(res, SBX_ARGS("--image", "host"),
					 SBX_ARGS("/bin/sh", "-c", "exit 7")),
			 7);
}
END_TEST

/* ---- setup failures name their step */

struct setup_case {
	const char *opt, *value;
	const char *says;
};

static const struct setup_case setup_cases[] = {
	{"--ro-bind", "/nonexistent:/x", "bind source '/nonexistent'"},
	{"--bind", "/nonexistent-rw:/x", "bind source '/nonexistent-rw'"},
	{"--workspace", "/nonexistent-ws", "workspace '/nonexistent-ws'"},
	{"--cwd", "/nonexistent-cwd", "'/nonexistent-cwd'"},
};

START_TEST(test_setup_failure_names_step)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	const struct setup_case *c = &setup_cases[_i];
	int r;

	r = sbx_harness_run(res, SBX_ARGS(c->opt, c->value), SBX_ARGS("/bin/true"));
	ck_assert_msg(r == 125, "%s %s: exit %d; %s", c->opt, c->value, r, res->err);
	ck_assert_msg(strncmp(res->err, "sbx-run: ", 9) == 0, "stderr: %s", res->err);
	ck_assert_msg(strstr(res->err, c->says), "message does not say \"%s\": %s", c->says,
		      res->err);
	ck_assert_msg(strchr(res->err, '\n') == res->err + res->err_len - 1,
		      "more than one line: %s", res->err);
}
END_TEST

/* ---- signals to sbx-run */

/* Waits until pid is gone (or reaped by someone); true if it went within timeout_usec. */
static bool wait_gone(pid_t pid, uint64_t timeout_usec)
{
	uint64_t end = sbx_harness_now_usec() + timeout_usec;

	while (kill(pid, 0) == 0 || errno != ESRCH) {
		char path[64], state = '?';
		FILE *f;

		/* A zombie waiting for the host's init to reap it is gone for our purposes. */
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "re");
		if (f) {
			if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
				state = '?';
			fclose(f);
		}
		if (state == 'Z')
			return true;
		if (sbx_harness_now_usec() > end)
			return false;
		usleep(20000);
	}
	return true;
}

/* docs/sbx-run.md: "If sbx-run itself dies (even by SIGKILL), the sandbox dies with it". */
START_TEST(test_sigkill_sbx_run_kills_sandbox)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	struct sbx_harness_proc p;
	pid_t probe, init;

	sbx_harness_start_probe(&p, NULL, SBX_ARGS("sleep", "30"));
	probe = sbx_harness_find_descendant(p.pid, "sbx-probe", FIND_USEC);
	init = sbx_harness_parent(probe);
	ck_assert_int_eq(kill(p.pid, SIGKILL), 0);
	sbx_harness_finish(&p, res);
	ck_assert_int_eq(res->exit_code, 128 + SIGKILL);
	ck_assert_msg(wait_gone(init, 3000000) && wait_gone(probe, 3000000),
		      "the sandbox survived sbx-run's SIGKILL: sandbox-init (host pid %d) and the "
		      "command (host pid %d) still run",
		      (int)init, (int)probe);
	ck_assert_msg(!res->held_open, "a process of the sandbox still held its stdout/stderr");

	/* Nobody was left to remove the dead sandbox's cgroup; the next start of the runtime
	 * finds it (its uid range is free) and removes it. The fixture's leak check then proves
	 * nothing of the killed sandbox remains. */
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("exit", "0")), 0);
}
END_TEST

/* SIGTERM to sbx-run reaches the command, and sbx-run cleans up after it. */
START_TEST(test_sigterm_forwarded)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();
	struct sbx_harness_proc p;

	sbx_harness_start_probe(&p, NULL, SBX_ARGS("sleep", "30"));
	(void)sbx_harness_find_descendant(p.pid, "sbx-probe", FIND_USEC);
	ck_assert_int_eq(kill(p.pid, SIGTERM), 0);
	sbx_harness_finish(&p, res);
	ck_assert_msg(res->exit_code == 128 + SIGTERM, "exit %d; %s", res->exit_code, res->err);
	ck_assert(WIFEXITED(res->status));
	ck_assert(!res->held_open);
}
END_TEST

/* sandbox-init is PID 1: orphans re-parented to it are reaped, not left as zombies. */
START_TEST(test_orphans_reaped)
{
	_cleanup_free_ struct sbx_harness_result *res = result_new();

	/* Three orphans exit after 0.2 s; a second later, count the zombies in the sandbox. */
	ck_assert_int_eq(
		sbx_harness_run(res, NULL,
				SBX_ARGS("/bin/sh", "-c",
					 "for i in 1 2 3; do (sleep 0.2 &); done; sleep 1; "
					 "ps -eo stat= | grep -c '^Z' || true")),
		0);
	ck_assert_msg(strcmp(res->out, "0\n") == 0, "zombies in the sandbox: '%s' (stderr: %s)",
		      res->out, res->err);
}
END_TEST

static Suite *sbx_run_suite(void)
{
	Suite *s = suite_create("integration-sbx-run");
	TCase *tc;

	tc = sbx_harness_tcase("exit", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_exit_passes_through, 0, (int)ELEMENTSOF(exit_codes));
	tcase_add_loop_test(tc, test_signal_gives_128_plus, 0, (int)ELEMENTSOF(kill_signals));
	tcase_add_test(tc, test_missing_command);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("usage", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_usage_error, 0, (int)ELEMENTSOF(usage_cases));
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("limits", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_pids_limit);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_memory_below_limit);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_workspace_size);
	tcase_add_test(tc, test_cpus);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("layout", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_workspace_dir);
	tcase_add_test(tc, test_workspace_tmpfs);
	tcase_add_test(tc, test_ro_bind_file_and_dir);
	tcase_add_test(tc, test_cwd);
	tcase_add_test(tc, test_hostname);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("image", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_image_dir);
	tcase_add_test(tc, test_image_bad);
	tcase_add_test(tc, test_image_host);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("setup-failure", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_setup_failure_names_step, 0, (int)ELEMENTSOF(setup_cases));
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("signals", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_sigkill_sbx_run_kills_sandbox);
	tcase_add_test(tc, test_sigterm_forwarded);
	tcase_add_test(tc, test_orphans_reaped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sbx_harness_main(sbx_run_suite());
}
