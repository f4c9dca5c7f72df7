/* SPDX-License-Identifier: MIT */
/* Landlock for one tool process: the rule list, its bounded encoding, and the ruleset built from
 * it for whatever ABI the kernel has. Runs in the forked tool process inside the sandbox and is
 * linked into the static sandbox-init, so libc and raw syscalls only, and no allocation.
 * no_new_privs (which restrict_self needs) is caps.c's; the seccomp filter is syscall-filter.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "macro.h"

#define LANDLOCK_MAGIC "landlock 1"

/* Letters of the encoding, in their canonical order. */
static const struct {
	char letter;
	unsigned grant;
} grant_letters[] = {
	{'r', LANDLOCK_GRANT_READ},   {'w', LANDLOCK_GRANT_WRITE},  {'x', LANDLOCK_GRANT_EXEC},
	{'d', LANDLOCK_GRANT_DEVICE}, {'c', LANDLOCK_GRANT_CREATE},
};

/* What a program of the image needs to start and run, whatever the skill. Deliberately absent:
 * "/" and /dev themselves (listing them is never needed to start), /tmp, /workspace, /home,
 * /root, /var, /run, /srv and /mnt (a skill grants them, or nothing does), the rest of /sys,
 * and any right to create device nodes. */
static const struct landlock_rule system_rules[] = {
	/* Programs, libraries, ld.so. On a merged-/usr image /bin, /sbin, /lib and /lib64 are
	 * symlinks into /usr and are skipped (rules never follow symlinks); /usr covers them. */
	{"/usr", LANDLOCK_READ_EXEC},
	{"/bin", LANDLOCK_READ_EXEC},
	{"/sbin", LANDLOCK_READ_EXEC},
	{"/lib", LANDLOCK_READ_EXEC},
	{"/lib64", LANDLOCK_READ_EXEC},
	/* Runtimes installed outside /usr (node, conda, JDKs); skipped where the image has none. */
	{"/opt", LANDLOCK_READ_EXEC},
	/* ld.so.cache, nsswitch.conf, passwd, localtime, TLS roots, alternatives. */
	{"/etc", LANDLOCK_READ},
	/* /proc/self (maps, fd, exe, status) for runtimes and sanitizers. Only the sandbox's pid
	 * namespace is visible, other processes' entries keep their ptrace checks, and nothing
	 * under /proc is writable (no oom_score_adj, no /proc/self/mem). */
	{"/proc", LANDLOCK_READ},
	/* The CPU count (glibc get_nprocs: nproc, os.cpu_count) and the cgroup limits that node,
	 * the JVM and Go size heaps and thread pools by; the cgroup namespace shows only ours.
	 * Skipped (missing) while sandboxes do not mount /sys. */
	{"/sys/devices/system/cpu", LANDLOCK_READ},
	{"/sys/fs/cgroup", LANDLOCK_READ},
	/* The devices dev.c binds in are harmless, so they get ioctl too: a tty needs it
	 * (TCGETS, TIOCGWINSZ), and the memory devices answer ENOTTY either way. /dev/ptmx is a
	 * symlink into /dev/pts. */
	{"/dev/null", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	{"/dev/zero", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	{"/dev/full", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	{"/dev/random", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	{"/dev/urandom", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	{"/dev/tty", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	{"/dev/pts", LANDLOCK_WRITE | LANDLOCK_GRANT_DEVICE},
	/* POSIX shared memory and semaphores (Python multiprocessing): the sandbox's own tmpfs,
	 * bounded in size, not executable from here. */
	{"/dev/shm", LANDLOCK_WRITE},
};

/* The filesystem rights each ABI added. */
static const struct {
	int abi;
	uint64_t access;
} fs_since[] = {
	{1, LL_ACCESS_FS_EXECUTE | LL_ACCESS_FS_WRITE_FILE | LL_ACCESS_FS_READ_FILE |
		    LL_ACCESS_FS_READ_DIR | LL_ACCESS_FS_REMOVE_DIR | LL_ACCESS_FS_REMOVE_FILE |
		    LL_ACCESS_FS_MAKE_CHAR | LL_ACCESS_FS_MAKE_DIR | LL_ACCESS_FS_MAKE_REG |
		    LL_ACCESS_FS_MAKE_SOCK | LL_ACCESS_FS_MAKE_FIFO | LL_ACCESS_FS_MAKE_BLOCK |
		    LL_ACCESS_FS_MAKE_SYM},
	{2, LL_ACCESS_FS_REFER},
	{3, LL_ACCESS_FS_TRUNCATE},
	{5, LL_ACCESS_FS_IOCTL_DEV},
};

static bool grant_valid(unsigned grant)
{
	return (grant & LANDLOCK_GRANT_READ) && (grant & ~(unsigned)_LANDLOCK_GRANT_ALL) == 0;
}

/* Absolute, shorter than LANDLOCK_PATH_MAX, and without "." or ".." components: the policy
 * layer hands over normalised paths, so anything else is a bug or a forgery. */
static int path_check(const char *path, size_t len)
{
	const char *end = path + len;

	if (len == 0 || path[0] != '/')
		return -EINVAL;
	if (len >= LANDLOCK_PATH_MAX)
		return -ENAMETOOLONG;
	for (const char *c = path; c < end;) {
		const char *s;

		while (c < end && *c == '/')
			c++;
		s = c;
		while (c < end && *c != '/')
			c++;
		if ((c - s == 1 && s[0] == '.') || (c - s == 2 && s[0] == '.' && s[1] == '.'))
			return -EINVAL;
	}
	return 0;
}

static bool rules_valid(const struct landlock_rules *rules)
{
	if (rules->n_rules > LANDLOCK_RULES_MAX)
		return false;
	if (rules->connect_port < LANDLOCK_NET_UNRESTRICTED || rules->connect_port > 65535)
		return false;
	for (size_t i = 0; i < rules->n_rules; i++) {
		const struct landlock_rule *r = &rules->rules[i];

		if (!r->path || !grant_valid(r->grant) ||
		    path_check(r->path, strnlen(r->path, LANDLOCK_PATH_MAX)) < 0)
			return false;
	}
	return true;
}

/* Writes the letters of grant (at most 4, no NUL) and returns how many. */
static size_t grant_format(unsigned grant, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(grant_letters); i++)
		if (grant & grant_letters[i].grant)
			out[n++] = grant_letters[i].letter;
	return n;
}

/* Only the canonical spelling: 'r' first, then letters in table order, none twice. */
static int grant_parse(const char *s, size_t n, unsigned *ret)
{
	unsigned grant = 0;
	size_t next = 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = next;

		while (i < ELEMENTSOF(grant_letters) && grant_letters[i].letter != s[k])
			i++;
		if (i == ELEMENTSOF(grant_letters))
			return -EBADMSG;
		grant |= grant_letters[i].grant;
		next = i + 1;
	}
	if (!grant_valid(grant))
		return -EBADMSG;
	*ret = grant;
	return 0;
}

/* -1, 0 or 1-65535, spelled exactly as "%d" spells it (no sign, no leading zeros, no spaces). */
static int port_parse(const char *s, size_t n, int *ret)
{
	char again[16];
	long v = 0;

	if (n == 2 && s[0] == '-' && s[1] == '1') {
		*ret = LANDLOCK_NET_UNRESTRICTED;
		return 0;
	}
	if (n == 0 || n > 5)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return -EBADMSG;
	if ((size_t)snprintf(again, sizeof(again), "%ld", v) != n || memcmp(again, s, n) != 0)
		return -EBADMSG;
	*ret = (int)v;
	return 0;
}

void landlock_rules_init(struct landlock_rules *rules)
{
	rules->n_rules = 0;
	rules->connect_port = LANDLOCK_NET_UNRESTRICTED;
}

int landlock_rules_add(struct landlock_rules *rules, const char *path, unsigned grant)
{
	int r;

	grant |= LANDLOCK_GRANT_READ;
	if (!path || !grant_valid(grant))
		return -EINVAL;
	r = path_check(path, strnlen(path, LANDLOCK_PATH_MAX));
	if (r < 0)
		return r;
	if (rules->n_rules >= LANDLOCK_RULES_MAX)
		return -E2BIG;
	rules->rules[rules->n_rules++] = (struct landlock_rule){.path = path, .grant = grant};
	return 0;
}

int landlock_rules_add_system(struct landlock_rules *rules)
{
	/* All or nothing: a half-added system set would leave a tool that cannot start. */
	if (rules->n_rules > LANDLOCK_RULES_MAX - ELEMENTSOF(system_rules))
		return -E2BIG;
	for (size_t i = 0; i < ELEMENTSOF(system_rules); i++) {
		int r = landlock_rules_add(rules, system_rules[i].path, system_rules[i].grant);

		if (r < 0)
			return r;
	}
	return 0;
}

ssize_t landlock_rules_encoded_size(const struct landlock_rules *rules)
{
	char letters[ELEMENTSOF(grant_letters)];
	char port[16];
	size_t size;

	if (!rules_valid(rules))
		return -EINVAL;
	size = sizeof(LANDLOCK_MAGIC) +
	       (size_t)snprintf(port, sizeof(port), "net %d", rules->connect_port) + 1;
	for (size_t i = 0; i < rules->n_rules; i++)
		size += grant_format(rules->rules[i].grant, letters) + 1 +
			strlen(rules->rules[i].path) + 1;
	return (ssize_t)size;
}

ssize_t landlock_rules_encode(const struct landlock_rules *rules, char *buf, size_t size)
{
	ssize_t total = landlock_rules_encoded_size(rules);
	char *p = buf;
	int n;

	if (total < 0)
		return total;
	if ((size_t)total > size)
		return -ENOBUFS;

	memcpy(p, LANDLOCK_MAGIC, sizeof(LANDLOCK_MAGIC));
	p += sizeof(LANDLOCK_MAGIC);
	n = snprintf(p, size - (size_t)(p - buf), "net %d", rules->connect_port);
	p += n + 1;
	for (size_t i = 0; i < rules->n_rules; i++) {
		size_t len = strlen(rules->rules[i].path);

		p += grant_format(rules->rules[i].grant, p);
		*p++ = ' ';
		memcpy(p, rules->rules[i].path, len + 1);
		p += len + 1;
	}
	return total;
}

int landlock_rules_decode(const char *buf, size_t len, struct landlock_rules *ret,
			  struct sbx_error *reterr)
{
	struct landlock_rules rules;
	const char *p = buf, *end = buf + len;
	size_t n;

	if (len == 0 || len > LANDLOCK_ENCODED_MAX)
		return sbx_fail(reterr, -EBADMSG,
				"decode Landlock rules: %zu bytes, expected 1 to %zu", len,
				(size_t)LANDLOCK_ENCODED_MAX);
	/* Every field ends in a NUL, so strlen() below never runs past the buffer. */
	if (buf[len - 1] != '\0')
		return sbx_fail(reterr, -EBADMSG, "decode Landlock rules: last field unterminated");

	n = strlen(p);
	if (n != sizeof(LANDLOCK_MAGIC) - 1 || memcmp(p, LANDLOCK_MAGIC, n) != 0)
		return sbx_fail(reterr, -EBADMSG, "decode Landlock rules: not '%s'",
				LANDLOCK_MAGIC);
	p += n + 1;

	landlock_rules_init(&rules);
	if (p == end)
		return sbx_fail(reterr, -EBADMSG, "decode Landlock rules: no network field");
	n = strlen(p);
	if (n < 4 || memcmp(p, "net ", 4) != 0 || port_parse(p + 4, n - 4, &rules.connect_port) < 0)
		return sbx_fail(reterr, -EBADMSG,
				"decode Landlock rules: network field is not 'net -1|0-65535'");
	p += n + 1;

	while (p < end) {
		const char *space;
		struct landlock_rule *r;

		if (rules.n_rules >= LANDLOCK_RULES_MAX)
			return sbx_fail(reterr, -EBADMSG,
					"decode Landlock rules: more than %d rules",
					LANDLOCK_RULES_MAX);
		r = &rules.rules[rules.n_rules];
		n = strlen(p);
		space = memchr(p, ' ', n);
		if (!space || grant_parse(p, (size_t)(space - p), &r->grant) < 0)
			return sbx_fail(
				reterr, -EBADMSG,
				"decode Landlock rules: rule %zu: grant is not 'r[w][x][d]'",
				rules.n_rules + 1);
		r->path = space + 1;
		if (path_check(r->path, n - (size_t)(r->path - p)) < 0)
			return sbx_fail(reterr, -EBADMSG,
					"decode Landlock rules: rule %zu: path is not absolute, "
					"normalised and shorter than %d bytes",
					rules.n_rules + 1, LANDLOCK_PATH_MAX);
		rules.n_rules++;
		p += n + 1;
	}

	*ret = rules;
	return 0;
}

int landlock_abi(void)
{
	long r = syscall(LL_SYS_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	if (r >= 0)
		return r > INT_MAX ? INT_MAX : (int)r;
	/* ENOSYS: built without Landlock (or a filter hides it); EOPNOTSUPP: not enabled at boot
	 * (lsm=). Both mean the policy layer is all there is. */
	if (errno == ENOSYS || errno == EOPNOTSUPP)
		return 0;
	return negative_errno();
}

uint64_t landlock_handled_fs(int abi)
{
	uint64_t access = 0;

	for (size_t i = 0; i < ELEMENTSOF(fs_since); i++)
		if (abi >= fs_since[i].abi)
			access |= fs_since[i].access;
	return access;
}

uint64_t landlock_grant_to_access(unsigned grant, bool is_dir, int abi)
{
	uint64_t access = 0;

	if (grant & LANDLOCK_GRANT_READ)
		access |= LL_ACCESS_FS_READ_FILE | LL_ACCESS_FS_READ_DIR;
	/* Everything that changes the tree except creating device nodes (which would need
	 * CAP_MKNOD as well). REFER lets renames and links move files between directories of
	 * write trees; without ABI 2 the kernel refuses those (EXDEV) whatever we grant. */
	if (grant & LANDLOCK_GRANT_WRITE)
		access |= LL_ACCESS_FS_WRITE_FILE | LL_ACCESS_FS_TRUNCATE |
			  LL_ACCESS_FS_REMOVE_DIR | LL_ACCESS_FS_REMOVE_FILE |
			  LL_ACCESS_FS_MAKE_DIR | LL_ACCESS_FS_MAKE_REG | LL_ACCESS_FS_MAKE_SOCK |
			  LL_ACCESS_FS_MAKE_FIFO | LL_ACCESS_FS_MAKE_SYM | LL_ACCESS_FS_REFER;
	if (grant & LANDLOCK_GRANT_EXEC)
		access |= LL_ACCESS_FS_EXECUTE;
	if (grant & LANDLOCK_GRANT_DEVICE)
		access |= LL_ACCESS_FS_IOCTL_DEV;
	/* The kernel refuses a rule on a file that carries directory rights (EINVAL). */
	if (!is_dir)
		access &= LL_ACCESS_FS_FILE;
	/* Nor may a rule carry a right the ruleset does not handle. */
	return access & landlock_handled_fs(abi);
}

size_t landlock_ruleset_attr(int abi, int connect_port, struct ll_ruleset_attr *ret)
{
	*ret = (struct ll_ruleset_attr){.handled_access_fs = landlock_handled_fs(abi)};
	/* The size tells the kernel which fields we use; an older one refuses a larger struct
	 * unless the fields it does not know are zero, so pass exactly what this ABI knows. */
	if (abi < 4)
		return LL_RULESET_ATTR_SIZE_V1;
	/* Binding stays unhandled: a listener in the sandbox's own netns is reachable only from
	 * inside, where connect() is what is restricted. */
	if (connect_port != LANDLOCK_NET_UNRESTRICTED)
		ret->handled_access_net = LL_ACCESS_NET_CONNECT_TCP;
	if (abi < 6)
		return LL_RULESET_ATTR_SIZE_V4;
	/* Signals and abstract sockets only reach out of the domain, never in: sandbox-init,
	 * outside it, still signals the tool, but the tool cannot signal sandbox-init or a sibling
	 * tool process (with other rules), nor connect to their abstract sockets. */
	ret->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	return LL_RULESET_ATTR_SIZE_V6;
}

/* Opens path with O_PATH one component at a time without following any symlink: a process that
 * can write a directory on the way (an earlier tool call, a sibling) could otherwise plant a
 * symlink where a rule's path does not exist yet and aim that rule at "/" or /etc. */
static int open_no_symlinks(const char *path, bool create)
{
	_cleanup_close_ int fd = -EBADF;
	const char *p = path;

	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	for (;;) {
		char name[NAME_MAX + 1];
		struct stat st;
		size_t n;
		int next;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return TAKE_FD(fd);
		n = strcspn(p, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;

		next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		/* Made through the fd just checked: a symlink planted meanwhile is not followed. */
		if (next < 0 && errno == ENOENT && create && mkdirat(fd, name, 0755) >= 0)
			next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return negative_errno();
		safe_close(fd);
		fd = next;
		if (fstat(fd, &st) < 0)
			return negative_errno();
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
	}
}

/* Adds one path_beneath rule; 0 also when the path is skipped. */
static int add_path_rule(int ruleset, const struct landlock_rule *rule, int abi)
{
	_cleanup_close_ int fd = -EBADF;
	struct ll_path_beneath_attr attr;
	struct stat st;

	fd = open_no_symlinks(rule->path, rule->grant & LANDLOCK_GRANT_CREATE);
	/* Policies name glob prefixes that may not exist yet (an output directory); a symlink is
	 * treated the same, and so is a path this process could not reach anyway. Each grants
	 * nothing, which is the safe side. */
	if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP || fd == -EACCES)
		return 0;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return negative_errno();

	attr = (struct ll_path_beneath_attr){
		.allowed_access = landlock_grant_to_access(rule->grant, S_ISDIR(st.st_mode), abi),
		.parent_fd = fd,
	};
	/* An empty rule is refused (ENOMSG) and would grant nothing anyway. */
	if (attr.allowed_access == 0)
		return 0;
	if (syscall(LL_SYS_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
		return negative_errno();
	return 0;
}

int landlock_apply(const struct landlock_rules *rules, struct sbx_error *reterr)
{
	_cleanup_close_ int ruleset = -EBADF;
	struct ll_ruleset_attr attr;
	size_t size;
	long fd;
	int abi, r;

	if (!rules_valid(rules))
		return sbx_fail(reterr, -EINVAL, "apply Landlock rules: malformed rule list");
	abi = landlock_abi();
	if (abi < 0)
		return sbx_fail(reterr, abi, "query the Landlock ABI version");
	if (abi == 0)
		return sbx_fail(reterr, -EOPNOTSUPP,
				"apply Landlock rules: the kernel has no Landlock");

	size = landlock_ruleset_attr(abi, rules->connect_port, &attr);
	fd = syscall(LL_SYS_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return sbx_fail(reterr, negative_errno(), "create a Landlock ruleset (ABI %d)",
				abi);
	ruleset = (int)fd;

	for (size_t i = 0; i < rules->n_rules; i++) {
		r = add_path_rule(ruleset, &rules->rules[i], abi);
		if (r < 0)
			return sbx_fail(reterr, r, "add Landlock rule for '%s'",
					rules->rules[i].path);
	}

	/* Port 0 (LANDLOCK_NET_NONE) handles connect with no port allowed: no TCP at all. */
	if (attr.handled_access_net != 0 && rules->connect_port > 0) {
		struct ll_net_port_attr net = {
			.allowed_access = LL_ACCESS_NET_CONNECT_TCP,
			.port = (uint64_t)rules->connect_port,
		};

		if (syscall(LL_SYS_add_rule, ruleset, LL_RULE_NET_PORT, &net, 0) < 0)
			return sbx_fail(reterr, negative_errno(),
					"add Landlock rule for TCP connect to port %d",
					rules->connect_port);
	}

	/* EPERM here means no_new_privs is not set (and we lack CAP_SYS_ADMIN). */
	if (syscall(LL_SYS_restrict_self, ruleset, 0) < 0)
		return sbx_fail(reterr, negative_errno(),
				"restrict the tool process with Landlock");
	return abi;
}
