/* SPDX-License-Identifier: MIT */
/* Resolution for the file tools (internal to tools/files-*.c): hostile sandbox paths to fds
 * inside a session's root, without ever following a symlink, plus the sentences for what
 * resolution refuses. The public API is files.h. */
#pragma once

#include <dirent.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "files.h"

/* A whole path from the session's root: ".." and absolute paths stay in the root, and no
 * symlink (let alone a /proc magic link) is followed anywhere, so a swap cannot redirect us. */
#define FILES_RESOLVE_PATH (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)
/* One component below a directory fd. */
#define FILES_RESOLVE_CHILD (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)

/* Checks a NUL-terminated path as files_path_check() does. */
int files_path_validate(const char *verb, const char *path, struct sbx_error *reterr);

/* Writes the sentence for a failure r of "verb 'path'" (what resolution refuses gets its
 * reason: a symlink on the path, a name too long); returns r. */
int files_path_fail(struct sbx_error *reterr, int r, const char *verb, const char *path);

/* Opens a validated path below root_fd with flags (O_CLOEXEC added). Never pass O_NOFOLLOW
 * with O_PATH: that would return the symlink itself instead of -ELOOP. fd or -errno. */
int files_path_open(int root_fd, const char *path, int flags);

/* Opens one component name (no "/", not "." or "..") below dir_fd; fd or -errno. */
int files_path_open_child(int dir_fd, const char *name, int flags, mode_t mode);

/* Like files_path_open_child(), and refuses (-EXDEV) to step onto another mount. */
int files_path_open_child_same_mount(int dir_fd, const char *name, int flags);

/* Opens a DIR stream on a duplicate of dir_fd (which stays the caller's); 0 or -errno. */
int files_path_opendir(int dir_fd, DIR **ret);

/* name for a sentence when it is UTF-8; else a placeholder (names come from the
 * sandbox, and sentences cross the wire as strings). */
const char *files_path_printable(const char *name);

/* Opens the inode of an O_PATH fd again with flags (O_CLOEXEC | O_NOCTTY added) through
 * /proc/self/fd: the same inode, whatever happened to its name since. fd or -errno. */
int files_path_reopen(int path_fd, int flags);

/* Opens the directory of a validated path as O_PATH and points *ret_name at its last
 * component ("" for "/", whose "directory" is the root itself). make_parents creates the
 * missing directories on the way, FILES_DIR_MODE_DEFAULT, owned by root's uid/gid. */
int files_path_open_parent(const struct files_root *root, const char *path, bool make_parents,
			   int *ret_dir_fd, const char **ret_name);

/* Creates directory name below dir_fd with exactly mode (umask aside), owned by root's
 * uid/gid. Returns 1 if created, 0 if a directory was there; *ret_fd (optional) is the
 * directory's fd (O_PATH when it was there, O_RDONLY when created). Anything else at name is
 * -EEXIST, a symlink -ELOOP. */
int files_path_mkdir(const struct files_root *root, int dir_fd, const char *name, mode_t mode,
		     int *ret_fd);

/* Gives a file this call created its mode and owner: fchmod first (the daemon owns it, and
 * has no CAP_FOWNER), then fchown (CAP_CHOWN). fd must be open for reading or writing. */
int files_path_own(int fd, mode_t mode, uid_t uid, gid_t gid);

/* Writes dir + "/" + name into ret ("/" + name for the root); -ENAMETOOLONG when the result
 * would reach FILES_PATH_MAX. */
int files_path_join(char ret[static FILES_PATH_MAX], const char *dir, const char *name);

/* The type of an st_mode. */
enum files_type files_path_type(mode_t m);

/* "a directory", "a FIFO", ... for sentences. */
const char *files_path_type_name(mode_t m);

/* True when the directory entry name can be a child: not "", ".", ".." and no "/". */
bool files_path_name_ok(const char *name);

/* 0 for a regular file's st_mode; else the sentence for "verb 'path'" and -EISDIR (a
 * directory), -ELOOP (a symlink) or -EINVAL (FIFO, socket, device). */
int files_path_refuse_not_regular(const char *verb, const char *path, mode_t m,
				  struct sbx_error *reterr);

/* Unlinks name below dir_fd if it is still the inode st (a sandbox process may have renamed
 * ours away and put its own there); failures are ignored: this is cleanup. */
void files_path_unlink_if_same(int dir_fd, const char *name, const struct stat *st);
