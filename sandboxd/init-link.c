/* SPDX-License-Identifier: MIT */
/* Socket files are addressed through /proc/self/fd/<dirfd>/<name>, which fits sun_path however
 * long the state directory's own path is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "init-control.h"
#include "ids.h"
#include "init-link.h"
#include "macro.h"
#include "state.h"

static int link_address(struct daemon *d, const char *name, struct sockaddr_un *ret)
{
	*ret = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (snprintf(ret->sun_path, sizeof(ret->sun_path), "/proc/self/fd/%d/%s", d->init_dirfd,
		     name) >= (int)sizeof(ret->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

int init_link_setup(struct daemon *d, struct sbx_error *reterr)
{
	return state_open_subdir(d->cfg.state_dir, "init", &d->init_dirfd, reterr);
}

/* A socket for name's address. */
static int link_socket(struct daemon *d, const char *name, struct sockaddr_un *ret_sa, int *ret_fd)
{
	int r = link_address(d, name, ret_sa);

	if (r < 0)
		return r;
	*ret_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	return *ret_fd < 0 ? negative_errno() : 0;
}

int init_link_listen(struct daemon *d, char name[static INIT_LINK_NAME_LEN + 1], int *ret_fd)
{
	_cleanup_close_ int fd = -EBADF;
	struct sockaddr_un sa;
	int r;

	r = id_new('i', name);
	if (r < 0)
		return r;
	r = link_socket(d, name, &sa, &fd);
	if (r < 0)
		return r;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		r = negative_errno();
		(void)unlinkat(d->init_dirfd, name, 0);
		return r;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int init_link_connect(struct daemon *d, const char *name, int *ret_fd)
{
	_cleanup_close_ int fd = -EBADF;
	int size = INIT_CONTROL_SOCKBUF;
	struct sockaddr_un sa;
	int r;

	if (!id_is_valid('i', name))
		return -EINVAL;
	r = link_socket(d, name, &sa, &fd);
	if (r < 0)
		return r;
	/* As init_control_pair(): one whole EXEC record must fit. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	/* A listening socket with room in its backlog takes the connection at once. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return negative_errno();
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return negative_errno();
	*ret_fd = TAKE_FD(fd);
	return 0;
}

void init_link_remove(struct daemon *d, const char *name)
{
	if (id_is_valid('i', name))
		(void)unlinkat(d->init_dirfd, name, 0);
}
