/* SPDX-License-Identifier: MIT */
/* sbx-probe: the one program security tests run inside sandboxes. Each command attempts one
 * thing and reports it: exit 0 if it succeeded, else the errno (1..199) of the failure, 200+ for
 * the probe's own problems (PROBE_EXIT_*); one line on stdout says what happened. Static, plain
 * libc, no libseccomp: it must not share code with what it checks. Tests: tests/security/. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/quota.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/kexec.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>

/* Exit statuses above any errno: the probe could not make the attempt it was asked for. */
#define PROBE_EXIT_USAGE	200 /* unknown command or wrong number of arguments */
#define PROBE_EXIT_BADARG	201 /* an argument does not parse, unknown syscall name */
#define PROBE_EXIT_INCONCLUSIVE 202 /* the probe's own cap was reached, or a kill did not kill */

/* Caps that keep a missing limit from taking the machine down with the sandbox. */
#define PROBE_FORK_MAX	 65536		      /* fork-bomb: children before giving up */
#define PROBE_FILL_MAX	 (UINT64_C(64) << 30) /* fill: bytes before giving up */
#define PROBE_FILL_CHUNK (1 << 20)
#define PROBE_PID_MAX	 100 /* pids: every visible pid is below this */

#define HIGH_BITS (UINT64_C(1) << 32)

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* Exit status for a -errno result (0 stays 0). */
static int probe_status(int r)
{
	if (r >= 0)
		return 0;
	if (-r >= PROBE_EXIT_USAGE)
		return PROBE_EXIT_USAGE - 1; /* no such errno exists on Linux; keep the range */
	return -r;
}

/* Prints "<what>: ok" or "<what>: EPERM (Operation not permitted)" and returns the status. */
static int probe_report(const char *what, int r)
{
	if (r >= 0)
		printf("%s: ok\n", what);
	else
		printf("%s: %s (%s)\n", what, strerrorname_np(-r) ?: "?", strerror(-r));
	return probe_status(r);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Result of a raw syscall: 0 or -errno. Positive results (fds, sizes) are success. */
static int sc(long r)
{
	return r < 0 ? -errno : 0;
}

static void close_if(long fd)
{
	if (fd >= 0)
		close((int)fd);
}

/* Waits for a child that reports through its exit status: 0 or an errno. */
static int child_result(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFEXITED(status))
		return -WEXITSTATUS(status);
	return -EINTR; /* killed: report it as interrupted */
}

/* ---- syscall NAME: each attempt uses arguments that succeed when the call is allowed and
 * the kernel grants it, and are harmless then. Where success needs an object only another
 * denied call can make, an invalid fd is passed: EBADF then means the filter let it through. */

static int try_clone_flags(uint64_t flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (r < 0)
		return -errno;
	if (r == 0)
		_exit(0);
	return child_result((pid_t)r);
}

static int try_clone(void)
{
	return try_clone_flags(CLONE_NEWUSER);
}

static int try_clone_high(void)
{
	return try_clone_flags(HIGH_BITS | CLONE_NEWUSER);
}

static int try_clone_newns(void)
{
	return try_clone_flags(CLONE_NEWNS);
}

static int try_clone_newpid(void)
{
	return try_clone_flags(CLONE_NEWPID);
}

static int try_clone_newnet(void)
{
	return try_clone_flags(CLONE_NEWNET);
}

static int try_clone_newipc(void)
{
	return try_clone_flags(CLONE_NEWIPC);
}

static int try_clone_newuts(void)
{
	return try_clone_flags(CLONE_NEWUTS);
}

static int try_clone_newcgroup(void)
{
	return try_clone_flags(CLONE_NEWCGROUP);
}

static int try_clone3(void)
{
	struct clone_args args = {.exit_signal = SIGCHLD};
	long r = syscall(SYS_clone3, &args, sizeof(args));

	if (r < 0)
		return -errno;
	if (r == 0)
		_exit(0);
	return child_result((pid_t)r);
}

static int try_unshare(void)
{
	return sc(syscall(SYS_unshare, CLONE_NEWUSER));
}

static int try_setns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	/* Rejoining our own network namespace: succeeds for a privileged caller. */
	r = sc(syscall(SYS_setns, fd, CLONE_NEWNET));
	close_if(fd);
	return r;
}

static int try_mount(void)
{
	return sc(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL));
}

static int try_umount2(void)
{
	return sc(syscall(SYS_umount2, "/proc", MNT_DETACH));
}

static int try_pivot_root(void)
{
	/* pivot_root(".", ".") at a mount point stacks the old root on the new one. */
	if (chdir("/") < 0)
		return -errno;
	return sc(syscall(SYS_pivot_root, ".", "."));
}

static int try_chroot(void)
{
	return sc(syscall(SYS_chroot, "/"));
}

static int try_fsopen(void)
{
	long fd = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);

	close_if(fd);
	return sc(fd);
}

static int try_fsconfig(void)
{
	return sc(syscall(SYS_fsconfig, -1, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
}

static int try_fsmount(void)
{
	return sc(syscall(SYS_fsmount, -1, FSMOUNT_CLOEXEC, 0));
}

static int try_fspick(void)
{
	long fd = syscall(SYS_fspick, AT_FDCWD, "/", FSPICK_CLOEXEC);

	close_if(fd);
	return sc(fd);
}

static int try_move_mount(void)
{
	return sc(syscall(SYS_move_mount, -1, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH));
}

static int try_open_tree(void)
{
	long fd = syscall(SYS_open_tree, AT_FDCWD, "/tmp", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	close_if(fd);
	return sc(fd);
}

static int try_mount_setattr(void)
{
	struct mount_attr attr = {}; /* changes nothing */

	return sc(syscall(SYS_mount_setattr, AT_FDCWD, "/tmp", 0, &attr, sizeof(attr)));
}

static int try_bpf(void)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY,
		.key_size = 4,
		.value_size = 4,
		.max_entries = 1,
	};
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));

	close_if(fd);
	return sc(fd);
}

static int try_perf_event_open(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);

	close_if(fd);
	return sc(fd);
}

static int try_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	close_if(fd);
	return sc(fd);
}

static int try_io_uring_setup(void)
{
	struct io_uring_params p = {};
	long fd = syscall(SYS_io_uring_setup, 1, &p);

	close_if(fd);
	return sc(fd);
}

static int try_io_uring_enter(void)
{
	return sc(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0));
}

static int try_io_uring_register(void)
{
	return sc(syscall(SYS_io_uring_register, -1, 0, NULL, 0));
}

static int try_keyctl(void)
{
	return sc(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

static int try_add_key(void)
{
	return sc(syscall(SYS_add_key, "user", "sbx-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}

static int try_request_key(void)
{
	/* ENOKEY means the call ran. */
	return sc(syscall(SYS_request_key, "user", "sbx-probe", NULL, KEY_SPEC_PROCESS_KEYRING));
}

static int try_ptrace(void)
{
	return sc(syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL));
}

static int try_ptrace_attach(void)
{
	pid_t ppid = getppid();
	int r;

	r = sc(syscall(SYS_ptrace, PTRACE_ATTACH, ppid, NULL, NULL));
	if (r >= 0) {
		(void)waitpid(ppid, NULL, __WALL);
		(void)syscall(SYS_ptrace, PTRACE_DETACH, ppid, NULL, NULL);
	}
	return r;
}

static int try_process_vm(long nr)
{
	char src[8] = "sbxprob", dst[8] = {};
	struct iovec local = {.iov_base = dst, .iov_len = sizeof(dst)};
	struct iovec remote = {.iov_base = src, .iov_len = sizeof(src)};

	/* Our own memory: allowed for anyone who may ptrace themselves. */
	if (nr == SYS_process_vm_writev) {
		local.iov_base = src;
		remote.iov_base = dst;
	}
	return sc(syscall(nr, getpid(), &local, 1, &remote, 1, 0));
}

static int try_process_vm_readv(void)
{
	return try_process_vm(SYS_process_vm_readv);
}

static int try_process_vm_writev(void)
{
	return try_process_vm(SYS_process_vm_writev);
}

static int try_pidfd_getfd(void)
{
	long pidfd = syscall(SYS_pidfd_open, getpid(), 0), fd;

	if (pidfd < 0)
		return -errno;
	fd = syscall(SYS_pidfd_getfd, pidfd, 1, 0);
	close_if(fd);
	close_if(pidfd);
	return sc(fd);
}

static int try_kcmp(void)
{
	return sc(syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 1, 1));
}

static int try_process_madvise(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	struct iovec iov = {.iov_base = page, .iov_len = sizeof(page)};
	long pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	int r;

	if (pidfd < 0)
		return -errno;
	r = sc(syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0));
	close_if(pidfd);
	return r;
}

static int try_migrate_pages(void)
{
	unsigned long node0 = 1;

	return sc(syscall(SYS_migrate_pages, 0, sizeof(node0) * 8, &node0, &node0));
}

static int try_move_pages(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	void *pages[1] = {page};
	int status[1];

	page[0] = 1;
	return sc(syscall(SYS_move_pages, 0, 1, pages, NULL, status, 0));
}

static int try_kexec_load(void)
{
	/* No segments: unloads whatever image is loaded. */
	return sc(syscall(SYS_kexec_load, 0, 0, NULL, KEXEC_ARCH_DEFAULT));
}

static int try_kexec_file_load(void)
{
	return sc(syscall(SYS_kexec_file_load, -1, -1, 1, "", KEXEC_FILE_UNLOAD));
}

static int try_init_module(void)
{
	/* An empty image: ENOEXEC once past the permission checks. */
	return sc(syscall(SYS_init_module, "", 0, ""));
}

static int try_finit_module(void)
{
	return sc(syscall(SYS_finit_module, -1, "", 0));
}

static int try_delete_module(void)
{
	return sc(syscall(SYS_delete_module, "sbx_probe_none", O_NONBLOCK));
}

static int try_reboot(void)
{
	return sc(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			  LINUX_REBOOT_CMD_CAD_OFF, NULL));
}

static int try_swapon(void)
{
	return sc(syscall(SYS_swapon, "/sbx-probe-no-such-swap", 0));
}

static int try_swapoff(void)
{
	return sc(syscall(SYS_swapoff, "/sbx-probe-no-such-swap"));
}

static int try_clock_settime(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		return -errno;
	return sc(syscall(SYS_clock_settime, CLOCK_REALTIME, &now));
}

static int try_settimeofday(void)
{
	struct timeval now;

	if (gettimeofday(&now, NULL) < 0)
		return -errno;
	return sc(syscall(SYS_settimeofday, &now, NULL));
}

static int try_clock_adjtime(void)
{
	struct timex tx = {}; /* modes 0: only reads */

	return sc(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx));
}

static int try_adjtimex(void)
{
	struct timex tx = {};

	return sc(syscall(SYS_adjtimex, &tx));
}

static int try_syslog(void)
{
	return sc(syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0));
}

static int try_acct(void)
{
	return sc(syscall(SYS_acct, NULL));
}

static int try_quotactl(void)
{
	return sc(syscall(SYS_quotactl, QCMD(Q_SYNC, USRQUOTA), NULL, 0, NULL));
}

static int try_vhangup(void)
{
	return sc(syscall(SYS_vhangup));
}

static int try_iopl(void)
{
	return sc(syscall(SYS_iopl, 3));
}

static int try_ioperm(void)
{
	return sc(syscall(SYS_ioperm, 0x80, 1, 1));
}

static int try_modify_ldt(void)
{
	char buf[16];

	return sc(syscall(SYS_modify_ldt, 0, buf, sizeof(buf)));
}

static int try_lookup_dcookie(void)
{
	char buf[64];

	return sc(syscall(SYS_lookup_dcookie, 0, buf, sizeof(buf)));
}

static int try_uselib(void)
{
	return sc(syscall(SYS_uselib, "/sbx-probe-no-such-lib"));
}

static int try_nfsservctl(void)
{
	return sc(syscall(SYS_nfsservctl, 0, NULL, NULL));
}

static int try_fanotify_init(void)
{
	long fd = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);

	close_if(fd);
	return sc(fd);
}

struct probe_file_handle {
	struct file_handle fh;
	unsigned char bytes[MAX_HANDLE_SZ];
};

static int try_name_to_handle_at(void)
{
	struct probe_file_handle h = {.fh.handle_bytes = MAX_HANDLE_SZ};
	int mount_id;

	return sc(syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &h.fh, &mount_id, 0));
}

static int try_open_by_handle_at(void)
{
	struct probe_file_handle h = {.fh.handle_bytes = MAX_HANDLE_SZ};
	int mount_id, mount_fd, r;
	long fd;

	/* The "shocker" escape forged the handle of the host's root inode; we take our own
	 * root's handle when name_to_handle_at works, else forge one the same way. */
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &h.fh, &mount_id, 0) < 0) {
		memset(&h, 0, sizeof(h));
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1; /* FILEID_INO32_GEN */
		h.bytes[0] = 2;	      /* inode 2: the root of most filesystems */
	}
	mount_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		return -errno;
	fd = syscall(SYS_open_by_handle_at, mount_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	r = sc(fd);
	close_if(fd);
	close(mount_fd);
	return r;
}

static int try_personality_value(uint64_t persona)
{
	long r = syscall(SYS_personality, persona);

	if (r < 0)
		return -errno;
	(void)syscall(SYS_personality, (long)r); /* put the old one back */
	return 0;
}

static int try_personality(void)
{
	return try_personality_value(ADDR_NO_RANDOMIZE);
}

static int try_personality_high(void)
{
	return try_personality_value(HIGH_BITS | ADDR_NO_RANDOMIZE);
}

/* TIOCSTI is only accepted on one's controlling terminal, so a child makes a fresh session,
 * opens a pty as its controlling terminal and pushes one byte into its input. */
static int try_tty_ioctl(uint64_t cmd, const void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int master, slave = -1;

		if (setsid() < 0)
			_exit(errno);
		master = posix_openpt(O_RDWR | O_NOCTTY);
		if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0)
			slave = open(ptsname(master), O_RDWR); /* becomes the controlling tty */
		if (slave < 0)
			slave = 0; /* no /dev/pts: our stdin, whatever it is */
		if (syscall(SYS_ioctl, slave, cmd, arg) < 0)
			_exit(errno);
		_exit(0);
	}
	return child_result(pid);
}

static int try_ioctl_tiocsti(void)
{
	return try_tty_ioctl(TIOCSTI, "x");
}

static int try_ioctl_tiocsti_high(void)
{
	return try_tty_ioctl(HIGH_BITS | TIOCSTI, "x");
}

static int try_ioctl_tioclinux(void)
{
	static const char subcode = 7; /* TIOCL_GETSHIFTSTATE: only reads */

	return try_tty_ioctl(TIOCLINUX, &subcode);
}

static int try_socket_family(uint64_t family, int type, int protocol)
{
	long fd = syscall(SYS_socket, family, type | SOCK_CLOEXEC, protocol);

	close_if(fd);
	return sc(fd);
}

static int try_socket_alg(void)
{
	return try_socket_family(AF_ALG, SOCK_SEQPACKET, 0);
}

static int try_socket_vsock(void)
{
	return try_socket_family(AF_VSOCK, SOCK_STREAM, 0);
}

static int try_socket_packet(void)
{
	return try_socket_family(AF_PACKET, SOCK_RAW, __builtin_bswap16(ETH_P_ALL));
}

static int try_socket_packet_high(void)
{
	return try_socket_family(HIGH_BITS | AF_PACKET, SOCK_RAW, __builtin_bswap16(ETH_P_ALL));
}

static int try_socket_key(void)
{
	return try_socket_family(15 /* AF_KEY */, SOCK_RAW, 2 /* PF_KEY_V2 */);
}

static int try_socketpair_inet(void)
{
	int sv[2];
	long r = syscall(SYS_socketpair, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);

	if (r < 0)
		return -errno;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static const struct probe_syscall {
	const char *name;
	int (*attempt)(void);
} probe_syscalls[] = {
	{"unshare", try_unshare},
	{"setns", try_setns},
	{"clone", try_clone}, /* CLONE_NEWUSER */
	{"clone-high", try_clone_high},
	{"clone-newns", try_clone_newns},
	{"clone-newpid", try_clone_newpid},
	{"clone-newnet", try_clone_newnet},
	{"clone-newipc", try_clone_newipc},
	{"clone-newuts", try_clone_newuts},
	{"clone-newcgroup", try_clone_newcgroup},
	{"clone3", try_clone3},
	{"mount", try_mount},
	{"umount2", try_umount2},
	{"pivot_root", try_pivot_root},
	{"chroot", try_chroot},
	{"fsopen", try_fsopen},
	{"fsconfig", try_fsconfig},
	{"fsmount", try_fsmount},
	{"fspick", try_fspick},
	{"move_mount", try_move_mount},
	{"open_tree", try_open_tree},
	{"mount_setattr", try_mount_setattr},
	{"bpf", try_bpf},
	{"perf_event_open", try_perf_event_open},
	{"userfaultfd", try_userfaultfd},
	{"io_uring_setup", try_io_uring_setup},
	{"io_uring_enter", try_io_uring_enter},
	{"io_uring_register", try_io_uring_register},
	{"keyctl", try_keyctl},
	{"add_key", try_add_key},
	{"request_key", try_request_key},
	{"ptrace", try_ptrace}, /* PTRACE_TRACEME */
	{"ptrace-attach", try_ptrace_attach},
	{"process_vm_readv", try_process_vm_readv},
	{"process_vm_writev", try_process_vm_writev},
	{"pidfd_getfd", try_pidfd_getfd},
	{"kcmp", try_kcmp},
	{"process_madvise", try_process_madvise},
	{"migrate_pages", try_migrate_pages},
	{"move_pages", try_move_pages},
	{"kexec_load", try_kexec_load},
	{"kexec_file_load", try_kexec_file_load},
	{"init_module", try_init_module},
	{"finit_module", try_finit_module},
	{"delete_module", try_delete_module},
	{"reboot", try_reboot},
	{"swapon", try_swapon},
	{"swapoff", try_swapoff},
	{"clock_settime", try_clock_settime},
	{"clock_adjtime", try_clock_adjtime},
	{"settimeofday", try_settimeofday},
	{"adjtimex", try_adjtimex},
	{"syslog", try_syslog},
	{"acct", try_acct},
	{"quotactl", try_quotactl},
	{"vhangup", try_vhangup},
	{"iopl", try_iopl},
	{"ioperm", try_ioperm},
	{"modify_ldt", try_modify_ldt},
	{"lookup_dcookie", try_lookup_dcookie},
	{"uselib", try_uselib},
	{"nfsservctl", try_nfsservctl},
	{"fanotify_init", try_fanotify_init},
	{"name_to_handle_at", try_name_to_handle_at},
	{"open_by_handle_at", try_open_by_handle_at},
	{"personality", try_personality}, /* ADDR_NO_RANDOMIZE */
	{"personality-high", try_personality_high},
	{"ioctl-tiocsti", try_ioctl_tiocsti},
	{"ioctl-tiocsti-high", try_ioctl_tiocsti_high},
	{"ioctl-tioclinux", try_ioctl_tioclinux},
	{"socket-alg", try_socket_alg},
	{"socket-vsock", try_socket_vsock},
	{"socket-packet", try_socket_packet},
	{"socket-packet-high", try_socket_packet_high},
	{"socket-key", try_socket_key},
	{"socketpair-inet", try_socketpair_inet},
};

static int cmd_syscall(char **argv)
{
	char what[128];

	if (strcmp(argv[0], "list") == 0) {
		for (size_t i = 0; i < sizeof(probe_syscalls) / sizeof(probe_syscalls[0]); i++)
			printf("%s%s", i ? " " : "", probe_syscalls[i].name);
		printf("\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(probe_syscalls) / sizeof(probe_syscalls[0]); i++)
		if (strcmp(argv[0], probe_syscalls[i].name) == 0) {
			int r = probe_syscalls[i].attempt();

			snprintf(what, sizeof(what), "syscall %s", argv[0]);
			return probe_report(what, r);
		}
	printf("syscall: unknown name '%s' (see 'syscall list')\n", argv[0]);
	return PROBE_EXIT_BADARG;
}

/* ---- foreign ABIs: both are expected to kill the probe with SIGSYS. */

static int cmd_x32(char **argv)
{
	long r;

	(void)argv;
	/* Half a line first: if the filter kills us, that much is on stdout already. */
	printf("x32: getpid through the x32 ABI: ");
	fflush(stdout);
	r = syscall(0x40000000 /* __X32_SYSCALL_BIT */ | 39 /* getpid */);
	return probe_report("returned", r < 0 ? -errno : 0);
}

static int cmd_int80(char **argv)
{
	(void)argv;
#if defined(__x86_64__)
	long r = 20; /* __NR_getpid on i386 */

	printf("int80: getpid through int $0x80: ");
	fflush(stdout);
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
	return probe_report("returned", r < 0 && r > -4096 ? (int)r : 0);
#else
	printf("int80: not an x86_64 build\n");
	return PROBE_EXIT_USAGE;
#endif
}

/* ---- state checks */

/* 0 iff every capability set is empty and no_new_privs is set. */
static int cmd_caps(char **argv)
{
	static const char *const keys[] = {"CapInh", "CapPrm", "CapEff",
					   "CapBnd", "CapAmb", "NoNewPrivs"};
	char line[256], summary[512] = "";
	bool ok = true;
	int found = 0;
	FILE *f;

	(void)argv;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return probe_report("caps: open /proc/self/status", -errno);
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i]);
			const char *v;
			uint64_t value;

			if (strncmp(line, keys[i], n) != 0 || line[n] != ':')
				continue;
			v = line + n + 1;
			v += strspn(v, " \t");
			value = strtoull(v, NULL, strcmp(keys[i], "NoNewPrivs") == 0 ? 10 : 16);
			found++;
			if (strcmp(keys[i], "NoNewPrivs") == 0 ? value != 1 : value != 0)
				ok = false;
			snprintf(summary + strlen(summary), sizeof(summary) - strlen(summary),
				 " %s=%.*s", keys[i], (int)strcspn(v, "\n"), v);
		}
	}
	fclose(f);
	if (found != (int)(sizeof(keys) / sizeof(keys[0])))
		ok = false;
	printf("caps:%s%s\n", summary, ok ? "" : " (not all empty with NoNewPrivs=1)");
	return ok ? 0 : 1;
}

static int cmd_uid(char **argv)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[NGROUPS_MAX];
	int n;

	(void)argv;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return probe_report("uid", -errno);
	n = getgroups(NGROUPS_MAX, groups);
	if (n < 0)
		return probe_report("uid: getgroups", -errno);
	printf("uid=%u/%u/%u gid=%u/%u/%u groups=", ru, eu, su, rg, eg, sg);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	return 0;
}

/* 0 iff no fd other than 0, 1 and 2 is open (the directory's own fd aside). */
static int cmd_fds(char **argv)
{
	struct dirent *de;
	bool ok = true;
	DIR *d;

	(void)argv;
	d = opendir("/proc/self/fd");
	if (!d)
		return probe_report("fds: open /proc/self/fd", -errno);
	printf("fds:");
	while ((de = readdir(d))) {
		uint64_t fd;

		if (parse_u64(de->d_name, INT_MAX, &fd) < 0 || (int)fd == dirfd(d))
			continue;
		printf(" %" PRIu64, fd);
		if (fd > 2)
			ok = false;
	}
	closedir(d);
	printf("%s\n", ok ? "" : " (more than 0, 1, 2)");
	return ok ? 0 : 1;
}

/* 0 iff every pid in /proc is below PROBE_PID_MAX. A heuristic for a fresh sandbox: its pid
 * namespace numbers from 1, while the host's /proc shows pids up to pid_max. A sandbox that has
 * already forked PROBE_PID_MAX processes fails it too, so tests run it early. */
static int cmd_pids(char **argv)
{
	struct dirent *de;
	bool ok = true;
	int n = 0;
	DIR *d;

	(void)argv;
	d = opendir("/proc");
	if (!d)
		return probe_report("pids: open /proc", -errno);
	printf("pids:");
	while ((de = readdir(d))) {
		uint64_t pid;

		if (parse_u64(de->d_name, INT_MAX, &pid) < 0)
			continue;
		n++;
		printf(" %" PRIu64, pid);
		if (pid >= PROBE_PID_MAX)
			ok = false;
	}
	closedir(d);
	printf(" (%d visible)", n);
	if (!ok)
		printf(" (not all below %d)", PROBE_PID_MAX);
	printf("\n");
	return ok ? 0 : 1;
}

/* 0 iff the only interface is lo and it is up. Sends nothing anywhere. */
static int cmd_net(char **argv)
{
	struct if_nameindex *ifs, *i;
	bool ok = true, lo_up = false;
	int sock, n = 0;

	(void)argv;
	ifs = if_nameindex();
	if (!ifs)
		return probe_report("net: if_nameindex", -errno);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	printf("net:");
	for (i = ifs; i->if_index != 0 && i->if_name; i++) {
		struct ifreq ifr = {};
		bool up = false;

		n++;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (sock >= 0 && ioctl(sock, SIOCGIFFLAGS, &ifr) == 0)
			up = ifr.ifr_flags & IFF_UP;
		printf(" %s(%s)", i->if_name, up ? "up" : "down");
		if (strcmp(i->if_name, "lo") == 0)
			lo_up = up;
		else
			ok = false;
	}
	if_freenameindex(ifs);
	close_if(sock);
	ok = ok && lo_up && n == 1;
	printf("%s\n", ok ? "" : " (expected only lo, up)");
	return ok ? 0 : 1;
}

/* ---- limits */

static int cmd_fork_bomb(char **argv)
{
	pid_t *pids;
	size_t n = 0;
	int r = 0;

	(void)argv;
	pids = mmap(NULL, PROBE_FORK_MAX * sizeof(pid_t), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pids == MAP_FAILED)
		return probe_report("fork-bomb: mmap", -errno);
	fflush(stdout);
	while (n < PROBE_FORK_MAX) {
		pid_t pid = fork();

		if (pid < 0) {
			r = -errno;
			break;
		}
		if (pid == 0) {
			/* Dies with the probe even if the probe itself is killed. */
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		pids[n++] = pid;
	}
	for (size_t i = 0; i < n; i++)
		(void)kill(pids[i], SIGKILL);
	for (size_t i = 0; i < n; i++)
		(void)waitpid(pids[i], NULL, 0);

	if (r == 0) {
		printf("fork-bomb: %zu children and fork never failed\n", n);
		return PROBE_EXIT_INCONCLUSIVE;
	}
	printf("fork-bomb: fork failed after %zu children: %s\n", n, strerrorname_np(-r) ?: "?");
	return r == -EAGAIN ? 0 : probe_status(r);
}

static int cmd_balloon(char **argv)
{
	uint64_t mib;
	char *p;

	if (parse_u64(argv[0], UINT64_C(1) << 30, &mib) < 0 || mib == 0) {
		printf("balloon: bad size '%s' (MiB)\n", argv[0]);
		return PROBE_EXIT_BADARG;
	}
	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return probe_report("balloon: mmap", -errno);
	fflush(stdout);
	/* One write per page makes every page resident; the OOM killer ends us here if the
	 * memory limit works. */
	for (uint64_t off = 0; off < mib << 20; off += 4096)
		p[off] = 1;
	printf("balloon: touched %" PRIu64 " MiB\n", mib);
	return 0;
}

static int cmd_fill(char **argv)
{
	static char chunk[PROBE_FILL_CHUNK];
	uint64_t written = 0;
	int fd, r = 0;

	/* Past RLIMIT_FSIZE the kernel sends SIGXFSZ; ignored, write() fails with EFBIG. */
	signal(SIGXFSZ, SIG_IGN);
	memset(chunk, 'x', sizeof(chunk));
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return probe_report("fill: open", -errno);
	while (written < PROBE_FILL_MAX) {
		ssize_t n = write(fd, chunk, sizeof(chunk));

		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0) {
			r = -EIO;
			break;
		}
		written += (uint64_t)n;
	}
	close(fd);
	/* Give the space back so the sandbox stays usable for what the test checks next. */
	(void)unlink(argv[0]);

	if (r == 0) {
		printf("fill: wrote %" PRIu64 " bytes and no limit stopped it\n", written);
		return PROBE_EXIT_INCONCLUSIVE;
	}
	printf("fill: wrote %" PRIu64 " bytes, then %s\n", written, strerrorname_np(-r) ?: "?");
	return r == -ENOSPC || r == -EFBIG || r == -EDQUOT ? 0 : probe_status(r);
}

/* ---- files */

static int cmd_open(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	char what[PATH_MAX + 32];

	snprintf(what, sizeof(what), "open '%s'", argv[0]);
	close_if(fd);
	return probe_report(what, fd < 0 ? -errno : 0);
}

static int cmd_write(char **argv)
{
	char what[PATH_MAX + 32];
	int fd, r = 0;

	snprintf(what, sizeof(what), "write '%s'", argv[0]);
	fd = open(argv[0], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return probe_report(what, -errno);
	if (write(fd, "x", 1) != 1)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return probe_report(what, r);
}

static int cmd_stat(char **argv)
{
	struct stat st;

	if (stat(argv[0], &st) < 0) {
		char what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "stat '%s'", argv[0]);
		return probe_report(what, -errno);
	}
	printf("stat '%s': mode=%o uid=%u gid=%u size=%jd\n", argv[0], st.st_mode, st.st_uid,
	       st.st_gid, (intmax_t)st.st_size);
	return 0;
}

static int cmd_mkdir(char **argv)
{
	char what[PATH_MAX + 32];

	snprintf(what, sizeof(what), "mkdir '%s'", argv[0]);
	return probe_report(what, mkdir(argv[0], 0755) < 0 ? -errno : 0);
}

static int cmd_readlink(char **argv)
{
	char target[PATH_MAX];
	ssize_t n = readlink(argv[0], target, sizeof(target) - 1);

	if (n < 0) {
		char what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "readlink '%s'", argv[0]);
		return probe_report(what, -errno);
	}
	target[n] = '\0';
	printf("readlink '%s': '%s'\n", argv[0], target);
	return 0;
}

/* Runs PATH with the remaining arguments; on success the program's own status is the result. */
static int cmd_exec(char **argv)
{
	char what[PATH_MAX + 32];

	fflush(stdout);
	execv(argv[0], argv);
	snprintf(what, sizeof(what), "exec '%s'", argv[0]);
	return probe_report(what, -errno);
}

/* Opening for writing is the whole test: writing /proc/sysrq-trigger would act on the host. */
static int cmd_proc_write(char **argv)
{
	char what[PATH_MAX + 32];
	int fd = open(argv[0], O_WRONLY | O_CLOEXEC);

	snprintf(what, sizeof(what), "proc-write '%s'", argv[0]);
	close_if(fd);
	return probe_report(what, fd < 0 ? -errno : 0);
}

static int selfexe_write_one(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (pwrite(fd, "x", 1, 0) != 1)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}

/* The runc escape (CVE-2019-5736) overwrote the runtime's binary through /proc/<pid>/exe;
 * 0 (bad) if either binary could be written. */
static int cmd_selfexe_write(char **argv)
{
	int r_self = selfexe_write_one("/proc/self/exe");
	int r_init = selfexe_write_one("/proc/1/exe");

	(void)argv;
	printf("selfexe-write: /proc/self/exe %s, /proc/1/exe %s\n",
	       r_self < 0 ? strerrorname_np(-r_self) ?: "?" : "WRITTEN",
	       r_init < 0 ? strerrorname_np(-r_init) ?: "?" : "WRITTEN");
	if (r_self >= 0 || r_init >= 0)
		return 0;
	return probe_status(r_self);
}

/* ---- plumbing */

static int cmd_sleep(char **argv)
{
	struct timespec ts;
	uint64_t s;

	if (parse_u64(argv[0], INT32_MAX, &s) < 0) {
		printf("sleep: bad seconds '%s'\n", argv[0]);
		return PROBE_EXIT_BADARG;
	}
	ts = (struct timespec){.tv_sec = (time_t)s};
	while (nanosleep(&ts, &ts) < 0)
		if (errno != EINTR)
			return probe_report("sleep", -errno);
	printf("sleep: slept %" PRIu64 " s\n", s);
	return 0;
}

static int cmd_exit(char **argv)
{
	uint64_t n;

	if (parse_u64(argv[0], 255, &n) < 0) {
		printf("exit: bad status '%s'\n", argv[0]);
		return PROBE_EXIT_BADARG;
	}
	printf("exit: %" PRIu64 "\n", n);
	return (int)n;
}

static int cmd_kill_self(char **argv)
{
	sigset_t set;
	uint64_t sig;

	if (parse_u64(argv[0], 64, &sig) < 0 || sig == 0) {
		printf("kill-self: bad signal '%s'\n", argv[0]);
		return PROBE_EXIT_BADARG;
	}
	printf("kill-self: signal %" PRIu64 "\n", sig);
	fflush(stdout);
	signal((int)sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, (int)sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise((int)sig);
	printf("kill-self: still alive after signal %" PRIu64 "\n", sig);
	return PROBE_EXIT_INCONCLUSIVE;
}

/* Prints the environment, one variable a line (the one command with several lines). */
static int cmd_env(char **argv)
{
	extern char **environ;

	(void)argv;
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return 0;
}

static int cmd_hostname(char **argv)
{
	struct utsname u;

	(void)argv;
	if (uname(&u) < 0)
		return probe_report("hostname", -errno);
	printf("%s\n", u.nodename);
	return 0;
}

static int cmd_cwd(char **argv)
{
	char buf[PATH_MAX];

	(void)argv;
	if (!getcwd(buf, sizeof(buf)))
		return probe_report("cwd", -errno);
	printf("%s\n", buf);
	return 0;
}

#define ARGS_ANY -1 /* exec: PATH then any number of arguments */

static const struct probe_command {
	const char *name;
	int n_args;
	const char *usage;
	int (*run)(char **argv);
} probe_commands[] = {
	{"syscall", 1, "NAME|list", cmd_syscall},
	{"x32", 0, "", cmd_x32},
	{"int80", 0, "", cmd_int80},
	{"caps", 0, "", cmd_caps},
	{"uid", 0, "", cmd_uid},
	{"fds", 0, "", cmd_fds},
	{"pids", 0, "", cmd_pids},
	{"net", 0, "", cmd_net},
	{"fork-bomb", 0, "", cmd_fork_bomb},
	{"balloon", 1, "MIB", cmd_balloon},
	{"fill", 1, "PATH", cmd_fill},
	{"open", 1, "PATH", cmd_open},
	{"write", 1, "PATH", cmd_write},
	{"stat", 1, "PATH", cmd_stat},
	{"mkdir", 1, "PATH", cmd_mkdir},
	{"readlink", 1, "PATH", cmd_readlink},
	{"exec", ARGS_ANY, "PATH [ARG...]", cmd_exec},
	{"proc-write", 1, "PATH", cmd_proc_write},
	{"selfexe-write", 0, "", cmd_selfexe_write},
	{"sleep", 1, "SECONDS", cmd_sleep},
	{"exit", 1, "N", cmd_exit},
	{"kill-self", 1, "SIGNUM", cmd_kill_self},
	{"env", 0, "", cmd_env},
	{"hostname", 0, "", cmd_hostname},
	{"cwd", 0, "", cmd_cwd},
};

static int usage(void)
{
	printf("usage: sbx-probe COMMAND [ARG...]; exit 0 = succeeded, 1..199 = errno, "
	       "200 usage, 201 bad argument, 202 inconclusive. Commands:");
	for (size_t i = 0; i < sizeof(probe_commands) / sizeof(probe_commands[0]); i++)
		printf(" %s%s%s;", probe_commands[i].name, *probe_commands[i].usage ? " " : "",
		       probe_commands[i].usage);
	printf("\n");
	return PROBE_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Line-buffered so the line is out before a kill (x32, int80, balloon). */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(probe_commands) / sizeof(probe_commands[0]); i++) {
		const struct probe_command *c = &probe_commands[i];

		if (strcmp(argv[1], c->name) != 0)
			continue;
		if (c->n_args == ARGS_ANY ? argc < 3 : argc - 2 != c->n_args) {
			printf("usage: sbx-probe %s %s\n", c->name, c->usage);
			return PROBE_EXIT_USAGE;
		}
		return c->run(argv + 2);
	}
	return usage();
}
