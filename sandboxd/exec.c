/* SPDX-License-Identifier: MIT */
/* One command's life on the event loop: pipes created here (our ends non-blocking), the EXEC
 * record, output read into captures (and handed on for streaming), stdin written as the pipe
 * takes it, a wall-clock timer, and the end: the EXITED record plus EOF on both pipes, or the
 * exit plus EXEC_DRAIN_MS when an orphan keeps a pipe open. Output from inside is hostile and
 * bounded by the captures. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "time-util.h"
#include "exec.h"
#include "init-control.h"
#include "log.h"
#include "macro.h"
#include "session.h"

#define EXEC_READ_CHUNK 65536

struct exec {
	struct session *session;
	struct exec *next;
	uint64_t id;
	struct capture cap[2]; /* stdout, stderr */
	int fd[2];	       /* our read ends */
	sd_event_source *src[2];
	int in_fd; /* our write end of stdin, while there is stdin left */
	sd_event_source *in_src;
	char *stdin_data;
	size_t stdin_len, stdin_off;
	sd_event_source *timer; /* wall clock, then the drain after exit */
	bool started, exited, timed_out, cancelled, failed;
	bool hold; /* sandbox-init holds the output pipes too: it may outlive us */
	int status, start_errno;
	uint64_t cpu_usec, maxrss_kib;
	uint64_t start_usec;
	uint64_t oom_kills_at_start;
	exec_output_fn on_output;
	exec_done_fn on_done;
	void *userdata;
};

static void close_stdin(struct exec *x)
{
	x->in_src = sd_event_source_disable_unref(x->in_src);
	x->in_fd = safe_close(x->in_fd);
}

static void close_stream(struct exec *x, int i)
{
	x->src[i] = sd_event_source_disable_unref(x->src[i]);
	x->fd[i] = safe_close(x->fd[i]);
}

static void exec_free(struct exec *x)
{
	struct exec **pp;

	for (pp = &x->session->execs; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	close_stdin(x);
	for (int i = 0; i < 2; i++) {
		close_stream(x, i);
		capture_done(&x->cap[i]);
	}
	sd_event_source_disable_unref(x->timer);
	free(x->stdin_data);
	free(x);
}

static void finish(struct exec *x)
{
	struct exec_result res = {.wall_usec = time_monotonic_usec() - x->start_usec};
	bool oom = false;

	if (x->failed) {
		/* The command never started: report it as a shell would. */
		static const char fmt[] = "exec: %s\n";
		char msg[256];

		res.end = EXEC_EXITED;
		res.exit_code = x->start_errno == ENOENT ? 127 : 126;
		snprintf(msg, sizeof(msg), fmt, strerror(x->start_errno));
		(void)capture_add(&x->cap[1], msg, strlen(msg));
	} else if (WIFEXITED(x->status)) {
		res.end = EXEC_EXITED;
		res.exit_code = WEXITSTATUS(x->status);
	} else {
		res.signal = WTERMSIG(x->status);
		res.exit_code = 128 + res.signal;
		if (res.signal == SIGKILL) {
			struct cgroup_stats st = {};

			/* The OOM killer ran in the session during this command. */
			oom = sandbox_read_stats(x->session->sandbox, &st) >= 0 &&
			      st.oom_kills > x->oom_kills_at_start;
		}
		res.end = x->cancelled	 ? EXEC_CANCELLED
			  : x->timed_out ? EXEC_TIMEOUT
			  : oom		 ? EXEC_OOM
					 : EXEC_SIGNALED;
	}
	if (x->cancelled)
		res.end = EXEC_CANCELLED;
	res.cpu_usec = x->cpu_usec;
	res.peak_memory_bytes = x->maxrss_kib * 1024ULL;
	res.out = capture_take(&x->cap[0], &res.out_len);
	res.err = capture_take(&x->cap[1], &res.err_len);
	res.out_truncated = capture_truncated(&x->cap[0]);
	res.err_truncated = capture_truncated(&x->cap[1]);
	if (x->on_done)
		x->on_done(x, &res, x->userdata);
	free(res.out);
	free(res.err);
	exec_free(x);
}

static bool done(const struct exec *x)
{
	return (x->exited || x->failed) && x->fd[0] < 0 && x->fd[1] < 0;
}

static int on_drain_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct exec *x = userdata;

	(void)src;
	(void)usec;
	/* An orphan of the command still holds a pipe: the command's result does not wait. */
	close_stream(x, 0);
	close_stream(x, 1);
	finish(x);
	return 0;
}

static int on_wall_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct exec *x = userdata;

	(void)src;
	(void)usec;
	x->timed_out = true;
	(void)init_control_send_signal(x->session->ctl, x->id, SIGKILL);
	return 0;
}

static int on_output(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct exec *x = userdata;
	int i = src == x->src[0] ? 0 : 1;
	char buf[EXEC_READ_CHUNK];
	ssize_t n;

	(void)revents;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close_stream(x, i);
		if (done(x))
			finish(x);
		return 0;
	}
	if (x->on_output)
		x->on_output(x, i + 1, buf, (size_t)n, x->cap[i].total, x->userdata);
	if (capture_add(&x->cap[i], buf, (size_t)n) < 0)
		log_warn("session %s: out of memory capturing output", x->session->id);
	return 0;
}

static int on_stdin(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct exec *x = userdata;
	ssize_t n;

	(void)src;
	(void)revents;
	n = write(fd, x->stdin_data + x->stdin_off, x->stdin_len - x->stdin_off);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0 || (x->stdin_off += (size_t)n) == x->stdin_len)
		close_stdin(x); /* all written, or the command closed its stdin: EOF */
	return 0;
}

/* Pipe with our end non-blocking; ret[0] read end, ret[1] write end. */
static int make_pipe(int ret[2])
{
	return pipe2(ret, O_CLOEXEC) < 0 ? negative_errno() : 0;
}

/* A held pipe is what keeps a job's output while no daemon reads it: make it roomy (best
 * effort; the writer blocks once it is full, and goes on when the next daemon reads). */
#define EXEC_HELD_PIPE_SIZE (1 << 20)

/* Reads the command's output pipes and sets its wall-clock limit, on the loop. */
static int watch(struct exec *x, uint64_t timeout_ms)
{
	struct daemon *d = x->session->daemon;
	int r = 0;

	for (int i = 0; i < 2 && r >= 0; i++) {
		if (x->fd[i] < 0)
			continue;
		if (fcntl(x->fd[i], F_SETFL, O_NONBLOCK) < 0)
			r = negative_errno();
		else
			r = sd_event_add_io(d->event, &x->src[i], x->fd[i], EPOLLIN, on_output, x);
	}
	if (r >= 0 && x->in_fd >= 0) {
		if (fcntl(x->in_fd, F_SETFL, O_NONBLOCK) < 0)
			r = negative_errno();
		else
			r = sd_event_add_io(d->event, &x->in_src, x->in_fd, EPOLLOUT, on_stdin, x);
	}
	if (r >= 0 && !x->exited)
		r = sd_event_add_time_relative(d->event, &x->timer, CLOCK_MONOTONIC,
					       timeout_ms * 1000ULL, 1000, on_wall_timeout, x);
	return r;
}

/* The exit is known; the pipes get EXEC_DRAIN_MS to deliver the last output. */
static void after_exit(struct exec *x)
{
	close_stdin(x);
	if (done(x)) {
		finish(x);
		return;
	}
	x->timer = sd_event_source_disable_unref(x->timer);
	if (sd_event_add_time_relative(x->session->daemon->event, &x->timer, CLOCK_MONOTONIC,
				       EXEC_DRAIN_MS * 1000ULL, 1000, on_drain_timeout, x) < 0) {
		close_stream(x, 0);
		close_stream(x, 1);
		finish(x);
	}
}

static struct exec *exec_new(struct session *s, uint64_t id, size_t output_cap,
			     exec_output_fn on_output_fn, exec_done_fn on_done, void *userdata)
{
	struct exec *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->session = s;
	x->fd[0] = x->fd[1] = x->in_fd = -EBADF;
	x->id = id;
	x->on_output = on_output_fn;
	x->on_done = on_done;
	x->userdata = userdata;
	x->next = s->execs;
	s->execs = x;
	if (capture_init(&x->cap[0], output_cap) < 0 || capture_init(&x->cap[1], output_cap) < 0) {
		x->on_done = NULL;
		exec_free(x);
		return NULL;
	}
	return x;
}

uint64_t exec_id(const struct exec *x)
{
	return x->id;
}

int exec_start(struct session *s, const struct exec_params *p, exec_output_fn on_output_fn,
	       exec_done_fn on_done, void *userdata, struct exec **ret, struct sbx_error *reterr)
{
	int out[2] = {-EBADF, -EBADF}, err[2] = {-EBADF, -EBADF}, in[2] = {-EBADF, -EBADF};
	int held[2], r = 0;
	struct exec *x;

	x = exec_new(s, s->next_exec_id++, p->output_cap, on_output_fn, on_done, userdata);
	if (!x)
		return sbx_fail(reterr, -ENOMEM, "start a command");
	x->hold = p->hold;
	if (p->stdin_len > 0) {
		x->stdin_data = malloc(p->stdin_len);
		if (!x->stdin_data)
			r = -ENOMEM;
		else {
			memcpy(x->stdin_data, p->stdin_data, p->stdin_len);
			x->stdin_len = p->stdin_len;
		}
	}
	if (r >= 0)
		r = make_pipe(out);
	if (r >= 0)
		r = make_pipe(err);
	if (r >= 0)
		r = p->stdin_len > 0 ? make_pipe(in) : 0;
	if (r >= 0 && p->stdin_len == 0) {
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in[0] < 0)
			r = negative_errno();
	}
	if (r < 0)
		goto fail;
	if (p->hold) {
		(void)fcntl(out[1], F_SETPIPE_SZ, EXEC_HELD_PIPE_SIZE);
		(void)fcntl(err[1], F_SETPIPE_SZ, EXEC_HELD_PIPE_SIZE);
	}

	held[0] = out[0];
	held[1] = err[0];
	r = init_control_send_exec(s->ctl, &(struct init_exec_request){
						   .id = x->id,
						   .cwd = p->cwd,
						   .argv = p->argv,
						   .env = p->env,
						   .stdio = {in[0], out[1], err[1]},
						   .held = p->hold ? held : NULL,
						   .landlock = p->landlock,
						   .landlock_len = p->landlock_len,
					   });
	if (r < 0) {
		sbx_fail(reterr, r, "pass the command to session %s", s->id);
		goto fail_msg;
	}
	in[0] = safe_close(in[0]);
	out[1] = safe_close(out[1]);
	err[1] = safe_close(err[1]);
	x->fd[0] = TAKE_FD(out[0]);
	x->fd[1] = TAKE_FD(err[0]);
	x->in_fd = TAKE_FD(in[1]);
	x->start_usec = time_monotonic_usec();
	{
		struct cgroup_stats st = {};

		if (sandbox_read_stats(s->sandbox, &st) >= 0)
			x->oom_kills_at_start = st.oom_kills;
	}
	r = watch(x, p->timeout_ms);
	if (r < 0) {
		/* Already running inside: kill it and let its EXITED record end it. */
		exec_cancel(x);
		return sbx_fail(reterr, r, "watch the command");
	}
	*ret = x;
	return 0;

fail:
	sbx_fail(reterr, r, "start a command in session %s", s->id);
fail_msg:
	safe_close(out[0]);
	safe_close(out[1]);
	safe_close(err[0]);
	safe_close(err[1]);
	safe_close(in[0]);
	safe_close(in[1]);
	x->on_done = NULL;
	exec_free(x);
	return reterr ? reterr->code : r;
}

int exec_adopt(struct session *s, uint64_t id, int fds[2], const struct exec_adoption *a,
	       exec_output_fn on_output_fn, exec_done_fn on_done, void *userdata, struct exec **ret,
	       struct sbx_error *reterr)
{
	struct exec *x;
	int r;

	x = exec_new(s, id, a->output_cap, on_output_fn, on_done, userdata);
	if (!x) {
		safe_close(fds[0]);
		safe_close(fds[1]);
		return sbx_fail(reterr, -ENOMEM, "adopt a command");
	}
	x->hold = true;
	x->started = true;
	x->fd[0] = TAKE_FD(fds[0]);
	x->fd[1] = TAKE_FD(fds[1]);
	x->start_usec = time_monotonic_usec() - MIN(a->elapsed_usec, time_monotonic_usec());
	x->exited = a->exited;
	x->status = a->status;
	x->cpu_usec = a->cpu_usec;
	x->maxrss_kib = a->maxrss_kib;
	r = watch(x, MAX(a->timeout_left_ms, 1ULL));
	/* An exit already known ends it from the loop, after the drain: never before the caller
	 * has its struct exec. */
	if (r >= 0 && x->exited)
		r = sd_event_add_time_relative(s->daemon->event, &x->timer, CLOCK_MONOTONIC,
					       EXEC_DRAIN_MS * 1000ULL, 1000, on_drain_timeout, x);
	if (r < 0) {
		if (!x->exited)
			exec_cancel(x);
		return sbx_fail(reterr, r, "watch an adopted command");
	}
	*ret = x;
	return 0;
}

void exec_seed_output(struct exec *x, int stream, const char *head, size_t head_len,
		      const char *tail, size_t tail_len, uint64_t total)
{
	struct capture *c = &x->cap[stream - 1];

	(void)capture_add(c, head, head_len);
	if (total > head_len)
		(void)capture_add(c, tail, tail_len);
	c->total = total;
}

void exec_cancel(struct exec *x)
{
	x->cancelled = true;
	x->on_output = NULL;
	(void)init_control_send_signal(x->session->ctl, x->id, SIGKILL);
}

static struct exec *find(struct session *s, uint64_t id)
{
	for (struct exec *x = s->execs; x; x = x->next)
		if (x->id == id)
			return x;
	return NULL;
}

void exec_handle_init_msg(struct session *s, uint64_t id, uint32_t type, int32_t value,
			  uint64_t cpu_usec, uint64_t maxrss_kib)
{
	struct exec *x = find(s, id);

	if (!x)
		return;
	switch (type) {
	case INIT_MSG_STARTED:
		x->started = true;
		break;
	case INIT_MSG_FAILED:
		x->failed = true;
		x->start_errno = value > 0 && value < 4096 ? value : EIO;
		close_stream(x, 0);
		close_stream(x, 1);
		finish(x);
		break;
	case INIT_MSG_EXITED:
		x->exited = true;
		x->status = value;
		x->cpu_usec = cpu_usec;
		x->maxrss_kib = maxrss_kib;
		after_exit(x);
		break;
	default:
		break;
	}
}

void exec_release_all(struct session *s)
{
	for (struct exec *x = s->execs, *next; x; x = next) {
		next = x->next;
		if (x->hold) {
			x->on_done = NULL; /* no result: the command goes on without us */
			exec_free(x);
		} else
			exec_cancel(x);
	}
	exec_cancel_all(s);
}

void exec_cancel_all(struct session *s)
{
	while (s->execs) {
		struct exec *x = s->execs;

		x->cancelled = true;
		x->exited = true;
		x->status = SIGKILL; /* as if killed: the sandbox goes away */
		close_stream(x, 0);
		close_stream(x, 1);
		finish(x);
	}
}
