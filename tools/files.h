/* SPDX-License-Identifier: MIT */
/* The filesystem engine of the file tools: read, write, upload, list, stat, remove, mkdir, move
 * and watch, on a session's root given as a directory fd. Every path is resolved inside that
 * root by openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS), so no symlink
 * is ever followed and a policy decision on a path is a decision on the object touched. The
 * policy decision itself is policy/decide.c's; the wire, upload ids and idle timeouts are
 * sandboxd/rpc-file.c's. Implemented by files-path.c (resolution), files.c (read, write, remove,
 * mkdir, move), files-upload.c (atomic replace), files-list.c (list, stat), files-watch.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define FILES_PATH_MAX		 4096  /* bytes of a path, with the NUL: PATH_MAX */
#define FILES_NAME_MAX		 255   /* bytes of one component: NAME_MAX */
#define FILES_MODE_DEFAULT	 0644  /* new files when the call gives mode 0 */
#define FILES_DIR_MODE_DEFAULT	 0755  /* new directories when the call gives mode 0, and parents */
#define FILES_DEPTH_MAX		 64    /* directory levels a listing, removal or watch walks */
#define FILES_LIST_DEPTH_DEFAULT 16    /* recursive listing with depth 0 */
#define FILES_LIST_LIMIT_DEFAULT 10000 /* listing with limit 0 */
#define FILES_LIST_LIMIT_MAX	 100000	     /* entries one listing returns at most */
#define FILES_LIST_BYTES_MAX	 (32u << 20) /* names held and strings returned by one listing */
#define FILES_WATCH_DIRS_DEFAULT 1024	     /* directories one watch covers when max_dirs is 0 */
#define FILES_WATCH_DIRS_MAX	 8192	     /* directories one watch covers at most */

/* The session a call works on. */
struct files_root {
	int fd;	   /* O_PATH|O_DIRECTORY of the session's root (/proc/<sandbox-init>/root) */
	uid_t uid; /* owner of the files and directories a call creates, in the host's view */
	gid_t gid;
};

enum files_type {
	FILES_REGULAR,
	FILES_DIRECTORY,
	FILES_SYMLINK,
	FILES_OTHER, /* device, FIFO, socket: listed and stat'ed, never read or written */
	_FILES_TYPE_MAX,
	_FILES_TYPE_INVALID = -EINVAL,
};

/* In the order of the wire's WriteMode. */
enum files_write_mode {
	FILES_WRITE_REPLACE,   /* create or replace atomically (an upload of one chunk) */
	FILES_WRITE_TRUNCATE,  /* create, or overwrite in place */
	FILES_WRITE_APPEND,    /* create, or append */
	FILES_WRITE_EXCLUSIVE, /* create; -EEXIST when anything is at the path */
	_FILES_WRITE_MODE_MAX,
	_FILES_WRITE_MODE_INVALID = -EINVAL,
};

/* One entry of a listing, or the answer of a stat. */
struct files_info {
	char *path;	  /* absolute in the sandbox, valid UTF-8 */
	const char *name; /* last component, points into path ("/" for the root) */
	enum files_type type;
	uint64_t size;	   /* st_size */
	uint32_t mode;	   /* permission bits (07777) */
	uint64_t mtime_ms; /* since the epoch; 0 for times before it */
	char *link_target; /* FILES_SYMLINK with a UTF-8 target, else NULL; never followed */
};

enum files_event_type {
	FILES_EVENT_CREATED,
	FILES_EVENT_MODIFIED, /* IN_MODIFY and IN_CLOSE_WRITE; repeats for one path coalesced */
	FILES_EVENT_DELETED,
	FILES_EVENT_MOVED_FROM,
	FILES_EVENT_MOVED_TO,
	FILES_EVENT_OVERFLOW, /* events were lost under path: rescan it */
	_FILES_EVENT_TYPE_MAX,
	_FILES_EVENT_TYPE_INVALID = -EINVAL,
};

struct files_event {
	enum files_event_type type;
	bool is_dir;
	char path[FILES_PATH_MAX]; /* absolute in the sandbox, valid UTF-8 */
};

struct files_upload;
struct files_watch;

/* Lowercase names of the enums ("symlink", "append", "moved_to"); NULL when out of range. */
const char *files_type_to_string(enum files_type t);
const char *files_write_mode_to_string(enum files_write_mode m);
const char *files_event_type_to_string(enum files_event_type t);

/* True when name[0..len) is valid UTF-8 and so can cross the wire as a string. Listings and
 * watches skip entries whose name is not. */
bool files_name_is_utf8(const char *name, size_t len);

/* Checks path[0..len) as every call below does before touching anything: not empty, no NUL
 * byte, absolute, shorter than FILES_PATH_MAX, in normal form (no ".", "..", "//" or trailing
 * "/"; the policy layer hands over normalised paths, so anything else is a bug or a forgery).
 * verb names the call in the sentence. 0, -EINVAL or -ENAMETOOLONG. */
int files_path_check(const char *verb, const char *path, size_t len, struct sbx_error *reterr);

/* Reads at most len bytes of the regular file at path from offset into buf. *ret_n is the
 * number read (0 at or past the end), *ret_size the file's size. A symlink anywhere on the path
 * is -ELOOP; a directory -EISDIR; a FIFO, socket or device -EINVAL (never opened for reading,
 * so a FIFO cannot block the caller). */
int files_read(const struct files_root *root, const char *path, uint64_t offset, void *buf,
	       size_t len, size_t *ret_n, uint64_t *ret_size, struct sbx_error *reterr);

/* Writes data[0..len) to the regular file at path as mode says; *ret_size is the file's size
 * afterwards. A file this call creates gets file_mode & 01777 (0: FILES_MODE_DEFAULT; setuid
 * and setgid never) and root's uid/gid; an existing file keeps its owner and mode (REPLACE: see
 * files_upload_begin()). make_parents creates missing directories (FILES_DIR_MODE_DEFAULT,
 * root's owner). A directory at path is -EISDIR, a symlink -ELOOP, a FIFO, socket or device
 * -EINVAL. Data that does not fit the filesystem or quota is -ENOSPC and leaves the previous
 * contents in place: REPLACE writes a temporary file; TRUNCATE checks free space and reserves
 * it (fallocate) before changing a byte, then overwrites in place and cuts the rest (where the
 * filesystem cannot reserve, the free-space check alone stands in); APPEND reserves, and cuts
 * back to the old size when a write fails. A file this call created and could not fill is
 * removed again. */
int files_write(const struct files_root *root, const char *path, enum files_write_mode mode,
		const void *data, size_t len, mode_t file_mode, bool make_parents,
		uint64_t *ret_size, struct sbx_error *reterr);

/* Starts an atomic replace of path: creates a temporary regular file ".sbx-upload-XXXXXX"
 * (random, O_EXCL) in path's directory, owned by root's uid/gid with file_mode & 01777. With
 * file_mode 0 it takes the mode of the regular file it replaces, or FILES_MODE_DEFAULT; a
 * replaced regular file's owner is kept where the caller may chown (else root's uid/gid). A
 * directory at path is -EISDIR, a symlink -ELOOP, a FIFO, socket or device -EINVAL. The temporary
 * is left behind only if the daemon dies. */
int files_upload_begin(const struct files_root *root, const char *path, mode_t file_mode,
		       bool make_parents, struct files_upload **ret, struct sbx_error *reterr);

/* Appends data[0..len) to the upload, reserving the space first where the filesystem can
 * (-ENOSPC before a byte is written). A failed write leaves the upload as it was before. */
int files_upload_write(struct files_upload *u, const void *data, size_t len,
		       struct sbx_error *reterr);

/* Renames the upload over its path (renameat2 on the directory fd: a target swapped for a
 * symlink is replaced, not followed). A directory at path is -EISDIR. After success the upload
 * only takes files_upload_size() and files_upload_abort(). */
int files_upload_commit(struct files_upload *u, struct sbx_error *reterr);

/* Bytes written to the upload so far. */
uint64_t files_upload_size(const struct files_upload *u);

/* Ends an upload and frees it: unlinks the temporary file unless a commit succeeded. Call it
 * after a commit too. Accepts NULL; returns NULL. */
struct files_upload *files_upload_abort(struct files_upload *u);

static inline void files_upload_abortp(struct files_upload **u)
{
	files_upload_abort(*u);
}

/* Lists the directory at path, sorted by name per directory, each subdirectory's entries right
 * after it (pre-order). Without recursive, its entries only; with it, down to depth levels
 * (0: FILES_LIST_DEPTH_DEFAULT, at most FILES_DEPTH_MAX), never through a symlink. At most limit
 * entries (0: FILES_LIST_LIMIT_DEFAULT, at most FILES_LIST_LIMIT_MAX) and FILES_LIST_BYTES_MAX
 * of names and strings held at once (a sandbox's long paths cannot balloon the daemon);
 * *ret_truncated says a bound dropped some. Entries whose name is not UTF-8, or whose path would
 * reach FILES_PATH_MAX, are skipped and counted in *ret_skipped. Free with files_info_free_array().
 */
int files_list(const struct files_root *root, const char *path, bool recursive, unsigned depth,
	       size_t limit, struct files_info **ret_entries, size_t *ret_n, bool *ret_truncated,
	       size_t *ret_skipped, struct sbx_error *reterr);

/* Stats path without following a final symlink (lstat): a symlink is FILES_SYMLINK with its
 * target; a symlink on the way to it is -ELOOP. Clear with files_info_done(). */
int files_stat(const struct files_root *root, const char *path, struct files_info *ret,
	       struct sbx_error *reterr);

/* Frees what an info holds and zeroes it. */
void files_info_done(struct files_info *i);

/* Frees n entries and the array; accepts NULL; returns NULL. */
struct files_info *files_info_free_array(struct files_info *entries, size_t n);

/* Removes the file, symlink (itself) or directory at path. A non-empty directory is -ENOTEMPTY
 * unless recursive; recursive removal walks with fds, never follows a symlink, stays on the
 * directory's mount (a mount point below is -EBUSY) and goes at most FILES_DEPTH_MAX levels
 * deep (-E2BIG). "/" is -EBUSY. */
int files_remove(const struct files_root *root, const char *path, bool recursive,
		 struct sbx_error *reterr);

/* Creates the directory path with mode & 01777 (0: FILES_DIR_MODE_DEFAULT), owned by root's
 * uid/gid; parents creates missing ones (FILES_DIR_MODE_DEFAULT) and accepts an existing
 * directory at path. Returns 1 if created, 0 if it existed (parents only). */
int files_mkdir(const struct files_root *root, const char *path, mode_t mode, bool parents,
		struct sbx_error *reterr);

/* Renames from to to (renameat2 between the two directory fds; a symlink is moved itself).
 * An existing to is -EEXIST unless overwrite (then it must be a file, or an empty directory
 * when from is one); moving a directory below itself is -EINVAL, across mounts -EXDEV. */
int files_move(const struct files_root *root, const char *from, const char *to, bool overwrite,
	       struct sbx_error *reterr);

/* Starts watching the directory at path with inotify, in the sandbox's mount namespace (each
 * watch is added through /proc/self/fd of an fd resolved like every path here). recursive
 * covers subdirectories, including ones created or moved in later, at most max_dirs
 * directories (0: FILES_WATCH_DIRS_DEFAULT, at most FILES_WATCH_DIRS_MAX; more at the start is
 * -E2BIG, more later an OVERFLOW event for the directory left out) and FILES_DEPTH_MAX levels.
 * Directories with non-UTF-8 names are not watched. Free with files_watch_free(). */
int files_watch_new(const struct files_root *root, const char *path, bool recursive,
		    size_t max_dirs, struct files_watch **ret, struct sbx_error *reterr);

/* The inotify fd (non-blocking, close-on-exec) to poll for EPOLLIN. */
int files_watch_fd(const struct files_watch *w);

/* Decodes at most max pending events into evs without blocking; *ret_n is how many (0 when
 * none are pending). Events of names that are not UTF-8 are skipped. Returns 0, or 1 once the
 * watched directory itself was deleted, moved or unmounted (its last event is in evs; no more
 * will come), or -errno. */
int files_watch_read(struct files_watch *w, struct files_event *evs, size_t max, size_t *ret_n);

/* Closes the inotify fd and frees everything; accepts NULL; returns NULL. */
struct files_watch *files_watch_free(struct files_watch *w);

static inline void files_watch_freep(struct files_watch **w)
{
	files_watch_free(*w);
}
