/* SPDX-License-Identifier: MIT */
/* Brings up lo in the sandbox's fresh netns with one rtnetlink request (libnl-route). Creating the
 * netns is spawn.c's clone flag; the order of this step among the others is sandbox.c's; egress
 * goes through the daemon's proxy and never through an interface configured here. */
#include <errno.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "macro.h"
#include "netns.h"

DEFINE_CLEANUP(struct nl_sock *, nl_socket_free)
DEFINE_CLEANUP(struct rtnl_link *, rtnl_link_put)

/* libnl folds errno into its own NLE_* codes; this maps back the ones a link change can hit. */
static int netns_errno_from_nl(int nle)
{
	static const struct {
		int nle, err;
	} map[] = {
		{.nle = NLE_INTR, .err = EINTR},
		{.nle = NLE_BAD_SOCK, .err = EBADF},
		{.nle = NLE_AGAIN, .err = EAGAIN},
		{.nle = NLE_NOMEM, .err = ENOMEM},
		{.nle = NLE_EXIST, .err = EEXIST},
		{.nle = NLE_INVAL, .err = EINVAL},
		{.nle = NLE_RANGE, .err = ERANGE},
		{.nle = NLE_MSGSIZE, .err = EMSGSIZE},
		{.nle = NLE_OPNOTSUPP, .err = EOPNOTSUPP},
		{.nle = NLE_AF_NOSUPPORT, .err = EAFNOSUPPORT},
		/* What the kernel's ENODEV (no interface of that name) becomes. */
		{.nle = NLE_OBJ_NOTFOUND, .err = ENODEV},
		{.nle = NLE_SEQ_MISMATCH, .err = EPROTO},
		{.nle = NLE_MSG_TRUNC, .err = EMSGSIZE},
		{.nle = NLE_BUSY, .err = EBUSY},
		{.nle = NLE_PROTO_MISMATCH, .err = EPROTONOSUPPORT},
		{.nle = NLE_NOACCESS, .err = EACCES},
		{.nle = NLE_PERM, .err = EPERM},
		{.nle = NLE_NODEV, .err = ENODEV},
	};

	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (map[i].nle == -nle || map[i].nle == nle)
			return -map[i].err;
	return -EIO;
}

int netns_setup_child(void)
{
	_cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *orig = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *change = NULL;
	int r;

	sk = nl_socket_alloc();
	orig = rtnl_link_alloc();
	change = rtnl_link_alloc();
	if (!sk || !orig || !change)
		return -ENOMEM;

	/* The ack is 36 bytes: no need for libnl's MSG_PEEK sizing round, one recvmsg is enough. */
	nl_socket_disable_msg_peek(sk);
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0)
		return netns_errno_from_nl(r);

	/* No RTM_GETLINK and no link cache: "orig" is empty, so the request has ifi_index 0 and
	 * the IFLA_IFNAME "lo" of "change", and the kernel looks the device up by that name (a name
	 * that selects the device is not a rename). One round trip both checks that lo exists
	 * (-ENODEV otherwise) and sets IFF_UP through ifi_change, leaving other flags alone. */
	rtnl_link_set_name(change, "lo");
	rtnl_link_set_flags(change, IFF_UP);

	r = rtnl_link_change(sk, orig, change, 0);
	if (r < 0)
		return netns_errno_from_nl(r);
	return 0;
}
