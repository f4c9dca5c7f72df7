/* SPDX-License-Identifier: MIT */
/* Backend-neutral cgroup front: layout detection, the host and cgroup objects, and the steps that
 * are the same on every layout (mkdir, attach, count, rmdir with bounded kill-and-wait). What the
 * control files are and mean is cgroup-v1.c and cgroup-v2.c; spawning into a cgroup is spawn.c. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <linux/magic.h>

#include "cgroup-internal.h"
#include "io-util.h"
#include "parse-util.h"

static const char *const layout_names[_CGROUP_LAYOUT_MAX] = {
	[CGROUP_LAYOUT_V1] = "v1",
	[CGROUP_LAYOUT_HYBRID] = "hybrid",
	[CGROUP_LAYOUT_V2] = "v2",
};

static const char *const hier_names[_CGROUP_HIER_MAX] = {
	[CGROUP_HIER_UNIFIED] = "unified", [CGROUP_HIER_MEMORY] = "memory",
	[CGROUP_HIER_PIDS] = "pids",	   [CGROUP_HIER_CPU] = "cpu",
	[CGROUP_HIER_CPUACCT] = "cpuacct", [CGROUP_HIER_FREEZER] = "freezer",
};

const char *cgroup_layout_to_string(enum cgroup_layout l)
{
	if ((int)l < 0 || l >= _CGROUP_LAYOUT_MAX)
		return NULL;
	return layout_names[l];
}

const char *cgroup_hier_to_string(enum cgroup_hier hier)
{
	if ((int)hier < 0 || hier >= _CGROUP_HIER_MAX)
		return NULL;
	return hier_names[hier];
}

uint64_t cgroup_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

void cgroup_backoff(uint64_t *delay_usec)
{
	struct timespec ts;

	if (*delay_usec < CGROUP_BACKOFF_MIN_USEC)
		*delay_usec = CGROUP_BACKOFF_MIN_USEC;
	ts.tv_sec = (time_t)(*delay_usec / 1000000ULL);
	ts.tv_nsec = (long)(*delay_usec % 1000000ULL) * 1000;
	(void)nanosleep(&ts, NULL);
	*delay_usec = MIN(*delay_usec * 2, CGROUP_BACKOFF_MAX_USEC);
}

/* A cgroup name is one directory below the parent in every hierarchy. A '/' or ".." would leave
 * the parent (another sandbox's cgroup, or the host's); a newline would forge extra lines in
 * /proc/<pid>/cgroup that tools parse. */
static bool cgroup_name_is_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, CGROUP_NAME_MAX);
	if (len == 0 || len >= CGROUP_NAME_MAX)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int cgroup_host_file_mode(const struct cgroup_host *h, enum cgroup_hier hier)
{
	return h->plain[hier] ? CGROUP_CONTROL_FILE_MODE : 0;
}

int cgroup_host_open_hier(struct cgroup_host *h, int root_fd, enum cgroup_hier hier,
			  const char *dir, bool strict, int *ret_fd, struct sbx_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	long magic = hier == CGROUP_HIER_UNIFIED ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC;
	struct statfs sfs;

	fd = openat(root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (hier == CGROUP_HIER_UNIFIED)
			return sbx_fail(reterr, negative_errno(),
					"cgroup2 tree is not available: open '%s/%s'", h->root,
					dir);
		return sbx_fail(reterr, negative_errno(),
				"cgroup controller '%s' is not available: open '%s/%s'",
				hier_names[hier], h->root, dir);
	}
	if (fstatfs(fd, &sfs) < 0)
		return sbx_fail(reterr, negative_errno(), "statfs '%s/%s'", h->root, dir);
	if ((long)sfs.f_type != magic) {
		if (strict) {
			if (hier == CGROUP_HIER_UNIFIED)
				return sbx_fail(
					reterr, -ENODEV,
					"cgroup2 tree is not available: '%s/%s' is not cgroup2",
					h->root, dir);
			return sbx_fail(reterr, -ENODEV,
					"cgroup controller '%s' is not available: '%s/%s' is not a "
					"cgroup v1 hierarchy",
					hier_names[hier], h->root, dir);
		}
		h->plain[hier] = true;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int cgroup_host_make_parent(struct cgroup_host *h, enum cgroup_hier hier, int hier_fd,
			    const char *probe, struct sbx_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;

	if (mkdirat(hier_fd, h->parent, 0755) < 0 && errno != EEXIST)
		return sbx_fail(reterr, negative_errno(), "create cgroup '%s' in the %s hierarchy",
				h->parent, hier_names[hier]);
	fd = openat(hier_fd, h->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sbx_fail(reterr, negative_errno(), "open cgroup '%s' in the %s hierarchy",
				h->parent, hier_names[hier]);
	/* Control files exist only below a hierarchy's root, so the parent is where a controller
	 * can be recognised by its files on every host (the v1 pids root has none). */
	if (probe && faccessat(fd, probe, F_OK, 0) < 0)
		return sbx_fail(reterr, negative_errno(),
				"cgroup controller '%s' is not available: no %s in cgroup '%s'",
				hier_names[hier], probe, h->parent);
	h->parent_fd[hier] = safe_close(h->parent_fd[hier]);
	h->parent_fd[hier] = TAKE_FD(fd);
	return 0;
}

static int cgroup_host_new(const char *root, const char *parent, enum cgroup_layout layout,
			   bool strict, struct cgroup_host **ret, struct sbx_error *reterr)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	_cleanup_close_ int root_fd = -EBADF;
	struct sysinfo si;
	int r;

	if (!parent)
		parent = CGROUP_PARENT_DEFAULT;
	if (!cgroup_name_is_valid(parent))
		return sbx_fail(reterr, -EINVAL, "invalid cgroup parent name '%s'", parent);
	if ((int)layout < 0 || layout >= _CGROUP_LAYOUT_MAX)
		return sbx_fail(reterr, -EINVAL, "invalid cgroup layout %d", (int)layout);

	h = calloc(1, sizeof(*h));
	if (!h)
		return sbx_fail(reterr, -ENOMEM, "allocate cgroup host");
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++)
		h->parent_fd[i] = -EBADF;
	h->layout = layout;
	h->root = strdup(root);
	h->parent = strdup(parent);
	if (!h->root || !h->parent)
		return sbx_fail(reterr, -ENOMEM, "allocate cgroup host");
	/* Swap turned on later is not seen: sandboxes created after that still get the limits
	 * the host supports, and the daemon is expected to be restarted with the host config. */
	h->host_swap = sysinfo(&si) == 0 && si.totalswap > 0;

	switch (layout) {
	case CGROUP_LAYOUT_V1:
		h->ops = &cgroup_v1_ops;
		break;
	case CGROUP_LAYOUT_HYBRID:
		h->ops = &cgroup_v1_hybrid_ops;
		break;
	default:
		h->ops = &cgroup_v2_ops;
		break;
	}

	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return sbx_fail(reterr, negative_errno(), "open cgroup root '%s'", root);
	r = h->ops->host_open(h, root_fd, strict, reterr);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(h);
	return 0;
}

static bool path_has_fs_type(const char *root, const char *sub, long magic)
{
	char path[PATH_MAX];
	struct statfs sfs;

	if (snprintf(path, sizeof(path), "%s/%s", root, sub) >= (int)sizeof(path))
		return false;
	return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

int cgroup_host_detect(const char *root, const char *parent, struct cgroup_host **ret,
		       struct sbx_error *reterr)
{
	enum cgroup_layout layout;
	struct statfs sfs;

	if (!root)
		root = CGROUP_ROOT_DEFAULT;
	if (statfs(root, &sfs) < 0)
		return sbx_fail(reterr, negative_errno(), "detect cgroup layout: statfs '%s'",
				root);

	if ((long)sfs.f_type == CGROUP2_SUPER_MAGIC)
		layout = CGROUP_LAYOUT_V2;
	else if (path_has_fs_type(root, "memory", CGROUP_SUPER_MAGIC))
		/* systemd's "hybrid" mounts an empty cgroup2 tree at unified/: no controllers, but
		 * it gives CLONE_INTO_CGROUP, cgroup.kill and cgroup.freeze, which v1 lacks. */
		layout = path_has_fs_type(root, "unified", CGROUP2_SUPER_MAGIC)
				 ? CGROUP_LAYOUT_HYBRID
				 : CGROUP_LAYOUT_V1;
	else
		return sbx_fail(
			reterr, -ENODEV,
			"cgroup controller 'memory' is not available: '%s' is not cgroup2 and "
			"'%s/memory' is not a cgroup v1 hierarchy",
			root, root);

	return cgroup_host_new(root, parent, layout, true, ret, reterr);
}

int cgroup_host_open(const char *root, const char *parent, enum cgroup_layout layout,
		     struct cgroup_host **ret, struct sbx_error *reterr)
{
	return cgroup_host_new(root ? root : CGROUP_ROOT_DEFAULT, parent, layout, false, ret,
			       reterr);
}

struct cgroup_host *cgroup_host_free(struct cgroup_host *h)
{
	if (!h)
		return NULL;
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++)
		safe_close(h->parent_fd[i]);
	free(h->root);
	free(h->parent);
	free(h);
	return NULL;
}

enum cgroup_layout cgroup_host_layout(const struct cgroup_host *h)
{
	return h->layout;
}

int cgroup_write(struct cgroup *cg, enum cgroup_hier hier, const char *file, const char *value)
{
	if (cg->fd[hier] < 0)
		return -EBADF;
	return write_file_at(cg->fd[hier], file, value, cgroup_host_file_mode(cg->host, hier));
}

int cgroup_write_u64(struct cgroup *cg, enum cgroup_hier hier, const char *file, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cgroup_write(cg, hier, file, buf);
}

static ssize_t cgroup_read(struct cgroup *cg, enum cgroup_hier hier, const char *file, char *buf,
			   size_t size)
{
	if (cg->fd[hier] < 0)
		return -EBADF;
	return read_file_at(cg->fd[hier], file, buf, size);
}

int cgroup_read_u64(struct cgroup *cg, enum cgroup_hier hier, const char *file, uint64_t *ret)
{
	char buf[64];
	ssize_t n;

	n = cgroup_read(cg, hier, file, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return parse_u64(buf, ret);
}

int cgroup_parse_keyed(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);

	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');

		if ((size_t)(eol - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			const char *v = p + klen + 1;
			char num[32];
			size_t n = (size_t)(eol - v);

			if (n >= sizeof(num))
				return -EINVAL;
			memcpy(num, v, n);
			num[n] = '\0';
			return parse_u64(num, ret);
		}
		p = *eol ? eol + 1 : eol;
	}
	return -ENODATA;
}

int cgroup_read_keyed(struct cgroup *cg, enum cgroup_hier hier, const char *file, const char *key,
		      uint64_t *ret)
{
	char buf[CGROUP_FILE_MAX];
	ssize_t n;

	n = cgroup_read(cg, hier, file, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return cgroup_parse_keyed(buf, key, ret);
}

/* One line of cgroup.procs: count it and SIGKILL it if asked. */
static int procs_line(const char *line, bool kill_each)
{
	uint64_t pid;

	if (parse_u64_range(line, 1, INT_MAX, &pid) < 0)
		return -EBADMSG;
	/* The pid could in principle be reused between the read and the kill (as in every
	 * cgroup.procs walker); the kill loop freezes first where it can. */
	if (kill_each && kill((pid_t)pid, SIGKILL) < 0 && errno != ESRCH)
		return negative_errno();
	return 0;
}

int cgroup_procs_scan(int dirfd, bool kill_each)
{
	_cleanup_close_ int fd = -EBADF;
	char buf[1024], line[16];
	size_t len = 0;
	int count = 0, r;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* The cgroup was removed under the open file: nothing left in it. */
			if (errno == ENODEV)
				return count;
			return negative_errno();
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len >= sizeof(line) - 1)
					return -EBADMSG;
				line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			r = procs_line(line, kill_each);
			if (r < 0)
				return r;
			count++;
		}
	}
	if (len > 0) {
		line[len] = '\0';
		r = procs_line(line, kill_each);
		if (r < 0)
			return r;
		count++;
	}
	return count;
}

int cgroup_kill_loop(struct cgroup *cg, int (*freeze)(struct cgroup *cg, bool frozen, bool wait))
{
	uint64_t delay = 0;

	for (unsigned round = 0; round < CGROUP_KILL_ROUNDS; round++) {
		/* Frozen, nothing forks between listing and killing; SIGKILL takes effect at the
		 * thaw. Without a freezer, a process that forked before its kill is listed (and
		 * killed) next round: a process with SIGKILL pending cannot fork again. */
		bool frozen = freeze && freeze(cg, true, false) >= 0;
		int listed = 0, r = 0;

		for (size_t i = 0; i < _CGROUP_HIER_MAX; i++) {
			if (cg->fd[i] < 0)
				continue;
			r = cgroup_procs_scan(cg->fd[i], true);
			if (r < 0)
				break;
			listed += r;
		}
		if (frozen)
			(void)freeze(cg, false, false);
		if (r < 0)
			return r;
		if (listed == 0)
			return 0;
		cgroup_backoff(&delay);
	}
	return -EBUSY;
}

/* Opens (mkdir unless it exists) <parent>/<name> in hierarchies [lo, hi) of the host. Returns 1
 * if some directory existed already (a leftover), 0 if all were created. */
static int cgroup_make_dirs(struct cgroup *cg, size_t lo, size_t hi, struct sbx_error *reterr)
{
	struct cgroup_host *h = cg->host;
	bool existed = false;

	for (size_t i = lo; i < hi; i++) {
		if (h->parent_fd[i] < 0)
			continue;
		cg->fd[i] = safe_close(cg->fd[i]);
		if (mkdirat(h->parent_fd[i], cg->name, 0755) < 0) {
			if (errno != EEXIST)
				return sbx_fail(reterr, negative_errno(),
						"create cgroup '%s/%s' in the %s hierarchy",
						h->parent, cg->name, hier_names[i]);
			existed = true;
		}
		cg->created[i] = true;
		cg->fd[i] = openat(h->parent_fd[i], cg->name,
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cg->fd[i] < 0)
			return sbx_fail(reterr, negative_errno(),
					"open cgroup '%s/%s' in the %s hierarchy", h->parent,
					cg->name, hier_names[i]);
	}
	return existed ? 1 : 0;
}

/* Removes every directory still marked created; a hard error wins over -EBUSY (retryable). */
static int cgroup_rmdir_all(struct cgroup *cg)
{
	int ret = 0;

	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++) {
		if (!cg->created[i])
			continue;
		if (unlinkat(cg->host->parent_fd[i], cg->name, AT_REMOVEDIR) < 0 &&
		    errno != ENOENT) {
			if (ret == 0 || ret == -EBUSY)
				ret = negative_errno();
			continue;
		}
		cg->created[i] = false;
	}
	return ret;
}

/* rmdir first: an empty cgroup (the common case at teardown) costs one syscall per hierarchy
 * and never sleeps. Only a populated one (EBUSY) is killed and waited for, bounded. */
static int cgroup_remove(struct cgroup *cg)
{
	uint64_t deadline, delay = 0;
	int r;

	r = cgroup_rmdir_all(cg);
	if (r != -EBUSY)
		return r;
	deadline = cgroup_now_usec() + CGROUP_REMOVE_TIMEOUT_USEC;
	for (;;) {
		(void)cg->host->ops->kill(cg);
		r = cgroup_rmdir_all(cg);
		if (r != -EBUSY || cgroup_now_usec() >= deadline)
			return r;
		cgroup_backoff(&delay);
	}
}

static struct cgroup *cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return NULL;
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++)
		safe_close(cg->fd[i]);
	free(cg);
	return NULL;
}

int cgroup_list(struct cgroup_host *h, char ***ret_names)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = -EBADF;

	for (size_t i = 0; i < _CGROUP_HIER_MAX && fd < 0; i++)
		if (h->parent_fd[i] >= 0)
			fd = fcntl(h->parent_fd[i], F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return fd == -EBADF ? -ENOENT : negative_errno();
	/* fdopendir() takes the dup; rewind since the parent fd's offset is shared. */
	d = fdopendir(fd);
	if (!d) {
		safe_close(fd);
		return negative_errno();
	}
	rewinddir(d);
	names = calloc(1, sizeof(char *));
	if (!names)
		return -ENOMEM;
	while ((errno = 0, de = readdir(d))) {
		char **grown;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (n >= CGROUP_LIST_MAX)
			return -E2BIG;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(char *));
			if (!grown)
				return -ENOMEM;
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			return -ENOMEM;
		names[++n] = NULL;
	}
	if (errno != 0)
		return negative_errno();
	*ret_names = TAKE_PTR(names);
	return 0;
}

int cgroup_remove_leftover(struct cgroup_host *h, const char *name)
{
	struct cgroup *cg;
	int r;

	if (!cgroup_name_is_valid(name))
		return -EINVAL;
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return -ENOMEM;
	cg->host = h;
	memcpy(cg->name, name, strlen(name) + 1);
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++) {
		cg->fd[i] = -EBADF;
		if (h->parent_fd[i] < 0)
			continue;
		cg->fd[i] = openat(h->parent_fd[i], name,
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		cg->created[i] = cg->fd[i] >= 0;
	}
	r = cgroup_remove(cg);
	cgroup_free(cg);
	return r;
}

static int cgroup_check_limits(const struct cgroup_limits *l, struct sbx_error *reterr)
{
	if (l->cpu_millis != 0 &&
	    (l->cpu_millis < CGROUP_CPU_MILLIS_MIN || l->cpu_millis > CGROUP_CPU_MILLIS_MAX))
		return sbx_fail(reterr, -ERANGE,
				"cpu limit of %" PRIu64 " millicpus is outside [%llu, %llu]",
				l->cpu_millis, CGROUP_CPU_MILLIS_MIN, CGROUP_CPU_MILLIS_MAX);
	return 0;
}

/* Makes the directories of hierarchies [lo, hi). A leftover among them (a holder that crashed
 * left it: its processes must not share our limits, and its counters, peak and OOM kills, must not
 * show up in our stats) is killed and removed, and made anew. Only [lo, hi) is touched: the
 * sandbox may already live in the other hierarchies. */
static int cgroup_make_dirs_fresh(struct cgroup *cg, size_t lo, size_t hi, struct sbx_error *reterr)
{
	struct cgroup old = {.host = cg->host};
	int r;

	r = cgroup_make_dirs(cg, lo, hi, reterr);
	if (r <= 0)
		return r;
	memcpy(old.name, cg->name, sizeof(old.name));
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++) {
		bool in = i >= lo && i < hi;

		old.fd[i] = in ? cg->fd[i] : -EBADF;
		old.created[i] = in && cg->created[i];
	}
	r = cgroup_remove(&old);
	for (size_t i = lo; i < hi; i++)
		cg->created[i] = old.created[i]; /* what is still there stays cg's to remove */
	if (r < 0)
		return sbx_fail(reterr, r, "remove leftover cgroup '%s/%s'", cg->host->parent,
				cg->name);
	r = cgroup_make_dirs(cg, lo, hi, reterr);
	if (r > 0)
		return sbx_fail(reterr, -EEXIST, "create cgroup '%s/%s'", cg->host->parent,
				cg->name);
	return r;
}

int cgroup_create_begin(struct cgroup_host *h, const char *name, const struct cgroup_limits *limits,
			struct cgroup **ret, struct sbx_error *reterr)
{
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	int r;

	if (!cgroup_name_is_valid(name))
		return sbx_fail(reterr, -EINVAL, "invalid cgroup name '%s'",
				name ? name : "(null)");
	r = cgroup_check_limits(limits, reterr);
	if (r < 0)
		return r;

	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return sbx_fail(reterr, -ENOMEM, "allocate cgroup");
	cg->host = h;
	cg->limits = *limits;
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++)
		cg->fd[i] = -EBADF;
	memcpy(cg->name, name, strlen(name) + 1);

	/* Only the cgroup2 directory, the one clone3 places the child in; none on pure v1. */
	r = cgroup_make_dirs_fresh(cg, CGROUP_HIER_UNIFIED, CGROUP_HIER_UNIFIED + 1, reterr);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(cg);
	return 0;
}

int cgroup_create_finish(struct cgroup *cg, struct sbx_error *reterr)
{
	int r;

	r = cgroup_make_dirs_fresh(cg, CGROUP_HIER_UNIFIED + 1, _CGROUP_HIER_MAX, reterr);
	if (r < 0)
		return r;
	return cg->host->ops->set_limits(cg, &cg->limits, reterr);
}

int cgroup_set_limits(struct cgroup *cg, const struct cgroup_limits *limits,
		      struct sbx_error *reterr)
{
	int r = cgroup_check_limits(limits, reterr);

	if (r < 0)
		return r;
	cg->limits = *limits;
	return cg->host->ops->set_limits(cg, limits, reterr);
}

int cgroup_create(struct cgroup_host *h, const char *name, const struct cgroup_limits *limits,
		  struct cgroup **ret, struct sbx_error *reterr)
{
	_cleanup_(cgroup_destroyp) struct cgroup *cg = NULL;
	int r;

	r = cgroup_create_begin(h, name, limits, &cg, reterr);
	if (r < 0)
		return r;
	r = cgroup_create_finish(cg, reterr);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(cg);
	return 0;
}

int cgroup_open(struct cgroup_host *h, const char *name, struct cgroup **ret,
		struct sbx_error *reterr)
{
	_cleanup_(cgroup_closep) struct cgroup *cg = NULL;

	if (!cgroup_name_is_valid(name))
		return sbx_fail(reterr, -EINVAL, "invalid cgroup name '%s'",
				name ? name : "(null)");
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return sbx_fail(reterr, -ENOMEM, "allocate cgroup");
	cg->host = h;
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++)
		cg->fd[i] = -EBADF;
	memcpy(cg->name, name, strlen(name) + 1);
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++) {
		if (h->parent_fd[i] < 0)
			continue;
		cg->fd[i] = openat(h->parent_fd[i], name,
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cg->fd[i] < 0)
			return sbx_fail(reterr, negative_errno(),
					"open cgroup '%s/%s' in the %s hierarchy", h->parent, name,
					hier_names[i]);
	}
	/* Ours to remove only once the whole of it was found. */
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++)
		cg->created[i] = cg->fd[i] >= 0;
	*ret = TAKE_PTR(cg);
	return 0;
}

struct cgroup *cgroup_close(struct cgroup *cg)
{
	if (!cg)
		return NULL;
	memset(cg->created, 0, sizeof(cg->created));
	return cgroup_free(cg);
}

int cgroup_clone_fd(const struct cgroup *cg)
{
	return cg->fd[CGROUP_HIER_UNIFIED];
}

int cgroup_attach(struct cgroup *cg, pid_t pid, bool cloned_into_v2, struct sbx_error *reterr)
{
	char buf[32];
	int r;

	if (pid <= 0)
		return sbx_fail(reterr, -EINVAL, "move process %d into cgroup '%s'", (int)pid,
				cg->name);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < _CGROUP_HIER_MAX; i++) {
		if (cg->fd[i] < 0 || (i == CGROUP_HIER_UNIFIED && cloned_into_v2))
			continue;
		r = cgroup_write(cg, (enum cgroup_hier)i, "cgroup.procs", buf);
		if (r < 0)
			return sbx_fail(reterr, r,
					"move process %d into cgroup '%s/%s' (%s hierarchy)",
					(int)pid, cg->host->parent, cg->name, hier_names[i]);
	}
	return 0;
}

int cgroup_read_stats(struct cgroup *cg, struct cgroup_stats *ret)
{
	struct cgroup_stats s = {};
	int r;

	r = cg->host->ops->read_stats(cg, &s);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int cgroup_count_procs(struct cgroup *cg)
{
	int fd = cg->fd[CGROUP_HIER_UNIFIED] >= 0 ? cg->fd[CGROUP_HIER_UNIFIED]
						  : cg->fd[CGROUP_HIER_MEMORY];

	if (fd < 0)
		return -EBADF;
	return cgroup_procs_scan(fd, false);
}

int cgroup_freeze(struct cgroup *cg, bool frozen)
{
	return cg->host->ops->freeze(cg, frozen, true);
}

int cgroup_kill(struct cgroup *cg)
{
	return cg->host->ops->kill(cg);
}

struct cgroup *cgroup_destroy(struct cgroup *cg)
{
	if (!cg)
		return NULL;
	/* Nothing to report to: a cgroup that would not go away (a process stuck in D state
	 * past the timeout) is removed as a leftover by the next cgroup_create() of its name. */
	(void)cgroup_remove(cg);
	return cgroup_free(cg);
}
