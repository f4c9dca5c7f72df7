/* SPDX-License-Identifier: MIT */
/* Watches for the file tools: inotify in the sandbox's mount namespace, each watch added
 * through /proc/self/fd of a directory fd resolved inside the session's root (never a host
 * path into the sandbox's tree), a wd -> sandbox path table, and the decoding of kernel events
 * into created/modified/deleted/moved. Streaming, limits on events and timeouts are the
 * daemon's (sandboxd/rpc-file.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files-path.h"
#include "macro.h"

/* IN_EXCL_UNLINK: a file unlinked but still open in the sandbox stops reporting. IN_ONLYDIR:
 * the inode behind the fd is checked to be a directory by the kernel as well. */
#define WATCH_MASK                                                                                 \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |        \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)
#define WATCH_BUF_SIZE	(64 * 1024) /* one read() of events: at least one of NAME_MAX */
#define WATCH_READS_MAX 4	    /* read()s per files_watch_read(), so a flood cannot pin us */

struct watch_dir {
	int wd;
	unsigned level; /* below the watched directory */
	char *path;
};

struct files_watch {
	int ifd;
	int root_fd; /* a duplicate of the session's root, to resolve new directories */
	bool recursive;
	size_t max_dirs;
	struct watch_dir *dirs; /* sorted by wd */
	size_t n_dirs, allocated;
	int top_wd;
	char *top_path;
	bool ended;
	bool pending; /* pending_ev goes out before the next decoded event */
	struct files_event pending_ev;
	char last_modified[FILES_PATH_MAX]; /* path of the last event if it was MODIFIED */
	size_t pos, len;
	char buf[WATCH_BUF_SIZE] __attribute__((aligned(__alignof__(struct inotify_event))));
};

static size_t dir_find(const struct files_watch *w, int wd, bool *ret_found)
{
	size_t lo = 0, hi = w->n_dirs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->dirs[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_found = lo < w->n_dirs && w->dirs[lo].wd == wd;
	return lo;
}

static void dir_remove_at(struct files_watch *w, size_t i)
{
	free(w->dirs[i].path);
	memmove(&w->dirs[i], &w->dirs[i + 1], (w->n_dirs - i - 1) * sizeof(w->dirs[0]));
	w->n_dirs--;
}

/* Watches the directory open as fd, known in the sandbox as path. */
static int watch_add(struct files_watch *w, int fd, const char *path, unsigned level)
{
	char proc[sizeof("/proc/self/fd/") + 12];
	bool found;
	size_t i;
	int wd;

	if (w->n_dirs >= w->max_dirs)
		return -E2BIG;
	if (w->n_dirs == w->allocated) {
		size_t want =
			w->allocated ? MIN(2 * w->allocated, w->max_dirs) : MIN(16, w->max_dirs);
		struct watch_dir *p = reallocarray(w->dirs, want, sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->dirs = p;
		w->allocated = want;
	}

	/* The kernel follows this magic link to the inode fd holds, in whatever mount namespace
	 * it lives: the sandbox's tree is never walked by name from the host's side. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w->ifd, proc, WATCH_MASK);
	if (wd < 0)
		return negative_errno();
	i = dir_find(w, wd, &found);
	if (found) /* the same directory twice (bind mounts): the first name stays */
		return wd;
	memmove(&w->dirs[i + 1], &w->dirs[i], (w->n_dirs - i) * sizeof(w->dirs[0]));
	w->dirs[i] = (struct watch_dir){.wd = wd, .level = level, .path = strdup(path)};
	w->n_dirs++;
	if (!w->dirs[i].path) {
		(void)inotify_rm_watch(w->ifd, wd);
		dir_remove_at(w, i);
		return -ENOMEM;
	}
	return wd;
}

/* Watches fd and, for a recursive watch, the directories below it (never through a symlink,
 * at most FILES_DEPTH_MAX levels). Returns the wd of fd's directory. */
static int watch_add_tree(struct files_watch *w, int fd, const char *path, unsigned level)
{
	_cleanup_closedir_ DIR *d = NULL;
	int wd, r;

	wd = watch_add(w, fd, path, level);
	if (wd < 0 || !w->recursive || level >= FILES_DEPTH_MAX)
		return wd;
	r = files_path_opendir(fd, &d);
	if (r < 0)
		return r;
	for (;;) {
		_cleanup_close_ int child = -EBADF;
		char child_path[FILES_PATH_MAX];
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de)
			return errno ? negative_errno() : wd;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!files_path_name_ok(de->d_name) ||
		    !files_name_is_utf8(de->d_name, strlen(de->d_name)) ||
		    files_path_join(child_path, path, de->d_name) < 0)
			continue; /* could not be named in an event */
		child = files_path_open_child(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NONBLOCK,
					      0);
		if (child < 0)
			continue; /* not a directory, a symlink, or gone */
		r = watch_add_tree(w, child, child_path, level + 1);
		if (r == -E2BIG || r == -ENOSPC || r == -ENOMEM)
			return r;
	}
}

int files_watch_new(const struct files_root *root, const char *path, bool recursive,
		    size_t max_dirs, struct files_watch **ret, struct sbx_error *reterr)
{
	_cleanup_(files_watch_freep) struct files_watch *w = NULL;
	_cleanup_close_ int path_fd = -EBADF, fd = -EBADF;
	struct stat st;
	int r;

	r = files_path_validate("watch", path, reterr);
	if (r < 0)
		return r;
	if (max_dirs == 0)
		max_dirs = FILES_WATCH_DIRS_DEFAULT;
	if (max_dirs > FILES_WATCH_DIRS_MAX)
		return sbx_fail(reterr, -EINVAL,
				"watch '%s': %zu directories is over the limit of %d", path,
				max_dirs, FILES_WATCH_DIRS_MAX);

	w = calloc(1, sizeof(*w));
	if (!w)
		return sbx_fail(reterr, -ENOMEM, "watch '%s'", path);
	w->ifd = w->root_fd = -EBADF;
	w->recursive = recursive;
	w->max_dirs = recursive ? max_dirs : 1;
	w->top_path = strdup(path);
	if (!w->top_path)
		return sbx_fail(reterr, -ENOMEM, "watch '%s'", path);
	w->root_fd = fcntl(root->fd, F_DUPFD_CLOEXEC, 3);
	if (w->root_fd < 0)
		return sbx_fail(reterr, negative_errno(), "watch '%s'", path);
	w->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->ifd < 0) {
		r = negative_errno();
		return sbx_fail(reterr, r, "watch '%s'%s", path,
				r == -EMFILE ? ": the host's limit of inotify instances is reached"
					     : "");
	}

	path_fd = files_path_open(root->fd, path, O_PATH);
	if (path_fd < 0)
		return files_path_fail(reterr, path_fd, "watch", path);
	if (fstat(path_fd, &st) < 0)
		return files_path_fail(reterr, negative_errno(), "watch", path);
	if (!S_ISDIR(st.st_mode))
		return sbx_fail(reterr, -ENOTDIR, "watch '%s': it is %s, not a directory", path,
				files_path_type_name(st.st_mode));
	fd = files_path_reopen(path_fd, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd < 0)
		return files_path_fail(reterr, fd, "watch", path);

	r = watch_add_tree(w, fd, path, 0);
	if (r == -E2BIG)
		return sbx_fail(reterr, r, "watch '%s': more than %zu directories are below it",
				path, max_dirs);
	if (r == -ENOSPC)
		return sbx_fail(reterr, r,
				"watch '%s': the host's limit of inotify watches is reached", path);
	if (r < 0)
		return files_path_fail(reterr, r, "watch", path);
	w->top_wd = r;

	*ret = TAKE_PTR(w);
	return 0;
}

int files_watch_fd(const struct files_watch *w)
{
	return w->ifd;
}

/* Stops watching path and everything below it (moved out of its place: the names the table
 * holds for them are no longer true; a move back in adds them again). */
static void watch_remove_tree(struct files_watch *w, const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < w->n_dirs;) {
		const char *p = w->dirs[i].path;

		if (w->dirs[i].wd != w->top_wd && strncmp(p, path, len) == 0 &&
		    (p[len] == '\0' || p[len] == '/')) {
			(void)inotify_rm_watch(w->ifd, w->dirs[i].wd);
			dir_remove_at(w, i);
		} else
			i++;
	}
}

static void event_set(struct files_event *ev, enum files_event_type type, bool is_dir,
		      const char *path)
{
	ev->type = type;
	ev->is_dir = is_dir;
	snprintf(ev->path, sizeof(ev->path), "%s", path);
}

/* A directory created or moved in below a recursive watch: resolved again from the root (it
 * may be a symlink by now), then watched with what is already in it. Files created in it before
 * the watch was added send no event. A directory left out is an OVERFLOW for it. */
static void watch_new_dir(struct files_watch *w, const char *path, unsigned level)
{
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (level > FILES_DEPTH_MAX)
		return;
	fd = files_path_open(w->root_fd, path, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd < 0)
		return;
	r = watch_add_tree(w, fd, path, level);
	if (r == -E2BIG || r == -ENOSPC || r == -ENOMEM) {
		event_set(&w->pending_ev, FILES_EVENT_OVERFLOW, true, path);
		w->pending = true;
	}
}

/* Decodes one kernel event; 1 when it became *ret, 0 when it says nothing to the caller. */
static int event_decode(struct files_watch *w, const struct inotify_event *ie,
			struct files_event *ret)
{
	char path[FILES_PATH_MAX];
	struct watch_dir *d;
	size_t name_len;
	bool found, is_dir = ie->mask & IN_ISDIR;
	size_t i;

	if (ie->mask & IN_Q_OVERFLOW) {
		event_set(ret, FILES_EVENT_OVERFLOW, true, w->top_path);
		return 1;
	}
	i = dir_find(w, ie->wd, &found);
	if (!found)
		return 0; /* a watch removed since the event was queued */
	d = &w->dirs[i];

	if (ie->mask & IN_IGNORED) {
		if (d->wd == w->top_wd)
			w->ended = true;
		dir_remove_at(w, i);
		return 0;
	}
	if (ie->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		/* Below the top, the parent's event already said it. */
		if (d->wd != w->top_wd)
			return 0;
		w->ended = true;
		event_set(ret,
			  ie->mask & IN_MOVE_SELF ? FILES_EVENT_MOVED_FROM : FILES_EVENT_DELETED,
			  true, w->top_path);
		return 1;
	}
	if (ie->len == 0)
		return 0;
	name_len = strnlen(ie->name, ie->len);
	if (!files_name_is_utf8(ie->name, name_len) || files_path_join(path, d->path, ie->name) < 0)
		return 0;

	if (ie->mask & IN_CREATE) {
		event_set(ret, FILES_EVENT_CREATED, is_dir, path);
		if (is_dir && w->recursive)
			watch_new_dir(w, path, d->level + 1);
	} else if (ie->mask & IN_DELETE)
		event_set(ret, FILES_EVENT_DELETED, is_dir, path);
	else if (ie->mask & (IN_MODIFY | IN_CLOSE_WRITE))
		event_set(ret, FILES_EVENT_MODIFIED, is_dir, path);
	else if (ie->mask & IN_MOVED_FROM) {
		event_set(ret, FILES_EVENT_MOVED_FROM, is_dir, path);
		if (is_dir && w->recursive)
			watch_remove_tree(w, path);
	} else if (ie->mask & IN_MOVED_TO) {
		unsigned level = d->level + 1;

		event_set(ret, FILES_EVENT_MOVED_TO, is_dir, path);
		if (is_dir && w->recursive)
			watch_new_dir(w, path, level);
	} else
		return 0;
	return 1;
}

int files_watch_read(struct files_watch *w, struct files_event *evs, size_t max, size_t *ret_n)
{
	unsigned reads = 0;
	size_t n = 0;

	while (n < max) {
		const struct inotify_event *ie;

		if (w->pending) {
			evs[n++] = w->pending_ev;
			w->pending = false;
			w->last_modified[0] = '\0';
			continue;
		}
		if (w->pos >= w->len) {
			ssize_t l;

			if (w->ended || reads == WATCH_READS_MAX)
				break;
			l = read(w->ifd, w->buf, sizeof(w->buf));
			reads++;
			if (l < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				return negative_errno();
			}
			w->pos = 0;
			w->len = (size_t)l;
			if (l == 0)
				break;
		}
		ie = (const struct inotify_event *)(w->buf + w->pos);
		if (w->len - w->pos < sizeof(*ie) || w->len - w->pos - sizeof(*ie) < ie->len) {
			w->pos = w->len;
			return -EIO; /* the kernel never splits an event */
		}
		w->pos += sizeof(*ie) + ie->len;
		if (event_decode(w, ie, &evs[n]) == 0)
			continue;
		/* IN_MODIFY per write(2), then IN_CLOSE_WRITE: one MODIFIED until something else.
		 */
		if (evs[n].type == FILES_EVENT_MODIFIED) {
			if (strcmp(w->last_modified, evs[n].path) == 0)
				continue;
			memcpy(w->last_modified, evs[n].path, sizeof(w->last_modified));
		} else
			w->last_modified[0] = '\0';
		n++;
	}
	*ret_n = n;
	return w->ended && w->pos >= w->len && !w->pending ? 1 : 0;
}

struct files_watch *files_watch_free(struct files_watch *w)
{
	if (!w)
		return NULL;
	for (size_t i = 0; i < w->n_dirs; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	free(w->top_path);
	safe_close(w->ifd);
	safe_close(w->root_fd);
	free(w);
	return NULL;
}
