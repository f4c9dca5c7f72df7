/* SPDX-License-Identifier: MIT */
/* Lexical normalisation of sandbox paths. A ".." at the root stays at the root, as the kernel
 * does; the result never depends on what exists on disk. */
#include <errno.h>
#include <string.h>

#include "sandbox-path.h"

int sandbox_path_normalize(const char *path, size_t len, char ret[static SANDBOX_PATH_MAX])
{
	char out[SANDBOX_PATH_MAX];
	size_t n = 0;
	const char *p, *end;

	if (!path || len == 0)
		return -EINVAL;
	if (len >= SANDBOX_PATH_MAX)
		return -ENAMETOOLONG;
	if (memchr(path, '\0', len))
		return -EINVAL;

	if (path[0] != '/') {
		n = strlen(SANDBOX_PATH_WORKDIR);
		memcpy(out, SANDBOX_PATH_WORKDIR, n);
	}
	for (p = path, end = path + len; p < end;) {
		const char *c;
		size_t clen;

		while (p < end && *p == '/')
			p++;
		if (p >= end)
			break;
		c = p;
		while (p < end && *p != '/')
			p++;
		clen = (size_t)(p - c);
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before the dropped component */
			continue;
		}
		if (n + 1 + clen >= SANDBOX_PATH_MAX)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, c, clen);
		n += clen;
	}
	if (n == 0)
		out[n++] = '/';
	memcpy(ret, out, n);
	ret[n] = '\0';
	return (int)n;
}

bool sandbox_path_is_normalized(const char *path)
{
	char buf[SANDBOX_PATH_MAX];
	size_t len;
	int r;

	if (!path || path[0] != '/')
		return false;
	len = strlen(path);
	r = sandbox_path_normalize(path, len, buf);
	return r >= 0 && (size_t)r == len && memcmp(buf, path, len) == 0;
}

bool sandbox_path_is_under(const char *path, size_t len, const char *dir, size_t dir_len)
{
	if (dir_len == 1 && dir[0] == '/')
		return len > 0 && path[0] == '/';
	if (len < dir_len || memcmp(path, dir, dir_len) != 0)
		return false;
	return len == dir_len || path[dir_len] == '/';
}
