/* SPDX-License-Identifier: MIT */
/* Listings and stat: struct files_info from fstatat(AT_SYMLINK_NOFOLLOW) on directory fds, a
 * bounded pre-order walk that never follows a symlink. Names are taken from the sandbox as they
 * are and kept only when they can cross the wire. Watching is files-watch.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files-path.h"
#include "macro.h"

struct list_state {
	struct files_info *entries;
	size_t n, allocated;
	size_t limit;
	unsigned depth;
	bool truncated;
	size_t skipped;
	size_t bytes; /* names held by every level of the walk, and the entries' strings */
	bool full;    /* the budget ran out: the walk ends, so the listing stays a prefix */
};

/* Takes n bytes of the listing's budget; false (and truncated) when they do not fit. */
static bool budget_take(struct list_state *s, size_t n)
{
	if (s->full || n > FILES_LIST_BYTES_MAX - s->bytes) {
		s->truncated = s->full = true;
		return false;
	}
	s->bytes += n;
	return true;
}

void files_info_done(struct files_info *i)
{
	free(i->path);
	free(i->link_target);
	*i = (struct files_info){};
}

struct files_info *files_info_free_array(struct files_info *entries, size_t n)
{
	for (size_t i = 0; entries && i < n; i++)
		files_info_done(&entries[i]);
	free(entries);
	return NULL;
}

static uint64_t mtime_ms(const struct stat *st)
{
	uint64_t ms;

	if (st->st_mtim.tv_sec < 0)
		return 0;
	if (__builtin_mul_overflow((uint64_t)st->st_mtim.tv_sec, 1000, &ms))
		return UINT64_MAX;
	return ms + (uint64_t)st->st_mtim.tv_nsec / 1000000;
}

/* Fills ret for the entry name below dir_fd ("" with AT_EMPTY_PATH: dir_fd itself). */
static int info_fill(int dir_fd, const char *name, const char *path, const struct stat *st,
		     struct files_info *ret)
{
	_cleanup_free_ char *p = strdup(path);
	_cleanup_free_ char *target = NULL;
	const char *slash;

	if (!p)
		return -ENOMEM;
	if (S_ISLNK(st->st_mode) && name[0] != '\0') {
		char buf[FILES_PATH_MAX];
		ssize_t n = readlinkat(dir_fd, name, buf, sizeof(buf) - 1);

		/* Shown, never followed; a target that cannot cross the wire is left out. */
		if (n >= 0 && files_name_is_utf8(buf, (size_t)n)) {
			target = strndup(buf, (size_t)n);
			if (!target)
				return -ENOMEM;
		}
	}
	slash = strrchr(p, '/');
	*ret = (struct files_info){
		.name = slash && slash[1] != '\0' ? slash + 1 : p,
		.type = files_path_type(st->st_mode),
		.size = st->st_size < 0 ? 0 : (uint64_t)st->st_size,
		.mode = st->st_mode & 07777,
		.mtime_ms = mtime_ms(st),
	};
	ret->path = TAKE_PTR(p);
	ret->link_target = TAKE_PTR(target);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(struct list_state *s, char **names, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		s->bytes -= strlen(names[i]) + 1;
		free(names[i]);
	}
}

/* Reads the names of dir_fd, sorted, keeping only the keep smallest (a directory may hold more
 * than a listing returns: memory stays within twice the limit). */
static int read_names(struct list_state *s, int dir_fd, size_t keep, char ***ret_names,
		      size_t *ret_n)
{
	_cleanup_closedir_ DIR *d = NULL;
	char **names = NULL;
	size_t n = 0, allocated = 0;
	int r;

	r = files_path_opendir(dir_fd, &d);
	if (r < 0)
		return r;
	for (;;) {
		struct dirent *de;
		size_t len;

		errno = 0;
		de = readdir(d);
		if (!de) {
			r = errno ? negative_errno() : 0;
			break;
		}
		if (!files_path_name_ok(de->d_name))
			continue;
		len = strlen(de->d_name);
		if (!files_name_is_utf8(de->d_name, len)) {
			s->skipped++;
			continue;
		}
		if (!budget_take(s, len + 1))
			break; /* keep what was read: a listing cut short, said so */
		if (n == 2 * keep) {
			qsort(names, n, sizeof(*names), name_cmp);
			names_free(s, names, keep, n);
			n = keep;
			s->truncated = true;
		}
		if (n == allocated) {
			size_t want = allocated ? MIN(2 * allocated, 2 * keep) : MIN(64, 2 * keep);
			char **p = reallocarray(names, want, sizeof(*names));

			if (!p) {
				r = -ENOMEM;
				break;
			}
			names = p;
			allocated = want;
		}
		names[n] = strndup(de->d_name, len);
		if (!names[n]) {
			s->bytes -= len + 1;
			r = -ENOMEM;
			break;
		}
		n++;
	}
	if (r < 0) {
		names_free(s, names, 0, n);
		free(names);
		return r;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	if (n > keep) {
		names_free(s, names, keep, n);
		n = keep;
		s->truncated = true;
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
}

static int list_dir(struct list_state *s, int dir_fd, const char *dir_path, unsigned level)
{
	char **names = NULL;
	size_t n_names = 0;
	int r;

	if (s->n >= s->limit) {
		/* Whether anything is left out here is not known without reading: say so only
		 * when there is. */
		r = read_names(s, dir_fd, 1, &names, &n_names);
		if (r >= 0 && n_names > 0)
			s->truncated = true;
		names_free(s, names, 0, n_names);
		free(names);
		return r;
	}
	r = read_names(s, dir_fd, s->limit - s->n, &names, &n_names);
	if (r < 0)
		return r;

	for (size_t i = 0; i < n_names; i++) {
		_cleanup_close_ int child = -EBADF;
		char path[FILES_PATH_MAX];
		struct stat st;

		if (s->n >= s->limit || s->full) {
			s->truncated = true;
			break;
		}
		if (files_path_join(path, dir_path, names[i]) < 0) {
			s->skipped++;
			continue;
		}
		if (fstatat(dir_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone since readdir */
		if (s->n == s->allocated) {
			size_t want =
				s->allocated ? MIN(2 * s->allocated, s->limit) : MIN(64, s->limit);
			struct files_info *p = reallocarray(s->entries, want, sizeof(*p));

			if (!p) {
				r = -ENOMEM;
				break;
			}
			s->entries = p;
			s->allocated = want;
		}
		if (!budget_take(s, strlen(path) + 1))
			break;
		r = info_fill(dir_fd, names[i], path, &st, &s->entries[s->n]);
		if (r < 0)
			break;
		s->n++;
		/* Over by one target at most (< FILES_PATH_MAX), then the walk stops. */
		if (s->entries[s->n - 1].link_target &&
		    !budget_take(s, strlen(s->entries[s->n - 1].link_target) + 1))
			break;

		if (!S_ISDIR(st.st_mode) || level >= s->depth)
			continue;
		/* Swapped for a symlink since fstatat: -ELOOP, and the walk goes on without it. */
		child = files_path_open_child(dir_fd, names[i], O_RDONLY | O_DIRECTORY | O_NONBLOCK,
					      0);
		if (child < 0)
			continue;
		r = list_dir(s, child, path, level + 1);
		if (r < 0)
			break;
	}
	names_free(s, names, 0, n_names);
	free(names);
	return r < 0 ? r : 0;
}

int files_list(const struct files_root *root, const char *path, bool recursive, unsigned depth,
	       size_t limit, struct files_info **ret_entries, size_t *ret_n, bool *ret_truncated,
	       size_t *ret_skipped, struct sbx_error *reterr)
{
	_cleanup_close_ int path_fd = -EBADF, fd = -EBADF;
	struct list_state s = {};
	struct stat st;
	int r;

	r = files_path_validate("list", path, reterr);
	if (r < 0)
		return r;
	if (!recursive)
		depth = 1;
	else if (depth == 0)
		depth = FILES_LIST_DEPTH_DEFAULT;
	if (depth > FILES_DEPTH_MAX)
		return sbx_fail(reterr, -EINVAL, "list '%s': depth %u is over the limit of %d",
				path, depth, FILES_DEPTH_MAX);
	if (limit == 0)
		limit = FILES_LIST_LIMIT_DEFAULT;
	if (limit > FILES_LIST_LIMIT_MAX)
		return sbx_fail(reterr, -EINVAL, "list '%s': limit %zu is over the maximum of %d",
				path, limit, FILES_LIST_LIMIT_MAX);

	path_fd = files_path_open(root->fd, path, O_PATH);
	if (path_fd < 0)
		return files_path_fail(reterr, path_fd, "list", path);
	if (fstat(path_fd, &st) < 0)
		return files_path_fail(reterr, negative_errno(), "list", path);
	if (!S_ISDIR(st.st_mode))
		return sbx_fail(reterr, -ENOTDIR, "list '%s': it is %s, not a directory", path,
				files_path_type_name(st.st_mode));
	fd = files_path_reopen(path_fd, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd < 0)
		return files_path_fail(reterr, fd, "list", path);

	s.limit = limit;
	s.depth = depth;
	r = list_dir(&s, fd, path, 1);
	if (r < 0) {
		files_info_free_array(s.entries, s.n);
		return files_path_fail(reterr, r, "list", path);
	}
	*ret_entries = s.entries;
	*ret_n = s.n;
	*ret_truncated = s.truncated;
	*ret_skipped = s.skipped;
	return 0;
}

int files_stat(const struct files_root *root, const char *path, struct files_info *ret,
	       struct sbx_error *reterr)
{
	_cleanup_close_ int dir_fd = -EBADF;
	const char *name;
	struct stat st;
	int r;

	r = files_path_validate("stat", path, reterr);
	if (r < 0)
		return r;
	r = files_path_open_parent(root, path, false, &dir_fd, &name);
	if (r < 0)
		return files_path_fail(reterr, r, "stat", path);
	/* lstat semantics: the entry itself, a symlink as a symlink. */
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW | (name[0] ? 0 : AT_EMPTY_PATH)) < 0)
		return files_path_fail(reterr, negative_errno(), "stat", path);
	r = info_fill(dir_fd, name, path, &st, ret);
	if (r < 0)
		return files_path_fail(reterr, r, "stat", path);
	return 0;
}
