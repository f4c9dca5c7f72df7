/* SPDX-License-Identifier: MIT */
/* The single-object file calls: read, write in place (truncate, append, exclusive), remove,
 * mkdir and move, each on fds that files-path.c resolved inside the session's root. The atomic
 * replace is files-upload.c; listings and stat are files-list.c; watches files-watch.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "files-path.h"
#include "io-util.h"
#include "macro.h"

/* Opening an existing file and creating it race with the sandbox; give up after this many. */
#define OPEN_ATTEMPTS_MAX 8
/* Passes over one directory during recursive removal (entries a sandbox keeps adding). */
#define REMOVE_PASSES_MAX 8

static const char *const type_names[_FILES_TYPE_MAX] = {
	[FILES_REGULAR] = "regular",
	[FILES_DIRECTORY] = "directory",
	[FILES_SYMLINK] = "symlink",
	[FILES_OTHER] = "other",
};

static const char *const write_mode_names[_FILES_WRITE_MODE_MAX] = {
	[FILES_WRITE_REPLACE] = "replace",
	[FILES_WRITE_TRUNCATE] = "truncate",
	[FILES_WRITE_APPEND] = "append",
	[FILES_WRITE_EXCLUSIVE] = "exclusive",
};

static const char *const event_type_names[_FILES_EVENT_TYPE_MAX] = {
	[FILES_EVENT_CREATED] = "created",   [FILES_EVENT_MODIFIED] = "modified",
	[FILES_EVENT_DELETED] = "deleted",   [FILES_EVENT_MOVED_FROM] = "moved_from",
	[FILES_EVENT_MOVED_TO] = "moved_to", [FILES_EVENT_OVERFLOW] = "overflow",
};

const char *files_type_to_string(enum files_type t)
{
	return t >= 0 && t < _FILES_TYPE_MAX ? type_names[t] : NULL;
}

const char *files_write_mode_to_string(enum files_write_mode m)
{
	return m >= 0 && m < _FILES_WRITE_MODE_MAX ? write_mode_names[m] : NULL;
}

const char *files_event_type_to_string(enum files_event_type t)
{
	return t >= 0 && t < _FILES_EVENT_TYPE_MAX ? event_type_names[t] : NULL;
}

int files_read(const struct files_root *root, const char *path, uint64_t offset, void *buf,
	       size_t len, size_t *ret_n, uint64_t *ret_size, struct sbx_error *reterr)
{
	_cleanup_close_ int path_fd = -EBADF, fd = -EBADF;
	struct stat st;
	size_t got = 0;
	int r;

	r = files_path_validate("read", path, reterr);
	if (r < 0)
		return r;
	if (len > 0 && !buf)
		return sbx_fail(reterr, -EINVAL, "read '%s': no buffer", path);
	if (offset > (uint64_t)INT64_MAX)
		return sbx_fail(reterr, -EINVAL, "read '%s': offset %" PRIu64 " is out of range",
				path, offset);

	/* O_PATH first: opening a FIFO for reading would block until a writer comes. */
	path_fd = files_path_open(root->fd, path, O_PATH);
	if (path_fd < 0)
		return files_path_fail(reterr, path_fd, "read", path);
	if (fstat(path_fd, &st) < 0)
		return files_path_fail(reterr, negative_errno(), "read", path);
	r = files_path_refuse_not_regular("read", path, st.st_mode, reterr);
	if (r < 0)
		return r;
	fd = files_path_reopen(path_fd, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return files_path_fail(reterr, fd, "read", path);

	while (got < len) {
		uint64_t at = offset + got;
		ssize_t n;

		if (at > (uint64_t)INT64_MAX)
			break;
		n = pread(fd, (char *)buf + got, MIN(len - got, (size_t)INT32_MAX), (off_t)at);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return files_path_fail(reterr, negative_errno(), "read", path);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (fstat(fd, &st) < 0)
		return files_path_fail(reterr, negative_errno(), "read", path);

	*ret_n = got;
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

/* Opens name below dir_fd for writing: creates it (exclusively, so we know it is ours and
 * whether to set mode and owner) or opens the existing regular file through its O_PATH fd. */
static int open_for_write(const struct files_root *root, int dir_fd, const char *name,
			  const char *path, enum files_write_mode mode, mode_t file_mode,
			  int *ret_fd, bool *ret_created, struct stat *ret_st,
			  struct sbx_error *reterr)
{
	for (unsigned attempt = 0; attempt < OPEN_ATTEMPTS_MAX; attempt++) {
		_cleanup_close_ int fd = -EBADF, path_fd = -EBADF;
		int r;

		/* O_EXCL never follows a symlink: one at name is -EEXIST here, -ELOOP below. */
		fd = files_path_open_child(
			dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_NONBLOCK, 0600);
		if (fd >= 0) {
			r = files_path_own(fd, file_mode, root->uid, root->gid);
			if (r >= 0 && fstat(fd, ret_st) < 0)
				r = negative_errno();
			if (r < 0) {
				struct stat st;

				if (fstat(fd, &st) == 0)
					files_path_unlink_if_same(dir_fd, name, &st);
				return files_path_fail(reterr, r, "write", path);
			}
			*ret_fd = TAKE_FD(fd);
			*ret_created = true;
			return 0;
		}
		if (fd != -EEXIST)
			return files_path_fail(reterr, fd, "write", path);
		if (mode == FILES_WRITE_EXCLUSIVE)
			return sbx_fail(reterr, -EEXIST,
					"write '%s' exclusively: something is already there", path);

		path_fd = files_path_open_child(dir_fd, name, O_PATH, 0);
		if (path_fd == -ENOENT)
			continue; /* removed since: create it again */
		if (path_fd < 0)
			return files_path_fail(reterr, path_fd, "write", path);
		if (fstat(path_fd, ret_st) < 0)
			return files_path_fail(reterr, negative_errno(), "write", path);
		r = files_path_refuse_not_regular("write", path, ret_st->st_mode, reterr);
		if (r < 0)
			return r;
		fd = files_path_reopen(path_fd,
				       O_WRONLY | O_NONBLOCK |
					       (mode == FILES_WRITE_APPEND ? O_APPEND : 0));
		if (fd < 0)
			return files_path_fail(reterr, fd, "write", path);
		*ret_fd = TAKE_FD(fd);
		*ret_created = false;
		return 0;
	}
	return sbx_fail(reterr, -EAGAIN, "write '%s': the file kept changing while it was opened",
			path);
}

/* Whether len bytes can replace the file's contents: the free space plus what the file holds
 * now. Where the filesystem gives no answer, the reservation and the write decide. */
static int space_check(int fd, const struct stat *st, size_t len)
{
	struct statvfs sv;
	uint64_t bsize, avail, need;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	bsize = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
	if (bsize == 0 || sv.f_blocks == 0)
		return 0;
	if (__builtin_mul_overflow((uint64_t)sv.f_bavail, bsize, &avail) ||
	    __builtin_add_overflow(avail, (uint64_t)st->st_blocks * 512, &avail))
		return 0;
	if (__builtin_add_overflow((uint64_t)len, bsize - 1, &need))
		return -ENOSPC;
	need -= need % bsize;
	return need > avail ? -ENOSPC : 0;
}

/* TRUNCATE and EXCLUSIVE: nothing changes until the whole length is known to fit, then the
 * file is overwritten from 0 and cut at len. */
static int write_in_place(int fd, const struct stat *st, const void *data, size_t len)
{
	int r;

	r = space_check(fd, st, len);
	if (r < 0)
		return r;
	r = reserve_space(fd, 0, len);
	if (r < 0)
		return r;
	if (r == 0 && ftruncate(fd, 0) < 0)
		/* Nothing reserved: the space check stood in, and the write may still run short. */
		return negative_errno();
	r = pwrite_all(fd, data, len, 0);
	if (r < 0)
		return r;
	if (ftruncate(fd, (off_t)len) < 0)
		return negative_errno();
	return 0;
}

/* APPEND: reserved first; a write that fails anyway is cut back off, unless someone else
 * appended meanwhile (then what we wrote stays rather than cutting theirs). */
static int write_append(int fd, const void *data, size_t len)
{
	const char *p = data;
	struct stat st;
	size_t done = 0;
	int r;

	if (fstat(fd, &st) < 0)
		return negative_errno();
	r = reserve_space(fd, st.st_size, len);
	if (r < 0)
		return r;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		struct stat now;

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		r = n < 0 ? negative_errno() : -EIO;
		if (fstat(fd, &now) == 0 && (uint64_t)now.st_size == (uint64_t)st.st_size + done)
			(void)ftruncate(fd, st.st_size);
		return r == -EDQUOT ? -ENOSPC : r;
	}
	return 0;
}

int files_write(const struct files_root *root, const char *path, enum files_write_mode mode,
		const void *data, size_t len, mode_t file_mode, bool make_parents,
		uint64_t *ret_size, struct sbx_error *reterr)
{
	_cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
	const char *name;
	struct stat st;
	bool created = false;
	int r;

	r = files_path_validate("write", path, reterr);
	if (r < 0)
		return r;
	if (mode < 0 || mode >= _FILES_WRITE_MODE_MAX || (len > 0 && !data))
		return sbx_fail(reterr, -EINVAL, "write '%s': invalid arguments", path);

	if (mode == FILES_WRITE_REPLACE) {
		_cleanup_(files_upload_abortp) struct files_upload *u = NULL;

		r = files_upload_begin(root, path, file_mode, make_parents, &u, reterr);
		if (r < 0)
			return r;
		r = files_upload_write(u, data, len, reterr);
		if (r < 0)
			return r;
		r = files_upload_commit(u, reterr);
		if (r < 0)
			return r;
		*ret_size = files_upload_size(u);
		return 0;
	}

	r = files_path_open_parent(root, path, make_parents, &dir_fd, &name);
	if (r < 0)
		return files_path_fail(reterr, r, "write", path);
	if (name[0] == '\0')
		return sbx_fail(reterr, -EISDIR, "write '/': it is a directory");

	r = open_for_write(root, dir_fd, name, path, mode,
			   file_mode ? file_mode & 01777 : FILES_MODE_DEFAULT, &fd, &created, &st,
			   reterr);
	if (r < 0)
		return r;

	if (mode == FILES_WRITE_APPEND)
		r = write_append(fd, data, len);
	else
		r = write_in_place(fd, &st, data, len);
	if (r < 0) {
		/* A file this call created goes again: the path is as it was before the call. */
		if (created)
			files_path_unlink_if_same(dir_fd, name, &st);
		if (r == -ENOSPC || r == -EDQUOT)
			return sbx_fail(
				reterr, -ENOSPC,
				"write %zu bytes to '%s': they do not fit in the space left "
				"(the previous contents are kept)",
				len, path);
		return files_path_fail(reterr, r, "write", path);
	}
	if (fstat(fd, &st) < 0)
		return files_path_fail(reterr, negative_errno(), "write", path);
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

/* Empties the directory name below parent_fd; level counts from the removed directory. */
static int remove_below(int parent_fd, const char *name, unsigned level, const char *path,
			struct sbx_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_closedir_ DIR *d = NULL;
	int r;

	if (level > FILES_DEPTH_MAX)
		return sbx_fail(reterr, -E2BIG,
				"remove '%s': more than %d directory levels below it", path,
				FILES_DEPTH_MAX);
	/* RESOLVE_NO_XDEV: a recursive removal stops at mount points (a data source bound
	 * below is not the user's to wipe by removing its parent). */
	fd = files_path_open_child_same_mount(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd == -EXDEV)
		return sbx_fail(reterr, -EBUSY, "remove '%s': %s", path,
				level == 1 ? "it is a mount point" : "a mount point is below it");
	if (fd < 0)
		return sbx_fail(reterr, fd, "remove '%s': open '%s' below it", path,
				files_path_printable(name));
	r = files_path_opendir(fd, &d);
	if (r < 0)
		return sbx_fail(reterr, r, "remove '%s'", path);

	/* Unlinking while reading may skip entries: pass again until one finds nothing. */
	for (unsigned pass = 0; pass < REMOVE_PASSES_MAX; pass++) {
		bool found = false;

		rewinddir(d);
		for (;;) {
			struct dirent *de;

			errno = 0;
			de = readdir(d);
			if (!de) {
				if (errno != 0)
					return sbx_fail(reterr, negative_errno(), "remove '%s'",
							path);
				break;
			}
			if (!files_path_name_ok(de->d_name))
				continue;
			found = true;
			/* unlinkat without AT_REMOVEDIR removes a symlink itself and refuses
			 * a directory (EISDIR), whatever d_type claimed. */
			if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR)
				return sbx_fail(reterr, negative_errno(),
						"remove '%s': remove '%s' below it", path,
						files_path_printable(de->d_name));
			r = remove_below(fd, de->d_name, level + 1, path, reterr);
			if (r < 0)
				return r;
			if (unlinkat(fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
				return sbx_fail(reterr, negative_errno(),
						"remove '%s': remove directory '%s' below it", path,
						files_path_printable(de->d_name));
		}
		if (!found)
			break;
	}
	return 0;
}

int files_remove(const struct files_root *root, const char *path, bool recursive,
		 struct sbx_error *reterr)
{
	_cleanup_close_ int dir_fd = -EBADF;
	const char *name;
	struct stat st;
	int r;

	r = files_path_validate("remove", path, reterr);
	if (r < 0)
		return r;
	if (path[1] == '\0')
		return sbx_fail(reterr, -EBUSY, "remove '/': the root itself cannot be removed");
	r = files_path_open_parent(root, path, false, &dir_fd, &name);
	if (r < 0)
		return files_path_fail(reterr, r, "remove", path);
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return files_path_fail(reterr, negative_errno(), "remove", path);

	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dir_fd, name, 0) < 0)
			return files_path_fail(reterr, negative_errno(), "remove", path);
		return 0;
	}
	if (recursive) {
		r = remove_below(dir_fd, name, 1, path, reterr);
		if (r < 0)
			return r;
	}
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0) {
		r = negative_errno();
		if (r == -ENOTEMPTY || r == -EEXIST)
			return sbx_fail(reterr, -ENOTEMPTY,
					"remove '%s': the directory is not empty%s", path,
					recursive ? " (entries were added meanwhile)"
						  : " (remove it recursively)");
		if (r == -EBUSY)
			return sbx_fail(reterr, r, "remove '%s': it is a mount point", path);
		return files_path_fail(reterr, r, "remove", path);
	}
	return 0;
}

int files_mkdir(const struct files_root *root, const char *path, mode_t mode, bool parents,
		struct sbx_error *reterr)
{
	_cleanup_close_ int dir_fd = -EBADF;
	const char *name;
	int r;

	r = files_path_validate("mkdir", path, reterr);
	if (r < 0)
		return r;
	if (path[1] == '\0')
		return parents ? 0 : sbx_fail(reterr, -EEXIST, "mkdir '/': it exists");
	r = files_path_open_parent(root, path, parents, &dir_fd, &name);
	if (r < 0)
		return files_path_fail(reterr, r, "mkdir", path);
	r = files_path_mkdir(root, dir_fd, name, mode ? mode & 01777 : FILES_DIR_MODE_DEFAULT,
			     NULL);
	if (r == -EEXIST)
		return sbx_fail(reterr, r, "mkdir '%s': something other than a directory is there",
				path);
	if (r < 0)
		return files_path_fail(reterr, r, "mkdir", path);
	if (r == 0 && !parents)
		return sbx_fail(reterr, -EEXIST, "mkdir '%s': the directory exists", path);
	return r;
}

int files_move(const struct files_root *root, const char *from, const char *to, bool overwrite,
	       struct sbx_error *reterr)
{
	_cleanup_close_ int from_fd = -EBADF, to_fd = -EBADF;
	const char *from_name, *to_name;
	int r;

	r = files_path_validate("move", from, reterr);
	if (r < 0)
		return r;
	r = files_path_validate("move", to, reterr);
	if (r < 0)
		return r;
	if (from[1] == '\0' || to[1] == '\0')
		return sbx_fail(reterr, -EBUSY, "move '%s' to '%s': the root cannot be moved", from,
				to);
	r = files_path_open_parent(root, from, false, &from_fd, &from_name);
	if (r < 0)
		return files_path_fail(reterr, r, "move", from);
	r = files_path_open_parent(root, to, false, &to_fd, &to_name);
	if (r < 0)
		return files_path_fail(reterr, r, "move to", to);

	/* Both names through their directory fds: neither can be redirected by a swap of a
	 * directory above them, and the entries themselves are moved, never followed. */
	if (renameat2(from_fd, from_name, to_fd, to_name, overwrite ? 0 : RENAME_NOREPLACE) == 0)
		return 0;
	r = negative_errno();
	switch (r) {
	case -EEXIST:
		return sbx_fail(reterr, r, "move '%s' to '%s': '%s' exists (no overwrite)", from,
				to, to);
	case -ENOTEMPTY:
		return sbx_fail(reterr, r,
				"move '%s' to '%s': '%s' is a directory that is not empty", from,
				to, to);
	case -EXDEV:
		return sbx_fail(reterr, r, "move '%s' to '%s': they are on different mounts", from,
				to);
	case -EINVAL:
		return sbx_fail(reterr, r,
				"move '%s' to '%s': a directory cannot move below itself", from,
				to);
	case -EISDIR:
		return sbx_fail(reterr, r, "move '%s' to '%s': '%s' is a directory", from, to, to);
	case -ENOTDIR:
		return sbx_fail(reterr, r, "move '%s' to '%s': '%s' is not a directory", from, to,
				to);
	case -EBUSY:
		return sbx_fail(reterr, r, "move '%s' to '%s': a mount point is involved", from,
				to);
	default:
		return sbx_fail(reterr, r, "move '%s' to '%s'", from, to);
	}
}
