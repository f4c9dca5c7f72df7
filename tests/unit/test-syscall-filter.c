/* SPDX-License-Identifier: MIT */
/* The seccomp allowlist against the real kernel: every case runs in its own forked process, sets
 * no_new_privs, loads the built-in program and makes syscalls. The sandboxed view of the same
 * rules (inside all namespaces, through sbx-probe) is tests/security/. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <linux/reboot.h>
#include <linux/seccomp.h>

#include "syscall-filter.h"
#include "test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#define TEST_TIMEOUT_S 30

/* Iterations of each random sweep; a few hundred thousand syscalls take well under a second. */
#define SWEEP_ROUNDS 200000

#define U64(x) ((uint64_t)(x))
#define HIGH   (UINT64_C(1) << 32)

#define NS_FLAGS                                                                                   \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

struct syscall_case {
	const char *what;
	long nr;
	uint64_t args[6];
	int error; /* expected errno */
};

/* Each row fails differently if the filter let it through: the arguments are chosen so the
 * kernel itself would answer EFAULT, EBADF, EINVAL or succeed harmlessly (the test may run as
 * root), never EPERM by accident where that can be avoided. */
static const struct syscall_case denied_cases[] = {
	/* Namespaces. clone() gets CLONE_SIGHAND without CLONE_VM: EINVAL if it got through. */
	{"unshare(CLONE_NEWUSER)", SYS_unshare, {CLONE_NEWUSER}, EPERM},
	{"unshare(0)", SYS_unshare, {0}, EPERM},
	{"setns(-1, 0)", SYS_setns, {U64(-1), 0}, EPERM},
	{"clone(CLONE_NEWNS)", SYS_clone, {CLONE_NEWNS | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWUTS)", SYS_clone, {CLONE_NEWUTS | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWIPC)", SYS_clone, {CLONE_NEWIPC | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWUSER)", SYS_clone, {CLONE_NEWUSER | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWPID)", SYS_clone, {CLONE_NEWPID | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWNET)", SYS_clone, {CLONE_NEWNET | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWCGROUP)", SYS_clone, {CLONE_NEWCGROUP | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWTIME)", SYS_clone, {CLONE_NEWTIME | CLONE_SIGHAND}, EPERM},
	{"clone(CLONE_NEWUSER | 1 << 32)",
	 SYS_clone,
	 {HIGH | CLONE_NEWUSER | CLONE_SIGHAND},
	 EPERM},
	{"clone(all namespaces)", SYS_clone, {NS_FLAGS | CLONE_SIGHAND}, EPERM},
	{"clone3(NULL, 0)", SYS_clone3, {0, 0}, ENOSYS},

	/* Mounts and the root. */
	{"mount", SYS_mount, {0, 0, 0, 0, 0}, EPERM},
	{"umount2", SYS_umount2, {0, 0}, EPERM},
	{"pivot_root", SYS_pivot_root, {0, 0}, EPERM},
	{"chroot", SYS_chroot, {0}, EPERM},
	{"fsopen", SYS_fsopen, {0, 0}, EPERM},
	{"fsconfig", SYS_fsconfig, {U64(-1), 0, 0, 0, 0}, EPERM},
	{"fsmount", SYS_fsmount, {U64(-1), 0, 0}, EPERM},
	{"fspick", SYS_fspick, {U64(-1), 0, 0}, EPERM},
	{"move_mount", SYS_move_mount, {U64(-1), 0, U64(-1), 0, 0}, EPERM},
	{"open_tree", SYS_open_tree, {U64(-1), 0, 0}, EPERM},
	{"mount_setattr", SYS_mount_setattr, {U64(-1), 0, 0, 0, 0}, EPERM},

	/* Kernel attack surface. */
	{"bpf", SYS_bpf, {0, 0, 0}, EPERM},
	{"perf_event_open", SYS_perf_event_open, {0, 0, U64(-1), U64(-1), 0}, EPERM},
	{"userfaultfd", SYS_userfaultfd, {U64(-1)}, EPERM},
	{"io_uring_setup", SYS_io_uring_setup, {0, 0}, EPERM},
	{"io_uring_enter", SYS_io_uring_enter, {U64(-1), 0, 0, 0, 0, 0}, EPERM},
	{"io_uring_register", SYS_io_uring_register, {U64(-1), 0, 0, 0}, EPERM},
	{"keyctl", SYS_keyctl, {0 /* GET_KEYRING_ID */, U64(-3) /* session */, 0}, EPERM},
	{"add_key", SYS_add_key, {0, 0, 0, 0, 0}, EPERM},
	{"request_key", SYS_request_key, {0, 0, 0, 0}, EPERM},

	/* Other processes. */
	{"ptrace(PTRACE_ATTACH, 0)", SYS_ptrace, {16, 0}, EPERM},
	{"process_vm_readv", SYS_process_vm_readv, {0, 0, 0, 0, 0, 0}, EPERM},
	{"process_vm_writev", SYS_process_vm_writev, {0, 0, 0, 0, 0, 0}, EPERM},
	{"pidfd_getfd", SYS_pidfd_getfd, {U64(-1), 0, 0}, EPERM},
	{"kcmp", SYS_kcmp, {0, 0, U64(-1), 0, 0}, EPERM},
	{"process_madvise", SYS_process_madvise, {U64(-1), 0, 0, 0, 0}, EPERM},
	{"migrate_pages", SYS_migrate_pages, {0, 0, 0, 0}, EPERM},
	{"move_pages", SYS_move_pages, {0, 0, 0, 0, 0, 0}, EPERM},

	/* Host-wide state. */
	{"kexec_load", SYS_kexec_load, {0, 0, 0, U64(-1)}, EPERM},
	{"kexec_file_load", SYS_kexec_file_load, {U64(-1), U64(-1), 0, 0, U64(-1)}, EPERM},
	{"reboot(bad magic)", SYS_reboot, {0, 0, 0, 0}, EPERM},
	{"reboot(CAD_OFF)",
	 SYS_reboot,
	 {LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, 0},
	 EPERM},
	{"init_module", SYS_init_module, {0, 0, 0}, EPERM},
	{"finit_module", SYS_finit_module, {U64(-1), 0, U64(-1)}, EPERM},
	{"delete_module", SYS_delete_module, {0, 0}, EPERM},
	{"swapon", SYS_swapon, {0, 0}, EPERM},
	{"swapoff", SYS_swapoff, {0}, EPERM},
	{"clock_settime", SYS_clock_settime, {CLOCK_REALTIME, 0}, EPERM},
	{"clock_adjtime", SYS_clock_adjtime, {CLOCK_REALTIME, 0}, EPERM},
	{"settimeofday(NULL, NULL)", SYS_settimeofday, {0, 0}, EPERM},
	{"adjtimex", SYS_adjtimex, {0}, EPERM},
	{"syslog(SIZE_BUFFER)", SYS_syslog, {10, 0, 0}, EPERM},
	{"acct", SYS_acct, {U64(-1)}, EPERM},
	{"quotactl", SYS_quotactl, {0, 0, 0, 0}, EPERM},
	{"quotactl_fd", SYS_quotactl_fd, {U64(-1), 0, 0, 0}, EPERM},
	{"vhangup", SYS_vhangup, {0}, EPERM},
	{"iopl", SYS_iopl, {0}, EPERM},
	{"ioperm", SYS_ioperm, {0, 0, 0}, EPERM},
	{"modify_ldt", SYS_modify_ldt, {0, 0, 0}, EPERM},
	{"lookup_dcookie", SYS_lookup_dcookie, {0, 0, 0}, EPERM},
	{"uselib", SYS_uselib, {0}, EPERM},
	{"nfsservctl", SYS_nfsservctl, {0, 0, 0}, EPERM},
	{"open_by_handle_at", SYS_open_by_handle_at, {U64(-1), 0, 0}, EPERM},
	{"name_to_handle_at", SYS_name_to_handle_at, {U64(-1), 0, 0, 0, 0}, EPERM},
	{"fanotify_init", SYS_fanotify_init, {U64(-1), 0}, EPERM},
	{"fanotify_mark", SYS_fanotify_mark, {U64(-1), 0, 0, U64(-1), 0}, EPERM},

	/* Argument checks, with the high half of the register set where the kernel ignores it
	 * (the CVE-2019-10063 bypass). ioctl on fd -1 would be EBADF if it got through. */
	{"ioctl(TIOCSTI)", SYS_ioctl, {U64(-1), TIOCSTI, 0}, EPERM},
	{"ioctl(TIOCSTI | 1 << 32)", SYS_ioctl, {U64(-1), HIGH | TIOCSTI, 0}, EPERM},
	{"ioctl(TIOCSTI | ~0 << 32)", SYS_ioctl, {U64(-1), ~(HIGH - 1) | TIOCSTI, 0}, EPERM},
	{"ioctl(TIOCLINUX)", SYS_ioctl, {U64(-1), TIOCLINUX, 0}, EPERM},
	{"ioctl(TIOCLINUX | 1 << 63)", SYS_ioctl, {U64(-1), (HIGH << 31) | TIOCLINUX, 0}, EPERM},
	/* Other personas fall to the default answer, ENOSYS. */
	{"personality(ADDR_NO_RANDOMIZE)", SYS_personality, {ADDR_NO_RANDOMIZE}, ENOSYS},
	{"personality(READ_IMPLIES_EXEC)", SYS_personality, {READ_IMPLIES_EXEC}, ENOSYS},
	{"personality(PER_LINUX32)", SYS_personality, {PER_LINUX32}, ENOSYS},
	{"personality(0xfffffffe)", SYS_personality, {0xfffffffe}, ENOSYS},
	{"personality(ADDR_NO_RANDOMIZE | 1 << 32)",
	 SYS_personality,
	 {HIGH | ADDR_NO_RANDOMIZE},
	 ENOSYS},
	/* socket type -1 would be EINVAL if it got through. */
	{"socket(AF_PACKET)", SYS_socket, {AF_PACKET, U64(-1), 0}, EAFNOSUPPORT},
	{"socket(AF_ALG)", SYS_socket, {AF_ALG, U64(-1), 0}, EAFNOSUPPORT},
	{"socket(AF_VSOCK)", SYS_socket, {AF_VSOCK, U64(-1), 0}, EAFNOSUPPORT},
	{"socket(AF_KEY)", SYS_socket, {AF_KEY, U64(-1), 0}, EAFNOSUPPORT},
	{"socket(AF_PACKET | 1 << 32)", SYS_socket, {HIGH | AF_PACKET, U64(-1), 0}, EAFNOSUPPORT},
	{"socket(AF_INET | 1 << 32)", SYS_socket, {HIGH | AF_INET, U64(-1), 0}, ENOSYS},
	{"socket(AF_UNIX | 1 << 63)", SYS_socket, {(HIGH << 31) | AF_UNIX, U64(-1), 0}, ENOSYS},
	{"socketpair(AF_INET)", SYS_socketpair, {AF_INET, U64(-1), 0, 0}, EAFNOSUPPORT},
	{"socketpair(AF_UNIX | 1 << 32)", SYS_socketpair, {HIGH | AF_UNIX, U64(-1), 0, 0}, ENOSYS},

	/* Not listed at all: the default. */
	{"_sysctl", SYS__sysctl, {0}, ENOSYS},
	{"set_thread_area", SYS_set_thread_area, {0}, ENOSYS},
	{"syscall 1000", 1000, {0}, ENOSYS},
};

static void filter_load_builtin(void)
{
	struct syscall_filter f;

	syscall_filter_builtin(&f);
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer's exit-time check stops the world with ptrace, which the filter
	 * refuses: check now, which also turns the exit-time check off. */
	__lsan_do_leak_check();
#endif
	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_ok(syscall_filter_load(&f));
}

/* Expects syscall() to have failed with error. */
#define ck_assert_syscall_errno(r, error, what)                                                    \
	ck_assert_msg((r) == -1 && errno == (error), "%s: returned %ld (%s), expected %s", what,   \
		      (long)(r), (r) == -1 ? strerrorname_np(errno) : "success",                   \
		      strerrorname_np(error))

static long syscall_case_run(const struct syscall_case *c)
{
	return syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4],
		       c->args[5]);
}

START_TEST(test_builtin_is_current)
{
	_cleanup_(syscall_filter_done) struct syscall_filter built = {};
	struct syscall_filter builtin;
	struct sbx_error e = {};

	ck_assert_msg(syscall_filter_build(&built, &e) >= 0, "%s", e.msg);
	syscall_filter_builtin(&builtin);

	ck_assert_uint_gt(builtin.len, 0);
	ck_assert_uint_le(builtin.len, BPF_MAXINSNS);
	ck_assert_ptr_null(builtin.owned);
	ck_assert_uint_eq(builtin.len, built.len);
	for (unsigned int i = 0; i < built.len; i++) {
		const struct sock_filter *a = &builtin.insns[i], *b = &built.insns[i];

		ck_assert_msg(a->code == b->code && a->jt == b->jt && a->jf == b->jf &&
				      a->k == b->k,
			      "instruction %u: built-in {0x%x,%u,%u,0x%x}, built {0x%x,%u,%u,0x%x}",
			      i, a->code, a->jt, a->jf, a->k, b->code, b->jt, b->jf, b->k);
	}
}
END_TEST

START_TEST(test_load_empty)
{
	struct syscall_filter empty = {};

	ck_assert_errno(syscall_filter_load(&empty), EINVAL);
}
END_TEST

START_TEST(test_denied)
{
	const struct syscall_case *c = &denied_cases[_i];
	int tty;
	long r;

	/* If the filter let vhangup() through, it would hang up the terminal of whoever runs
	 * the tests: drop the controlling terminal first (we are not a session leader). */
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0) {
		(void)ioctl(tty, TIOCNOTTY);
		close(tty);
	}

	filter_load_builtin();
	r = syscall_case_run(c);
	ck_assert_syscall_errno(r, c->error, c->what);
}
END_TEST

static void *thread_main(void *arg)
{
	return arg;
}

START_TEST(test_allowed_basics)
{
	char buf[64];
	int fds[2], status, n;
	pthread_t thread;
	void *ret;
	char *p;
	pid_t pid;

	filter_load_builtin();

	ck_assert_int_eq(syscall(SYS_getpid), getpid());
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);

	/* open, read, write */
	fds[0] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fds[0], 0);
	ck_assert_int_gt(read(fds[0], buf, sizeof(buf)), 0);
	close(fds[0]);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	ck_assert_int_eq(write(fds[1], "abc", 3), 3);
	/* An allowed ioctl, also with high bits the kernel drops. */
	ck_assert_int_eq(ioctl(fds[0], FIONREAD, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(syscall(SYS_ioctl, fds[0], HIGH | FIONREAD, &n), 0);
	ck_assert_int_eq(read(fds[0], buf, sizeof(buf)), 3);
	close(fds[0]);
	close(fds[1]);

	/* mmap */
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	memset(p, 'x', 1 << 20);
	ck_assert_int_eq(mprotect(p, 1 << 20, PROT_READ), 0);
	ck_assert_int_eq(munmap(p, 1 << 20), 0);

	/* fork + wait, and execve in the child */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(7);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 7);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exit 3", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3, "sh -c 'exit 3': status 0x%x",
		      status);

	/* Threads: glibc tries clone3 first, gets ENOSYS and falls back to clone(). */
	ck_assert_int_eq(pthread_create(&thread, NULL, thread_main, buf), 0);
	ck_assert_int_eq(pthread_join(thread, &ret), 0);
	ck_assert_ptr_eq(ret, buf);
}
END_TEST

START_TEST(test_allowed_args)
{
	int fd, sv[2];
	uint32_t action = SECCOMP_RET_KILL_PROCESS;
	long r;

	filter_load_builtin();

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */);
	ck_assert_int_ge(fd, 0);
	close(fd);
	if (access("/proc/sys/net/ipv6", F_OK) == 0) {
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	close(sv[1]);

	/* personality: query and PER_LINUX, whatever the high half says. */
	ck_assert_int_ne(personality(0xffffffff), -1);
	ck_assert_int_ne(syscall(SYS_personality, HIGH | 0xffffffffu), -1);
	ck_assert_int_ne(personality(PER_LINUX), -1);

	/* Stacking more confinement stays possible. */
	ck_assert_int_eq(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action), 0);
	r = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	ck_assert_msg(r >= 1 || errno == EOPNOTSUPP, "landlock_create_ruleset: %s",
		      strerrorname_np(errno));
}
END_TEST

/* xorshift64*: deterministic, so a failing sweep fails the same way again. */
static uint64_t sweep_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* A random 64-bit value whose high half is zero, all ones or random, and whose low half is
 * random or within two bit flips of one of near[]: the edges of the masked-equality rules. */
static uint64_t sweep_value(uint64_t *s, const uint32_t *near, size_t n_near)
{
	uint64_t r = sweep_next(s), high, low;

	switch (r % 4) {
	case 0:
	case 1:
		high = 0;
		break;
	case 2:
		high = 0xffffffffu;
		break;
	default:
		high = sweep_next(s) >> 32;
		break;
	}
	low = (uint32_t)sweep_next(s);
	if ((r >> 8) % 2 == 0) {
		low = near[(r >> 16) % n_near];
		if ((r >> 24) % 4 != 0)
			low ^= UINT32_C(1) << ((r >> 32) % 32);
		if ((r >> 24) % 4 == 1)
			low ^= UINT32_C(1) << ((r >> 40) % 32);
	}
	return high << 32 | low;
}

START_TEST(test_sweep_ioctl)
{
	static const uint32_t refused[] = {TIOCSTI, TIOCLINUX};
	uint64_t s = 0x5eed0001;

	filter_load_builtin();
	for (unsigned int i = 0; i < SWEEP_ROUNDS; i++) {
		uint64_t cmd = sweep_value(&s, refused, ELEMENTSOF(refused));
		uint32_t low = (uint32_t)cmd;
		int expected = (low == TIOCSTI || low == TIOCLINUX) ? EPERM : EBADF;
		long r = syscall(SYS_ioctl, -1, cmd, 0);

		ck_assert_msg(r == -1 && errno == expected, "ioctl(-1, 0x%016" PRIx64 "): %s", cmd,
			      r == -1 ? strerrorname_np(errno) : "success");
	}
}
END_TEST

START_TEST(test_sweep_personality)
{
	static const uint32_t allowed[] = {0, 0xffffffff};
	uint64_t s = 0x5eed0002;

	filter_load_builtin();
	for (unsigned int i = 0; i < SWEEP_ROUNDS; i++) {
		uint64_t v = sweep_value(&s, allowed, ELEMENTSOF(allowed));
		uint32_t low = (uint32_t)v;
		long r = syscall(SYS_personality, v);

		if (low == 0 || low == 0xffffffff)
			ck_assert_msg(r != -1, "personality(0x%016" PRIx64 "): %s", v,
				      strerrorname_np(errno));
		else
			ck_assert_syscall_errno(r, ENOSYS, "personality(random)");
	}
}
END_TEST

START_TEST(test_sweep_socket)
{
	static const uint32_t families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
	uint64_t s = 0x5eed0003;

	filter_load_builtin();
	for (unsigned int i = 0; i < SWEEP_ROUNDS; i++) {
		uint64_t domain = sweep_value(&s, families, ELEMENTSOF(families));
		bool low_ok = false;
		int expected;
		long r;

		for (size_t j = 0; j < ELEMENTSOF(families); j++)
			low_ok = low_ok || (uint32_t)domain == families[j];
		/* Allowed: the kernel refuses type -1 (EINVAL). High bits on an allowed family:
		 * no allow rule matches, the default answers. Other families: EAFNOSUPPORT. */
		expected = !low_ok ? EAFNOSUPPORT : domain >> 32 ? ENOSYS : EINVAL;
		r = syscall(SYS_socket, domain, -1, 0);
		ck_assert_msg(r == -1 && errno == expected,
			      "socket(0x%016" PRIx64 ", -1, 0): %s, expected %s", domain,
			      r == -1 ? strerrorname_np(errno) : "success",
			      strerrorname_np(expected));
	}
}
END_TEST

START_TEST(test_sweep_clone)
{
	static const uint32_t ns[] = {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET};
	uint64_t s = 0x5eed0004;

	filter_load_builtin();
	for (unsigned int i = 0; i < SWEEP_ROUNDS; i++) {
		/* CLONE_SIGHAND without CLONE_VM: the kernel refuses it (EINVAL) before creating
		 * anything, so an allowed call is harmless and tells us it got through. */
		uint64_t flags =
			(sweep_value(&s, ns, ELEMENTSOF(ns)) | CLONE_SIGHAND) & ~U64(CLONE_VM);
		int expected = (flags & NS_FLAGS) ? EPERM : EINVAL;
		long r = syscall(SYS_clone, flags, 0, 0, 0, 0);

		if (r == 0)
			_exit(0);
		ck_assert_msg(r == -1 && errno == expected,
			      "clone(0x%016" PRIx64 "): %s, expected %s", flags,
			      r == -1 ? strerrorname_np(errno) : "a child",
			      strerrorname_np(expected));
	}
}
END_TEST

#if defined(__x86_64__)
/* getpid through the i386 entry point: AUDIT_ARCH_I386, a foreign arch for the filter. */
static long int80_getpid(void)
{
	long r = 20; /* __NR_getpid on i386 */

	__asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
	return r;
}

/* Whether the kernel runs int $0x80 syscalls at all (IA32 emulation, not ia32_emulation=0). */
static bool ia32_available(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return true;
	if (pid == 0)
		_exit(int80_getpid() > 0 ? 0 : 1);
	if (waitpid(pid, &status, 0) != pid)
		return true;
	return !(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

START_TEST(test_int80_killed)
{
	filter_load_builtin();
	(void)int80_getpid();
	ck_abort_msg("int $0x80 getpid returned");
}
END_TEST

START_TEST(test_x32_killed)
{
	long r;

	filter_load_builtin();
	r = syscall(0x40000000 /* __X32_SYSCALL_BIT */ | 39 /* getpid */);
	ck_abort_msg("x32 getpid returned %ld (%s)", r, r == -1 ? strerrorname_np(errno) : "");
}
END_TEST
#endif

static Suite *syscall_filter_suite(void)
{
	Suite *s = suite_create("syscall-filter");
	TCase *tc;

	tc = tcase_create("program");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, test_builtin_is_current);
	tcase_add_test(tc, test_load_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("denied");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_denied, 0, ELEMENTSOF(denied_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("allowed");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, test_allowed_basics);
	tcase_add_test(tc, test_allowed_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncation");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, test_sweep_ioctl);
	tcase_add_test(tc, test_sweep_personality);
	tcase_add_test(tc, test_sweep_socket);
	tcase_add_test(tc, test_sweep_clone);
	suite_add_tcase(s, tc);

#if defined(__x86_64__)
	tc = tcase_create("foreign-abi");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	/* Without IA32 emulation int $0x80 faults before seccomp sees it: the syscall cannot run
	 * either way, only the signal differs. */
	if (ia32_available())
		tcase_add_test_raise_signal(tc, test_int80_killed, SIGSYS);
	else {
		fprintf(stderr, "note: no IA32 emulation, int $0x80 is expected to fault\n");
		tcase_add_test_raise_signal(tc, test_int80_killed, SIGSEGV);
	}
	tcase_add_test_raise_signal(tc, test_x32_killed, SIGSYS);
	suite_add_tcase(s, tc);
#endif

	return s;
}

int main(void)
{
	return test_run_suite(syscall_filter_suite());
}
