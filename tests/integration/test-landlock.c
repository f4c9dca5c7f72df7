/* SPDX-License-Identifier: MIT */
/* runtime/landlock.c against this machine's kernel: children apply a rule list and then try one
 * thing each (read, write, create, rename, exec, TCP connect, signal out of the domain); the
 * filesystem expectations are one table. Also real interpreters under the system set, and the
 * answer without Landlock (the syscalls hidden by tests/shim/no-syscall). Skips (77) when the
 * kernel has no Landlock. The encoding and the ABI tables are tests/unit/test-landlock.c. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "landlock.h"
#include "macro.h"
#include "test-util.h"

#define TIMEOUT 30

/* Exit codes of a restricted child besides an errno. */
#define CHILD_APPLY_FAILED 250
#define CHILD_FD_LEAKED	   251

static int abi;
static char self_exe[PATH_MAX];

/* The fixture of one case: a fresh directory tree. */
static char root[64];

static const char *at(const char *rel)
{
	static char bufs[8][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % ELEMENTSOF(bufs)];

	if (rel[0] == '/')
		return rel;
	snprintf(b, sizeof(bufs[0]), "%s/%s", root, rel);
	return b;
}

static void write_file(const char *rel, const char *data, mode_t mode)
{
	_cleanup_close_ int fd = open(at(rel), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
}

static void copy_file(const char *from, const char *rel, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = open(at(rel), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
	char buf[65536];
	ssize_t n;

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	ck_assert_int_eq(n, 0);
}

static void fixture_setup(void)
{
	_cleanup_free_ char *tmp = test_mkdtemp();

	snprintf(root, sizeof(root), "%s", tmp);
	ck_assert_int_eq(mkdir(at("ro"), 0755), 0);
	ck_assert_int_eq(mkdir(at("ro/sub"), 0755), 0);
	ck_assert_int_eq(mkdir(at("rw"), 0755), 0);
	ck_assert_int_eq(mkdir(at("rw/sub"), 0755), 0);
	ck_assert_int_eq(mkdir(at("out"), 0755), 0);
	ck_assert_int_eq(mkdir(at("x"), 0755), 0);
	write_file("ro/f", "ro", 0644);
	write_file("rw/f", "rw", 0644);
	write_file("out/f", "out", 0644);
	write_file("file-r", "file-r", 0644);
	write_file("file-rw", "file-rw", 0644);
	copy_file("/bin/true", "x/true", 0755);
	copy_file("/bin/true", "ro/true", 0755);
	ck_assert_int_eq(symlink("out", at("link")), 0);
}

static void fixture_teardown(void)
{
	test_rm_rf(root);
}

/* The fixture's rules: one of each grant, a rule on single files, and three that are skipped
 * (missing, through a regular file, through a symlink to out/). */
static void fixture_rules(struct landlock_rules *rules)
{
	static char paths[8][PATH_MAX];
	static const struct {
		const char *rel;
		unsigned grant;
	} table[] = {
		{"ro", LANDLOCK_READ},		{"rw", LANDLOCK_WRITE},
		{"x", LANDLOCK_READ_EXEC},	{"file-r", LANDLOCK_READ},
		{"file-rw", LANDLOCK_WRITE},	{"missing/deeper", LANDLOCK_WRITE},
		{"ro/f/below", LANDLOCK_WRITE}, {"link", LANDLOCK_WRITE},
	};

	landlock_rules_init(rules);
	/* ld.so and libc for the copies of /bin/true. */
	ck_assert_ok(landlock_rules_add_system(rules));
	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", root, table[i].rel);
		ck_assert_ok(landlock_rules_add(rules, paths[i], table[i].grant));
	}
}

/* Lowest free descriptor: landlock_apply() must leave none behind. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Applies rules in a child after no_new_privs, as the tool process does, then runs fn there and
 * returns its exit status: 0 or the errno of the attempt. */
static int run_restricted(const struct landlock_rules *rules, int (*fn)(const void *),
			  const void *arg)
{
	pid_t pid;
	int st;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sbx_error e = {};
		int before = lowest_free_fd();

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(CHILD_APPLY_FAILED);
		if (landlock_apply(rules, &e) != abi) {
			fprintf(stderr, "landlock_apply: %s\n", e.msg);
			_exit(CHILD_APPLY_FAILED);
		}
		if (lowest_free_fd() != before)
			_exit(CHILD_FD_LEAKED);
		/* _exit: no atexit handlers (LeakSanitizer) in a process that cannot read /proc. */
		_exit(fn(arg));
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	ck_assert_int_ne(WEXITSTATUS(st), CHILD_APPLY_FAILED);
	ck_assert_int_ne(WEXITSTATUS(st), CHILD_FD_LEAKED);
	return WEXITSTATUS(st);
}

/* The filesystem attempts of the table. */
enum op {
	OP_READ,
	OP_LIST,
	OP_WRITE,
	OP_CREATE,
	OP_TRUNC_OPEN,
	OP_TRUNCATE,
	OP_MKDIR,
	OP_RMDIR,
	OP_UNLINK,
	OP_SYMLINK,
	OP_MKFIFO,
	OP_MKNOD_CHAR,
	OP_RENAME,
	OP_LINK,
	OP_EXEC,
};

static const char *const op_names[] = {
	[OP_READ] = "read",	  [OP_LIST] = "list",	       [OP_WRITE] = "write",
	[OP_CREATE] = "create",	  [OP_TRUNC_OPEN] = "O_TRUNC", [OP_TRUNCATE] = "truncate",
	[OP_MKDIR] = "mkdir",	  [OP_RMDIR] = "rmdir",	       [OP_UNLINK] = "unlink",
	[OP_SYMLINK] = "symlink", [OP_MKFIFO] = "mkfifo",      [OP_MKNOD_CHAR] = "mknod",
	[OP_RENAME] = "rename",	  [OP_LINK] = "link",	       [OP_EXEC] = "exec",
};

struct fs_case {
	enum op op;
	const char *a, *b;
	int min_abi; /* the kernel that enforces it */
	int want;    /* 0 or errno */
};

static const struct fs_case fs_cases[] = {
	{OP_READ, "ro/f", NULL, 1, 0},
	{OP_READ, "rw/f", NULL, 1, 0},
	{OP_READ, "x/true", NULL, 1, 0},
	{OP_READ, "file-r", NULL, 1, 0},
	{OP_READ, "out/f", NULL, 1, EACCES},
	{OP_READ, "link/f", NULL, 1, EACCES}, /* the rule through a symlink was skipped */
	{OP_READ, "/etc/passwd", NULL, 1, 0},
	{OP_LIST, "ro", NULL, 1, 0},
	{OP_LIST, "rw/sub", NULL, 1, 0},
	{OP_LIST, "out", NULL, 1, EACCES},
	{OP_LIST, ".", NULL, 1, EACCES},
	{OP_LIST, "/", NULL, 1, EACCES},
	{OP_WRITE, "ro/f", NULL, 1, EACCES},
	{OP_WRITE, "file-r", NULL, 1, EACCES},
	{OP_WRITE, "file-rw", NULL, 1, 0},
	{OP_WRITE, "rw/f", NULL, 1, 0},
	{OP_WRITE, "out/f", NULL, 1, EACCES},
	{OP_WRITE, "/etc/passwd", NULL, 1, EACCES},
	{OP_WRITE, "/dev/null", NULL, 1, 0},
	{OP_CREATE, "rw/new", NULL, 1, 0},
	{OP_CREATE, "rw/sub/new", NULL, 1, 0},
	{OP_CREATE, "ro/new", NULL, 1, EACCES},
	{OP_CREATE, "out/new", NULL, 1, EACCES},
	{OP_CREATE, "link/new", NULL, 1, EACCES},
	{OP_CREATE, "new", NULL, 1, EACCES},
	{OP_TRUNC_OPEN, "rw/f", NULL, 1, 0},
	{OP_TRUNC_OPEN, "file-rw", NULL, 1, 0},
	{OP_TRUNC_OPEN, "ro/f", NULL, 1, EACCES},
	{OP_TRUNCATE, "rw/f", NULL, 1, 0},
	{OP_TRUNCATE, "ro/f", NULL, 3, EACCES}, /* truncate(2) is handled from ABI 3 */
	{OP_TRUNCATE, "file-r", NULL, 3, EACCES},
	{OP_MKDIR, "rw/d", NULL, 1, 0},
	{OP_MKDIR, "ro/d", NULL, 1, EACCES},
	{OP_RMDIR, "rw/sub", NULL, 1, 0},
	{OP_RMDIR, "ro/sub", NULL, 1, EACCES},
	{OP_UNLINK, "rw/f", NULL, 1, 0},
	{OP_UNLINK, "ro/f", NULL, 1, EACCES},
	{OP_UNLINK, "out/f", NULL, 1, EACCES},
	{OP_UNLINK, "file-rw", NULL, 1, EACCES}, /* a rule on a file is not on its directory */
	{OP_SYMLINK, "rw/l", NULL, 1, 0},
	{OP_SYMLINK, "ro/l", NULL, 1, EACCES},
	{OP_MKFIFO, "rw/fifo", NULL, 1, 0},
	{OP_MKNOD_CHAR, "rw/null", NULL, 1, EACCES}, /* root here, so only Landlock stops it */
	{OP_RENAME, "rw/f", "rw/g", 1, 0},
	{OP_RENAME, "rw/f", "rw/sub/g", 2, 0}, /* across directories: REFER, from ABI 2 */
	{OP_RENAME, "rw/f", "out/g", 1, EACCES},
	{OP_RENAME, "out/f", "rw/g", 1, EACCES},
	{OP_RENAME, "rw/f", "ro/g", 1, EACCES},
	{OP_LINK, "rw/f", "rw/h", 1, 0},
	{OP_LINK, "rw/f", "rw/sub/h", 2, 0},
	{OP_LINK, "out/f", "rw/h", 1, EXDEV}, /* a link may not widen what reaches the file */
	{OP_EXEC, "x/true", NULL, 1, 0},
	{OP_EXEC, "ro/true", NULL, 1, EACCES},
	{OP_EXEC, "/bin/true", NULL, 1, 0},
};

static int result(int r)
{
	return r < 0 ? errno : 0;
}

static int fs_attempt(const void *arg)
{
	const struct fs_case *c = arg;
	const char *a = at(c->a), *b = c->b ? at(c->b) : NULL;
	char buf[16];
	int fd, r;

	switch (c->op) {
	case OP_READ:
		fd = open(a, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		r = result((int)read(fd, buf, sizeof(buf)));
		close(fd);
		return r;
	case OP_LIST: {
		DIR *d = opendir(a);

		if (!d)
			return errno;
		errno = 0;
		r = readdir(d) ? 0 : (errno ? errno : ENOENT);
		closedir(d);
		return r;
	}
	case OP_WRITE:
	case OP_CREATE:
	case OP_TRUNC_OPEN:
		fd = open(a,
			  O_WRONLY | O_CLOEXEC |
				  (c->op == OP_CREATE	    ? O_CREAT | O_EXCL
				   : c->op == OP_TRUNC_OPEN ? O_TRUNC
							    : 0),
			  0644);
		if (fd < 0)
			return errno;
		r = result((int)write(fd, "x", 1));
		close(fd);
		return r;
	case OP_TRUNCATE:
		return result(truncate(a, 0));
	case OP_MKDIR:
		return result(mkdir(a, 0755));
	case OP_RMDIR:
		return result(rmdir(a));
	case OP_UNLINK:
		return result(unlink(a));
	case OP_SYMLINK:
		return result(symlink("/etc", a));
	case OP_MKFIFO:
		return result(mkfifo(a, 0644));
	case OP_MKNOD_CHAR:
		return result(mknod(a, S_IFCHR | 0644, makedev(1, 3)));
	case OP_RENAME:
		return result(rename(a, b));
	case OP_LINK:
		return result(link(a, b));
	case OP_EXEC:
		execv(a, (char *const[]){(char *)a, NULL});
		return errno;
	}
	return EINVAL;
}

START_TEST(test_filesystem)
{
	const struct fs_case *c = &fs_cases[_i];
	struct landlock_rules rules;
	int got;

	if (abi < c->min_abi)
		return;
	fixture_rules(&rules);
	got = run_restricted(&rules, fs_attempt, c);
	ck_assert_msg(got == c->want, "%s '%s'%s%s: got %s, expected %s", op_names[c->op], c->a,
		      c->b ? " -> " : "", c->b ? c->b : "", got ? strerror(got) : "success",
		      c->want ? strerror(c->want) : "success");
}
END_TEST

/* Without the rules the same attempts succeed: the table above measures Landlock, not DAC. */
START_TEST(test_filesystem_unrestricted)
{
	static const struct fs_case controls[] = {
		{OP_READ, "out/f", NULL, 1, 0},
		{OP_CREATE, "out/new", NULL, 1, 0},
		{OP_LIST, "/", NULL, 1, 0},
		{OP_RENAME, "rw/f", "out/g", 1, 0},
	};
	struct landlock_rules rules;

	landlock_rules_init(&rules);
	for (size_t i = 0; i < ELEMENTSOF(controls); i++) {
		pid_t pid = fork();
		int st;

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			_exit(fs_attempt(&controls[i]));
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "control %zu: %d", i, st);
	}
}
END_TEST

/* Nothing at all allowed: not even exec of /bin/true. */
START_TEST(test_empty_rules_deny_everything)
{
	static const struct fs_case c = {OP_EXEC, "/bin/true", NULL, 1, EACCES};
	static const struct fs_case r = {OP_READ, "/etc/passwd", NULL, 1, EACCES};
	struct landlock_rules rules;

	landlock_rules_init(&rules);
	ck_assert_int_eq(run_restricted(&rules, fs_attempt, &c), EACCES);
	ck_assert_int_eq(run_restricted(&rules, fs_attempt, &r), EACCES);
}
END_TEST

static int ioctl_null(const void *arg)
{
	struct termios t;
	int fd, r;

	(void)arg;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	r = result(ioctl(fd, TCGETS, &t));
	close(fd);
	return r;
}

/* ioctl on a device needs 'd' (ABI 5); /dev/null answers ENOTTY when it is allowed. */
START_TEST(test_device_ioctl)
{
	struct landlock_rules rules;

	if (abi < 5)
		return;
	landlock_rules_init(&rules);
	ck_assert_ok(landlock_rules_add(&rules, "/dev/null", LANDLOCK_WRITE));
	ck_assert_int_eq(run_restricted(&rules, ioctl_null, NULL), EACCES);
	landlock_rules_init(&rules);
	ck_assert_ok(
		landlock_rules_add(&rules, "/dev/null", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE));
	ck_assert_int_eq(run_restricted(&rules, ioctl_null, NULL), ENOTTY);
}
END_TEST

static int listener(uint16_t *ret_port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

static int tcp_connect(const void *arg)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(*(const uint16_t *)arg),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return errno;
	r = result(connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	return r;
}

START_TEST(test_tcp_connect)
{
	_cleanup_close_ int a = -EBADF, b = -EBADF;
	struct landlock_rules rules;
	uint16_t pa, pb;

	if (abi < 4) {
		fprintf(stderr, "Landlock ABI %d: TCP rules need ABI 4, not checked\n", abi);
		return;
	}
	a = listener(&pa);
	b = listener(&pb);

	landlock_rules_init(&rules);
	rules.connect_port = pa;
	ck_assert_int_eq(run_restricted(&rules, tcp_connect, &pa), 0);
	ck_assert_int_eq(run_restricted(&rules, tcp_connect, &pb), EACCES);

	rules.connect_port = LANDLOCK_NET_NONE;
	ck_assert_int_eq(run_restricted(&rules, tcp_connect, &pa), EACCES);

	rules.connect_port = LANDLOCK_NET_UNRESTRICTED;
	ck_assert_int_eq(run_restricted(&rules, tcp_connect, &pb), 0);
}
END_TEST

static int signal_parent(const void *arg)
{
	(void)arg;
	return result(kill(getppid(), 0));
}

/* Signals inside the domain still work: the tool's own children. */
static int signal_own_child(const void *arg)
{
	pid_t pid = fork();
	int st;

	(void)arg;
	if (pid < 0)
		return errno;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (kill(pid, SIGKILL) < 0)
		return errno;
	if (waitpid(pid, &st, 0) != pid)
		return errno;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : EPROTO;
}

/* Signals into the domain from outside (sandbox-init forwarding) still arrive. */
static int wait_for_signal(const void *arg)
{
	const int *ready = arg;
	struct timespec ts = {.tv_sec = 10};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (write(*ready, "x", 1) != 1)
		return errno;
	return sigtimedwait(&set, NULL, &ts) == SIGUSR1 ? 0 : ETIMEDOUT;
}

START_TEST(test_signal_scope)
{
	struct landlock_rules rules;
	int pipefd[2], st;
	sigset_t set, old;
	char c;
	pid_t pid;

	if (abi < 6) {
		fprintf(stderr, "Landlock ABI %d: signal scoping needs ABI 6, not checked\n", abi);
		return;
	}
	landlock_rules_init(&rules);
	ck_assert_int_eq(run_restricted(&rules, signal_parent, NULL), EPERM);
	ck_assert_int_eq(run_restricted(&rules, signal_own_child, NULL), 0);

	/* SIGUSR1 blocked before the fork so it waits for sigtimedwait(). */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, &old), 0);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || landlock_apply(&rules, NULL) < 0)
			_exit(CHILD_APPLY_FAILED);
		_exit(wait_for_signal(&pipefd[1]));
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	ck_assert_int_eq(kill(pid, SIGUSR1), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}
END_TEST

static int abstract_connect(const void *arg)
{
	const struct sockaddr_un *sa = arg;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return errno;
	r = result(connect(fd, (const struct sockaddr *)sa,
			   offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa->sun_path + 1)));
	close(fd);
	return r;
}

START_TEST(test_abstract_socket_scope)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -EBADF;
	struct landlock_rules rules;
	socklen_t len;

	if (abi < 6)
		return;
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "sbx-test-landlock-%d", getpid());
	len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(listen(fd, 8), 0);

	landlock_rules_init(&rules);
	ck_assert_int_eq(run_restricted(&rules, abstract_connect, &sa), EPERM);
}
END_TEST

/* Runs argv with the system set and root (the workspace) writable, cwd there, and returns the
 * wait status; stdout and stderr land in out. */
static int run_program(const char *const *argv, char *out, size_t size)
{
	const char *env[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL, NULL};
	char home[PATH_MAX];
	struct landlock_rules rules;
	int pipefd[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	snprintf(home, sizeof(home), "HOME=%s", root);
	env[2] = home;
	landlock_rules_init(&rules);
	rules.connect_port = LANDLOCK_NET_NONE;
	ck_assert_ok(landlock_rules_add_system(&rules));
	ck_assert_ok(landlock_rules_add(&rules, root, LANDLOCK_WRITE));

	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sbx_error e = {};

		if (dup2(pipefd[1], 1) < 0 || dup2(pipefd[1], 2) < 0 || chdir(root) < 0)
			_exit(CHILD_APPLY_FAILED);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || landlock_apply(&rules, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			_exit(CHILD_APPLY_FAILED);
		}
		execve(argv[0], (char *const *)argv, (char *const *)env);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	while (got + 1 < size && (n = read(pipefd[0], out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

#define RUN(out, ...) run_program((const char *const[]){__VA_ARGS__, NULL}, out, sizeof(out))

static void assert_ran(int st, const char *out, const char *want)
{
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d, output: %s", st, out);
	if (want)
		ck_assert_str_eq(out, want);
}

START_TEST(test_interpreters)
{
	char out[4096], outside[PATH_MAX + 64];
	int st;

	assert_ran(RUN(out, "/bin/true"), out, "");
	assert_ran(RUN(out, "/bin/bash", "-c", "true"), out, "");
	assert_ran(RUN(out, "/bin/bash", "-c", "echo hi > f && cat f && rm f && ls /dev/null"), out,
		   "hi\n/dev/null\n");
	/* The rest of the host is out of reach from the shell too. */
	st = RUN(out, "/bin/bash", "-c", "ls /tmp");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != 0 && strstr(out, "Permission denied"),
		      "status %d, output: %s", st, out);

	if (access("/usr/bin/python3", X_OK) == 0) {
		assert_ran(RUN(out, "/usr/bin/python3", "-c", "print(1)"), out, "1\n");
		assert_ran(RUN(out, "/usr/bin/python3", "-c",
			       "open('f', 'w').write('x'); print(open('f').read())"),
			   out, "x\n");
		/* Semaphores live in /dev/shm. */
		assert_ran(RUN(out, "/usr/bin/python3", "-c",
			       "import multiprocessing as m, os\n"
			       "l = m.Lock(); l.acquire(); l.release(); print(os.cpu_count() > 0)"),
			   out, "True\n");
		snprintf(outside, sizeof(outside), "open('%s.outside', 'w')", root);
		st = RUN(out, "/usr/bin/python3", "-c", outside);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1 &&
				      strstr(out, "PermissionError"),
			      "status %d, output: %s", st, out);
	} else {
		fprintf(stderr, "no /usr/bin/python3: not checked\n");
	}

	if (access("/usr/bin/node", X_OK) == 0)
		assert_ran(RUN(out, "/usr/bin/node", "-e",
			       "require('fs').writeFileSync('n', '2'); "
			       "console.log(require('fs').readFileSync('n', 'utf8'))"),
			   out, "2\n");
	else
		fprintf(stderr, "no /usr/bin/node: not checked\n");
}
END_TEST

/* Run as `test-landlock --no-landlock` under no-syscall: what a kernel without Landlock
 * answers. Exit 0 when it is the documented answer. */
static int no_landlock_main(void)
{
	struct landlock_rules rules;
	struct sbx_error e = {};
	int r;

	if (landlock_abi() != 0) {
		fprintf(stderr, "landlock_abi() = %d under no-syscall\n", landlock_abi());
		return 1;
	}
	landlock_rules_init(&rules);
	r = landlock_apply(&rules, &e);
	if (r != -EOPNOTSUPP || e.code != -EOPNOTSUPP || !strstr(e.msg, "no Landlock")) {
		fprintf(stderr, "landlock_apply() = %d: %s\n", r, e.msg);
		return 1;
	}
	return 0;
}

START_TEST(test_no_landlock)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execv(NO_SYSCALL_PATH,
		      (char *const[]){(char *)NO_SYSCALL_PATH, (char *)"landlock_create_ruleset",
				      (char *)"--", self_exe, (char *)"--no-landlock", NULL});
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
}
END_TEST

static Suite *landlock_suite(void)
{
	Suite *s = suite_create("landlock");
	TCase *tc = tcase_create("filesystem");

	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_loop_test(tc, test_filesystem, 0, ELEMENTSOF(fs_cases));
	tcase_add_test(tc, test_filesystem_unrestricted);
	tcase_add_test(tc, test_empty_rules_deny_everything);
	tcase_add_test(tc, test_device_ioctl);
	suite_add_tcase(s, tc);

	tc = tcase_create("network and scopes");
	tcase_set_timeout(tc, TIMEOUT);
	tcase_add_test(tc, test_tcp_connect);
	tcase_add_test(tc, test_signal_scope);
	tcase_add_test(tc, test_abstract_socket_scope);
	suite_add_tcase(s, tc);

	tc = tcase_create("programs");
	tcase_set_timeout(tc, TIMEOUT * 2);
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, test_interpreters);
	tcase_add_test(tc, test_no_landlock);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 2 && strcmp(argv[1], "--no-landlock") == 0)
		return no_landlock_main();

	abi = landlock_abi();
	if (abi < 0) {
		fprintf(stderr, "landlock_abi: %s\n", strerror(-abi));
		return EXIT_FAILURE;
	}
	if (abi == 0) {
		fprintf(stderr,
			"skipped: the kernel has no Landlock (not built, or not in lsm=)\n");
		return 77;
	}
	fprintf(stderr, "Landlock ABI %d\n", abi);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n < 0)
		return EXIT_FAILURE;
	self_exe[n] = '\0';
	return test_run_suite(landlock_suite());
}
