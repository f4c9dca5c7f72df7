/* SPDX-License-Identifier: MIT */
/* The seccomp allowlist: the syscalls a sandboxed program may make, the ones refused on purpose
 * (each with its reason), and the argument checks on clone, socket, socketpair, ioctl and
 * personality. Builds the BPF program with libseccomp and loads it. Capabilities and no_new_privs
 * are caps.c, Landlock is landlock.c, and sandbox.c loads this filter last, just before exec. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "io-util.h"
#include "macro.h"
#include "syscall-filter.h"

DEFINE_CLEANUP(scmp_filter_ctx, seccomp_release)

#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
#error "clone() takes its flags in argument 1 here (CLONE_BACKWARDS2); clone_rules() assumes 0"
#endif

/* Anything not listed fails with ENOSYS, what a kernel without the syscall says: programs then
 * take the fallback they already have for older kernels (glibc for clone3, statx, close_range…)
 * instead of failing outright. */
#define SYSCALL_FILTER_DEFAULT_ERRNO ENOSYS

/* clang-format off */
/* The syscalls of ordinary programs (python3, node, bash, coreutils, gcc, curl, git, pip) and of
 * sandbox-init (fork, wait4, waitid, rt_sig*, kill, setsid, execve, prctl). clone, socket,
 * socketpair, ioctl and personality are allowed with argument checks in conditional_rules[]. */
static const char *const allowed[] = {
	/* Memory of the calling process. NUMA policies only place its own pages. */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock",
	"mlock2", "munlock", "mlockall", "munlockall", "membarrier", "remap_file_pages",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "map_shadow_stack", "mbind", "get_mempolicy",
	"set_mempolicy", "memfd_create",

	/* Descriptors and byte I/O. */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
	"pwritev2", "lseek", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "pipe",
	"pipe2", "sendfile", "splice", "tee", "vmsplice", "copy_file_range", "flock", "fsync",
	"fdatasync", "sync", "syncfs", "sync_file_range", "fallocate", "fadvise64", "readahead",
	"ftruncate", "cachestat",

	/* Paths and metadata; what is reachable is decided by the mounts and Landlock. */
	"open", "openat", "openat2", "creat", "stat", "fstat", "lstat", "newfstatat", "statx",
	"statfs", "fstatfs", "access", "faccessat", "faccessat2", "getcwd", "chdir", "fchdir",
	"getdents", "getdents64", "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2",
	"link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "readlink", "readlinkat",
	"truncate", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown",
	"fchownat", "umask", "utime", "utimes", "utimensat", "futimesat", "mknod", "mknodat",
	"setxattr", "lsetxattr", "fsetxattr", "getxattr", "lgetxattr", "fgetxattr", "listxattr",
	"llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr",

	/* Waiting for events. */
	"select", "pselect6", "poll", "ppoll", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
	"signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime", "inotify_init",
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch",

	/* Linux AIO (databases, some runtimes); io_uring is excluded below. */
	"io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents",

	/* Sockets once created; the netns has only lo and the daemon's proxy. */
	"connect", "accept", "accept4", "bind", "listen", "shutdown", "getsockname", "getpeername",
	"getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg",
	"recvmmsg",

	/* Processes and threads. */
	"fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "getpid",
	"getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
	"set_tid_address", "set_robust_list", "get_robust_list", "rseq", "arch_prctl", "prctl",
	"futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "pidfd_open",
	"pidfd_send_signal", "getrlimit", "setrlimit", "prlimit64", "getrusage", "times",
	"getpriority", "setpriority", "ioprio_get", "ioprio_set", "sched_yield",
	"sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam",
	"sched_getscheduler", "sched_setscheduler", "sched_get_priority_max",
	"sched_get_priority_min", "sched_rr_get_interval", "sched_getattr", "sched_setattr",
	"getcpu", "restart_syscall",

	/* Signals; the pid namespace keeps kill() inside the sandbox. */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
	"rt_sigsuspend", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "kill", "tkill",
	"tgkill", "pause", "alarm", "getitimer", "setitimer",

	/* Reading clocks and sleeping; setting them is excluded below. */
	"time", "gettimeofday", "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"timer_create", "timer_delete", "timer_settime", "timer_gettime", "timer_getoverrun",

	/* Credentials: with every capability dropped these only move between ids the process
	 * already holds, which is how programs drop privileges. */
	"getuid", "geteuid", "getresuid", "getgid", "getegid", "getresgid", "getgroups", "setuid",
	"setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
	"setgroups", "capget", "capset",

	/* System V and POSIX IPC: the sandbox has its own IPC namespace. */
	"shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl", "msgget",
	"msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
	"mq_notify", "mq_getsetattr",

	/* System information; the host and domain names belong to the sandbox's UTS namespace. */
	"uname", "sysinfo", "getrandom", "sethostname", "setdomainname",

	/* Confinement a program stacks on ours can only narrow what it may do; the daemon itself
	 * applies Landlock to each tool process after this filter is in place. */
	"seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
};
/* clang-format on */

struct excluded {
	const char *name;
	int error;
};

/* Refused on purpose, each with the reason. EPERM (not the default ENOSYS) says "forbidden
 * here", so a program does not mistake the sandbox for an old kernel. Syscalls in neither list
 * (obsolete ones, set_thread_area, memfd_secret, anything newer than libseccomp) get ENOSYS. */
static const struct excluded excluded[] = {
	/* New namespaces: a user namespace hands back every capability inside it, and with them
	 * the kernel code reachable only from CAP_SYS_ADMIN (nf_tables, overlayfs, … exploits).
	 * clone() with namespace flags is refused in clone_rules(). */
	{"unshare", EPERM},
	{"setns", EPERM}, /* joining another namespace through an fd we might leak */
	/* clone3() passes its flags in memory, which seccomp cannot read, so its namespace flags
	 * could not be checked. ENOSYS, not EPERM: glibc then falls back to clone(). */
	{"clone3", ENOSYS},

	/* Changing the mount tree or the root: would unmask the masked /proc and /sys paths and
	 * undo read-only mounts; chroot is the first step of the classic chroot escape. */
	{"mount", EPERM},
	{"umount2", EPERM},
	{"pivot_root", EPERM},
	{"chroot", EPERM},
	/* The new mount API does what mount() does. */
	{"fsopen", EPERM},
	{"fsconfig", EPERM},
	{"fsmount", EPERM},
	{"fspick", EPERM},
	{"move_mount", EPERM},
	{"open_tree", EPERM},
	{"mount_setattr", EPERM},

	/* Large kernel attack surface that nothing we run needs. */
	{"bpf", EPERM},		    /* verifier bugs are a recurring root exploit */
	{"perf_event_open", EPERM}, /* kernel address leaks, a long list of exploits */
	{"userfaultfd", EPERM},	    /* stalls a kernel copy at will: widens exploit races */
	/* io_uring performs I/O on behalf of the process without syscalls seccomp can see, and
	 * has been a steady source of privilege escalations. */
	{"io_uring_setup", EPERM},
	{"io_uring_enter", EPERM},
	{"io_uring_register", EPERM},
	/* Keyrings are not namespaced: the user keyring of a uid is shared with every other
	 * process of that uid on the host, and keyctl has had use-after-free exploits. */
	{"keyctl", EPERM},
	{"add_key", EPERM},
	{"request_key", EPERM},

	/* Access to another process: reading or rewriting its memory, registers or fds would let
	 * a tool process take over sandbox-init or a sibling with different Landlock rules, and
	 * ptrace was the classic way around seccomp itself (before 4.8). */
	{"ptrace", EPERM},
	{"process_vm_readv", EPERM},
	{"process_vm_writev", EPERM},
	{"pidfd_getfd", EPERM},	    /* copies an fd out of another process (ptrace-class) */
	{"kcmp", EPERM},	    /* orders kernel objects of two processes: a pointer leak */
	{"process_madvise", EPERM}, /* acts on another process's memory */
	/* Move another process's pages; move_pages() leaked the memory layout of setuid
	 * processes (CVE-2017-14140). Own-memory NUMA calls (mbind…) stay allowed. */
	{"migrate_pages", EPERM},
	{"move_pages", EPERM},

	/* Host-wide state that no namespace covers. */
	{"kexec_load", EPERM},
	{"kexec_file_load", EPERM},
	{"reboot", EPERM},
	{"init_module", EPERM},
	{"finit_module", EPERM},
	{"delete_module", EPERM},
	{"swapon", EPERM},
	{"swapoff", EPERM},
	/* CLOCK_REALTIME is not namespaced: setting it moves the host's clock. */
	{"clock_settime", EPERM},
	{"clock_adjtime", EPERM},
	{"settimeofday", EPERM},
	{"adjtimex", EPERM},
	{"syslog", EPERM},   /* the kernel log: kernel addresses, other sandboxes' messages */
	{"acct", EPERM},     /* host-wide process accounting to a file */
	{"quotactl", EPERM}, /* filesystem quotas of the host's filesystems */
	{"quotactl_fd", EPERM},
	{"vhangup", EPERM}, /* hangs up the terminal, under other users too */
	{"iopl", EPERM},    /* raw I/O port access */
	{"ioperm", EPERM},
	{"modify_ldt", EPERM},	   /* 16-bit segments: espfix/LDT bugs (CVE-2014-8133) */
	{"lookup_dcookie", EPERM}, /* profiling interface that exposed kernel pointers */
	{"uselib", EPERM},	   /* a.out library loader, dead code (CVE-2004-1235) */
	{"nfsservctl", EPERM}, /* removed in 3.1; listed so no kernel that still has it runs it */
	/* open_by_handle_at() opens any inode of a filesystem by handle, bypassing the mount tree:
	 * the 2014 "shocker" escape read the host's /etc/shadow from a container this way.
	 * name_to_handle_at() only makes handles, for which nothing else has a use. */
	{"open_by_handle_at", EPERM},
	{"name_to_handle_at", EPERM},
	/* Filesystem-wide event monitoring, and permission events that can block other
	 * processes' opens. */
	{"fanotify_init", EPERM},
	{"fanotify_mark", EPERM},
};

/* The namespace flags refused in clone(). In clone() (unlike unshare and clone3)
 * 0x80 = CLONE_NEWTIME lies inside the exit-signal byte, where it is never a valid signal, so
 * masking it refuses nothing a program can use. */
#define SYSCALL_FILTER_CLONE_NS                                                                    \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Address families socket() may create. Excluded: AF_PACKET (raw frames, a recurring root
 * exploit), AF_ALG (kernel crypto, e.g. CVE-2017-17805), AF_VSOCK (talks to the hypervisor,
 * CVE-2021-26708), AF_KEY, AF_XDP, AF_BLUETOOTH, AF_CAN, AF_TIPC, … and everything else. */
static const uint32_t socket_families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

/* Terminal ioctls refused: TIOCSTI pushes characters into the terminal's input queue, so a
 * sandboxed program with our tty would type commands into the shell that started it
 * (CVE-2016-7545, CVE-2017-5226); TIOCLINUX can read the console screen and paste. */
static const uint32_t ioctl_refused[] = {TIOCSTI, TIOCLINUX};

/* personality() values allowed: PER_LINUX, and 0xffffffff, which only queries. Anything else
 * is refused (ENOSYS, the default): ADDR_NO_RANDOMIZE turns off ASLR for what the program runs
 * next, READ_IMPLIES_EXEC makes every readable mapping executable. */
static const uint32_t personality_allowed[] = {PER_LINUX, 0xffffffffu};

static int syscall_resolve(const char *name, int *ret_nr)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* __NR_SCMP_ERROR means libseccomp knows no such name at all: a typo in our tables.
	 * A syscall that merely does not exist on this arch gets a negative pseudo number,
	 * which seccomp_rule_add() accepts and ignores. */
	if (nr == __NR_SCMP_ERROR)
		return -ENOENT;
	*ret_nr = nr;
	return 0;
}

/* The low-32-bit cover: rules for "the low 32 bits of argument arg are none of values[]". */
struct low32_cover {
	scmp_filter_ctx ctx;
	uint32_t action;
	int nr;
	unsigned int arg;
	const uint32_t *values;
	size_t n_values;
	unsigned char order[32]; /* bit numbers, the bits all values agree on first */
};

static int low32_cover_add(const struct low32_cover *c, unsigned int depth, uint32_t mask,
			   uint32_t datum)
{
	uint32_t bit;
	bool hit = false;
	int r;

	for (size_t i = 0; i < c->n_values && !hit; i++)
		hit = (c->values[i] & mask) == datum;
	if (!hit)
		return seccomp_rule_add(c->ctx, c->action, c->nr, 1,
					SCMP_CMP(c->arg, SCMP_CMP_MASKED_EQ, mask, datum));
	if (depth == 32)
		return 0; /* the cube is a single value, one of values[] */

	bit = UINT32_C(1) << c->order[depth];
	r = low32_cover_add(c, depth + 1, mask | bit, datum);
	if (r < 0)
		return r;
	return low32_cover_add(c, depth + 1, mask | bit, datum | bit);
}

/* Adds action for every value of the low 32 bits of argument arg except values[].
 *
 * Why not one rule "arg != TIOCSTI": the kernel reads an int or unsigned int argument as the
 * low 32 bits of the register, but seccomp sees all 64. A 64-bit SCMP_CMP_NE is true for
 * TIOCSTI | 1 << 32, the kernel then runs TIOCSTI (Flatpak CVE-2019-10063). libseccomp cannot
 * say "otherwise" either: an unconditional rule for a syscall replaces its conditional rules
 * whatever the order they are added in (checked with libseccomp 2.5.4), and it refuses two
 * comparisons of one argument in one rule.
 *
 * So the complement is spelled out as masked equalities on the low 32 bits only (the high mask
 * is 0, the high half never takes part): a binary trie over the 32 bits, cut wherever a subtree
 * contains none of values[]. Each cut is one rule; the rules are disjoint and together cover
 * exactly the complement. With the bits all values share walked first, two values differing in
 * k bits cost 30 + k rules, e.g. 33 for TIOCSTI/TIOCLINUX. */
static int rule_add_low32_except(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int arg,
				 const uint32_t *values, size_t n_values)
{
	struct low32_cover c = {
		.ctx = ctx,
		.action = action,
		.nr = nr,
		.arg = arg,
		.values = values,
		.n_values = n_values,
	};
	uint32_t differ = 0;
	unsigned int k = 0;

	if (n_values == 0)
		return -EINVAL;
	for (size_t i = 1; i < n_values; i++)
		differ |= values[i] ^ values[0];
	for (int pass = 0; pass < 2; pass++)
		for (int b = 31; b >= 0; b--)
			if (!!(differ & (UINT32_C(1) << b)) == pass)
				c.order[k++] = (unsigned char)b;

	return low32_cover_add(&c, 0, 0, 0);
}

/* clone(): allowed without namespace flags (fork, vfork, threads), EPERM with any of them.
 * The kernel uses the low 32 bits of the flags; every mask here lies there, so high bits set
 * by an attacker change nothing. */
static int clone_rules(scmp_filter_ctx ctx, int nr)
{
	static const uint64_t ns_flags[] = {
		CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
		CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
	};
	int r;

	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, SYSCALL_FILTER_CLONE_NS, 0));
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(ns_flags); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	return r;
}

/* socket(): the families above only. The allow rules compare all 64 bits with EQ, so a family
 * with high bits set matches none and falls to the default (ENOSYS); the kernel would have
 * used the low 32 bits, but refusing is the safe side. Any other low-32 family gets
 * EAFNOSUPPORT, what a kernel built without that family answers, so programs that probe for
 * AF_ALG or AF_VSOCK take their fallback. */
static int socket_rules(scmp_filter_ctx ctx, int nr)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(socket_families); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				     SCMP_A0(SCMP_CMP_EQ, socket_families[i]));
	if (r < 0)
		return r;
	return rule_add_low32_except(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 0, socket_families,
				     ELEMENTSOF(socket_families));
}

/* socketpair(): AF_UNIX only (the only family that implements it that we allow anyway). */
static int socketpair_rules(scmp_filter_ctx ctx, int nr)
{
	static const uint32_t unix_only[] = {AF_UNIX};
	int r;

	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (r < 0)
		return r;
	return rule_add_low32_except(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 0, unix_only,
				     ELEMENTSOF(unix_only));
}

/* ioctl(): everything but ioctl_refused[], compared on the 32-bit command the kernel uses. */
static int ioctl_rules(scmp_filter_ctx ctx, int nr)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(ioctl_refused); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, ioctl_refused[i]));
	if (r < 0)
		return r;
	return rule_add_low32_except(ctx, SCMP_ACT_ALLOW, nr, 1, ioctl_refused,
				     ELEMENTSOF(ioctl_refused));
}

/* personality(): the allowed values only, on the 32-bit persona the kernel uses. */
static int personality_rules(scmp_filter_ctx ctx, int nr)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(personality_allowed); i++)
		r = seccomp_rule_add(
			ctx, SCMP_ACT_ALLOW, nr, 1,
			SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, personality_allowed[i]));
	/* Every other persona falls to the default answer: no rule needed, and a filter 60
	 * rules shorter loads faster in every sandbox. */
	return r;
}

static const struct {
	const char *name;
	int (*add)(scmp_filter_ctx ctx, int nr);
} conditional_rules[] = {
	{"clone", clone_rules},
	{"socket", socket_rules},
	{"socketpair", socketpair_rules},
	{"ioctl", ioctl_rules},
	{"personality", personality_rules},
};

/* Exports the program into memory: libseccomp 2.5 can only write it to an fd. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret_insns, unsigned short *ret_len)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ struct sock_filter *insns = NULL;
	off_t size;
	int r;

	fd = memfd_create("sbx-syscall-filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	if (size == 0 || size % sizeof(struct sock_filter) != 0)
		return -EBADMSG;
	/* The kernel refuses longer programs; failing here keeps it out of the built-in copy. */
	if ((size_t)size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -E2BIG;

	insns = malloc(size);
	if (!insns)
		return -ENOMEM;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	r = read_exact(fd, insns, size);
	if (r < 0)
		return r;

	*ret_len = (unsigned short)(size / sizeof(struct sock_filter));
	*ret_insns = TAKE_PTR(insns);
	return 0;
}

int syscall_filter_build(struct syscall_filter *ret, struct sbx_error *reterr)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
	struct sock_filter *insns = NULL;
	unsigned short len = 0;
	int nr, r;

	ctx = seccomp_init(SCMP_ACT_ERRNO(SYSCALL_FILTER_DEFAULT_ERRNO));
	if (!ctx)
		return sbx_fail(reterr, -ENOMEM, "create seccomp filter");

	/* seccomp_init() adds the native arch and only it. A syscall made through another ABI
	 * (i386 by int $0x80, x32 numbers) has other numbers, so our rules would not apply to it:
	 * the whole process dies instead. libseccomp also sends x32 numbers
	 * (nr | __X32_SYSCALL_BIT) on x86_64 to this action. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return sbx_fail(reterr, r, "set seccomp action for foreign architectures");
	/* A binary tree over syscall numbers: about 9 comparisons instead of up to 300. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return sbx_fail(reterr, r, "enable seccomp binary tree optimization");

	for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
		r = syscall_resolve(allowed[i], &nr);
		if (r >= 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			return sbx_fail(reterr, r, "allow syscall '%s'", allowed[i]);
	}

	for (size_t i = 0; i < ELEMENTSOF(excluded); i++) {
		r = syscall_resolve(excluded[i].name, &nr);
		/* libseccomp refuses a rule that repeats the default action (EACCES); the
		 * default already answers such a syscall (clone3) the way the table says. */
		if (r >= 0 && excluded[i].error != SYSCALL_FILTER_DEFAULT_ERRNO)
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(excluded[i].error), nr, 0);
		if (r < 0)
			return sbx_fail(reterr, r, "refuse syscall '%s'", excluded[i].name);
	}

	for (size_t i = 0; i < ELEMENTSOF(conditional_rules); i++) {
		r = syscall_resolve(conditional_rules[i].name, &nr);
		if (r >= 0)
			r = conditional_rules[i].add(ctx, nr);
		if (r < 0)
			return sbx_fail(reterr, r, "add argument rules for syscall '%s'",
					conditional_rules[i].name);
	}

	r = export_bpf(ctx, &insns, &len);
	if (r < 0)
		return sbx_fail(reterr, r, "export seccomp filter as BPF");

	*ret = (struct syscall_filter){
		.insns = insns,
		.len = len,
		.owned = insns,
	};
	return 0;
}

void syscall_filter_done(struct syscall_filter *f)
{
	if (!f)
		return;
	free(f->owned);
	*f = (struct syscall_filter){};
}

int syscall_filter_load(const struct syscall_filter *f)
{
	/* The kernel copies the program and never writes to it. */
	struct sock_fprog prog = {
		.len = f->len,
		.filter = (struct sock_filter *)f->insns,
	};

	if (!f->insns || f->len == 0)
		return -EINVAL;

	/* Only syscall(), prctl() and errno: nothing that allocates or takes a lock, since this
	 * runs in a child cloned from a possibly multi-threaded parent. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) >= 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;

	/* Kernels before 3.17 have no seccomp(); prctl() takes the same program. EINVAL is
	 * retried too (a seccomp() that refuses the operation itself): a program the kernel rejects
	 * fails again in prctl() with the same errno, so nothing is hidden. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -errno;
	return 0;
}
