/* SPDX-License-Identifier: MIT */
/* The atomic whole-file replace: a temporary file next to the target, written in chunks with
 * the space reserved first, renamed over the target on commit, unlinked on abort. Upload ids,
 * chunk offsets and idle timeouts are the daemon's (sandboxd/rpc-file.c); in-place writes are
 * files.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files-path.h"
#include "io-util.h"
#include "macro.h"

#define UPLOAD_PREFIX	    ".sbx-upload-"
#define UPLOAD_RANDOM_LEN   6
#define UPLOAD_ATTEMPTS_MAX 16 /* names already taken (planted by the sandbox) before giving up */

struct files_upload {
	int dir_fd;	  /* O_PATH of the target's directory */
	int fd;		  /* the temporary, O_WRONLY */
	char *path;	  /* the target, for sentences */
	const char *name; /* last component, points into path */
	char tmp[sizeof(UPLOAD_PREFIX) + UPLOAD_RANDOM_LEN];
	struct stat tmp_st; /* the temporary's inode: abort unlinks only that one */
	bool tmp_created;
	bool committed;
	uint64_t size;
};

/* A name nobody in the sandbox can guess ahead and plant a file at (O_EXCL would refuse it,
 * but a guessable name lets a sandbox process make every upload fail). */
static void upload_name(char ret[static sizeof(UPLOAD_PREFIX) + UPLOAD_RANDOM_LEN])
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t rnd[UPLOAD_RANDOM_LEN];
	char *p;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* The pool is not ready this early in boot: O_EXCL keeps this correct. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
		for (size_t i = 0; i < sizeof(rnd); i++, x >>= 8)
			rnd[i] = (uint8_t)x;
	}
	p = stpcpy(ret, UPLOAD_PREFIX);
	for (size_t i = 0; i < UPLOAD_RANDOM_LEN; i++)
		*p++ = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	*p = '\0';
}

int files_upload_begin(const struct files_root *root, const char *path, mode_t file_mode,
		       bool make_parents, struct files_upload **ret, struct sbx_error *reterr)
{
	_cleanup_(files_upload_abortp) struct files_upload *u = NULL;
	uid_t uid = root->uid;
	gid_t gid = root->gid;
	mode_t mode = file_mode & 01777;
	struct stat st;
	int r;

	r = files_path_validate("write", path, reterr);
	if (r < 0)
		return r;
	u = calloc(1, sizeof(*u));
	if (!u)
		return sbx_fail(reterr, -ENOMEM, "write '%s'", path);
	u->dir_fd = u->fd = -EBADF;
	u->path = strdup(path);
	if (!u->path)
		return sbx_fail(reterr, -ENOMEM, "write '%s'", path);

	r = files_path_open_parent(root, u->path, make_parents, &u->dir_fd, &u->name);
	if (r < 0)
		return files_path_fail(reterr, r, "write", path);
	if (u->name[0] == '\0')
		return sbx_fail(reterr, -EISDIR, "write '/': it is a directory");

	if (fstatat(u->dir_fd, u->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		r = files_path_refuse_not_regular("write", path, st.st_mode, reterr);
		if (r < 0)
			return r;
		/* A replace is an edit to the user: the file keeps who owns it and, unless the
		 * call says otherwise, its mode (never setuid or setgid). */
		uid = st.st_uid;
		gid = st.st_gid;
		if (file_mode == 0)
			mode = st.st_mode & 01777;
	} else if (errno != ENOENT)
		return files_path_fail(reterr, negative_errno(), "write", path);
	else if (file_mode == 0)
		mode = FILES_MODE_DEFAULT;

	for (unsigned attempt = 0;; attempt++) {
		if (attempt == UPLOAD_ATTEMPTS_MAX)
			return sbx_fail(reterr, -EEXIST,
					"write '%s': no free name for the temporary file", path);
		upload_name(u->tmp);
		u->fd = files_path_open_child(u->dir_fd, u->tmp,
					      O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_NONBLOCK,
					      0600);
		if (u->fd >= 0)
			break;
		if (u->fd != -EEXIST)
			return files_path_fail(reterr, u->fd, "write", path);
	}
	if (fstat(u->fd, &u->tmp_st) < 0)
		return files_path_fail(reterr, negative_errno(), "write", path);
	u->tmp_created = true;
	r = files_path_own(u->fd, mode, uid, gid);
	if (r == -EPERM && (uid != root->uid || gid != root->gid))
		/* Without CAP_CHOWN in effect (the daemon may run file calls with the session's
		 * fsuid), the replaced file's owner cannot be kept: the session's it is. */
		r = files_path_own(u->fd, mode, root->uid, root->gid);
	if (r < 0)
		return sbx_fail(reterr, r, "write '%s': set the owner and mode of the new file",
				path);

	*ret = TAKE_PTR(u);
	return 0;
}

int files_upload_write(struct files_upload *u, const void *data, size_t len,
		       struct sbx_error *reterr)
{
	uint64_t end;
	int r;

	if (u->committed)
		return sbx_fail(reterr, -ESTALE, "write '%s': the upload is already committed",
				u->path);
	if (len == 0)
		return 0;
	if (!data)
		return sbx_fail(reterr, -EINVAL, "write '%s': no data", u->path);
	if (__builtin_add_overflow(u->size, (uint64_t)len, &end) || end > (uint64_t)INT64_MAX)
		return sbx_fail(reterr, -EFBIG, "write '%s': the file would be too large", u->path);

	/* Reserve first, so a quota or a full disk fails this chunk before a byte of it lands. */
	r = reserve_space(u->fd, (off_t)u->size, len);
	if (r >= 0)
		r = pwrite_all(u->fd, data, len, (off_t)u->size);
	if (r < 0) {
		(void)ftruncate(u->fd, (off_t)u->size);
		if (r == -ENOSPC || r == -EDQUOT)
			return sbx_fail(
				reterr, -ENOSPC,
				"write %zu bytes to '%s': they do not fit in the space left "
				"(the previous contents are kept)",
				len, u->path);
		return files_path_fail(reterr, r, "write", u->path);
	}
	u->size = end;
	return 0;
}

int files_upload_commit(struct files_upload *u, struct sbx_error *reterr)
{
	struct stat st;
	int r;

	if (u->committed)
		return sbx_fail(reterr, -ESTALE, "write '%s': the upload is already committed",
				u->path);

	/* Something other than a regular file may have appeared at the path since begin. */
	if (fstatat(u->dir_fd, u->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		r = files_path_refuse_not_regular("write", u->path, st.st_mode, reterr);
		if (r < 0)
			return r;
	}
	/* The temporary must still be ours: renaming a file a sandbox process put in its place
	 * would install that file under a name the caller chose. */
	if (fstatat(u->dir_fd, u->tmp, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_dev != u->tmp_st.st_dev || st.st_ino != u->tmp_st.st_ino)
		return sbx_fail(reterr, -ESTALE,
				"write '%s': the temporary file was moved or replaced", u->path);

	if (renameat2(u->dir_fd, u->tmp, u->dir_fd, u->name, 0) < 0) {
		r = negative_errno();
		if (r == -EISDIR)
			return sbx_fail(reterr, r, "write '%s': it is a directory", u->path);
		return files_path_fail(reterr, r, "write", u->path);
	}
	u->committed = true;
	u->fd = safe_close(u->fd);
	return 0;
}

uint64_t files_upload_size(const struct files_upload *u)
{
	return u->size;
}

struct files_upload *files_upload_abort(struct files_upload *u)
{
	if (!u)
		return NULL;
	if (u->tmp_created && !u->committed)
		files_path_unlink_if_same(u->dir_fd, u->tmp, &u->tmp_st);
	safe_close(u->fd);
	safe_close(u->dir_fd);
	free(u->path);
	free(u);
	return NULL;
}
