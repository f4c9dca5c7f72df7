/* SPDX-License-Identifier: MIT */
/* Resolution for the file tools: path checks, openat2 from the session's root and from a
 * directory fd, reopening an O_PATH fd, parents, and new directories with their owner. Nothing
 * here reads or writes file contents (files.c, files-upload.c) or walks trees (files-list.c,
 * files-watch.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files-path.h"
#include "macro.h"
#include "utf8.h"

bool files_name_is_utf8(const char *name, size_t len)
{
	return utf8_is_valid(name, len);
}

int files_path_check(const char *verb, const char *path, size_t len, struct sbx_error *reterr)
{
	const char *end;

	if (!path || len == 0)
		return sbx_fail(reterr, -EINVAL, "%s: the path is empty", verb);
	if (memchr(path, '\0', len))
		return sbx_fail(reterr, -EINVAL, "%s: the path contains a NUL byte", verb);
	if (len >= FILES_PATH_MAX)
		return sbx_fail(reterr, -ENAMETOOLONG, "%s: the path is %zu bytes long, over %d",
				verb, len, FILES_PATH_MAX - 1);
	if (path[0] != '/')
		return sbx_fail(reterr, -EINVAL, "%s '%.*s': the path is not absolute", verb,
				(int)len, path);
	if (len == 1)
		return 0;

	/* Every component non-empty, not "." or "..": "/a//b", "/a/" and "/a/../b" are refused
	 * rather than resolved, because the policy decided on the normalised spelling and a
	 * different one means the caller skipped it. */
	end = path + len;
	for (const char *c = path + 1;;) {
		const char *s = c;

		while (c < end && *c != '/')
			c++;
		if (c == s || (c - s == 1 && s[0] == '.') ||
		    (c - s == 2 && s[0] == '.' && s[1] == '.'))
			return sbx_fail(
				reterr, -EINVAL,
				"%s '%.*s': the path is not in normal form (an empty, '.' or "
				"'..' component)",
				verb, (int)len, path);
		if (c - s > FILES_NAME_MAX)
			return sbx_fail(reterr, -ENAMETOOLONG,
					"%s '%.*s': a path component is longer than %d bytes", verb,
					(int)len, path, FILES_NAME_MAX);
		if (c == end)
			return 0;
		c++;
	}
}

int files_path_validate(const char *verb, const char *path, struct sbx_error *reterr)
{
	return files_path_check(verb, path, path ? strnlen(path, FILES_PATH_MAX) : 0, reterr);
}

int files_path_fail(struct sbx_error *reterr, int r, const char *verb, const char *path)
{
	switch (r) {
	case -ELOOP:
		return sbx_fail(reterr, r,
				"%s '%s': a symlink is on the path (symlinks are never followed)",
				verb, path);
	case -ENOTDIR:
		return sbx_fail(reterr, r, "%s '%s': a component of the path is not a directory",
				verb, path);
	case -ENAMETOOLONG:
		return sbx_fail(reterr, r, "%s '%s': a name is too long", verb, path);
	case -EXDEV:
		return sbx_fail(reterr, r, "%s '%s': the path crosses a mount it may not cross",
				verb, path);
	default:
		return sbx_fail(reterr, r, "%s '%s'", verb, path);
	}
}

static int openat2_retry(int dir_fd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = resolve,
	};

	for (;;) {
		long fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno != EINTR)
			return negative_errno();
	}
}

int files_path_open(int root_fd, const char *path, int flags)
{
	return openat2_retry(root_fd, path, flags, 0, FILES_RESOLVE_PATH);
}

bool files_path_name_ok(const char *name)
{
	return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       !strchr(name, '/');
}

int files_path_open_child(int dir_fd, const char *name, int flags, mode_t mode)
{
	if (!files_path_name_ok(name))
		return -EINVAL;
	return openat2_retry(dir_fd, name, flags, mode, FILES_RESOLVE_CHILD);
}

int files_path_open_child_same_mount(int dir_fd, const char *name, int flags)
{
	if (!files_path_name_ok(name))
		return -EINVAL;
	return openat2_retry(dir_fd, name, flags, 0, FILES_RESOLVE_CHILD | RESOLVE_NO_XDEV);
}

int files_path_opendir(int dir_fd, DIR **ret)
{
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	DIR *d;

	if (fd < 0)
		return negative_errno();
	d = fdopendir(fd);
	if (!d) {
		int r = negative_errno();

		safe_close(fd);
		return r;
	}
	*ret = d;
	return 0;
}

const char *files_path_printable(const char *name)
{
	size_t len = strnlen(name, FILES_NAME_MAX + 1);

	if (len > FILES_NAME_MAX || !files_name_is_utf8(name, len))
		return "<a name that is not UTF-8>";
	return name;
}

int files_path_reopen(int path_fd, int flags)
{
	char proc[sizeof("/proc/self/fd/") + 12];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
	/* Not openat2 from the root again: the name may point elsewhere by now, the fd may not. */
	fd = open(proc, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	return fd;
}

int files_path_own(int fd, mode_t mode, uid_t uid, gid_t gid)
{
	if (fchmod(fd, mode) < 0)
		return negative_errno();
	if (fchown(fd, uid, gid) < 0)
		return negative_errno();
	return 0;
}

int files_path_mkdir(const struct files_root *root, int dir_fd, const char *name, mode_t mode,
		     int *ret_fd)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	int r;

	if (!files_path_name_ok(name))
		return -EINVAL;
	/* 0700 until the owner and mode are set: nobody else sees a half-made directory. */
	if (mkdirat(dir_fd, name, 0700) < 0) {
		r = negative_errno();
		if (r != -EEXIST)
			return r;
		fd = files_path_open_child(dir_fd, name, O_PATH | O_DIRECTORY, 0);
		if (fd == -ENOTDIR)
			return -EEXIST;
		if (fd < 0)
			return fd;
		if (ret_fd)
			*ret_fd = TAKE_FD(fd);
		return 0;
	}

	fd = files_path_open_child(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	/* Chowning a directory that a sandbox process swapped in for ours gives it to the
	 * session's root, which owned it or could have taken it anyway. */
	r = files_path_own(fd, mode & 01777, root->uid, root->gid);
	if (r < 0)
		return r;
	if (ret_fd)
		*ret_fd = TAKE_FD(fd);
	return 1;
}

/* Walks the components of dir from the root, creating the missing ones. */
static int open_dir_make(const struct files_root *root, const char *dir, size_t dir_len,
			 int *ret_fd)
{
	_cleanup_close_ int fd = -EBADF;
	const char *end = dir + dir_len;

	fd = files_path_open(root->fd, "/", O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd;
	for (const char *c = dir + 1; c < end;) {
		char name[FILES_NAME_MAX + 1];
		const char *s = c;
		int next = -EBADF, r;

		while (c < end && *c != '/')
			c++;
		if ((size_t)(c - s) > FILES_NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, s, c - s);
		name[c - s] = '\0';
		r = files_path_mkdir(root, fd, name, FILES_DIR_MODE_DEFAULT, &next);
		if (r < 0)
			return r;
		safe_close(fd);
		fd = next;
		c++;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int files_path_open_parent(const struct files_root *root, const char *path, bool make_parents,
			   int *ret_dir_fd, const char **ret_name)
{
	char dir[FILES_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dir_len;
	int fd, r;

	if (!slash)
		return -EINVAL;
	if (path[1] == '\0') {
		fd = files_path_open(root->fd, "/", O_PATH | O_DIRECTORY);
		if (fd < 0)
			return fd;
		*ret_dir_fd = fd;
		*ret_name = path + 1;
		return 0;
	}

	dir_len = slash == path ? 1 : (size_t)(slash - path);
	if (dir_len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, dir_len);
	dir[dir_len] = '\0';

	fd = files_path_open(root->fd, dir, O_PATH | O_DIRECTORY);
	if (fd == -ENOENT && make_parents) {
		r = open_dir_make(root, dir, dir_len, &fd);
		if (r < 0)
			return r;
	}
	if (fd < 0)
		return fd;
	*ret_dir_fd = fd;
	*ret_name = slash + 1;
	return 0;
}

int files_path_join(char ret[static FILES_PATH_MAX], const char *dir, const char *name)
{
	int n;

	if (dir[0] == '/' && dir[1] == '\0')
		n = snprintf(ret, FILES_PATH_MAX, "/%s", name);
	else
		n = snprintf(ret, FILES_PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= FILES_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

enum files_type files_path_type(mode_t m)
{
	if (S_ISREG(m))
		return FILES_REGULAR;
	if (S_ISDIR(m))
		return FILES_DIRECTORY;
	if (S_ISLNK(m))
		return FILES_SYMLINK;
	return FILES_OTHER;
}

const char *files_path_type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symlink";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "a file of unknown type";
	}
}

/* Only regular files are read or written: a FIFO would block the daemon (or feed it forever),
 * a device would reach hardware the sandbox was given only to use, a socket is no file. */
int files_path_refuse_not_regular(const char *verb, const char *path, mode_t m,
				  struct sbx_error *reterr)
{
	if (S_ISREG(m))
		return 0;
	if (S_ISDIR(m))
		return sbx_fail(reterr, -EISDIR, "%s '%s': it is a directory", verb, path);
	if (S_ISLNK(m))
		return sbx_fail(reterr, -ELOOP,
				"%s '%s': it is a symlink (symlinks are never followed)", verb,
				path);
	return sbx_fail(reterr, -EINVAL, "%s '%s': it is %s, and only regular files are %s", verb,
			path, files_path_type_name(m),
			strcmp(verb, "read") == 0 ? "read" : "written");
}

void files_path_unlink_if_same(int dir_fd, const char *name, const struct stat *st)
{
	struct stat now;

	if (fstatat(dir_fd, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (now.st_dev == st->st_dev && now.st_ino == st->st_ino)
		(void)unlinkat(dir_fd, name, 0);
}
