/* SPDX-License-Identifier: MIT */
/* Landlock for one tool process: a compact rule list (paths with what they grant, and the one TCP
 * port it may connect to), its byte encoding for the trip into the sandbox, and applying it to the
 * calling process right before execve(). Which paths a skill grants is the policy's business;
 * no_new_privs is caps.c's; the kernel definitions are landlock-abi.h. docs/landlock.md says what
 * each grant allows. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "landlock-abi.h"

#define LANDLOCK_RULES_MAX 256	/* rules of one tool process */
#define LANDLOCK_PATH_MAX  4096 /* bytes of a rule path with its NUL, as PATH_MAX */

/* What a rule grants beneath its path. Every grant includes READ: landlock_rules_add() and the
 * decoder make it so (a tree a tool may write or run from is one it may read). */
enum landlock_grant {
	LANDLOCK_GRANT_READ = 1 << 0,	/* 'r': read files, list directories */
	LANDLOCK_GRANT_WRITE = 1 << 1,	/* 'w': write, truncate, create, remove, rename, link */
	LANDLOCK_GRANT_EXEC = 1 << 2,	/* 'x': execve() files */
	LANDLOCK_GRANT_DEVICE = 1 << 3, /* 'd': ioctl() on device files */
	LANDLOCK_GRANT_CREATE = 1 << 4, /* 'c': make the directory (and its missing parents) first,
					 * so a skill's output directory exists to be granted */
	_LANDLOCK_GRANT_ALL = (1 << 5) - 1,
};

#define LANDLOCK_READ	   LANDLOCK_GRANT_READ
#define LANDLOCK_READ_EXEC (LANDLOCK_GRANT_READ | LANDLOCK_GRANT_EXEC)
#define LANDLOCK_WRITE	   (LANDLOCK_GRANT_READ | LANDLOCK_GRANT_WRITE)

/* connect_port values besides a port 1-65535. */
#define LANDLOCK_NET_UNRESTRICTED (-1) /* TCP is not handled: any connect() */
#define LANDLOCK_NET_NONE	  0    /* no TCP connect() at all */

/* Longest encoding: magic, the port line, and LANDLOCK_RULES_MAX rules of "rwxd PATH". */
#define LANDLOCK_ENCODED_MAX                                                                       \
	(sizeof("landlock 1") + sizeof("net 65535") + LANDLOCK_RULES_MAX * (6 + LANDLOCK_PATH_MAX))

struct landlock_rule {
	const char *path; /* absolute, no "." or ".." components; borrowed, never freed here */
	unsigned grant;	  /* enum landlock_grant bits, READ always set */
};

/* Plain data without allocations, so it can be filled before fork() and used after it. Paths
 * are borrowed: from the caller of landlock_rules_add(), from a static table
 * (landlock_rules_add_system()), or from the buffer given to landlock_rules_decode(). */
struct landlock_rules {
	size_t n_rules;
	struct landlock_rule rules[LANDLOCK_RULES_MAX];
	int connect_port; /* LANDLOCK_NET_UNRESTRICTED, LANDLOCK_NET_NONE or a port */
};

/* Empties rules, network unrestricted. */
void landlock_rules_init(struct landlock_rules *rules);

/* Appends path with grant (READ is added); path stays owned by the caller and must outlive rules.
 * -EINVAL for a relative path, a "." or ".." component or an unknown grant bit, -ENAMETOOLONG
 * past LANDLOCK_PATH_MAX, -E2BIG when rules is full. */
int landlock_rules_add(struct landlock_rules *rules, const char *path, unsigned grant);

/* Appends what any program of the image needs to start and run: read+exec on /usr, /bin, /sbin,
 * /lib, /lib64, /opt; read on /etc, /proc and the bits of /sys runtimes size themselves by; read,
 * write and ioctl on the harmless devices and /dev/pts; read+write on /dev/shm. Not /tmp, not
 * /workspace: those come from the skill. The table and its reasons are in landlock.c. */
int landlock_rules_add_system(struct landlock_rules *rules);

/* Length of the encoding of rules, or -EINVAL when rules could not be encoded (a bad grant, path
 * or port, or too many rules). */
ssize_t landlock_rules_encoded_size(const struct landlock_rules *rules);

/* Writes rules as NUL-terminated fields (docs/landlock.md):
 *   "landlock 1" NUL, "net PORT" NUL, then per rule "GRANT PATH" NUL
 * with PORT -1, 0 or 1-65535 in plain decimal and GRANT the letters of "rwxd" it holds, in that
 * order. Returns the length, -ENOBUFS when size is too small, -EINVAL as above. */
ssize_t landlock_rules_encode(const struct landlock_rules *rules, char *buf, size_t size);

/* Parses an encoding, which is hostile: the exact format above and nothing else, canonical
 * (one encoding per rule list), at most LANDLOCK_ENCODED_MAX bytes and LANDLOCK_RULES_MAX rules,
 * absolute paths shorter than LANDLOCK_PATH_MAX. The paths of *ret point into buf. -EBADMSG with
 * the reason on any deviation. */
int landlock_rules_decode(const char *buf, size_t len, struct landlock_rules *ret,
			  struct sbx_error *reterr);

/* The kernel's Landlock ABI version (>= 1), 0 when the kernel has none (not built, or not
 * enabled at boot), -errno on any other failure. */
int landlock_abi(void);

/* The rights of every kind the given ABI can handle: all of them are denied unless a rule grants
 * them. Pure; ABIs above what landlock-abi.h knows get everything it knows. */
uint64_t landlock_handled_fs(int abi);

/* The filesystem rights grant stands for under the given ABI, on a directory or (is_dir false)
 * on anything else, where only per-file rights are allowed. Pure. */
uint64_t landlock_grant_to_access(unsigned grant, bool is_dir, int abi);

/* Fills *ret with the ruleset the given ABI can enforce for a connect_port (network handled only
 * from ABI 4 and only when connect_port is not LANDLOCK_NET_UNRESTRICTED; signals and abstract
 * sockets scoped from ABI 6) and returns the size to pass the kernel. Pure. */
size_t landlock_ruleset_attr(int abi, int connect_port, struct ll_ruleset_attr *ret);

/* Restricts the calling thread, for good, to rules; called in the forked tool process after
 * no_new_privs and right before execve(). Paths that do not exist or go through a symlink are
 * skipped. What an older kernel cannot enforce is left out (docs/landlock.md). Allocates
 * nothing. Returns the ABI enforced (>= 1), -EOPNOTSUPP when the kernel has no Landlock (the
 * caller says so once and relies on the policy layer), or another -errno with the sentence. */
int landlock_apply(const struct landlock_rules *rules, struct sbx_error *reterr);
