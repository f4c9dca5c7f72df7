/* SPDX-License-Identifier: MIT */
/* Job records, logs and subscribers. The record on disk is a JobRecord (proto/state.proto): the
 * sandboxd.v1.Job clients get plus what a restarted daemon needs to take the command over,
 * rewritten atomically at start and at the end; logs are appended as output arrives, up to
 * JOB_LOG_MAX per stream. A job's command outlives the daemon (exec_params.hold): the next
 * daemon finds the record RUNNING, and the session's snapshot either hands the command over
 * (job_adopt_exec()) or does not mention it (LOST). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "time-util.h"
#include "convert.h"
#include "ids.h"
#include "io-util.h"
#include "job.h"
#include "log.h"
#include "macro.h"
#include "session.h"
#include "state.h"
#include "state.pb-c.h"
#include "init-control.h"

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
	uint64_t exec_id; /* on its session's control channel */
	uint64_t timeout_ms;
	size_t output_cap;
	bool adopt_pending;  /* running under an earlier daemon; its session's snapshot decides */
	bool cancel_pending; /* cancelled before it was taken over */
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
	Sandboxd__State__V1__JobRecord rec = SANDBOXD__STATE__V1__JOB_RECORD__INIT;
	Sandboxd__V1__ExecResult r;
	Sandboxd__V1__Job w;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;

	job_to_wire(j, &w, &r);
	rec.job = &w;
	rec.exec_id = j->exec_id;
	rec.timeout_ms = j->timeout_ms;
	rec.output_cap = j->output_cap;
	len = sandboxd__state__v1__job_record__get_packed_size(&rec);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	sandboxd__state__v1__job_record__pack(&rec, buf);
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
	j->finished_ms = time_realtime_ms();
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
	struct exec_params held;
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
	if (id_new('j', j->id) < 0) {
		job_free(j);
		return sbx_fail(reterr, -EIO, "start a job: no randomness for its id");
	}
	snprintf(j->session_id, sizeof(j->session_id), "%s", s->id);
	j->owner = owner;
	j->created_ms = time_realtime_ms();
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
	/* The id exec_start() is about to give the command: recorded before it runs, so a daemon
	 * that dies right after still finds the job. */
	j->exec_id = s->next_exec_id;
	j->timeout_ms = p->timeout_ms;
	j->output_cap = p->output_cap;
	if (r >= 0)
		r = write_record(j);
	if (r < 0) {
		job_free(j);
		return sbx_fail(reterr, r, "record a new job");
	}
	held = *p;
	held.hold = true;
	r = exec_start(s, &held, on_output, on_done, j, &j->exec, reterr);
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
	else if (j->adopt_pending)
		j->cancel_pending = true;
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
	Sandboxd__State__V1__JobRecord *rec = NULL;
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
	rec = r >= 0 ? sandboxd__state__v1__job_record__unpack(NULL, len, buf) : NULL;
	w = rec ? rec->job : NULL;
	if (!w || !w->id || strcmp(w->id, name) != 0 || strlen(w->id) != JOB_ID_LEN) {
		if (rec)
			sandboxd__state__v1__job_record__free_unpacked(rec, NULL);
		job_free(j);
		return r < 0 ? r : -EBADMSG;
	}
	j->exec_id = rec->exec_id;
	j->timeout_ms = MIN(rec->timeout_ms, EXEC_TIMEOUT_MAX_MS);
	j->output_cap = (size_t)MAX(MIN(rec->output_cap, (uint64_t)EXEC_OUTPUT_CAP_MAX), 2ULL);
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
	case SANDBOXD__V1__JOB_STATE__JOB_RUNNING:
		/* Its session's snapshot will tell (job_adopt_exec()), or it is LOST. */
		j->state = JOB_RUNNING;
		j->adopt_pending = true;
		break;
	default:
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
			/* protobuf-c leaves an empty bytes field's data NULL. */
			if (res->stdout.len > 0)
				memcpy(j->out, res->stdout.data, res->stdout.len);
			if (res->stderr.len > 0)
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
	sandboxd__state__v1__job_record__free_unpacked(rec, NULL);
	if (j->state == JOB_LOST && write_record(j) < 0)
		log_warn("job %s: could not record it as lost", j->id);
	job_link(d, j);
	return 0;
}

static void mark_lost(struct job *j)
{
	j->adopt_pending = false;
	j->state = JOB_LOST;
	j->finished_ms = time_realtime_ms();
	if (write_record(j) < 0)
		log_warn("job %s: could not record it as lost", j->id);
	log_warn("job %s: LOST (its command was not found running in session %s)", j->id,
		 j->session_id);
	notify(j, 0, NULL, 0, 0);
}

/* Fills an adopted command's capture of one stream from the head and tail of its log. */
static void seed_from_log(struct job *j, int stream)
{
	_cleanup_free_ char *head = NULL, *tail = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t cap = j->output_cap, hl, tl;
	struct stat st;
	ssize_t a, b;

	fd = openat(j->dirfd, log_names[stream - 1], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
		return;
	hl = (size_t)MIN((uint64_t)st.st_size, (uint64_t)cap);
	tl = hl;
	head = malloc(hl);
	tail = malloc(tl);
	if (!head || !tail)
		return;
	a = pread(fd, head, hl, 0);
	b = pread(fd, tail, tl, (off_t)((uint64_t)st.st_size - tl));
	if (a != (ssize_t)hl || b != (ssize_t)tl)
		return;
	exec_seed_output(j->exec, stream, head, hl, tail, tl, (uint64_t)st.st_size);
}

bool job_adopt_exec(struct daemon *d, struct session *s, const struct init_msg *m, int fds[2])
{
	struct sbx_error e = {};
	uint64_t elapsed_ms;
	struct job *j;
	int r;

	for (j = d->jobs; j; j = j->next)
		if (j->adopt_pending && j->exec_id == m->id && strcmp(j->session_id, s->id) == 0)
			break;
	if (!j)
		return false;
	for (int i = 0; i < 2; i++) {
		struct stat st;

		j->log_fd[i] = openat(j->dirfd, log_names[i],
				      O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		if (j->log_fd[i] >= 0 && fstat(j->log_fd[i], &st) >= 0)
			j->log_len[i] = (uint64_t)st.st_size;
	}
	elapsed_ms = time_realtime_ms() > j->created_ms ? time_realtime_ms() - j->created_ms : 0;
	r = exec_adopt(s, m->id, fds,
		       &(struct exec_adoption){
			       .exited = m->type == INIT_MSG_EXITED,
			       .status = m->value,
			       .cpu_usec = m->cpu_usec,
			       .maxrss_kib = m->maxrss_kib,
			       .elapsed_usec = elapsed_ms * 1000ULL,
			       .timeout_left_ms =
				       j->timeout_ms > elapsed_ms ? j->timeout_ms - elapsed_ms : 0,
			       .output_cap = j->output_cap,
		       },
		       on_output, on_done, j, &j->exec, &e);
	if (r < 0) {
		log_error("job %s: %s", j->id, e.msg);
		mark_lost(j);
		return true;
	}
	j->adopt_pending = false;
	seed_from_log(j, 1);
	seed_from_log(j, 2);
	log_info("job %s taken over in session %s", j->id, s->id);
	if (j->cancel_pending)
		exec_cancel(j->exec);
	return true;
}

void job_adopt_end(struct daemon *d, const char *session_id)
{
	for (struct job *j = d->jobs; j; j = j->next)
		if (j->adopt_pending && strcmp(j->session_id, session_id) == 0)
			mark_lost(j);
}

void job_adopt_unclaimed(struct daemon *d)
{
	for (struct job *j = d->jobs; j; j = j->next) {
		struct session *s;

		if (!j->adopt_pending)
			continue;
		s = session_find(d, j->session_id, 0);
		if (!s || !s->adopting)
			mark_lost(j);
	}
}

int job_load_all(struct daemon *d, struct sbx_error *reterr)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r;

	r = state_open_subdir(d->cfg.state_dir, "jobs", &d->jobs_dirfd, reterr);
	if (r < 0)
		return sbx_wrap(reterr, "open the job directory");
	dir = state_opendir(d->jobs_dirfd);
	if (!dir)
		return sbx_fail(reterr, negative_errno(), "read the job directory in '%s'",
				d->cfg.state_dir);
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
