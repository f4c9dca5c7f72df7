/* SPDX-License-Identifier: MIT */
/* The records of the clone handshake. A record from the child is hostile input: it must have the
 * exact size and magic, and its error is sanitized before anyone prints it. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sync.h"

#define SYNC_MAGIC 0x53425853U /* "SXBS" */

enum sync_type {
	SYNC_GO = 1,
	SYNC_ERROR = 2,
};

struct sync_record {
	uint32_t magic;
	uint32_t type;
	struct sbx_error error;
};

int sync_pair(int ret_fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
		return negative_errno();
	return 0;
}

static int send_record(int fd, const struct sync_record *rec)
{
	ssize_t n;

	do
		n = send(fd, rec, sizeof(*rec), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	return n == sizeof(*rec) ? 0 : -EIO;
}

/* Returns 1 with a record, 0 on orderly close, -errno on error or a malformed record. */
static int recv_record(int fd, struct sync_record *rec)
{
	ssize_t n;

	do
		n = recv(fd, rec, sizeof(*rec), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*rec) || rec->magic != SYNC_MAGIC)
		return -EBADMSG;
	return 1;
}

int sync_send_go(int fd)
{
	struct sync_record rec = {.magic = SYNC_MAGIC, .type = SYNC_GO};

	return send_record(fd, &rec);
}

int sync_wait_go(int fd)
{
	struct sync_record rec;
	int r;

	r = recv_record(fd, &rec);
	if (r < 0)
		return r;
	if (r == 0)
		return -EPIPE;
	return rec.type == SYNC_GO ? 0 : -EBADMSG;
}

int sync_report_error(int fd, const struct sbx_error *e)
{
	struct sync_record rec = {.magic = SYNC_MAGIC, .type = SYNC_ERROR};

	rec.error = *e;
	return send_record(fd, &rec);
}

int sync_wait_exec(int fd, struct sbx_error *reterr)
{
	struct sync_record rec;
	int r;

	r = recv_record(fd, &rec);
	if (r < 0)
		return sbx_fail(reterr, r, "read the sandbox's setup report");
	if (r == 0)
		return 0;
	if (rec.type != SYNC_ERROR)
		return sbx_fail(reterr, -EBADMSG, "read the sandbox's setup report");
	sbx_error_sanitize(&rec.error);
	if (reterr)
		*reterr = rec.error;
	return rec.error.code;
}
