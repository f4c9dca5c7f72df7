/* SPDX-License-Identifier: MIT */
/* sandboxctl file read|write|ls|stat|rm|mkdir|mv|cp|watch: the file calls of a session, with
 * transfers of any size in chunks (ReadFile answers at most CTL_READ_CHUNK bytes; writes go up
 * as an upload of CTL_WRITE_CHUNK pieces). Paths are the sandbox's; the daemon resolves and
 * decides them. The watch is ctl-file-watch.c, the progress bar ctl-progress.c. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl-file.h"
#include "ctl.h"
#include "io-util.h"
#include "macro.h"
#include "parse-util.h"
#include "units.h"

#define CTL_WRITE_CHUNK (1U << 20) /* bytes of one WriteFile we send */
#define CTL_READ_CHUNK	(4U << 20) /* bytes asked of one ReadFile: the daemon's most */

int ctl_file_broken_answer(const char *what)
{
	fprintf(stderr, "sandboxctl: INTERNAL: %s\n", what);
	return CTL_EXIT_ERROR;
}

static int local_error(const char *what, const char *path, int r)
{
	fprintf(stderr, "sandboxctl: %s '%s': %s\n", what, path, strerror(-r));
	return CTL_EXIT_ERROR;
}

void ctl_file_put_safe(const char *s, FILE *f)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* Permission bits in octal ("644", "0755"): at most 07777. */
static int parse_mode(const char *s, uint32_t *ret)
{
	uint32_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -EINVAL;
		v = v * 8 + (uint32_t)(*s - '0');
	}
	if (v > 07777)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* ---- transfers */

/* Reads until buf is full or the input ends; the length read in *ret_len. */
static int read_full(int fd, uint8_t *buf, size_t cap, size_t *ret_len)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret_len = len;
	return 0;
}

struct upload {
	const char *session_id, *skill, *path;
	const char *source; /* for messages: the local file, or "stdin" */
	Sandboxd__V1__WriteMode mode;
	uint32_t file_mode;
	bool parents;
};

/* Sends what fd holds to u->path. Up to one chunk is one WriteFile in u->mode. More is an
 * upload for WRITE_REPLACE (the file appears whole when the last chunk is in), else the first
 * chunk in u->mode and the rest appended. Returns 0 or CTL_EXIT_ERROR (printed). */
static int upload_fd(struct ctl *ctl, const struct upload *u, int fd, struct ctl_progress *p,
		     uint64_t *ret_size, char **ret_path)
{
	_cleanup_free_ uint8_t *cur = malloc(CTL_WRITE_CHUNK), *next = malloc(CTL_WRITE_CHUNK);
	_cleanup_free_ char *upload_id = NULL;
	size_t cur_len = 0, next_len;
	uint64_t offset = 0;
	bool first = true;
	int r;

	if (!cur || !next)
		return local_error("read", u->source, -ENOMEM);
	r = read_full(fd, cur, CTL_WRITE_CHUNK, &cur_len);
	if (r < 0)
		return local_error("read", u->source, r);
	for (;;) {
		Sandboxd__V1__WriteFileRequest w = SANDBOXD__V1__WRITE_FILE_REQUEST__INIT;
		Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
		Sandboxd__V1__Response *resp;
		uint8_t *swap;
		bool more;

		/* One chunk ahead, so the last one goes without `more`. */
		next_len = 0;
		if (cur_len == CTL_WRITE_CHUNK) {
			r = read_full(fd, next, CTL_WRITE_CHUNK, &next_len);
			if (r < 0)
				return local_error("read", u->source, r);
		}
		more = next_len > 0;

		w.session_id = (char *)u->session_id;
		w.skill = (char *)u->skill;
		w.path = (char *)u->path;
		w.data.data = cur;
		w.data.len = cur_len;
		w.file_mode = u->file_mode;
		w.make_parents = u->parents;
		if (u->mode == SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE) {
			w.mode = SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE;
			w.more = more;
			if (!first) {
				w.upload_id = upload_id;
				w.offset = offset;
			}
		} else
			w.mode = first ? u->mode : SANDBOXD__V1__WRITE_MODE__WRITE_APPEND;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_WRITE_FILE;
		req.write_file = &w;
		resp = ctl_call(ctl, &req, NULL, NULL);
		if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_WRITE_RESULT) < 0)
			return CTL_EXIT_ERROR;
		if (first && w.more) {
			if (!*resp->write_result->upload_id) {
				sandboxd__v1__response__free_unpacked(resp, NULL);
				return ctl_file_broken_answer("the daemon started no upload");
			}
			upload_id = strdup(resp->write_result->upload_id);
			if (!upload_id) {
				sandboxd__v1__response__free_unpacked(resp, NULL);
				return local_error("read", u->source, -ENOMEM);
			}
		}
		offset += cur_len;
		if (p)
			ctl_progress_update(p, offset);
		if (!more) {
			_cleanup_free_ char *path = strdup(resp->write_result->path);

			*ret_size = resp->write_result->size;
			sandboxd__v1__response__free_unpacked(resp, NULL);
			if (!path)
				return local_error("read", u->source, -ENOMEM);
			*ret_path = TAKE_PTR(path);
			return 0;
		}
		sandboxd__v1__response__free_unpacked(resp, NULL);
		swap = cur;
		cur = next;
		next = swap;
		cur_len = next_len;
		first = false;
	}
}

struct download {
	const char *session_id, *skill, *path;
	const char *sink; /* for messages: the local file, or "stdout" */
	uint64_t offset;
	uint64_t length; /* 0: to the end */
};

/* Writes d->path's bytes from d->offset to fd, one ReadFile at a time until the end of the
 * file or d->length bytes. p (may be NULL) starts once the file's size is known. Returns 0 or
 * CTL_EXIT_ERROR (printed); the bytes written in *ret_len. */
static int download_fd(struct ctl *ctl, const struct download *d, int fd, struct ctl_progress *p,
		       uint64_t *ret_len)
{
	uint64_t done = 0;

	for (;;) {
		Sandboxd__V1__ReadFileRequest rf = SANDBOXD__V1__READ_FILE_REQUEST__INIT;
		Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
		Sandboxd__V1__Response *resp;
		const Sandboxd__V1__FileData *data;
		uint64_t want = CTL_READ_CHUNK, total;
		bool end;
		int r;

		if (d->length > 0)
			want = MIN(want, d->length - done);
		rf.session_id = (char *)d->session_id;
		rf.skill = (char *)d->skill;
		rf.path = (char *)d->path;
		rf.offset = d->offset + done;
		rf.length = want;
		req.body_case = SANDBOXD__V1__REQUEST__BODY_READ_FILE;
		req.read_file = &rf;
		resp = ctl_call(ctl, &req, NULL, NULL);
		if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_DATA) < 0)
			return CTL_EXIT_ERROR;
		data = resp->file_data;
		if (data->data.len > want) {
			sandboxd__v1__response__free_unpacked(resp, NULL);
			return ctl_file_broken_answer("the daemon sent more bytes than asked");
		}
		if (done == 0 && p) {
			total = data->size > d->offset ? data->size - d->offset : 0;
			ctl_progress_start(p, d->length > 0 ? MIN(total, d->length) : total);
		}
		r = write_all(fd, data->data.data, data->data.len);
		if (r < 0) {
			sandboxd__v1__response__free_unpacked(resp, NULL);
			return local_error("write", d->sink, r);
		}
		done += data->data.len;
		if (p)
			ctl_progress_update(p, done);
		/* No bytes and no eof would be a file that shrank under us: stop either way. */
		end = data->eof || data->data.len == 0 || (d->length > 0 && done >= d->length);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		if (end) {
			*ret_len = done;
			return 0;
		}
	}
}

/* ---- read, write */

static int file_read(struct ctl *ctl, const struct ctl_file_opts *o)
{
	struct download d = {
		.session_id = o->args[0],
		.skill = o->skill,
		.path = o->args[1],
		.sink = "stdout",
		.offset = o->offset,
		.length = o->length,
	};
	uint64_t n;

	return download_fd(ctl, &d, STDOUT_FILENO, NULL, &n);
}

static int file_write(struct ctl *ctl, const struct ctl_file_opts *o)
{
	struct upload u = {
		.session_id = o->args[0],
		.skill = o->skill,
		.path = o->args[1],
		.source = "stdin",
		.mode = o->write_mode,
		.file_mode = o->mode,
		.parents = o->parents,
	};
	_cleanup_free_ char *path = NULL;
	uint64_t size;
	int r;

	r = upload_fd(ctl, &u, STDIN_FILENO, NULL, &size, &path);
	if (r != 0)
		return r;
	if (ctl->output == CTL_OUTPUT_JSON)
		return ctl_print_json(json_pack("{s:o, s:I}", "path", ctl_json_text(path), "size",
						(json_int_t)size));
	return 0;
}

/* ---- ls, stat */

static const char *type_name(Sandboxd__V1__FileType t)
{
	switch (t) {
	case SANDBOXD__V1__FILE_TYPE__FILE_REGULAR:
		return "file";
	case SANDBOXD__V1__FILE_TYPE__FILE_DIRECTORY:
		return "directory";
	case SANDBOXD__V1__FILE_TYPE__FILE_SYMLINK:
		return "symlink";
	default:
		return "other";
	}
}

/* "drwxr-sr-t" as ls -l writes it; '?' for a device, FIFO or socket (the wire says no more). */
static const char *mode_text(Sandboxd__V1__FileType t, uint32_t mode, char buf[static 11])
{
	static const char rwx[] = "rwxrwxrwx";

	switch (t) {
	case SANDBOXD__V1__FILE_TYPE__FILE_REGULAR:
		buf[0] = '-';
		break;
	case SANDBOXD__V1__FILE_TYPE__FILE_DIRECTORY:
		buf[0] = 'd';
		break;
	case SANDBOXD__V1__FILE_TYPE__FILE_SYMLINK:
		buf[0] = 'l';
		break;
	default:
		buf[0] = '?';
	}
	for (int i = 0; i < 9; i++)
		buf[1 + i] = mode & (0400U >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		buf[3] = buf[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		buf[6] = buf[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		buf[9] = buf[9] == 'x' ? 't' : 'T';
	buf[10] = '\0';
	return buf;
}

/* Local time: "2024-05-01 12:34" for listings, with seconds and zone for stat (long). */
static const char *mtime_text(uint64_t unix_ms, bool long_form, char buf[static 32])
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || (long_form ? strftime(buf, 32, "%Y-%m-%d %H:%M:%S %z", &tm)
						: strftime(buf, 32, "%Y-%m-%d %H:%M", &tm)) == 0)
		snprintf(buf, 32, "%" PRIu64, unix_ms / 1000);
	return buf;
}

static json_t *info_json(const Sandboxd__V1__FileInfo *i)
{
	char octal[8];
	json_t *o;

	snprintf(octal, sizeof(octal), "%04o", i->mode & 07777);
	o = json_pack("{s:o, s:o, s:s, s:I, s:i, s:s, s:I}", "path", ctl_json_text(i->path), "name",
		      ctl_json_text(i->name), "type", type_name(i->type), "size",
		      (json_int_t)i->size, "mode", (int)(i->mode & 07777), "mode_octal", octal,
		      "mtime_unix_ms", (json_int_t)i->mtime_unix_ms);
	if (o && i->type == SANDBOXD__V1__FILE_TYPE__FILE_SYMLINK &&
	    json_object_set_new(o, "link_target", ctl_json_text(i->link_target)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One ls -l line: type and mode, size (right-aligned to width), local mtime, path. */
static void print_info_line(const Sandboxd__V1__FileInfo *i, int width)
{
	char mode[11], when[32];

	printf("%s %*" PRIu64 " %s ", mode_text(i->type, i->mode, mode), width, i->size,
	       mtime_text(i->mtime_unix_ms, false, when));
	ctl_file_put_safe(i->path, stdout);
	if (i->type == SANDBOXD__V1__FILE_TYPE__FILE_SYMLINK) {
		fputs(" -> ", stdout);
		ctl_file_put_safe(i->link_target, stdout);
	}
	putchar('\n');
}

static int file_ls(struct ctl *ctl, const struct ctl_file_opts *o)
{
	Sandboxd__V1__ListDirRequest body = SANDBOXD__V1__LIST_DIR_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	const Sandboxd__V1__DirListing *l;
	Sandboxd__V1__Response *resp;
	int ret = 0, width = 1;

	body.session_id = o->args[0];
	body.skill = (char *)o->skill;
	body.path = o->n_args > 1 ? o->args[1] : (char *)"/workspace";
	body.recursive = o->recursive;
	body.depth = o->depth;
	body.limit = o->limit;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_LIST_DIR;
	req.list_dir = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_LISTING) < 0)
		return CTL_EXIT_ERROR;
	l = resp->listing;
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < l->n_entries; i++)
			json_array_append_new(a, info_json(l->entries[i]));
		ret = ctl_print_json(json_pack("{s:o, s:o, s:b}", "path", ctl_json_text(l->path),
					       "entries", a, "truncated", l->truncated));
	} else {
		for (size_t i = 0; i < l->n_entries; i++) {
			char digits[24];
			int n = snprintf(digits, sizeof(digits), "%" PRIu64, l->entries[i]->size);

			width = MAX(width, n);
		}
		for (size_t i = 0; i < l->n_entries; i++)
			print_info_line(l->entries[i], width);
		/* On stderr: stdout stays one entry per line for scripts. */
		if (l->truncated)
			fprintf(stderr,
				"sandboxctl: listing truncated after %zu entries (raise --limit, "
				"at most 100000)\n",
				l->n_entries);
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static int print_info(struct ctl *ctl, const Sandboxd__V1__FileInfo *i)
{
	char mode[11], when[32];

	if (ctl->output == CTL_OUTPUT_JSON)
		return ctl_print_json(info_json(i));
	fputs("path:   ", stdout);
	ctl_file_put_safe(i->path, stdout);
	printf("\ntype:   %s\nsize:   %" PRIu64 "\nmode:   %04o (%s)\nmtime:  %s\n",
	       type_name(i->type), i->size, i->mode & 07777, mode_text(i->type, i->mode, mode),
	       mtime_text(i->mtime_unix_ms, true, when));
	if (i->type == SANDBOXD__V1__FILE_TYPE__FILE_SYMLINK) {
		fputs("target: ", stdout);
		ctl_file_put_safe(i->link_target, stdout);
		putchar('\n');
	}
	return 0;
}

/* Sends req, expects a FileInfo; prints it when show (or always with -o json). */
static int answer_info(struct ctl *ctl, Sandboxd__V1__Request *req, bool show)
{
	Sandboxd__V1__Response *resp;
	int ret = 0;

	resp = ctl_call(ctl, req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_FILE_INFO) < 0)
		return CTL_EXIT_ERROR;
	if (show || ctl->output == CTL_OUTPUT_JSON)
		ret = print_info(ctl, resp->file_info);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static int file_stat(struct ctl *ctl, const struct ctl_file_opts *o)
{
	Sandboxd__V1__StatRequest body = SANDBOXD__V1__STAT_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = o->args[0];
	body.skill = (char *)o->skill;
	body.path = o->args[1];
	req.body_case = SANDBOXD__V1__REQUEST__BODY_STAT;
	req.stat = &body;
	return answer_info(ctl, &req, true);
}

/* ---- rm, mkdir, mv: quiet on success in text, like their namesakes */

static int file_rm(struct ctl *ctl, const struct ctl_file_opts *o)
{
	Sandboxd__V1__RemoveRequest body = SANDBOXD__V1__REMOVE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;

	body.session_id = o->args[0];
	body.skill = (char *)o->skill;
	body.path = o->args[1];
	body.recursive = o->recursive;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_REMOVE;
	req.remove = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_DESTROYED) < 0)
		return CTL_EXIT_ERROR;
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return 0;
}

static int file_mkdir(struct ctl *ctl, const struct ctl_file_opts *o)
{
	Sandboxd__V1__MkdirRequest body = SANDBOXD__V1__MKDIR_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = o->args[0];
	body.skill = (char *)o->skill;
	body.path = o->args[1];
	body.parents = o->parents;
	body.mode = o->mode;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_MKDIR;
	req.mkdir = &body;
	return answer_info(ctl, &req, false);
}

static int file_mv(struct ctl *ctl, const struct ctl_file_opts *o)
{
	Sandboxd__V1__MoveRequest body = SANDBOXD__V1__MOVE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = o->args[0];
	body.skill = (char *)o->skill;
	body.from = o->args[1];
	body.to = o->args[2];
	body.overwrite = o->overwrite;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_MOVE;
	req.move = &body;
	return answer_info(ctl, &req, false);
}

/* ---- cp */

/* The length of the session id of "s-ID:PATH", or 0 when arg names a local file. */
static size_t remote_id_len(const char *arg)
{
	const char *colon;

	if (strncmp(arg, "s-", 2) != 0)
		return 0;
	colon = strchr(arg, ':');
	if (!colon || colon == arg + 2)
		return 0;
	for (const char *c = arg + 2; c < colon; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return 0;
	return (size_t)(colon - arg);
}

/* The last component of path ("" when there is none: "/", "", "dir/"). */
static const char *last_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The partial download, removed when a signal ends sandboxctl before it is renamed into place
 * (unlink is async-signal-safe). */
static char partial_path[PATH_MAX];
static volatile sig_atomic_t partial_armed;

static void on_fatal_signal(int sig)
{
	if (partial_armed)
		(void)unlink(partial_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void partial_arm(bool arm)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = arm ? on_fatal_signal : SIG_DFL};

	partial_armed = arm;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

static int cp_up(struct ctl *ctl, const struct ctl_file_opts *o, const char *local, char *id,
		 const char *remote)
{
	struct upload u = {.session_id = id, .skill = o->skill, .source = local};
	_cleanup_free_ char *joined = NULL, *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct ctl_progress p = {};
	bool from_stdin = strcmp(local, "-") == 0;
	uint64_t size;
	struct stat st;
	int r;

	/* "ID:DIR/" (or "ID:") names the directory to copy into, as cp would. */
	if (!*remote || remote[strlen(remote) - 1] == '/') {
		if (from_stdin || !*last_name(local))
			return ctl_usage_error("file cp: give the file's name in the session: "
					       "ID:DIR/NAME");
		if (asprintf(&joined, "%s%s", remote, last_name(local)) < 0)
			return local_error("read", local, -ENOMEM);
		remote = joined;
	}
	u.path = remote;
	if (from_stdin) {
		u.source = "stdin";
		fd = STDIN_FILENO;
	} else {
		fd = open(local, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return local_error("open", local, negative_errno());
		if (fstat(fd, &st) < 0)
			return local_error("stat", local, negative_errno());
		if (S_ISDIR(st.st_mode))
			return local_error("copy", local, -EISDIR);
		/* A pipe or device (<(cmd), /dev/stdin) has no size and keeps the default mode. */
		if (S_ISREG(st.st_mode)) {
			u.file_mode = st.st_mode & 07777;
			ctl_progress_start(&p, (uint64_t)st.st_size);
		}
	}
	r = upload_fd(ctl, &u, fd, &p, &size, &path);
	if (from_stdin)
		fd = -EBADF; /* not ours to close */
	ctl_progress_end(&p, r == 0);
	if (r != 0)
		return r;
	if (ctl->output == CTL_OUTPUT_JSON)
		return ctl_print_json(json_pack("{s:o, s:s, s:I}", "path", ctl_json_text(path),
						"session_id", id, "size", (json_int_t)size));
	return 0;
}

static int cp_down(struct ctl *ctl, const struct ctl_file_opts *o, char *id, const char *remote,
		   const char *local)
{
	struct download d = {.session_id = id, .skill = o->skill, .path = remote, .sink = local};
	_cleanup_free_ char *joined = NULL, *dir = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct ctl_progress p = {};
	struct stat st;
	uint64_t size;
	mode_t mask;
	int r;

	if (strcmp(local, "-") == 0) {
		d.sink = "stdout";
		r = download_fd(ctl, &d, STDOUT_FILENO, &p, &size);
		ctl_progress_end(&p, r == 0);
		return r;
	}
	/* Into an existing directory under the remote file's own name, as cp would. */
	if (stat(local, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!*last_name(remote))
			return ctl_usage_error("file cp: '%s' names no file", remote);
		if (asprintf(&joined, "%s/%s", local, last_name(remote)) < 0)
			return local_error("write", local, -ENOMEM);
		local = joined;
		d.sink = local;
	}
	/* A temporary next to the target, renamed over it once whole: an interrupted copy never
	 * leaves a truncated file under the real name. */
	dir = strdup(local);
	if (!dir)
		return local_error("write", local, -ENOMEM);
	if (strrchr(dir, '/'))
		strrchr(dir, '/')[1] = '\0';
	else
		dir[0] = '\0';
	if ((size_t)snprintf(partial_path, sizeof(partial_path), "%s.%s.sandboxctl-XXXXXX", dir,
			     last_name(local)) >= sizeof(partial_path))
		return local_error("write", local, -ENAMETOOLONG);
	partial_arm(true);
	fd = mkostemp(partial_path, O_CLOEXEC);
	if (fd < 0) {
		r = negative_errno();
		partial_arm(false);
		return local_error("create a temporary file for", local, r);
	}
	r = download_fd(ctl, &d, fd, &p, &size);
	ctl_progress_end(&p, r == 0);
	if (r == 0) {
		/* Permissions as for any new file of ours: 0666 less the umask. */
		mask = umask(0);
		umask(mask);
		if (fchmod(fd, 0666 & ~mask) < 0 || close(TAKE_FD(fd)) < 0 ||
		    rename(partial_path, local) < 0)
			r = local_error("write", local, negative_errno());
	}
	if (r != 0)
		(void)unlink(partial_path);
	partial_arm(false);
	if (r == 0 && ctl->output == CTL_OUTPUT_JSON)
		return ctl_print_json(json_pack("{s:o, s:I}", "path", ctl_json_text(local), "size",
						(json_int_t)size));
	return r;
}

static int file_cp(struct ctl *ctl, const struct ctl_file_opts *o)
{
	size_t from = remote_id_len(o->args[0]), to = remote_id_len(o->args[1]);
	_cleanup_free_ char *id = NULL;

	if (!from == !to)
		return ctl_usage_error("file cp: expected LOCAL ID:PATH or ID:PATH LOCAL, one side "
				       "in a session (ID as s-0123456789abcdef)");
	id = strndup(from ? o->args[0] : o->args[1], from ? from : to);
	if (!id)
		return CTL_EXIT_ERROR;
	if (to)
		return cp_up(ctl, o, o->args[0], id, o->args[1] + to + 1);
	return cp_down(ctl, o, id, o->args[0] + from + 1, o->args[1]);
}

/* ---- the table */

enum {
	OPT_SKILL = 'S',
	OPT_OFFSET = 'O',
	OPT_LENGTH = 'L',
	OPT_MODE = 'm',
	OPT_APPEND = 'A',
	OPT_TRUNCATE = 'T',
	OPT_EXCLUSIVE = 'X',
	OPT_PARENTS = 'p',
	OPT_RECURSIVE = 'r',
	OPT_DEPTH = 'd',
	OPT_LIMIT = 'n',
	OPT_OVERWRITE = 'w',
	OPT_TIMEOUT = 't',
	OPT_MAX_EVENTS = 'e',
};

static const struct file_command {
	const char *name;
	int (*run)(struct ctl *ctl, const struct ctl_file_opts *o);
	const char *options; /* the OPT_* it takes besides --skill */
	int min_args, max_args;
	const char *usage;
} file_commands[] = {
	{"read", file_read, "OL", 2, 2, "ID PATH [--offset N] [--length N]"},
	{"write", file_write, "mATXp", 2, 2,
	 "ID PATH [--mode 0644] [--append | --truncate | --exclusive] [--parents] < DATA"},
	{"ls", file_ls, "rdn", 1, 2, "ID [PATH] [-r] [--depth N] [--limit N]"},
	{"stat", file_stat, "", 2, 2, "ID PATH"},
	{"rm", file_rm, "r", 2, 2, "ID PATH [-r]"},
	{"mkdir", file_mkdir, "pm", 2, 2, "ID PATH [-p] [--mode 0755]"},
	{"mv", file_mv, "w", 3, 3, "ID FROM TO [--overwrite]"},
	{"cp", file_cp, "", 2, 2, "LOCAL ID:PATH | ID:PATH LOCAL"},
	{"watch", ctl_file_watch, "rte", 2, 2, "ID PATH [-r] [--timeout DUR] [--max-events N]"},
};

static int parse_u32_opt(const char *opt, const char *arg, uint64_t min, uint32_t *ret)
{
	uint64_t v;

	if (parse_u64_range(arg, min, UINT32_MAX, &v) < 0)
		return ctl_usage_error("%s '%s': expected a number", opt, arg);
	*ret = (uint32_t)v;
	return 0;
}

static int parse_option(const struct file_command *fc, int c, const char *arg,
			struct ctl_file_opts *o)
{
	uint64_t v;

	switch (c) {
	case OPT_SKILL:
		o->skill = arg;
		return 0;
	case OPT_OFFSET:
	case OPT_LENGTH:
		if (parse_u64(arg, c == OPT_OFFSET ? &o->offset : &o->length) < 0)
			return ctl_usage_error("--%s '%s': expected bytes",
					       c == OPT_OFFSET ? "offset" : "length", arg);
		return 0;
	case OPT_MODE:
		if (parse_mode(arg, &o->mode) < 0)
			return ctl_usage_error("--mode '%s': expected octal permission bits like "
					       "%s",
					       arg,
					       strcmp(fc->name, "mkdir") == 0 ? "0755" : "0644");
		return 0;
	case OPT_APPEND:
	case OPT_TRUNCATE:
	case OPT_EXCLUSIVE:
		o->write_mode = c == OPT_APPEND	    ? SANDBOXD__V1__WRITE_MODE__WRITE_APPEND
				: c == OPT_TRUNCATE ? SANDBOXD__V1__WRITE_MODE__WRITE_TRUNCATE
						    : SANDBOXD__V1__WRITE_MODE__WRITE_EXCLUSIVE;
		o->n_write_modes++;
		return 0;
	case OPT_PARENTS:
		o->parents = true;
		return 0;
	case OPT_RECURSIVE:
		o->recursive = true;
		return 0;
	case OPT_DEPTH:
		return parse_u32_opt("--depth", arg, 1, &o->depth);
	case OPT_LIMIT:
		return parse_u32_opt("--limit", arg, 1, &o->limit);
	case OPT_OVERWRITE:
		o->overwrite = true;
		return 0;
	case OPT_TIMEOUT:
		if (units_parse_duration(arg, &v) < 0 || v < 1000)
			return ctl_usage_error("--timeout '%s': expected a duration like 30s", arg);
		o->timeout_ms = v / 1000;
		return 0;
	case OPT_MAX_EVENTS:
		return parse_u32_opt("--max-events", arg, 1, &o->max_events);
	default:
		return CTL_EXIT_USAGE;
	}
}

int ctl_file(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"skill", required_argument, NULL, OPT_SKILL},
		{"offset", required_argument, NULL, OPT_OFFSET},
		{"length", required_argument, NULL, OPT_LENGTH},
		{"mode", required_argument, NULL, OPT_MODE},
		{"append", no_argument, NULL, OPT_APPEND},
		{"truncate", no_argument, NULL, OPT_TRUNCATE},
		{"exclusive", no_argument, NULL, OPT_EXCLUSIVE},
		{"parents", no_argument, NULL, OPT_PARENTS},
		{"recursive", no_argument, NULL, OPT_RECURSIVE},
		{"depth", required_argument, NULL, OPT_DEPTH},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{"overwrite", no_argument, NULL, OPT_OVERWRITE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"max-events", required_argument, NULL, OPT_MAX_EVENTS},
		{},
	};
	const struct file_command *fc = NULL;
	struct ctl_file_opts o = {.skill = "",
				  .write_mode = SANDBOXD__V1__WRITE_MODE__WRITE_REPLACE};
	const char *sub = argc > 1 ? argv[1] : "";
	int c, r;

	for (size_t i = 0; i < ELEMENTSOF(file_commands); i++)
		if (strcmp(sub, file_commands[i].name) == 0)
			fc = &file_commands[i];
	if (!fc)
		return ctl_usage_error("file: expected read, write, ls, stat, rm, mkdir, mv, cp "
				       "or watch");
	/* Options may follow the arguments ("file ls ID /workspace -r"); "--" ends them. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, ":rp", opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return ctl_usage_error("file %s: %s '%s'; usage: file %s %s", fc->name,
					       c == ':' ? "missing value for" : "unknown option",
					       argv[optind], fc->name, fc->usage);
		if (c != OPT_SKILL && !strchr(fc->options, c))
			return ctl_usage_error("file %s: option '%s' does not apply; usage: "
					       "file %s %s",
					       fc->name, argv[optind], fc->name, fc->usage);
		r = parse_option(fc, c, optarg, &o);
		if (r != 0)
			return r;
	}
	for (int i = optind; i < argc - 1; i++) {
		if (o.n_args == fc->max_args)
			return ctl_usage_error(
				"file %s: unexpected argument '%s'; usage: file %s %s", fc->name,
				argv[1 + i], fc->name, fc->usage);
		o.args[o.n_args++] = argv[1 + i];
	}
	if (o.n_args < fc->min_args)
		return ctl_usage_error("file %s: expected %s", fc->name, fc->usage);
	if (o.n_write_modes > 1)
		return ctl_usage_error("file write: give one of --append, --truncate, --exclusive");
	return fc->run(ctl, &o);
}
