/* SPDX-License-Identifier: MIT */
/* runtime/caps.c against the real kernel: after caps_drop_all() every set in /proc/self/status
 * is empty, securebits are locked, no_new_privs is set, privileged calls fail, and a program
 * exec'd as uid 0 gets nothing back. Each test runs in its own forked process (Check fork mode),
 * so dropping capabilities here never touches the runner. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/securebits.h>

#include "caps.h"
#include "macro.h"
#include "test-util.h"

#define SECBITS_EXPECTED                                                                           \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |                           \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |   \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/* The value of "<key>:\t<value>" in /proc/self/status, parsed in base. */
static uint64_t status_field(const char *key, int base)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t klen = strlen(key);

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			return strtoull(line + klen + 1, NULL, base);
	ck_abort_msg("no %s in /proc/self/status", key);
	return 0;
}

static void check_dropped(void)
{
	static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};

	for (size_t i = 0; i < ELEMENTSOF(sets); i++)
		ck_assert_msg(status_field(sets[i], 16) == 0, "%s is %" PRIx64, sets[i],
			      status_field(sets[i], 16));
	ck_assert_uint_eq(status_field("NoNewPrivs", 10), 1);
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	ck_assert_int_eq(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), SECBITS_EXPECTED);

	/* Locked: cannot be switched back. */
	errno = 0;
	ck_assert_int_eq(prctl(PR_SET_SECUREBITS, 0, 0, 0, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	/* Ambient raising refused, even of a capability that is not held. */
	errno = 0;
	ck_assert_int_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), -1);
	ck_assert_int_eq(errno, EPERM);
}

/* Puts c into the ambient set (it must be inheritable first), so there is one to clear. */
static void raise_ambient(cap_value_t c)
{
	cap_t caps = cap_get_proc();

	ck_assert_ptr_nonnull(caps);
	ck_assert_int_eq(cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET), 0);
	ck_assert_int_eq(cap_set_proc(caps), 0);
	cap_free(caps);
	ck_assert_int_eq(cap_set_ambient(c, CAP_SET), 0);
}

START_TEST(test_drop_all)
{
	_cleanup_free_ char *tmp = NULL, *node = NULL;
	char host[256];
	int fd;

	ck_assert_int_ne(status_field("CapEff", 16), 0); /* root here: something to drop */
	raise_ambient(CAP_NET_RAW);
	ck_assert_uint_eq(status_field("CapAmb", 16), UINT64_C(1) << CAP_NET_RAW);
	ck_assert_ok(caps_drop_all());
	check_dropped();

	/* CAP_MKNOD gone. */
	tmp = test_mkdtemp();
	ck_assert_int_gt(asprintf(&node, "%s/null", tmp), 0);
	errno = 0;
	ck_assert_int_eq(mknod(node, S_IFCHR | 0600, makedev(1, 3)), -1);
	ck_assert_int_eq(errno, EPERM);

	/* CAP_SYS_ADMIN gone; the same name is written back in case the drop did not work, so the
	 * test cannot rename the machine. */
	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	errno = 0;
	ck_assert_int_eq(sethostname(host, strlen(host)), -1);
	ck_assert_int_eq(errno, EPERM);

	/* CAP_DAC_OVERRIDE gone: a 0000 file of our own cannot be opened (as root it could). */
	free(node);
	ck_assert_int_gt(asprintf(&node, "%s/locked", tmp), 0);
	fd = open(node, O_CREAT | O_WRONLY | O_CLOEXEC, 0000);
	ck_assert_int_ge(fd, 0);
	close(fd);
	errno = 0;
	ck_assert_int_eq(open(node, O_RDONLY | O_CLOEXEC), -1);
	ck_assert_int_eq(errno, EACCES);

	test_rm_rf(tmp);
}
END_TEST

START_TEST(test_exec_as_root_gets_nothing)
{
	/* grep reads its own status: a process exec'd as uid 0 after the drop gets nothing back
	 * (execve() gives uid 0 its bounding set unless SECBIT_NOROOT: both are closed here). */
	static const char *const argv[] = {
		"grep",
		"-cE",
		"^(Cap(Inh|Prm|Eff|Bnd|Amb):[[:space:]]+0{16}|NoNewPrivs:[[:space:]]+1)$",
		"/proc/self/status",
		NULL,
	};
	int pipefd[2], status;
	char out[16] = {};
	pid_t pid;

	ck_assert_int_eq(getuid(), 0);
	ck_assert_ok(caps_drop_all());
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	ck_assert_int_gt(read(pipefd[0], out, sizeof(out) - 1), 0);
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_str_eq(out, "6\n");
}
END_TEST

START_TEST(test_drop_in_userns)
{
	/* Where it really runs: root of a fresh user namespace, full capabilities there. */
	ck_assert_int_eq(unshare(CLONE_NEWUSER), 0);
	ck_assert_int_ne(status_field("CapEff", 16), 0);
	ck_assert_ok(caps_drop_all());
	check_dropped();

	/* CAP_SYS_ADMIN over the namespace is gone too. */
	errno = 0;
	ck_assert_int_eq(unshare(CLONE_NEWUTS), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

START_TEST(test_drop_twice)
{
	/* The second call has no CAP_SETPCAP left to change securebits with: it fails cleanly
	 * and leaves everything dropped. */
	ck_assert_ok(caps_drop_all());
	ck_assert_errno(caps_drop_all(), EPERM);
	check_dropped();
}
END_TEST

static Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("drop");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_drop_all);
	tcase_add_test(tc, test_exec_as_root_gets_nothing);
	tcase_add_test(tc, test_drop_in_userns);
	tcase_add_test(tc, test_drop_twice);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-caps: needs root (capabilities to drop)\n");
		return 77;
	}
	return test_run_suite(caps_suite());
}
