/* SPDX-License-Identifier: MIT */
/* The fixture of the tools/files-*.c tests: a temp directory holding a fake session root (its
 * own /etc/passwd, /workspace) and, next to it, files OUTSIDE the root that no call may ever
 * read or write. Needs root (chown, mknod, mount). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "files.h"

#define TREE_UID 100000 /* the session's root, in the host's view */
#define TREE_GID 100100

#define TREE_SECRET "HOST SECRET: never read through the file tools\n"
#define TREE_PASSWD "root:x:0:0:sandbox:/root:/bin/sh\n"

/* The session of the current test: fd of <base>/root, TREE_UID, TREE_GID. */
extern struct files_root tree_root;

/* The directory of one run, in the parent process (an unchecked fixture): every test's tree
 * is made inside it, and its teardown unmounts and removes whatever a failed test left (Check
 * ends a failed test's child with _exit(), before the checked teardown). */
void tree_run_setup(void);
void tree_run_teardown(void);

/* Builds the tree (called as a checked fixture):
 *   <base>/secret, <base>/outdir/secret    TREE_SECRET, outside the root
 *   <base>/root/etc/passwd                 TREE_PASSWD
 *   <base>/root/workspace/hello.txt        "hello\n"
 *   <base>/root/workspace/sub/inner.txt    "inner\n" */
void tree_setup(void);

/* Unmounts what tree_mount_tmpfs() mounted and removes the tree. */
void tree_teardown(void);

/* Host path of a sandbox path ("/workspace/x" -> <base>/root/workspace/x); of a path outside
 * the root with outside set ("secret" -> <base>/secret). Rotating static buffers. */
const char *tree_path(const char *sandbox_path);
const char *tree_outside(const char *rel);

/* Writes content to the sandbox path from the host side (O_CREAT|O_TRUNC, mode). */
void tree_put(const char *sandbox_path, const char *content, mode_t mode);

/* Contents of the host path (tree_path()/tree_outside()), malloc'd; NULL when missing. */
char *tree_slurp(const char *host_path);

/* Mounts a tmpfs of size (e.g. "1M") at the sandbox path, created as a directory. */
void tree_mount_tmpfs(const char *sandbox_path, const char *size);

/* Asserts that nothing outside the root changed: the secrets are intact and no other entry
 * appeared next to them. */
void tree_assert_outside_intact(void);
