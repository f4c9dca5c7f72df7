/* SPDX-License-Identifier: MIT */
/* Loops around read(2)/write(2). Small-file helpers serve cgroup and /proc control files. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "io-util.h"
#include "macro.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pwrite_all(int fd, const void *buf, size_t len, off_t offset)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += n;
	}
	return 0;
}

int reserve_space(int fd, off_t offset, size_t len)
{
	if (len == 0)
		return 0;
	if (len > (uint64_t)INT64_MAX - (uint64_t)offset)
		return -EFBIG;
	for (;;) {
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, (off_t)len) == 0)
			return 1;
		switch (errno) {
		case EINTR:
			continue;
		case EOPNOTSUPP:
		case ENOSYS:
		case ENODEV:
			return 0;
		case EDQUOT:
			return -ENOSPC;
		default:
			return negative_errno();
		}
	}
}

int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return got == 0 ? -ENODATA : -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *content, int create_mode)
{
	_cleanup_close_ int fd = -EBADF;
	int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;

	if (create_mode > 0)
		flags |= O_CREAT | O_TRUNC;
	fd = openat(dirfd, path, flags, create_mode > 0 ? create_mode : 0);
	if (fd < 0)
		return negative_errno();
	return write_all(fd, content, strlen(content));
}

ssize_t read_file_at(int dirfd, const char *path, char *buf, size_t max)
{
	_cleanup_close_ int fd = -EBADF;
	size_t got = 0;

	if (max == 0)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	for (;;) {
		ssize_t n = read(fd, buf + got, max - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == max - 1) {
			char extra;
			n = read(fd, &extra, 1);
			if (n > 0)
				return -EFBIG;
			break;
		}
	}
	buf[got] = '\0';
	return (ssize_t)got;
}
