/* SPDX-License-Identifier: MIT */
/* Durable writes for the state directory. A crash (kill -9, power) leaves either the previous
 * record or the new one. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "io-util.h"
#include "macro.h"
#include "state.h"

int state_mkdir_p(const char *dir, unsigned mode)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -EINVAL;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

static int write_atomic(int dirfd, const char *name, const void *data, size_t len, bool durable)
{
	_cleanup_close_ int fd = -EBADF;
	char tmp[256];
	int r;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return negative_errno();
	r = write_all(fd, data, len);
	if (r >= 0 && durable && fsync(fd) < 0)
		r = negative_errno();
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = negative_errno();
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename itself must reach the disk too. */
	if (durable && fsync(dirfd) < 0)
		return negative_errno();
	return 0;
}

int state_open_subdir(const char *state_dir, const char *name, int *ret_fd,
		      struct sbx_error *reterr)
{
	char path[4096];
	int r, fd;

	if (snprintf(path, sizeof(path), "%s/%s", state_dir, name) >= (int)sizeof(path))
		return sbx_fail(reterr, -ENAMETOOLONG, "state directory '%s'", state_dir);
	r = state_mkdir_p(path, 0700);
	if (r < 0)
		return sbx_fail(reterr, r, "create '%s'", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sbx_fail(reterr, negative_errno(), "open '%s'", path);
	*ret_fd = fd;
	return 0;
}

DIR *state_opendir(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir && fd >= 0) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return dir;
}

int state_write_atomic(int dirfd, const char *name, const void *data, size_t len)
{
	return write_atomic(dirfd, name, data, len, true);
}

int state_replace(int dirfd, const char *name, const void *data, size_t len)
{
	return write_atomic(dirfd, name, data, len, false);
}

int state_read(int dirfd, const char *name, size_t max, void **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	int r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	r = read_exact(fd, buf, (size_t)st.st_size);
	if (r < 0 && !(r == -ENODATA && st.st_size == 0))
		return r;
	*ret_len = (size_t)st.st_size;
	*ret = TAKE_PTR(buf);
	return 0;
}
