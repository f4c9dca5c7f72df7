/* SPDX-License-Identifier: MIT */
/* The blocking client. Answers from the daemon are bounded like requests are on the daemon's
 * side: a frame over SBX_CLIENT_FRAME_MAX is refused before its payload is read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "io-util.h"
#include "macro.h"
#include "sandboxd-client.h"

struct sbx_client {
	int fd;
	uint64_t next_id;
};

int sbx_client_connect(const char *path, struct sbx_client **ret)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -EBADF;
	struct sbx_client *c;

	if (!path)
		path = getenv(SBX_CLIENT_SOCKET_ENV);
	if (!path || !*path)
		path = SBX_CLIENT_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return negative_errno();
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = TAKE_FD(fd);
	c->next_id = 1;
	*ret = c;
	return 0;
}

void sbx_client_free(struct sbx_client *c)
{
	if (!c)
		return;
	safe_close(c->fd);
	free(c);
}

/* send(MSG_NOSIGNAL): a daemon that hung up is -EPIPE for the caller, never a SIGPIPE that
 * kills the program using this library. */
static int send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sbx_client_send_raw(struct sbx_client *c, const void *data, size_t len)
{
	return send_all(c->fd, data, len);
}

static int send_request(struct sbx_client *c, const Sandboxd__V1__Request *req)
{
	size_t len = sandboxd__v1__request__get_packed_size(req);
	_cleanup_free_ uint8_t *buf = NULL;

	if (len > SBX_CLIENT_FRAME_MAX)
		return -EMSGSIZE;
	buf = malloc(4 + len);
	if (!buf)
		return -ENOMEM;
	buf[0] = (uint8_t)(len >> 24);
	buf[1] = (uint8_t)(len >> 16);
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	sandboxd__v1__request__pack(req, buf + 4);
	return send_all(c->fd, buf, 4 + len);
}

int sbx_client_send(struct sbx_client *c, Sandboxd__V1__Request *req)
{
	if (req->id == 0)
		req->id = c->next_id++;
	return send_request(c, req);
}

int sbx_client_fd(const struct sbx_client *c)
{
	return c->fd;
}

int sbx_client_recv(struct sbx_client *c, Sandboxd__V1__ServerMessage **ret)
{
	_cleanup_free_ uint8_t *buf = NULL;
	Sandboxd__V1__ServerMessage *m;
	uint8_t hdr[4];
	uint32_t len;
	int r;

	r = read_exact(c->fd, hdr, sizeof(hdr));
	if (r < 0)
		return r == -ENODATA ? -ECONNRESET : r;
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (len > SBX_CLIENT_FRAME_MAX)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	r = read_exact(c->fd, buf, len);
	if (r < 0)
		return r == -ENODATA ? -ECONNRESET : r;
	m = sandboxd__v1__server_message__unpack(NULL, len, buf);
	if (!m)
		return -EPROTO;
	*ret = m;
	return 0;
}

int sbx_client_call(struct sbx_client *c, Sandboxd__V1__Request *req, sbx_client_event_fn on_event,
		    void *userdata, Sandboxd__V1__Response **ret)
{
	int r;

	r = sbx_client_send(c, req);
	if (r < 0)
		return r;
	for (;;) {
		Sandboxd__V1__ServerMessage *m = NULL;

		r = sbx_client_recv(c, &m);
		if (r < 0)
			return r;
		if (m->body_case == SANDBOXD__V1__SERVER_MESSAGE__BODY_EVENT && m->event &&
		    m->event->request_id == req->id) {
			r = on_event ? on_event(m->event, userdata) : 0;
			sandboxd__v1__server_message__free_unpacked(m, NULL);
			if (r < 0)
				return r;
			continue;
		}
		if (m->body_case == SANDBOXD__V1__SERVER_MESSAGE__BODY_RESPONSE && m->response &&
		    (m->response->id == req->id || m->response->id == 0)) {
			/* id 0: the daemon could not read our request at all; it is the answer. */
			*ret = m->response;
			m->response = NULL;
			m->body_case = SANDBOXD__V1__SERVER_MESSAGE__BODY__NOT_SET;
			sandboxd__v1__server_message__free_unpacked(m, NULL);
			return 0;
		}
		/* An answer to some other request of ours: not expected by a blocking client. */
		sandboxd__v1__server_message__free_unpacked(m, NULL);
	}
}
