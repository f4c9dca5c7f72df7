/* SPDX-License-Identifier: MIT */
/* sandboxctl file watch: WatchDir's events as lines (or JSON lines) until its WatchEnd. Ctrl-C
 * sends a CancelRequest for it on the same connection, so the daemon ends the watch and says so;
 * parsing the command is ctl-file.c. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-file.h"
#include "macro.h"

#define CTL_EXIT_SIGINT 130 /* a second Ctrl-C gave up waiting for the watch's end */

static volatile sig_atomic_t interrupts;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupts++;
}

static const char *event_name(Sandboxd__V1__FileEventType t)
{
	switch (t) {
	case SANDBOXD__V1__FILE_EVENT_TYPE__FILE_CREATED:
		return "created";
	case SANDBOXD__V1__FILE_EVENT_TYPE__FILE_MODIFIED:
		return "modified";
	case SANDBOXD__V1__FILE_EVENT_TYPE__FILE_DELETED:
		return "deleted";
	case SANDBOXD__V1__FILE_EVENT_TYPE__FILE_MOVED_FROM:
		return "moved_from";
	case SANDBOXD__V1__FILE_EVENT_TYPE__FILE_MOVED_TO:
		return "moved_to";
	case SANDBOXD__V1__FILE_EVENT_TYPE__FILE_EVENTS_LOST:
		return "lost";
	default:
		return "unknown";
	}
}

/* Each line flushed as it comes: the reader is often a pipe into a script. */
static void print_event(struct ctl *ctl, const Sandboxd__V1__FileEvent *ev)
{
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *j = json_pack("{s:s, s:o, s:b}", "type", event_name(ev->type), "path",
				      ctl_json_text(ev->path), "is_dir", ev->is_dir);
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		if (s)
			puts(s);
		free(s);
		json_decref(j);
	} else {
		fputs(event_name(ev->type), stdout);
		if (*ev->path) {
			putchar(' ');
			ctl_file_put_safe(ev->path, stdout);
		}
		putchar('\n');
	}
	fflush(stdout);
}

static int print_end(struct ctl *ctl, const Sandboxd__V1__WatchEnd *end)
{
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *j = json_pack("{s:o, s:I}", "end", ctl_json_text(end->reason), "events",
				      (json_int_t)end->events);
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		if (s)
			puts(s);
		free(s);
		json_decref(j);
		return 0;
	}
	fputs("sandboxctl: watch ended: ", stderr);
	ctl_file_put_safe(end->reason, stderr);
	fprintf(stderr, " (%" PRIu64 " events)\n", end->events);
	return 0;
}

/* One message while watching: -1 to go on, else the exit status. */
static int watch_message(struct ctl *ctl, const Sandboxd__V1__ServerMessage *m, uint64_t watch_id,
			 uint64_t cancel_id)
{
	const Sandboxd__V1__Response *resp = m->response;

	if (m->body_case == SANDBOXD__V1__SERVER_MESSAGE__BODY_EVENT) {
		if (m->event->request_id == watch_id &&
		    m->event->body_case == SANDBOXD__V1__EVENT__BODY_FILE_EVENT)
			print_event(ctl, m->event->file_event);
		return -1;
	}
	if (m->body_case != SANDBOXD__V1__SERVER_MESSAGE__BODY_RESPONSE)
		return -1;
	/* id 0: the daemon could not read a request of ours at all. */
	if (resp->id == watch_id || resp->id == 0) {
		if (resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR) {
			ctl_print_error(resp->error);
			return CTL_EXIT_ERROR;
		}
		if (resp->body_case != SANDBOXD__V1__RESPONSE__BODY_WATCH_END)
			return ctl_file_broken_answer("the watch ended without a WatchEnd");
		return print_end(ctl, resp->watch_end);
	}
	/* A refused cancel would leave us waiting for an end that never comes. */
	if (cancel_id && resp->id == cancel_id &&
	    resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR) {
		ctl_print_error(resp->error);
		return CTL_EXIT_ERROR;
	}
	return -1;
}

static int transport_error(int r)
{
	fprintf(stderr, "sandboxctl: UNAVAILABLE: talk to sandboxd: %s\n", strerror(-r));
	return CTL_EXIT_ERROR;
}

/* Prints the watch's events until its WatchEnd. The first SIGINT or SIGTERM sends a
 * CancelRequest on this connection and keeps printing until the daemon ends the watch; a
 * second one gives up. The signals stay blocked except inside ppoll(), so none slips in between
 * looking at the count and waiting. */
static int watch_loop(struct ctl *ctl, uint64_t watch_id, const sigset_t *wait_mask)
{
	uint64_t cancel_id = 0;

	for (;;) {
		struct pollfd pfd = {.fd = sbx_client_fd(ctl->client), .events = POLLIN};
		Sandboxd__V1__ServerMessage *m = NULL;
		int r, ret;

		r = ppoll(&pfd, 1, NULL, wait_mask);
		if (r < 0 && errno != EINTR)
			return transport_error(negative_errno());
		if (interrupts > 1) {
			fputs("sandboxctl: interrupted\n", stderr);
			return CTL_EXIT_SIGINT;
		}
		if (interrupts == 1 && cancel_id == 0) {
			Sandboxd__V1__CancelRequest cancel = SANDBOXD__V1__CANCEL_REQUEST__INIT;
			Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

			cancel.request_id = watch_id;
			req.body_case = SANDBOXD__V1__REQUEST__BODY_CANCEL;
			req.cancel = &cancel;
			int k = sbx_client_send(ctl->client, &req);

			if (k < 0)
				return transport_error(k);
			cancel_id = req.id;
		}
		if (r <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = sbx_client_recv(ctl->client, &m);
		if (r < 0)
			return transport_error(r);
		ret = watch_message(ctl, m, watch_id, cancel_id);
		sandboxd__v1__server_message__free_unpacked(m, NULL);
		if (ret >= 0)
			return ret;
	}
}

int ctl_file_watch(struct ctl *ctl, const struct ctl_file_opts *o)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	Sandboxd__V1__WatchDirRequest body = SANDBOXD__V1__WATCH_DIR_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	struct sigaction sa = {.sa_handler = on_interrupt}, old[ELEMENTSOF(sigs)];
	sigset_t block, saved, wait_mask;
	int r, ret;

	body.session_id = o->args[0];
	body.skill = (char *)o->skill;
	body.path = o->args[1];
	body.recursive = o->recursive;
	body.max_events = o->max_events;
	body.timeout_ms = o->timeout_ms;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_WATCH_DIR;
	req.watch_dir = &body;

	sigemptyset(&block);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		sigaddset(&block, sigs[i]);
	(void)sigprocmask(SIG_BLOCK, &block, &saved);
	wait_mask = saved;
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		sigdelset(&wait_mask, sigs[i]);
		(void)sigaction(sigs[i], &sa, &old[i]);
	}
	interrupts = 0;
	r = sbx_client_send(ctl->client, &req);
	ret = r < 0 ? transport_error(r) : watch_loop(ctl, req.id, &wait_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void)sigaction(sigs[i], &old[i], NULL);
	(void)sigprocmask(SIG_SETMASK, &saved, NULL);
	return ret;
}
