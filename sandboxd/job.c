/* SPDX-License-Identifier: MIT */
/* Job records, logs and subscribers. The record on disk is a sandboxd.v1.Job message (the same
 * shape clients get), rewritten atomically at start and at the end; logs are appended as output
 * arrives, up to JOB_LOG_MAX per stream. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "convert.h"
#include "io-util.h"
#include "job.h"
#include "log.h"
#include "macro.h"
#include "session.h"
#include "state.h"

#define JOB_ARGV_KEPT 64 /* argv entries recorded for display */

struct job_sub {
	struct job_sub *next;
	job_event_fn fn;
	void *userdata;
};

struct job {
	struct daemon *daemon;
	struct job *next;
	char id[JOB_ID_LEN + 1];
	char session_id[64];
	uid_t owner;
	char **argv;
	size_t n_argv;
	enum job_state state;
	struct exec *exec;
	uint64_t created_ms, finished_ms;
	int dirfd;
	int log_fd[2];
	uint64_t log_len[2];
	bool log_truncated[2];
	bool have_result;
	Sandboxd__V1__Termination termination;
	int exit_code, signal;
	char *out, *err;
	size_t out_len, err_len;
	bool out_truncated, err_truncated;
	uint64_t wall_usec, cpu_usec, peak_memory_bytes;
	struct job_sub *subs;
};

static const char *const log_names[2] = {"stdout.log", "stderr.log"};

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

struct job *job_next(const struct job *j)
{
	return j->next;
}

const char *job_id(const struct job *j)
{
	return j->id;
}

const char *job_session_id(const struct job *j)
{
	return j->session_id;
}

enum job_state job_state(const struct job *j)
{
	return j->state;
}

uid_t job_owner(const struct job *j)
{
	return j->owner;
}

static const Sandboxd__V1__JobState wire_states[] = {
	[JOB_RUNNING] = SANDBOXD__V1__JOB_STATE__JOB_RUNNING,
	[JOB_FINISHED] = SANDBOXD__V1__JOB_STATE__JOB_FINISHED,
	[JOB_CANCELLED] = SANDBOXD__V1__JOB_STATE__JOB_CANCELLED,
	[JOB_LOST] = SANDBOXD__V1__JOB_STATE__JOB_LOST,
};

void job_to_wire(const struct job *j, Sandboxd__V1__Job *w, Sandboxd__V1__ExecResult *r)
{
	sandboxd__v1__job__init(w);
	sandboxd__v1__exec_result__init(r);
	w->id = (char *)j->id;
	w->session_id = (char *)j->session_id;
	w->state = wire_states[j->state];
	w->argv = j->argv;
	w->n_argv = j->n_argv;
	w->created_unix_ms = j->created_ms;
	w->finished_unix_ms = j->finished_ms;
	w->owner_uid = (uint32_t)j->owner;
	w->stdout_log_truncated = j->log_truncated[0];
	w->stderr_log_truncated = j->log_truncated[1];
	if (!j->have_result)
		return;
	r->termination = j->termination;
	r->exit_code = j->exit_code;
	r->signal = j->signal;
	r->stdout.data = (uint8_t *)j->out;
	r->stdout.len = j->out_len;
	r->stderr.data = (uint8_t *)j->err;
	r->stderr.len = j->err_len;
	r->stdout_truncated = j->out_truncated;
	r->stderr_truncated = j->err_truncated;
	r->wall_usec = j->wall_usec;
	r->cpu_usec = j->cpu_usec;
	r->peak_memory_bytes = j->peak_memory_bytes;
	w->result = r;
}

static int write_record(struct job *j)
{
	Sandboxd__V1__ExecResult r;
	Sandboxd__V1__Job w;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;

	job_to_wire(j, &w, &r);
	len = sandboxd__v1__job__get_packed_size(&w);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	sandboxd__v1__job__pack(&w, buf);
	return state_write_atomic(j->dirfd, "job.pb", buf, len);
}

static void notify(struct job *j, int stream, const char *data, size_t len, uint64_t offset)
{
	/* A subscriber may unsubscribe itself (or others) from its callback. */
	for (struct job_sub *s = j->subs, *next; s; s = next) {
		next = s->next;
		s->fn(j, stream, data, len, offset, s->userdata);
	}
}

struct job_sub *job_subscribe(struct job *j, job_event_fn fn, void *userdata)
{
	struct job_sub *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	*s = (struct job_sub){.next = j->subs, .fn = fn, .userdata = userdata};
	j->subs = s;
	return s;
}

void job_unsubscribe(struct job *j, struct job_sub *s)
{
	for (struct job_sub **pp = &j->subs; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			free(s);
			return;
		}
}

static void on_output(struct exec *x, int stream, const char *data, size_t len, uint64_t offset,
		      void *userdata)
{
	struct job *j = userdata;
	int i = stream - 1;
	size_t keep;

	(void)x;
	keep = j->log_len[i] >= JOB_LOG_MAX ? 0 : MIN(len, JOB_LOG_MAX - j->log_len[i]);
	if (keep < len)
		j->log_truncated[i] = true;
	if (keep > 0 && j->log_fd[i] >= 0) {
		if (write_all(j->log_fd[i], data, keep) < 0) {
			log_warn("job %s: write %s: %m", j->id, log_names[i]);
			j->log_truncated[i] = true;
			j->log_fd[i] = safe_close(j->log_fd[i]);
		} else
			j->log_len[i] += keep;
	}
	notify(j, stream, data, len, offset);
}

static void on_done(struct exec *x, const struct exec_result *res, void *userdata)
{
	struct job *j = userdata;

	(void)x;
	j->exec = NULL;
	j->state = res->end == EXEC_CANCELLED ? JOB_CANCELLED : JOB_FINISHED;
	j->finished_ms = realtime_ms();
	j->have_result = true;
	j->termination = convert_termination(res->end);
	j->exit_code = res->exit_code;
	j->signal = res->signal;
	j->out = malloc(res->out_len ? res->out_len : 1);
	j->err = malloc(res->err_len ? res->err_len : 1);
	if (j->out && j->err) {
		memcpy(j->out, res->out, res->out_len);
		memcpy(j->err, res->err, res->err_len);
		j->out_len = res->out_len;
		j->err_len = res->err_len;
	}
	j->out_truncated = res->out_truncated;
	j->err_truncated = res->err_truncated;
	j->wall_usec = res->wall_usec;
	j->cpu_usec = res->cpu_usec;
	j->peak_memory_bytes = res->peak_memory_bytes;
	for (int i = 0; i < 2; i++)
		j->log_fd[i] = safe_close(j->log_fd[i]);
	if (write_record(j) < 0)
		log_error("job %s: could not record its result", j->id);
	notify(j, 0, NULL, 0, 0);
}

static struct job *job_free(struct job *j)
{
	if (!j)
		return NULL;
	while (j->subs) {
		struct job_sub *s = j->subs;

		j->subs = s->next;
		free(s);
	}
	for (size_t i = 0; i < j->n_argv; i++)
		free(j->argv[i]);
	free(j->argv);
	for (int i = 0; i < 2; i++)
		safe_close(j->log_fd[i]);
	safe_close(j->dirfd);
	free(j->out);
	free(j->err);
	free(j);
	return NULL;
}

static struct job *job_new(struct daemon *d)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->daemon = d;
	j->dirfd = j->log_fd[0] = j->log_fd[1] = -EBADF;
	return j;
}

static void job_link(struct daemon *d, struct job *j)
{
	j->next = d->jobs;
	d->jobs = j;
	d->n_jobs++;
}

int job_start(struct daemon *d, struct session *s, uid_t owner, const struct exec_params *p,
	      struct job **ret, struct sbx_error *reterr)
{
	uint8_t rnd[8];
	struct job *j;
	size_t n = 0;
	int r;

	if (d->jobs_dirfd < 0)
		return sbx_fail(reterr, -EOPNOTSUPP, "start a job: no state directory");
	if (d->n_jobs >= JOBS_MAX)
		return sbx_fail(reterr, -EUSERS, "start a job: %u job records exist, the maximum",
				d->n_jobs);
	j = job_new(d);
	if (!j)
		return sbx_fail(reterr, -ENOMEM, "start a job");
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		job_free(j);
		return sbx_fail(reterr, -EIO, "start a job: no randomness for its id");
	}
	snprintf(j->id, sizeof(j->id), "j-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	snprintf(j->session_id, sizeof(j->session_id), "%s", s->id);
	j->owner = owner;
	j->created_ms = realtime_ms();
	while (p->argv[n])
		n++;
	j->n_argv = MIN(n, (size_t)JOB_ARGV_KEPT);
	j->argv = calloc(j->n_argv + 1, sizeof(char *));
	r = j->argv ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i < j->n_argv; i++) {
		/* What a job ran, for people listing jobs; long code is shortened. */
		j->argv[i] = strndup(p->argv[i], 256);
		if (!j->argv[i])
			r = -ENOMEM;
	}
	if (r >= 0 && mkdirat(d->jobs_dirfd, j->id, 0700) < 0)
		r = negative_errno();
	if (r >= 0) {
		j->dirfd = openat(d->jobs_dirfd, j->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (j->dirfd < 0)
			r = negative_errno();
	}
	for (int i = 0; r >= 0 && i < 2; i++) {
		j->log_fd[i] = openat(j->dirfd, log_names[i],
				      O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
		if (j->log_fd[i] < 0)
			r = negative_errno();
	}
	if (r >= 0)
		r = write_record(j);
	if (r < 0) {
		job_free(j);
		return sbx_fail(reterr, r, "record a new job");
	}
	r = exec_start(s, p, on_output, on_done, j, &j->exec, reterr);
	if (r < 0) {
		job_free(j);
		return r;
	}
	job_link(d, j);
	*ret = j;
	return 0;
}

struct job *job_find(struct daemon *d, const char *id, uid_t uid)
{
	for (struct job *j = d->jobs; j; j = j->next)
		if (strcmp(j->id, id) == 0)
			return uid == 0 || uid == j->owner ? j : NULL;
	return NULL;
}

void job_cancel(struct job *j)
{
	if (j->exec)
		exec_cancel(j->exec);
}

ssize_t job_read_log(struct job *j, int stream, uint64_t offset, char *buf, size_t max)
{
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	fd = openat(j->dirfd, log_names[stream - 1], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	do
		n = pread(fd, buf, max, (off_t)offset);
	while (n < 0 && errno == EINTR);
	return n < 0 ? negative_errno() : n;
}

/* Loads one record; a job that was running when its daemon went away is LOST. */
static int load_one(struct daemon *d, const char *name)
{
	_cleanup_free_ void *buf = NULL;
	Sandboxd__V1__Job *w;
	struct job *j;
	size_t len;
	int r;

	j = job_new(d);
	if (!j)
		return -ENOMEM;
	j->dirfd = openat(d->jobs_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (j->dirfd < 0) {
		job_free(j);
		return negative_errno();
	}
	r = state_read(j->dirfd, "job.pb", JOB_RECORD_MAX, &buf, &len);
	w = r >= 0 ? sandboxd__v1__job__unpack(NULL, len, buf) : NULL;
	if (!w || !w->id || strcmp(w->id, name) != 0 || strlen(w->id) != JOB_ID_LEN) {
		if (w)
			sandboxd__v1__job__free_unpacked(w, NULL);
		job_free(j);
		return r < 0 ? r : -EBADMSG;
	}
	memcpy(j->id, w->id, JOB_ID_LEN + 1);
	snprintf(j->session_id, sizeof(j->session_id), "%s", w->session_id ? w->session_id : "");
	j->owner = w->owner_uid;
	j->created_ms = w->created_unix_ms;
	j->finished_ms = w->finished_unix_ms;
	j->log_truncated[0] = w->stdout_log_truncated;
	j->log_truncated[1] = w->stderr_log_truncated;
	j->n_argv = MIN(w->n_argv, (size_t)JOB_ARGV_KEPT);
	j->argv = calloc(j->n_argv + 1, sizeof(char *));
	for (size_t i = 0; j->argv && i < j->n_argv; i++)
		j->argv[i] = strdup(w->argv[i] ? w->argv[i] : "");
	switch (w->state) {
	case SANDBOXD__V1__JOB_STATE__JOB_FINISHED:
		j->state = JOB_FINISHED;
		break;
	case SANDBOXD__V1__JOB_STATE__JOB_CANCELLED:
		j->state = JOB_CANCELLED;
		break;
	default:
		/* Running (or unknown) when the daemon went away: its fate is not known. */
		j->state = JOB_LOST;
		break;
	}
	if (w->result && j->state != JOB_LOST) {
		Sandboxd__V1__ExecResult *res = w->result;

		j->have_result = true;
		j->termination = res->termination;
		j->exit_code = res->exit_code;
		j->signal = res->signal;
		j->out = malloc(res->stdout.len ? res->stdout.len : 1);
		j->err = malloc(res->stderr.len ? res->stderr.len : 1);
		if (j->out && j->err) {
			memcpy(j->out, res->stdout.data, res->stdout.len);
			memcpy(j->err, res->stderr.data, res->stderr.len);
			j->out_len = res->stdout.len;
			j->err_len = res->stderr.len;
		}
		j->out_truncated = res->stdout_truncated;
		j->err_truncated = res->stderr_truncated;
		j->wall_usec = res->wall_usec;
		j->cpu_usec = res->cpu_usec;
		j->peak_memory_bytes = res->peak_memory_bytes;
	}
	sandboxd__v1__job__free_unpacked(w, NULL);
	if (j->state == JOB_LOST && write_record(j) < 0)
		log_warn("job %s: could not record it as lost", j->id);
	job_link(d, j);
	return 0;
}

int job_load_all(struct daemon *d, struct sbx_error *reterr)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	char path[4096];
	int r, fd;

	snprintf(path, sizeof(path), "%s/jobs", d->cfg.state_dir);
	r = state_mkdir_p(path, 0700);
	if (r < 0)
		return sbx_fail(reterr, r, "create the job directory '%s'", path);
	d->jobs_dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->jobs_dirfd < 0)
		return sbx_fail(reterr, negative_errno(), "open the job directory '%s'", path);
	fd = fcntl(d->jobs_dirfd, F_DUPFD_CLOEXEC, 3);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		safe_close(fd);
		return sbx_fail(reterr, negative_errno(), "read the job directory '%s'", path);
	}
	while ((de = readdir(dir)) && d->n_jobs < JOBS_MAX) {
		if (strncmp(de->d_name, "j-", 2) != 0)
			continue;
		r = load_one(d, de->d_name);
		if (r < 0)
			log_warn("job record '%s' unreadable (%s); skipped", de->d_name,
				 strerror(-r));
	}
	return 0;
}

void job_free_all(struct daemon *d)
{
	while (d->jobs) {
		struct job *j = d->jobs;

		d->jobs = j->next;
		job_free(j);
	}
	d->n_jobs = 0;
	d->jobs_dirfd = safe_close(d->jobs_dirfd);
}
