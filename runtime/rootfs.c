/* SPDX-License-Identifier: MIT */
/* Assembles the new root in a tmpfs mounted over ROOTFS_STAGING in the child's private mount
 * namespace. Every host source is captured as an fd before anything is mounted over the host's
 * view, so a source under the staging path still works and nothing is resolved twice. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "dev.h"
#include "io-util.h"
#include "macro.h"
#include "mounts.h"
#include "rootfs.h"

/* Top-level system directories of the host image: a symlink on the host (merged /usr) becomes
 * the same symlink, a directory a read-only, nosuid, nodev bind. */
static const char *const host_top[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
};

/* /etc entries the host image takes from the host; everything else of /etc stays invisible
 * (shadow, ssh keys, machine-id, the host's passwd). Symlinks are copied as symlinks. */
static const char *const host_etc[] = {
	"/etc/ld.so.cache", "/etc/ssl", "/etc/alternatives", "/etc/localtime", "/etc/os-release",
};

#define HOST_SOURCES_MAX (ELEMENTSOF(host_top) + ELEMENTSOF(host_etc))

struct host_source {
	const char *rel;     /* absolute host path, the same inside */
	char link[PATH_MAX]; /* target when the host entry is a symlink */
	bool is_link, is_dir;
	struct mount_tree tree; /* when not a link */
};

/* path = root + rel; a path that does not fit is an error, never a truncated mount target. */
static int join(char path[static PATH_MAX], const char *root, const char *rel)
{
	int n = snprintf(path, PATH_MAX, "%s%s", root, rel);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static const char etc_passwd[] = "root:x:0:0:root:/workspace:/bin/sh\n"
				 "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char etc_group[] = "root:x:0:\nnogroup:x:65534:\n";
static const char etc_nsswitch[] = "passwd: files\ngroup: files\nshadow: files\nhosts: files\n";

static void host_sources_done(struct host_source *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i].is_link)
			mounts_tree_done(&s[i].tree);
}

/* Captures one host entry; returns 1 if captured, 0 if the host has no such entry. */
static int capture_host(const char *rel, struct host_source *s)
{
	const char *path = rel;
	struct stat st;
	ssize_t n;

	*s = (struct host_source){.rel = rel, .tree = {.fd = -EBADF}};
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, s->link, sizeof(s->link) - 1);
		if (n < 0)
			return negative_errno();
		s->link[n] = '\0';
		s->is_link = true;
		return 1;
	}
	s->is_dir = S_ISDIR(st.st_mode);
	if (!s->is_dir && !S_ISREG(st.st_mode))
		return 0;
	return mounts_open_tree(path, &s->tree) < 0 ? negative_errno() : 1;
}

/* Creates the mount point for a bind: a directory or an empty file. */
static int make_mountpoint(const char *path, bool dir)
{
	int fd;

	if (dir)
		return mkdir(path, 0755) < 0 && errno != EEXIST ? negative_errno() : 0;
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return negative_errno();
	safe_close(fd);
	return 0;
}

/* mkdir -p of an absolute path inside root (components created 0755). */
static int mkdir_inside(const char *root, const char *abs, bool last_is_dir)
{
	char path[PATH_MAX];
	size_t rl = strlen(root);
	int r;

	r = join(path, root, abs);
	if (r < 0)
		return r;
	for (char *p = path + rl + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return negative_errno();
	}
	return make_mountpoint(path, last_is_dir);
}

static int write_etc(const char *root, const struct sandbox_spec *spec)
{
	const char *hostname = spec->hostname ? spec->hostname : SANDBOX_HOSTNAME_DEFAULT;
	char path[PATH_MAX], hosts[512];
	int r;

	snprintf(hosts, sizeof(hosts),
		 "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n",
		 hostname);
	const struct {
		const char *name;
		const char *content;
	} files[] = {
		{"/etc/passwd", etc_passwd},
		{"/etc/group", etc_group},
		{"/etc/nsswitch.conf", etc_nsswitch},
		{"/etc/hosts", hosts},
	};

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		r = join(path, root, files[i].name);
		if (r >= 0)
			r = write_file_at(AT_FDCWD, path, files[i].content, 0644);
		if (r < 0)
			return r;
	}
	r = join(path, root, "/etc/hostname");
	if (r < 0)
		return r;
	snprintf(hosts, sizeof(hosts), "%s\n", hostname);
	return write_file_at(AT_FDCWD, path, hosts, 0644);
}

static int attach_host_sources(const char *root, struct host_source *s, size_t n)
{
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < n; i++) {
		r = join(path, root, s[i].rel);
		if (r < 0)
			return r;
		if (s[i].is_link) {
			if (symlink(s[i].link, path) < 0)
				return negative_errno();
			continue;
		}
		r = make_mountpoint(path, s[i].is_dir);
		if (r < 0)
			return r;
		r = mounts_attach(&s[i].tree, path, MOUNTS_RO | MOUNTS_NOSUID | MOUNTS_NODEV);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The overlay for a directory image: the captured (idmapped) image attached read-only as the
 * lower layer, upper and work dirs in the staging tmpfs. The lower layer must be a mount of this
 * namespace: overlayfs refuses to clone a detached one. */
static int mount_overlay(const char *staging, struct mount_tree *image, uint64_t size,
			 char *ret_root, size_t root_len)
{
	char lower[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], opts[3 * PATH_MAX + 64];
	int r;

	r = mounts_tmpfs(staging, size, 0755, MOUNTS_NOSUID | MOUNTS_NODEV);
	if (r < 0)
		return r;
	snprintf(lower, sizeof(lower), "%s/lower", staging);
	snprintf(upper, sizeof(upper), "%s/upper", staging);
	snprintf(work, sizeof(work), "%s/work", staging);
	snprintf(ret_root, root_len, "%s/root", staging);
	if (mkdir(lower, 0755) < 0 || mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0 ||
	    mkdir(ret_root, 0755) < 0)
		return negative_errno();
	r = mounts_attach(image, lower, MOUNTS_RO | MOUNTS_NOSUID | MOUNTS_NODEV);
	if (r < 0)
		return r;
	/* userxattr: in a user namespace overlayfs may only use user.* xattrs (tmpfs has them
	 * since 6.6); without it the kernel logs its fallbacks for every sandbox. */
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower, upper,
		 work);
	if (mount("overlay", ret_root, "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
		return 0;
	opts[strlen(opts) - strlen(",userxattr")] = '\0';
	if (mount("overlay", ret_root, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
		return negative_errno();
	return 0;
}

static int pivot_into(const char *root)
{
	if (chdir(root) < 0)
		return negative_errno();
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching it then
	 * leaves no path back to the host's tree. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return negative_errno();
	if (umount2(".", MNT_DETACH) < 0)
		return negative_errno();
	if (chdir("/") < 0)
		return negative_errno();
	return 0;
}

/* The host image's sources, captured before the first mount over the host's view. */
struct sources {
	struct host_source host[HOST_SOURCES_MAX];
	size_t n_host;
};

static void sources_done(struct sources *src)
{
	host_sources_done(src->host, src->n_host);
}

static int capture_host_image(struct sources *src, struct sbx_error *reterr)
{
	const char *const *tables[] = {host_top, host_etc};
	const size_t sizes[] = {ELEMENTSOF(host_top), ELEMENTSOF(host_etc)};
	int r;

	for (size_t t = 0; t < ELEMENTSOF(tables); t++)
		for (size_t i = 0; i < sizes[t]; i++) {
			r = capture_host(tables[t][i], &src->host[src->n_host]);
			if (r < 0)
				return sbx_fail(reterr, r, "capture host '%s'", tables[t][i]);
			src->n_host += (size_t)r;
		}
	return 0;
}

void rootfs_trees_done(struct rootfs_trees *t)
{
	mounts_tree_done(&t->image);
	mounts_tree_done(&t->workspace);
	for (size_t i = 0; i < t->n_binds; i++)
		mounts_tree_done(&t->binds[i]);
	t->n_binds = 0;
}

int rootfs_capture_parent(const struct sandbox_spec *spec, const char *image_dir,
			  struct rootfs_trees *t, struct sbx_error *reterr)
{
	int r;

	if (image_dir) {
		r = mounts_open_tree(image_dir, &t->image);
		if (r < 0)
			return sbx_fail(reterr, r, "open image '%s'", image_dir);
	}
	if (spec->workspace_dir) {
		r = mounts_open_tree(spec->workspace_dir, &t->workspace);
		if (r < 0)
			return sbx_fail(reterr, r, "open workspace '%s'", spec->workspace_dir);
	}
	for (size_t i = 0; i < spec->n_binds; i++) {
		r = mounts_open_tree(spec->binds[i].source, &t->binds[i]);
		if (r < 0)
			return sbx_fail(reterr, r, "open bind source '%s'", spec->binds[i].source);
		t->n_binds++;
	}
	return 0;
}

int rootfs_reopen_child(struct rootfs_trees *t, struct sbx_error *reterr)
{
	int r;

	r = mounts_tree_reopen(&t->image);
	if (r >= 0)
		r = mounts_tree_reopen(&t->workspace);
	for (size_t i = 0; r >= 0 && i < t->n_binds; i++)
		r = mounts_tree_reopen(&t->binds[i]);
	if (r < 0)
		return sbx_fail(reterr, r, "open the captured trees again");
	return 0;
}

/* Idmaps one tree; a read-only tree on a filesystem without idmapping support stays plain. */
static int idmap_tree(struct mount_tree *tree, int userns_fd, bool writable)
{
	int r;

	if (tree->fd < 0)
		return 0;
	r = mounts_tree_idmap(tree, userns_fd);
	/* EINVAL/EPERM: the filesystem cannot be idmapped; ENOSYS/EOPNOTSUPP: the kernel cannot
	 * (before 5.12). Read-only trees then stay plain, writable ones are refused. */
	if (r < 0 && !writable && (r == -EINVAL || r == -EOPNOTSUPP || r == -EPERM || r == -ENOSYS))
		return 0;
	return r;
}

int rootfs_idmap_parent(const struct sandbox_spec *spec, struct rootfs_trees *t, int userns_fd,
			struct sbx_error *reterr)
{
	int r;

	r = idmap_tree(&t->image, userns_fd, false);
	if (r < 0)
		return sbx_fail(reterr, r, "idmap image '%s'", spec->image);
	r = idmap_tree(&t->workspace, userns_fd, true);
	if (r < 0)
		return sbx_fail(reterr, r, "idmap workspace '%s'", spec->workspace_dir);
	for (size_t i = 0; i < t->n_binds; i++) {
		r = idmap_tree(&t->binds[i], userns_fd, spec->binds[i].writable);
		if (r < 0)
			return sbx_fail(reterr, r, "idmap bind source '%s'", spec->binds[i].source);
	}
	return 0;
}

/* Builds the host image's root: a small tmpfs of mount points and generated /etc files. */
static int build_host_root(const char *root, const struct sandbox_spec *spec, struct sources *src,
			   struct sbx_error *reterr)
{
	char path[PATH_MAX];
	int r;

	r = mounts_tmpfs(root, ROOTFS_ROOT_SIZE, 0755, MOUNTS_NOSUID | MOUNTS_NODEV);
	if (r < 0)
		return sbx_fail(reterr, r, "mount the root tmpfs");
	r = join(path, root, "/etc");
	if (r >= 0)
		r = make_mountpoint(path, true);
	if (r < 0)
		return sbx_fail(reterr, r, "create /etc");
	r = attach_host_sources(root, src->host, src->n_host);
	if (r < 0)
		return sbx_fail(reterr, r, "bind the host image");
	r = write_etc(root, spec);
	if (r < 0)
		return sbx_fail(reterr, r, "write /etc");
	return 0;
}

/* /proc, /dev, /workspace and /tmp of the new root. */
static int mount_scratch(const char *root, const struct sandbox_spec *spec,
			 struct mount_tree *workspace, struct sbx_error *reterr)
{
	const unsigned scratch = MOUNTS_NOSUID | MOUNTS_NODEV;
	const char *const dirs[] = {"/proc", "/dev", SANDBOX_WORKSPACE, "/tmp"};
	char path[PATH_MAX];
	int r = 0;

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		r = join(path, root, dirs[i]);
		if (r >= 0)
			r = make_mountpoint(path, true);
		if (r >= 0) {
			switch (i) {
			case 0:
				r = mounts_proc(path);
				break;
			case 1:
				r = dev_setup_child(path, ROOTFS_SHM_SIZE);
				break;
			case 2:
				r = workspace ? mounts_attach(workspace, path, scratch)
					      : mounts_tmpfs(path, spec->workspace_size, 0755,
							     scratch);
				break;
			default:
				r = mounts_tmpfs(path, spec->tmp_size, 01777, scratch);
				break;
			}
		}
		if (r < 0)
			return sbx_fail(reterr, r, "set up %s", dirs[i]);
	}
	return 0;
}

/* The caller's binds, read-only unless asked otherwise; missing targets are created. */
static int attach_binds(const char *root, const struct sandbox_spec *spec, struct rootfs_trees *t,
			struct sbx_error *reterr)
{
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < t->n_binds; i++) {
		const struct sandbox_bind *b = &spec->binds[i];
		struct stat st;

		if (fstatat(t->binds[i].fd, "", &st, AT_EMPTY_PATH) < 0)
			r = negative_errno();
		else
			r = mkdir_inside(root, b->target, S_ISDIR(st.st_mode));
		if (r >= 0)
			r = join(path, root, b->target);
		if (r >= 0)
			r = mounts_attach(&t->binds[i], path,
					  MOUNTS_NOSUID | MOUNTS_NODEV |
						  (b->writable ? 0 : MOUNTS_RO));
		if (r < 0)
			return sbx_fail(reterr, r, "bind '%s' at '%s'", b->source, b->target);
	}
	return 0;
}

int rootfs_setup_child(const struct sandbox_spec *spec, struct rootfs_trees *t,
		       struct sbx_error *reterr)
{
	_cleanup_(sources_done) struct sources src = {};
	bool host_image = t->image.fd < 0;
	char root[64];
	int r;

	r = mounts_make_private();
	if (r < 0)
		return sbx_fail(reterr, r, "make mounts private");

	if (host_image) {
		r = capture_host_image(&src, reterr);
		if (r < 0)
			return r;
		snprintf(root, sizeof(root), "%s", ROOTFS_STAGING);
		r = build_host_root(root, spec, &src, reterr);
		if (r < 0)
			return r;
	} else {
		r = mount_overlay(ROOTFS_STAGING, &t->image, ROOTFS_OVERLAY_SIZE_DEFAULT, root,
				  sizeof(root));
		if (r < 0)
			return sbx_fail(reterr, r, "mount the overlay of image '%s'", spec->image);
	}

	r = mount_scratch(root, spec, t->workspace.fd >= 0 ? &t->workspace : NULL, reterr);
	if (r < 0)
		return r;
	r = attach_binds(root, spec, t, reterr);
	if (r < 0)
		return r;

	r = pivot_into(root);
	if (r < 0)
		return sbx_fail(reterr, r, "pivot_root into the new root");

	/* The host image's root holds only mount points and generated files: nothing in it is
	 * the sandbox's to change. A directory image's root is its writable overlay. */
	if (host_image) {
		r = mounts_remount_ro("/", MOUNTS_NOSUID | MOUNTS_NODEV);
		if (r < 0)
			return sbx_fail(reterr, r, "make the root read-only");
	}
	return 0;
}
