/* SPDX-License-Identifier: MIT */
/* The fixture of the tools/files-*.c tests; see files-tree.h. */
#include <dirent.h>
#include <ftw.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files-tree.h"
#include "io-util.h"
#include "macro.h"
#include "test-util.h"

#define MOUNTS_MAX 4

struct files_root tree_root = {.fd = -EBADF};
static char *base;
static char *mounts[MOUNTS_MAX];
static size_t n_mounts;

static char *next_buf(void)
{
	static char bufs[8][PATH_MAX * 2];
	static unsigned next;

	return bufs[next++ % ELEMENTSOF(bufs)];
}

const char *tree_path(const char *sandbox_path)
{
	char *b = next_buf();

	snprintf(b, PATH_MAX * 2, "%s/root%s", base, sandbox_path);
	return b;
}

const char *tree_outside(const char *rel)
{
	char *b = next_buf();

	snprintf(b, PATH_MAX * 2, "%s/%s", base, rel);
	return b;
}

static void put_host(const char *host_path, const char *content, mode_t mode)
{
	_cleanup_close_ int fd = open(host_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_msg(fd >= 0, "create %s: %m", host_path);
	ck_assert_ok(write_all(fd, content, strlen(content)));
}

void tree_put(const char *sandbox_path, const char *content, mode_t mode)
{
	put_host(tree_path(sandbox_path), content, mode);
}

char *tree_slurp(const char *host_path)
{
	_cleanup_close_ int fd = open(host_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	char *buf;

	if (fd < 0)
		return NULL;
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	buf = calloc(1, (size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	return buf;
}

static void mkdir_host(const char *host_path)
{
	ck_assert_msg(mkdir(host_path, 0755) == 0, "mkdir %s: %m", host_path);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

/* Unmounts what this test mounted and removes its tree. */
static int tree_cleanup(void)
{
	int r = 0;

	/* A test that ran as the session (setfsuid) and stopped midway. */
	(void)setfsuid(0);
	(void)setfsgid(0);
	while (n_mounts > 0) {
		char *m = mounts[--n_mounts];

		if (umount2(m, MNT_DETACH) < 0)
			r = -1;
		free(m);
	}
	tree_root.fd = safe_close(tree_root.fd);
	if (base && nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		r = -1;
	free(base);
	base = NULL;
	return r;
}

static char *run_dir;

void tree_run_setup(void)
{
	run_dir = test_mkdtemp();
}

/* Unmounts everything below run_dir, deepest first; mounts made by a test's child are in the
 * same mount namespace. */
static void unmount_below(const char *dir)
{
	size_t len = strlen(dir);

	for (int pass = 0; pass < 8; pass++) {
		_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
		char line[4096], deepest[PATH_MAX] = "";

		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f)) {
			char mnt[PATH_MAX];

			if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
			    strncmp(mnt, dir, len) == 0 && mnt[len] == '/' &&
			    strlen(mnt) > strlen(deepest))
				snprintf(deepest, sizeof(deepest), "%s", mnt);
		}
		if (!deepest[0])
			return;
		ck_assert_msg(umount2(deepest, MNT_DETACH) == 0, "umount %s: %m", deepest);
	}
}

void tree_run_teardown(void)
{
	unmount_below(run_dir);
	test_rm_rf(run_dir);
	free(run_dir);
	run_dir = NULL;
}

void tree_setup(void)
{
	char tmpl[PATH_MAX];

	ck_assert_ptr_nonnull(run_dir);
	snprintf(tmpl, sizeof(tmpl), "%s/t-XXXXXX", run_dir);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	base = strdup(tmpl);
	ck_assert_ptr_nonnull(base);
	put_host(tree_outside("secret"), TREE_SECRET, 0644);
	mkdir_host(tree_outside("outdir"));
	put_host(tree_outside("outdir/secret"), TREE_SECRET, 0644);
	mkdir_host(tree_outside("root"));
	mkdir_host(tree_path("/etc"));
	put_host(tree_path("/etc/passwd"), TREE_PASSWD, 0644);
	mkdir_host(tree_path("/workspace"));
	put_host(tree_path("/workspace/hello.txt"), "hello\n", 0644);
	mkdir_host(tree_path("/workspace/sub"));
	put_host(tree_path("/workspace/sub/inner.txt"), "inner\n", 0644);

	tree_root.fd = open(tree_outside("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(tree_root.fd, 0);
	tree_root.uid = TREE_UID;
	tree_root.gid = TREE_GID;
}

void tree_teardown(void)
{
	ck_assert_int_eq(tree_cleanup(), 0);
}

void tree_mount_tmpfs(const char *sandbox_path, const char *size)
{
	char opts[64];
	char *p;

	ck_assert_uint_lt(n_mounts, MOUNTS_MAX);
	p = strdup(tree_path(sandbox_path));
	ck_assert_ptr_nonnull(p);
	mkdir_host(p);
	snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
	ck_assert_msg(mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts) == 0,
		      "mount tmpfs on %s: %m", p);
	mounts[n_mounts++] = p;
}

void tree_assert_outside_intact(void)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *s1 = tree_slurp(tree_outside("secret"));
	_cleanup_free_ char *s2 = tree_slurp(tree_outside("outdir/secret"));
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_nonnull(s2);
	ck_assert_str_eq(s1, TREE_SECRET);
	ck_assert_str_eq(s2, TREE_SECRET);
	d = opendir(tree_outside("outdir"));
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	ck_assert_uint_eq(n, 1);
}
