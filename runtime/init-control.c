/* SPDX-License-Identifier: MIT */
/* Packing and unpacking of EXEC payloads; linked into sandbox-init and into the supervisor. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fd-util.h"
#include "macro.h"

#include "init-control.h"

ssize_t init_control_pack_exec(const char *cwd, const char *const *argv, const char *const *env,
			       char *buf, size_t size)
{
	size_t off = 0;

	for (int pass = 0; pass < 3; pass++) {
		const char *single[] = {cwd, NULL};
		const char *const *list = pass == 0 ? single : pass == 1 ? argv : env;

		for (size_t i = 0; list && list[i]; i++) {
			size_t n = strlen(list[i]) + 1;

			if (n > size - off || off + n > INIT_CONTROL_PAYLOAD_MAX)
				return -E2BIG;
			memcpy(buf + off, list[i], n);
			off += n;
		}
	}
	return (ssize_t)off;
}

int init_control_unpack_exec(char *payload, size_t len, int32_t argc, const char **ret_cwd,
			     const char **argv, const char **env, size_t max)
{
	size_t off = 0, n_argv = 0, n_env = 0;
	int32_t index = -1; /* -1: cwd */

	if (argc < 1 || len == 0 || payload[len - 1] != '\0')
		return -EBADMSG;
	while (off < len) {
		const char *s = payload + off;

		off += strlen(s) + 1;
		if (index < 0)
			*ret_cwd = s;
		else if (index < argc) {
			if (n_argv + 1 >= max)
				return -E2BIG;
			argv[n_argv++] = s;
		} else {
			if (n_env + 1 >= max)
				return -E2BIG;
			env[n_env++] = s;
		}
		index++;
	}
	if (index < argc)
		return -EBADMSG;
	argv[n_argv] = NULL;
	env[n_env] = NULL;
	return 0;
}

int init_control_send_exec(int ctl, const struct init_exec_request *x)
{
	int fds[5] = {x->stdio[0], x->stdio[1], x->stdio[2], x->held ? x->held[0] : -EBADF,
		      x->held ? x->held[1] : -EBADF};
	_cleanup_free_ char *buf = NULL;
	struct init_msg *m;
	size_t argc = 0;
	ssize_t n;

	while (x->argv[argc])
		argc++;
	if (argc == 0 || argc >= INIT_CONTROL_STRINGS_MAX)
		return -E2BIG;
	buf = malloc(sizeof(*m) + INIT_CONTROL_PAYLOAD_MAX);
	if (!buf)
		return -ENOMEM;
	n = init_control_pack_exec(x->cwd, x->argv, x->env, buf + sizeof(*m),
				   INIT_CONTROL_PAYLOAD_MAX);
	if (n < 0)
		return (int)n;
	if (x->landlock) {
		if (x->landlock_len > INIT_CONTROL_PAYLOAD_MAX - (size_t)n)
			return -E2BIG;
		memcpy(buf + sizeof(*m) + n, x->landlock, x->landlock_len);
	}
	m = (struct init_msg *)buf;
	*m = (struct init_msg){
		.magic = INIT_CONTROL_MAGIC,
		.type = INIT_MSG_EXEC,
		.id = x->id,
		.value = (int32_t)argc,
		.payload_len = (uint32_t)((size_t)n + (x->landlock ? x->landlock_len : 0)),
		.flags = (x->held ? INIT_EXEC_HOLD : 0) | (x->landlock ? INIT_EXEC_LANDLOCK : 0),
		.landlock_len = x->landlock ? (uint32_t)x->landlock_len : 0,
	};
	return fd_send(ctl, buf, sizeof(*m) + m->payload_len, fds, x->held ? 5 : 3);
}

int init_control_send_proxy_listen(int ctl, uint64_t id, uint16_t port)
{
	struct init_msg m = {
		.magic = INIT_CONTROL_MAGIC,
		.type = INIT_MSG_PROXY_LISTEN,
		.id = id,
		.value = port,
	};

	return fd_send(ctl, &m, sizeof(m), NULL, 0);
}

int init_control_send_deadline(int ctl, uint64_t unix_ms)
{
	struct init_msg m = {
		.magic = INIT_CONTROL_MAGIC,
		.type = INIT_MSG_DEADLINE,
		.id = unix_ms,
	};

	return fd_send(ctl, &m, sizeof(m), NULL, 0);
}

int init_control_send_signal(int ctl, uint64_t id, int sig)
{
	struct init_msg m = {
		.magic = INIT_CONTROL_MAGIC,
		.type = INIT_MSG_SIGNAL,
		.id = id,
		.value = sig,
	};

	return fd_send(ctl, &m, sizeof(m), NULL, 0);
}

/* How many fds a record from PID 1 may carry: the held pipes come as a pair or not at all. */
static bool fds_fit(uint32_t type, int n_fds)
{
	switch (type) {
	case INIT_MSG_STARTED:
	case INIT_MSG_FAILED:
		return n_fds == 0;
	case INIT_MSG_EXITED:
	case INIT_MSG_RUNNING:
		return n_fds == 0 || n_fds == 2;
	case INIT_MSG_ADOPTED:
		return n_fds <= 1;
	case INIT_MSG_PROXY_CONN:
		return n_fds == 1;
	default:
		return false;
	}
}

int init_control_recv(int ctl, struct init_msg *ret, int ret_fds[2])
{
	int fds[2] = {-EBADF, -EBADF};
	struct init_msg m;
	int n;

	ret_fds[0] = ret_fds[1] = -EBADF;
	n = fd_recv(ctl, &m, sizeof(m), fds, 2);
	if (n < 0)
		return n;
	if (m.magic != INIT_CONTROL_MAGIC || m.payload_len != 0 || !fds_fit(m.type, n)) {
		safe_close(fds[0]);
		safe_close(fds[1]);
		return -EBADMSG;
	}
	ret_fds[0] = fds[0];
	ret_fds[1] = fds[1];
	*ret = m;
	return 0;
}

int init_control_pair(int ret_fds[2])
{
	int size = INIT_CONTROL_SOCKBUF;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
		return negative_errno();
	for (int i = 0; i < 2; i++) {
		/* SO_SNDBUFFORCE passes net.core.wmem_max; without CAP_NET_ADMIN, large EXEC
		 * records may then be refused with EMSGSIZE. */
		if (setsockopt(ret_fds[i], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
			(void)setsockopt(ret_fds[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		(void)setsockopt(ret_fds[i], SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	}
	return 0;
}
