/* SPDX-License-Identifier: MIT */
/* Listening and admission. A peer that is not allowed is closed at once, before it can send a
 * byte to any parser; an accept failure (EMFILE, ENOMEM) drops that one peer and keeps the
 * listener alive (a negative return would disable it for good). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "macro.h"
#include "server.h"

#define SERVER_SNDBUF (4 << 20)

#define LISTEN_BACKLOG 128

struct server {
	struct daemon *daemon;
	int fd;
	sd_event_source *accept_source;
	char *bound_path; /* removed at exit; NULL for a socket from systemd */
};

bool server_peer_allowed(const struct daemon_config *cfg, const struct ucred *peer, uid_t self)
{
	if (peer->uid == 0 || peer->uid == self)
		return true;
	for (size_t i = 0; i < cfg->n_allowed_uids; i++)
		if (cfg->allowed_uids[i] == peer->uid)
			return true;
	for (size_t i = 0; i < cfg->n_allowed_gids; i++)
		if (cfg->allowed_gids[i] == peer->gid)
			return true;
	return false;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct server *s = userdata;
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int cfd;

	(void)src;
	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept a connection: %m");
		return 0;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0) {
		log_warn("read a peer's credentials: %m");
		safe_close(cfd);
		return 0;
	}
	/* Room for a whole file chunk (4 MiB) in the kernel: one write per answer instead of
	 * twenty wakeups (best effort; the default otherwise). */
	(void)setsockopt(cfd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){SERVER_SNDBUF}, sizeof(int));
	if (!server_peer_allowed(&s->daemon->cfg, &peer, getuid())) {
		log_warn("refused a connection from uid %u (pid %d): not an allowed uid or gid",
			 (unsigned)peer.uid, (int)peer.pid);
		safe_close(cfd);
		return 0;
	}
	if (s->daemon->n_connections >= DAEMON_CONNECTIONS_MAX) {
		log_warn("refused a connection from uid %u: %u connections open",
			 (unsigned)peer.uid, s->daemon->n_connections);
		safe_close(cfd);
		return 0;
	}
	if (conn_new(s->daemon, cfd, &peer) < 0)
		log_warn("set up a connection from uid %u: out of memory", (unsigned)peer.uid);
	return 0;
}

static int bind_socket(struct server *s, struct sbx_error *reterr)
{
	const char *path = s->daemon->cfg.socket_path;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *dir = NULL;
	struct group *g;
	char *slash;

	if (strlen(path) >= sizeof(sa.sun_path))
		return sbx_fail(reterr, -ENAMETOOLONG, "listen on '%s'", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);

	dir = strdup(path);
	if (!dir)
		return sbx_fail(reterr, -ENOMEM, "listen on '%s'", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return sbx_fail(reterr, negative_errno(), "create socket directory '%s'",
					dir);
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sbx_fail(reterr, negative_errno(), "create the listening socket");
	/* A socket file left by a daemon that did not exit cleanly; a live daemon would still
	 * answer, so refuse to steal its path. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return sbx_fail(reterr, -EADDRINUSE, "listen on '%s': another daemon serves it",
				path);
	safe_close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sbx_fail(reterr, negative_errno(), "create the listening socket");
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return sbx_fail(reterr, negative_errno(), "bind '%s'", path);
	g = getgrnam(DAEMON_SOCKET_GROUP);
	if (g && chown(path, 0, g->gr_gid) < 0)
		return sbx_fail(reterr, negative_errno(), "give '%s' to group '%s'", path,
				DAEMON_SOCKET_GROUP);
	if (chmod(path, 0660) < 0)
		return sbx_fail(reterr, negative_errno(), "set mode 0660 on '%s'", path);
	if (listen(fd, LISTEN_BACKLOG) < 0)
		return sbx_fail(reterr, negative_errno(), "listen on '%s'", path);

	s->bound_path = strdup(path);
	if (!s->bound_path)
		return sbx_fail(reterr, -ENOMEM, "listen on '%s'", path);
	s->fd = TAKE_FD(fd);
	return 0;
}

int server_new(struct daemon *d, struct server **ret, struct sbx_error *reterr)
{
	struct server *s;
	int n, r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return sbx_fail(reterr, -ENOMEM, "set up the server");
	s->daemon = d;
	s->fd = -EBADF;

	n = sd_listen_fds(1);
	if (n > 1) {
		server_free(s);
		return sbx_fail(reterr, -EINVAL, "take sockets from systemd: %d passed, 1 expected",
				n);
	}
	if (n == 1) {
		s->fd = SD_LISTEN_FDS_START;
		if (fcntl(s->fd, F_SETFD, FD_CLOEXEC) < 0 ||
		    fcntl(s->fd, F_SETFL, O_NONBLOCK) < 0) {
			server_free(s);
			return sbx_fail(reterr, negative_errno(), "take the socket from systemd");
		}
	} else {
		r = bind_socket(s, reterr);
		if (r < 0) {
			server_free(s);
			return r;
		}
	}
	r = sd_event_add_io(d->event, &s->accept_source, s->fd, EPOLLIN, on_accept, s);
	if (r < 0) {
		server_free(s);
		return sbx_fail(reterr, r, "watch the listening socket");
	}
	*ret = s;
	return 0;
}

struct server *server_free(struct server *s)
{
	if (!s)
		return NULL;
	sd_event_source_disable_unref(s->accept_source);
	safe_close(s->fd);
	if (s->bound_path)
		(void)unlink(s->bound_path);
	free(s->bound_path);
	free(s);
	return NULL;
}
