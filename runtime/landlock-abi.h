/* SPDX-License-Identifier: MIT */
/* Our own copy of the Landlock UAPI through ABI 6 (Linux 6.12), under LL_ names: the build
 * machine's <linux/landlock.h> predates ABI 4 and a newer one must never clash with ours. ABI 7
 * only adds audit-log flags to restrict_self, whose defaults we keep. Values are the kernel's
 * (include/uapi/linux/landlock.h); what to do with them is landlock.c. */
#pragma once

#include <stdint.h>

/* The same numbers on every architecture: Landlock came after the syscall table unification. */
#define LL_SYS_create_ruleset 444
#define LL_SYS_add_rule	      445
#define LL_SYS_restrict_self  446

/* landlock_create_ruleset(NULL, 0, flags): return the ABI version instead of a ruleset. */
#define LL_CREATE_RULESET_VERSION (1U << 0)

/* Field by field as in the kernel; the size passed says which fields an ABI knows (8 bytes up to
 * ABI 3, 16 from ABI 4, 24 from ABI 6). */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

#define LL_RULESET_ATTR_SIZE_V1 8  /* handled_access_fs */
#define LL_RULESET_ATTR_SIZE_V4 16 /* + handled_access_net */
#define LL_RULESET_ATTR_SIZE_V6 24 /* + scoped */

enum ll_rule_type {
	LL_RULE_PATH_BENEATH = 1,
	LL_RULE_NET_PORT = 2, /* ABI 4 */
};

/* Packed in the kernel's header too: 12 bytes. */
struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port; /* host byte order */
};

/* Filesystem rights. ABI 1: bits 0-12. */
#define LL_ACCESS_FS_EXECUTE	 (1ULL << 0)
#define LL_ACCESS_FS_WRITE_FILE	 (1ULL << 1)
#define LL_ACCESS_FS_READ_FILE	 (1ULL << 2)
#define LL_ACCESS_FS_READ_DIR	 (1ULL << 3)
#define LL_ACCESS_FS_REMOVE_DIR	 (1ULL << 4)
#define LL_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LL_ACCESS_FS_MAKE_CHAR	 (1ULL << 6)
#define LL_ACCESS_FS_MAKE_DIR	 (1ULL << 7)
#define LL_ACCESS_FS_MAKE_REG	 (1ULL << 8)
#define LL_ACCESS_FS_MAKE_SOCK	 (1ULL << 9)
#define LL_ACCESS_FS_MAKE_FIFO	 (1ULL << 10)
#define LL_ACCESS_FS_MAKE_BLOCK	 (1ULL << 11)
#define LL_ACCESS_FS_MAKE_SYM	 (1ULL << 12)
#define LL_ACCESS_FS_REFER	 (1ULL << 13) /* ABI 2: link or rename across directories */
#define LL_ACCESS_FS_TRUNCATE	 (1ULL << 14) /* ABI 3 */
#define LL_ACCESS_FS_IOCTL_DEV	 (1ULL << 15) /* ABI 5: ioctl on character and block devices */

/* The only rights a rule on something other than a directory may carry (else EINVAL). */
#define LL_ACCESS_FS_FILE                                                                          \
	(LL_ACCESS_FS_EXECUTE | LL_ACCESS_FS_WRITE_FILE | LL_ACCESS_FS_READ_FILE |                 \
	 LL_ACCESS_FS_TRUNCATE | LL_ACCESS_FS_IOCTL_DEV)

/* Network rights, ABI 4: TCP only. */
#define LL_ACCESS_NET_BIND_TCP	  (1ULL << 0)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)

/* IPC scoping, ABI 6: no reaching out of the domain. */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL		      (1ULL << 1)
