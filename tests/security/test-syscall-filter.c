/* SPDX-License-Identifier: MIT */
/* The seccomp allowlist from inside real sandboxes (DESIGN.md section 6: no new user namespaces,
 * mount, bpf, keyctl, ptrace of others, io_uring, perf, kexec, module loading, open_by_handle_at,
 * userfaultfd; x32 and 32-bit ABIs blocked). Every syscall the probe knows how to attempt is
 * attempted in its own sandbox and must fail with exactly the errno this table expects. The
 * filter's rules themselves are runtime/syscall-filter.c; its unit test is
 * tests/unit/test-syscall-filter.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sbx-harness.h"

struct denied {
	const char *name; /* the probe's name for the attempt */
	int error;	  /* what the sandbox must answer */
};

/* clang-format off */
/* Each attempt would succeed (or fail with a kernel errno other than this one) were the call let
 * through; the probe uses arguments that are harmless then. EPERM is "refused on purpose";
 * clone3 is ENOSYS so that libc falls back to clone(), whose flags seccomp can read; address
 * families outside unix/inet/inet6/netlink answer EAFNOSUPPORT like a kernel without them. */
static const struct denied denied[] = {
	/* New namespaces: a user namespace hands back every capability inside it. */
	{"unshare", EPERM},
	{"setns", EPERM},
	{"clone", EPERM},                /* CLONE_NEWUSER */
	{"clone-high", EPERM},           /* CLONE_NEWUSER with bits above 32 set */
	{"clone-newns", EPERM},
	{"clone-newpid", EPERM},
	{"clone-newnet", EPERM},
	{"clone-newipc", EPERM},
	{"clone-newuts", EPERM},
	{"clone-newcgroup", EPERM},
	{"clone3", ENOSYS},
	/* The mount tree and the root: would unmask /proc and undo read-only binds. */
	{"mount", EPERM},
	{"umount2", EPERM},
	{"pivot_root", EPERM},
	{"chroot", EPERM},
	{"fsopen", EPERM},
	{"fsconfig", EPERM},
	{"fsmount", EPERM},
	{"fspick", EPERM},
	{"move_mount", EPERM},
	{"open_tree", EPERM},
	{"mount_setattr", EPERM},
	/* Large kernel attack surface. */
	{"bpf", EPERM},
	{"perf_event_open", EPERM},
	{"userfaultfd", EPERM},
	{"io_uring_setup", EPERM},
	{"io_uring_enter", EPERM},
	{"io_uring_register", EPERM},
	{"keyctl", EPERM},
	{"add_key", EPERM},
	{"request_key", EPERM},
	/* Other processes' memory, registers and fds. */
	{"ptrace", EPERM},               /* PTRACE_TRACEME */
	{"ptrace-attach", EPERM},
	{"process_vm_readv", EPERM},
	{"process_vm_writev", EPERM},
	{"pidfd_getfd", EPERM},
	{"kcmp", EPERM},
	{"process_madvise", EPERM},
	{"migrate_pages", EPERM},
	{"move_pages", EPERM},
	/* Host-wide state no namespace covers. */
	{"kexec_load", EPERM},
	{"kexec_file_load", EPERM},
	{"init_module", EPERM},
	{"finit_module", EPERM},
	{"delete_module", EPERM},
	{"reboot", EPERM},
	{"swapon", EPERM},
	{"swapoff", EPERM},
	{"clock_settime", EPERM},
	{"clock_adjtime", EPERM},
	{"settimeofday", EPERM},
	{"adjtimex", EPERM},
	{"syslog", EPERM},
	{"acct", EPERM},
	{"quotactl", EPERM},
	{"vhangup", EPERM},
	{"iopl", EPERM},
	{"ioperm", EPERM},
	{"modify_ldt", EPERM},
	{"lookup_dcookie", EPERM},
	{"uselib", EPERM},
	{"nfsservctl", EPERM},
	{"fanotify_init", EPERM},
	/* The "shocker" escape: open any inode of a filesystem by handle. */
	{"name_to_handle_at", EPERM},
	{"open_by_handle_at", EPERM},
	/* Argument checks. */
	{"personality", ENOSYS},         /* ADDR_NO_RANDOMIZE; other personas get the default */
	{"personality-high", ENOSYS},
	{"ioctl-tiocsti", EPERM},        /* typing into the caller's terminal */
	{"ioctl-tiocsti-high", EPERM},
	{"ioctl-tioclinux", EPERM},
	{"socket-alg", EAFNOSUPPORT},
	{"socket-vsock", EAFNOSUPPORT},
	{"socket-packet", EAFNOSUPPORT},
	{"socket-packet-high", EAFNOSUPPORT},
	{"socket-key", EAFNOSUPPORT},
	{"socketpair-inet", EAFNOSUPPORT},
};
/* clang-format on */

static const char *errno_name(int e)
{
	const char *n = e > 0 && e < 200 ? strerrorname_np(e) : NULL;

	return n ? n : "?";
}

START_TEST(test_syscall_denied)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));
	const struct denied *d = &denied[_i];
	int r;

	ck_assert_ptr_nonnull(res);
	r = sbx_harness_probe(res, NULL, SBX_ARGS("syscall", d->name));
	ck_assert_msg(r == d->error, "syscall %s: exit %d (%s), expected %s; probe said: %s",
		      d->name, r, r == 0 ? "ALLOWED" : errno_name(r), errno_name(d->error),
		      res->out);
	free(res);
}
END_TEST

/* The table and the probe's list name the same attempts: a new probe attempt needs its
 * expected answer here, and nothing here goes untested. */
START_TEST(test_table_matches_probe)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));
	char *save = NULL, *tok;
	size_t seen = 0;
	bool found[ELEMENTSOF(denied)] = {};

	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("syscall", "list")), 0);
	for (tok = strtok_r(res->out, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		bool known = false;

		for (size_t i = 0; i < ELEMENTSOF(denied); i++)
			if (strcmp(denied[i].name, tok) == 0) {
				known = found[i] = true;
				break;
			}
		ck_assert_msg(known, "the probe attempts '%s', which this table does not list",
			      tok);
		seen++;
	}
	for (size_t i = 0; i < ELEMENTSOF(denied); i++)
		ck_assert_msg(found[i], "the probe no longer attempts '%s'", denied[i].name);
	ck_assert_uint_eq(seen, ELEMENTSOF(denied));
	free(res);
}
END_TEST

/* A foreign ABI must end the process (SIGSYS from the filter's bad-arch action) or at least be
 * refused; it must never run the call. */
static void check_foreign_abi(const char *cmd)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));
	int r;

	ck_assert_ptr_nonnull(res);
	r = sbx_harness_probe(res, NULL, SBX_ARGS(cmd));
	ck_assert_msg(r == 128 + SIGSYS || r == ENOSYS || r == EPERM,
		      "%s: exit %d, expected a SIGSYS kill (%d) or ENOSYS/EPERM; probe said: %s",
		      cmd, r, 128 + SIGSYS, res->out);
	free(res);
}

START_TEST(test_x32_blocked)
{
	check_foreign_abi("x32");
}
END_TEST

START_TEST(test_int80_blocked)
{
	check_foreign_abi("int80");
}
END_TEST

/* The denials above are the filter's and not a sandbox where nothing works: ordinary calls
 * (open, write, fork+exec, sockets of allowed families via the net check) succeed. */
START_TEST(test_ordinary_calls_work)
{
	struct sbx_harness_result *res = calloc(1, sizeof(*res));

	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("write", "/tmp/x")), 0);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("open", "/etc/passwd")), 0);
	ck_assert_int_eq(
		sbx_harness_probe(res, NULL, SBX_ARGS("exec", SBX_HARNESS_PROBE, "exit", "0")), 0);
	ck_assert_int_eq(sbx_harness_probe(res, NULL, SBX_ARGS("net")), 0);
	free(res);
}
END_TEST

static Suite *syscall_filter_suite(void)
{
	Suite *s = suite_create("security-syscall-filter");
	TCase *tc;

	tc = sbx_harness_tcase("denied", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_loop_test(tc, test_syscall_denied, 0, (int)ELEMENTSOF(denied));
	tcase_add_test(tc, test_table_matches_probe);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("foreign-abi", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_x32_blocked);
	tcase_add_test(tc, test_int80_blocked);
	suite_add_tcase(s, tc);

	tc = sbx_harness_tcase("control", SBX_HARNESS_TIMEOUT_DEFAULT);
	tcase_add_test(tc, test_ordinary_calls_work);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sbx_harness_main(syscall_filter_suite());
}
