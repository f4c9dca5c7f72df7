/* SPDX-License-Identifier: MIT */
/* The confinement order, written once: the parent half (uid range, cgroup, clone, maps, attach,
 * go) in sandbox_create(), the child half in child_steps(), top to bottom. Each step lives in its
 * own file; this file only orders them and names what failed. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "time-util.h"
#include "caps.h"
#include "init-control.h"
#include "cgroup.h"
#include "io-util.h"
#include "macro.h"
#include "mounts.h"
#include "netns.h"
#include "rlimits.h"
#include "rootfs.h"
#include "sandbox.h"
#include "spawn.h"
#include "sync.h"
#include "syscall-filter.h"
#include "userns.h"

#define IMAGES_DIR_DEFAULT    "/var/lib/sandboxd/images"
#define SANDBOX_INIT_SIZE_MAX (64ULL << 20)

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: memfd may be executed even under vm.memfd_noexec=1 */
#endif

/* The namespaces every sandbox gets at clone time. The cgroup namespace is entered after the
 * parent has placed the child in its cgroups, so its root is the sandbox's own cgroup. */
#define SANDBOX_CLONE_NS                                                                           \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET)

struct sandbox_runtime {
	struct runtime_config cfg;
	struct cgroup_host *cgroups;
	struct syscall_filter filter;
	int init_fd; /* sealed memfd holding sandbox-init */
};

struct sandbox {
	struct sandbox_runtime *rt;
	struct uid_range uids;
	struct cgroup *cgroup;
	int pidfd;
	pid_t pid;
	uint64_t start_usec;
	uint64_t timeout_usec;
	bool killed;
	bool timed_out;
	bool reaped; /* PID 1 was waited for: the pid namespace, and with it the sandbox, is gone */
	bool adopted; /* created by another process: PID 1 is not our child */
};

static const char *const end_names[_SANDBOX_END_MAX] = {
	[SANDBOX_EXITED] = "exited", [SANDBOX_SIGNALED] = "signaled", [SANDBOX_TIMEOUT] = "timeout",
	[SANDBOX_OOM] = "oom",	     [SANDBOX_KILLED] = "killed",
};

const char *sandbox_end_to_string(enum sandbox_end e)
{
	return e >= 0 && e < _SANDBOX_END_MAX ? end_names[e] : NULL;
}

/* Copies sandbox-init into a sealed memfd, for kernels without the new mount API: what the
 * sandbox executes as PID 1 cannot be rewritten through /proc/self/exe (the runc CVE-2019-5736
 * class). */
static int load_init_memfd(const char *path, int *ret_fd, struct sbx_error *reterr)
{
	_cleanup_close_ int src = -EBADF, mfd = -EBADF;
	struct stat st;
	off_t off = 0;

	src = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (src < 0)
		return sbx_fail(reterr, negative_errno(), "open sandbox-init '%s'", path);
	if (fstat(src, &st) < 0)
		return sbx_fail(reterr, negative_errno(), "stat sandbox-init '%s'", path);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > SANDBOX_INIT_SIZE_MAX)
		return sbx_fail(reterr, -EINVAL, "sandbox-init '%s' is not a plausible executable",
				path);

	mfd = memfd_create("sandbox-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL) /* before 6.3 */
		mfd = memfd_create("sandbox-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return sbx_fail(reterr, negative_errno(), "create the sandbox-init memfd");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sbx_fail(reterr, n < 0 ? negative_errno() : -EIO,
					"copy sandbox-init into its memfd");
	}
	if (fchmod(mfd, 0555) < 0)
		return sbx_fail(reterr, negative_errno(), "make the sandbox-init memfd executable");
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return sbx_fail(reterr, negative_errno(), "seal the sandbox-init memfd");
	*ret_fd = TAKE_FD(mfd);
	return 0;
}

/* Opens sandbox-init through a private read-only mount of just that file, so the process the
 * sandbox sees at /proc/1/exe lives on a read-only mount: it cannot be rewritten through
 * /proc/self/exe (the runc CVE-2019-5736 class), and nothing is copied per process. */
static int load_init(const char *path, int *ret_fd, struct sbx_error *reterr)
{
	struct mount_attr ro = {.attr_set =
					MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	_cleanup_close_ int tree = -EBADF;
	struct stat st;

	tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 && errno == ENOSYS) /* before 5.2 */
		return load_init_memfd(path, ret_fd, reterr);
	if (tree < 0)
		return sbx_fail(reterr, negative_errno(), "open sandbox-init '%s'", path);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0) {
		if (errno == ENOSYS) /* 5.2 to 5.11 */
			return load_init_memfd(path, ret_fd, reterr);
		return sbx_fail(reterr, negative_errno(), "make sandbox-init's mount read-only");
	}
	if (fstat(tree, &st) < 0)
		return sbx_fail(reterr, negative_errno(), "stat sandbox-init '%s'", path);
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return sbx_fail(reterr, -ENOEXEC, "sandbox-init '%s' is not an executable file",
				path);
	*ret_fd = TAKE_FD(tree);
	return 0;
}

const char *sandbox_init_locate(char *buf, size_t len)
{
	/* Relative to the executable: installed side by side, or built in this tree. */
	static const char *const candidates[] = {"/sandbox-init", "/../runtime/sandbox-init"};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return SANDBOX_INIT_INSTALLED;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return SANDBOX_INIT_INSTALLED;
	*slash = '\0';
	for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
		if (snprintf(buf, len, "%s%s", exe, candidates[i]) < (int)len &&
		    access(buf, X_OK) == 0)
			return buf;
	return SANDBOX_INIT_INSTALLED;
}

/* Refuses to run on a host that lacks a mechanism: a sandbox never runs weaker than promised. */
static int check_host(struct sbx_error *reterr)
{
	char buf[32];
	ssize_t n;

	/* Mapping a range of host uids and creating cgroups takes root of the host. */
	if (geteuid() != 0)
		return sbx_fail(reterr, -EPERM,
				"check privileges: sandboxes must be created by root, "
				"not uid %u",
				(unsigned)geteuid());

	n = read_file_at(AT_FDCWD, "/proc/sys/user/max_user_namespaces", buf, sizeof(buf));
	if (n < 0)
		return sbx_fail(reterr, (int)n, "check user namespace support");
	if (strcmp(buf, "0\n") == 0)
		return sbx_fail(reterr, -EOPNOTSUPP,
				"check user namespace support: user.max_user_namespaces is 0");
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return sbx_fail(reterr, negative_errno(), "check seccomp support");
	n = read_file_at(AT_FDCWD, "/proc/sys/kernel/seccomp/actions_avail", buf, sizeof(buf));
	if (n == -ENOENT)
		return sbx_fail(reterr, -EOPNOTSUPP, "check seccomp filter support");
	return 0;
}

/* Removes the cgroups of sandboxes whose creator died without tearing them down (a SIGKILLed
 * sbx-run; its sandbox died with it): a "sbx-<slot>" cgroup whose uid range nobody holds has no
 * owner left. Best effort: a failure here costs a leftover, not a sandbox. */
static void sweep_leftovers(struct sandbox_runtime *rt)
{
	_cleanup_strv_free_ char **names = NULL;

	if (cgroup_list(rt->cgroups, &names) < 0)
		return;
	for (char **n = names; *n; n++) {
		struct uid_range range = {.lock_fd = -EBADF};
		uint32_t slot;
		char tail;

		if (sscanf(*n, "sbx-%" SCNu32 "%c", &slot, &tail) != 1 ||
		    slot >= rt->cfg.uids.count)
			continue;
		if (uid_range_acquire_slot(&rt->cfg.uids, slot, &range) < 0)
			continue; /* held: a live sandbox */
		(void)cgroup_remove_leftover(rt->cgroups, *n);
		uid_range_release(&range);
	}
}

int sandbox_runtime_new(const struct runtime_config *cfg, struct sandbox_runtime **ret,
			struct sbx_error *reterr)
{
	_cleanup_(sandbox_runtime_freep) struct sandbox_runtime *rt = NULL;
	int r;

	r = check_host(reterr);
	if (r < 0)
		return r;

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return sbx_fail(reterr, -ENOMEM, "allocate the runtime");
	rt->cfg = *cfg;
	rt->init_fd = -EBADF;
	if (!rt->cfg.images_dir)
		rt->cfg.images_dir = IMAGES_DIR_DEFAULT;

	r = uid_range_pool_validate(&rt->cfg.uids);
	if (r < 0)
		return sbx_fail(reterr, r, "check the uid range pool (base %u, %u ranges)",
				rt->cfg.uids.base, rt->cfg.uids.count);
	r = cgroup_host_detect(cfg->cgroup_root, cfg->cgroup_parent, &rt->cgroups, reterr);
	if (r < 0)
		return r;
	r = load_init(cfg->init_path, &rt->init_fd, reterr);
	if (r < 0)
		return r;
	sweep_leftovers(rt);
	syscall_filter_builtin(&rt->filter);

	*ret = TAKE_PTR(rt);
	return 0;
}

struct sandbox_runtime *sandbox_runtime_free(struct sandbox_runtime *rt)
{
	if (!rt)
		return NULL;
	cgroup_host_free(rt->cgroups);
	safe_close(rt->init_fd);
	free(rt);
	return NULL;
}

/* Resolves spec->image to NULL (host image) or a directory; named images live in images_dir. */
static int resolve_image(const struct sandbox_runtime *rt, const char *image, char *buf, size_t len,
			 const char **ret, struct sbx_error *reterr)
{
	struct stat st;

	if (!image || strcmp(image, SANDBOX_IMAGE_HOST) == 0) {
		*ret = NULL;
		return 0;
	}
	if (image[0] == '/') {
		if (snprintf(buf, len, "%s", image) >= (int)len)
			return sbx_fail(reterr, -ENAMETOOLONG, "find image '%s'", image);
	} else {
		/* A name, never a path: "../x" must not walk out of the images directory. */
		if (strchr(image, '/') || strcmp(image, ".") == 0 || strcmp(image, "..") == 0)
			return sbx_fail(reterr, -EINVAL, "find image '%s': not a name", image);
		if (snprintf(buf, len, "%s/%s/rootfs", rt->cfg.images_dir, image) >= (int)len)
			return sbx_fail(reterr, -ENAMETOOLONG, "find image '%s'", image);
	}
	if (stat(buf, &st) < 0)
		return sbx_fail(reterr, negative_errno(), "find image '%s' at '%s'", image, buf);
	if (!S_ISDIR(st.st_mode))
		return sbx_fail(reterr, -ENOTDIR, "find image '%s' at '%s'", image, buf);
	*ret = buf;
	return 0;
}

/* Makes fds[0..2] the command's stdio, moving them above 2 first so that any order works. */
static int setup_stdio(const int stdio[3])
{
	int moved[3];

	for (int i = 0; i < 3; i++) {
		if (stdio[i] < 0)
			moved[i] = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
		else
			moved[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
		if (moved[i] < 0)
			return negative_errno();
	}
	for (int i = 0; i < 3; i++)
		if (dup2(moved[i], i) < 0)
			return negative_errno();
	return 0;
}

/* Child: moves a session's fds to the fixed numbers where sandbox-init finds them (the control
 * channel; the listening socket and the uid range lock when the session may outlive us),
 * first moving whatever of ours sits there (the sync socket, sandbox-init's fd). */
static int place_session_fds(struct sandbox_runtime *rt, const struct sandbox_spec *spec,
			     int lock_fd, int *sync_fd)
{
	int src[3] = {spec->control_fd, spec->listen_fd, spec->listen_fd >= 0 ? lock_fd : -1};
	int *ours[] = {sync_fd, &rt->init_fd};

	for (size_t i = 0; i < ELEMENTSOF(ours); i++)
		if (*ours[i] >= INIT_CONTROL_FD && *ours[i] <= INIT_CONTROL_LOCK_FD) {
			int moved = fcntl(*ours[i], F_DUPFD_CLOEXEC, INIT_CONTROL_LOCK_FD + 1);

			if (moved < 0)
				return negative_errno();
			*ours[i] = moved;
		}
	for (size_t i = 0; i < ELEMENTSOF(src); i++)
		if (src[i] >= 0) {
			src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, INIT_CONTROL_LOCK_FD + 1);
			if (src[i] < 0)
				return negative_errno();
		}
	for (size_t i = 0; i < ELEMENTSOF(src); i++) {
		int target = INIT_CONTROL_FD + (int)i;

		if (src[i] < 0) {
			(void)close(target); /* absent: nothing else may sit at its number */
			continue;
		}
		if (dup2(src[i], target) < 0) /* not close-on-exec: these cross */
			return negative_errno();
		safe_close(src[i]);
	}
	return 0;
}

/* The child half, in order. Nothing here logs; the first failure is reported through sync. */
static int child_steps(struct sandbox_runtime *rt, const struct sandbox_spec *spec,
		       struct rootfs_trees *trees, int *sync_fd, int lock_fd,
		       const char *const *init_argv, struct sbx_error *e)
{
	const char *hostname = spec->hostname ? spec->hostname : SANDBOX_HOSTNAME_DEFAULT;
	const char *cwd = spec->cwd ? spec->cwd : SANDBOX_WORKSPACE;
	char seen[PATH_MAX];
	int r;

	r = sync_wait_go(*sync_fd);
	if (r < 0)
		return sbx_fail(e, r, "wait for the parent");

	r = rootfs_reopen_child(trees, e);
	if (r < 0)
		return r;

	r = userns_setup_child();
	if (r < 0)
		return sbx_fail(e, r, "become root of the user namespace");

	/* Dies with its creator when asked (sbx-run), so no sandbox outlives the uid range lock.
	 * Set only now: changing uids clears the parent-death signal. A creator that died before
	 * this line is noticed at the second go, which then never comes. */
	if (rt->cfg.kill_on_parent_death && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return sbx_fail(e, negative_errno(), "set the parent-death signal");

	r = rootfs_setup_child(spec, trees, e);
	if (r < 0)
		return sbx_wrap(e, "set up the root filesystem");

	if (sethostname(hostname, strlen(hostname)) < 0)
		return sbx_fail(e, negative_errno(), "set hostname '%s'", hostname);

	r = netns_setup_child();
	if (r < 0)
		return sbx_fail(e, r, "bring up lo");

	r = sync_wait_go(*sync_fd);
	if (r < 0)
		return sbx_fail(e, r, "wait for the parent to join the cgroup");

	if (unshare(CLONE_NEWCGROUP) < 0)
		return sbx_fail(e, negative_errno(), "enter a new cgroup namespace");

	r = rlimits_apply(&spec->limits, spec->workspace_size);
	if (r < 0)
		return sbx_fail(e, r, "set rlimits");

	if (setsid() < 0)
		return sbx_fail(e, negative_errno(), "start a new session");

	if (chdir(cwd) < 0)
		return sbx_fail(e, negative_errno(), "change directory to '%s'", cwd);
	/* getcwd() says "(unreachable)" for a directory outside the root: refuse it. */
	if (!getcwd(seen, sizeof(seen)) || seen[0] != '/')
		return sbx_fail(e, -EPERM, "check that '%s' is inside the new root", cwd);

	r = setup_stdio(spec->stdio);
	if (r < 0)
		return sbx_fail(e, r, "set up stdin, stdout and stderr");

	if (spec->session) {
		r = place_session_fds(rt, spec, lock_fd, sync_fd);
		if (r < 0)
			return sbx_fail(e, r, "pass the control channel to sandbox-init");
	}

	/* Nothing of the creator's crosses in: every fd above 2 (above a session's own fds)
	 * closes at exec; the sync socket and sandbox-init's fd are needed until then. */
	if (close_range(spec->session ? INIT_CONTROL_LOCK_FD + 1 : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return sbx_fail(e, negative_errno(), "mark inherited fds close-on-exec");

	r = caps_drop_all();
	if (r < 0)
		return sbx_fail(e, r, "drop capabilities");

	r = syscall_filter_load(&rt->filter);
	if (r < 0)
		return sbx_fail(e, r, "load the seccomp filter");

	syscall(SYS_execveat, rt->init_fd, "", (char *const *)init_argv, (char *const *)spec->env,
		AT_EMPTY_PATH);
	return sbx_fail(e, negative_errno(), "execute sandbox-init");
}

/* Builds sandbox-init's argv: "sandbox-init" "--" argv... (malloc'd array, strings borrowed). */
static const char **init_argv_new(const struct sandbox_spec *spec)
{
	size_t n = 0;
	const char **v;

	if (spec->session) {
		v = calloc(3, sizeof(char *));
		if (v) {
			v[0] = "sandbox-init";
			v[1] = "--session";
		}
		return v;
	}
	while (spec->argv[n])
		n++;
	v = calloc(n + 3, sizeof(char *));
	if (!v)
		return NULL;
	v[0] = "sandbox-init";
	v[1] = "--";
	memcpy(v + 2, spec->argv, n * sizeof(char *));
	return v;
}

/* A parent step failed after clone. The child may have failed first, and its report is then
 * the cause worth giving: stop it, and take its report if it left one. Returns the error. */
static int child_failure(int pidfd, int sync_fd, int r, struct sbx_error *reterr)
{
	struct sbx_error child_err = {};

	(void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	if (sync_wait_exec(sync_fd, &child_err) < 0) {
		if (reterr)
			*reterr = child_err;
		return child_err.code;
	}
	return r;
}

int sandbox_create(struct sandbox_runtime *rt, const struct sandbox_spec *spec,
		   struct sandbox **ret, struct sbx_error *reterr)
{
	_cleanup_(sandbox_freep) struct sandbox *sb = NULL;
	_cleanup_close_ int sync_parent = -EBADF, sync_child = -EBADF;
	_cleanup_free_ const char **init_argv = NULL;
	_cleanup_(rootfs_trees_done) struct rootfs_trees trees = ROOTFS_TREES_INIT;
	struct cgroup_limits limits = {
		.memory_max = spec->limits.memory_max,
		.pids_max = spec->limits.pids_max,
		.cpu_millis = spec->limits.cpu_millis,
	};
	char image_buf[PATH_MAX], name[CGROUP_NAME_MAX];
	const char *image_dir = NULL;
	bool in_cgroup = false;
	int fds[2], pidfd = -EBADF, r;
	pid_t pid;

	if ((!spec->session && (!spec->argv || !spec->argv[0])) || !spec->env)
		return sbx_fail(reterr, -EINVAL, "create a sandbox: no command given");
	r = resolve_image(rt, spec->image, image_buf, sizeof(image_buf), &image_dir, reterr);
	if (r < 0)
		return r;
	init_argv = init_argv_new(spec);
	if (!init_argv)
		return sbx_fail(reterr, -ENOMEM, "create a sandbox");

	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return sbx_fail(reterr, -ENOMEM, "create a sandbox");
	sb->rt = rt;
	sb->pidfd = -EBADF;
	sb->uids.lock_fd = -EBADF;
	sb->timeout_usec = spec->limits.timeout_usec;

	r = uid_range_acquire(&rt->cfg.uids, &sb->uids, reterr);
	if (r < 0)
		return sbx_wrap(reterr, "allocate a uid range");

	snprintf(name, sizeof(name), "sbx-%u", sb->uids.slot);
	/* Only what clone3 needs now; the rest of the cgroup is made while the child builds its
	 * root (cgroup_create_finish() below), before the child is attached or runs anything. */
	r = cgroup_create_begin(rt->cgroups, name, &limits, &sb->cgroup, reterr);
	if (r < 0)
		return sbx_wrap(reterr, "set up cgroup");

	r = rootfs_capture_parent(spec, image_dir, &trees, reterr);
	if (r < 0)
		return r;

	r = sync_pair(fds);
	if (r < 0)
		return sbx_fail(reterr, r, "create the setup socket");
	sync_parent = fds[0];
	sync_child = fds[1];

	sb->start_usec = time_monotonic_usec();
	pid = spawn_clone(SANDBOX_CLONE_NS, cgroup_clone_fd(sb->cgroup), &pidfd, &in_cgroup);
	if (pid == 0) {
		struct sbx_error e = {};

		sync_parent = safe_close(sync_parent);
		(void)child_steps(rt, spec, &trees, &sync_child, sb->uids.lock_fd, init_argv, &e);
		(void)sync_report_error(sync_child, &e);
		_exit(127);
	}
	if (pid < 0)
		return sbx_fail(reterr, pid, "clone the sandbox's namespaces");
	sb->pid = pid;
	sb->pidfd = pidfd;
	sync_child = safe_close(sync_child);

	r = userns_setup_parent(pid, sb->uids.host_base, reterr);
	if (r < 0)
		return child_failure(pidfd, sync_parent, r, reterr);
	{
		_cleanup_close_ int userns_fd = -EBADF;
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		userns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (userns_fd < 0)
			r = sbx_fail(reterr, negative_errno(), "open the sandbox's user namespace");
		else
			r = rootfs_idmap_parent(spec, &trees, userns_fd, reterr);
		if (r < 0)
			return child_failure(pidfd, sync_parent, r, reterr);
	}
	/* The child holds its own copies of the trees; ours are done. */
	rootfs_trees_done(&trees);

	r = sync_send_go(sync_parent);
	if (r < 0)
		return child_failure(pidfd, sync_parent, sbx_fail(reterr, r, "start the sandbox"),
				     reterr);

	/* The child builds its root while we finish its cgroup and move it into its v1 cgroups:
	 * on v1 that move waits for an RCU grace period (docs/cgroups.md), time better spent in
	 * parallel. The child waits for the second go before it can fork or enter its cgroup
	 * namespace, so every limit is in place before anything but our setup runs. */
	r = cgroup_create_finish(sb->cgroup, reterr);
	if (r < 0)
		return child_failure(pidfd, sync_parent, sbx_wrap(reterr, "set up cgroup"), reterr);
	r = cgroup_attach(sb->cgroup, pid, in_cgroup, reterr);
	if (r < 0)
		return child_failure(pidfd, sync_parent, sbx_wrap(reterr, "set up cgroup"), reterr);
	r = sync_send_go(sync_parent);
	if (r < 0)
		return child_failure(pidfd, sync_parent, sbx_fail(reterr, r, "start the sandbox"),
				     reterr);

	r = sync_wait_exec(sync_parent, reterr);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(sb);
	return 0;
}

int sandbox_pidfd(const struct sandbox *sb)
{
	return sb->pidfd;
}

pid_t sandbox_pid(const struct sandbox *sb)
{
	return sb->pid;
}

uid_t sandbox_host_uid(const struct sandbox *sb)
{
	return sb->uids.host_base;
}

int sandbox_set_limits(struct sandbox *sb, const struct sandbox_limits *limits,
		       struct sbx_error *reterr)
{
	struct cgroup_limits l = {
		.memory_max = limits->memory_max,
		.pids_max = limits->pids_max,
		.cpu_millis = limits->cpu_millis,
	};

	return cgroup_set_limits(sb->cgroup, &l, reterr);
}

int sandbox_read_stats(struct sandbox *sb, struct cgroup_stats *ret)
{
	struct cgroup_stats st = {};
	int r;

	r = cgroup_read_stats(sb->cgroup, &st);
	if (r < 0)
		return r;
	*ret = st;
	return 0;
}

int sandbox_disk_used(struct sandbox *sb, uint64_t *ret)
{
	char path[64];
	struct statvfs sv;

	/* Through PID 1's root: the sandbox's own view, never a host path. */
	snprintf(path, sizeof(path), "/proc/%d/root" SANDBOX_WORKSPACE, (int)sb->pid);
	if (statvfs(path, &sv) < 0)
		return negative_errno();
	*ret = (uint64_t)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
	return 0;
}

int sandbox_freeze(struct sandbox *sb, bool frozen)
{
	return cgroup_freeze(sb->cgroup, frozen);
}

int sandbox_signal(struct sandbox *sb, int sig)
{
	if (pidfd_send_signal(sb->pidfd, sig, NULL, 0) < 0)
		return negative_errno();
	return 0;
}

int sandbox_kill(struct sandbox *sb)
{
	int r;

	sb->killed = true;
	r = cgroup_kill(sb->cgroup);
	/* PID 1 dying takes the whole pid namespace with it, whatever the cgroup layout. */
	(void)pidfd_send_signal(sb->pidfd, SIGKILL, NULL, 0);
	return r;
}

/* Waits for sandbox-init to exit within the wall-clock limit; 1 if it exited, 0 on timeout. */
static int wait_exit(struct sandbox *sb, siginfo_t *si)
{
	struct pollfd p = {.fd = sb->pidfd, .events = POLLIN};

	for (;;) {
		int timeout_ms = -1, n;

		if (sb->timeout_usec > 0) {
			uint64_t elapsed = time_monotonic_usec() - sb->start_usec;

			if (elapsed >= sb->timeout_usec)
				return 0;
			timeout_ms = (int)MIN((sb->timeout_usec - elapsed + 999) / 1000, INT_MAX);
		}
		n = poll(&p, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			continue;
		break;
	}
	if (waitid(P_PIDFD, (id_t)sb->pidfd, si, WEXITED) < 0)
		return negative_errno();
	return 1;
}

int sandbox_wait(struct sandbox *sb, struct sandbox_result *ret, struct sbx_error *reterr)
{
	struct sandbox_result res = {};
	siginfo_t si = {};
	int r;

	r = wait_exit(sb, &si);
	if (r < 0)
		return sbx_fail(reterr, r, "wait for the sandbox");
	if (r == 0) {
		sb->timed_out = true;
		(void)sandbox_kill(sb);
		sb->killed = false;
		while (waitid(P_PIDFD, (id_t)sb->pidfd, &si, WEXITED) < 0)
			if (errno != EINTR)
				return sbx_fail(reterr, negative_errno(),
						"reap the timed-out sandbox");
	}
	sb->reaped = true;
	res.wall_usec = time_monotonic_usec() - sb->start_usec;
	(void)cgroup_read_stats(sb->cgroup, &res.stats);

	/* sandbox-init reports a command killed by signal N as exit 128+N, as shells do. */
	if (si.si_code == CLD_EXITED) {
		res.exit_code = si.si_status;
	} else {
		res.signal = si.si_status;
		res.exit_code = 128 + si.si_status;
	}

	if (sb->timed_out)
		res.end = SANDBOX_TIMEOUT;
	else if (sb->killed)
		res.end = SANDBOX_KILLED;
	else if (res.exit_code == 128 + SIGKILL && res.stats.oom_kills > 0)
		res.end = SANDBOX_OOM;
	else if (res.signal != 0)
		res.end = SANDBOX_SIGNALED;
	else
		res.end = SANDBOX_EXITED;

	*ret = res;
	return 0;
}

/* Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces). */
static int read_start_ticks(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	/* After ") ": state is field 3, starttime field 22. */
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &ticks) != 1)
		return -EBADMSG;
	*ret = ticks;
	return 0;
}

int sandbox_ident(const struct sandbox *sb, struct sandbox_ident *ret)
{
	struct sandbox_ident id = {.slot = sb->uids.slot, .pid = sb->pid};
	int r = read_start_ticks(sb->pid, &id.start_ticks);

	if (r < 0)
		return r;
	*ret = id;
	return 0;
}

int sandbox_adopt(struct sandbox_runtime *rt, const struct sandbox_ident *id, struct sandbox **ret,
		  struct sbx_error *reterr)
{
	/* Until it is ours, a failure must leave the sandbox as it found it. */
	_cleanup_(sandbox_releasep) struct sandbox *sb = NULL;
	char name[CGROUP_NAME_MAX];
	uint64_t ticks;
	int r;

	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return sbx_fail(reterr, -ENOMEM, "adopt a sandbox");
	sb->rt = rt;
	sb->adopted = true;
	sb->pidfd = -EBADF;
	sb->uids.lock_fd = -EBADF;
	sb->uids.slot = id->slot;
	r = uid_range_slot_base(&rt->cfg.uids, id->slot, &sb->uids.host_base);
	if (r < 0 || id->pid <= 1)
		return sbx_fail(reterr, -EINVAL, "adopt sandbox sbx-%u: not a sandbox of ours",
				id->slot);
	/* The pidfd first, then the start time: once it matches, the pidfd is that process. */
	sb->pidfd = pidfd_open(id->pid, 0);
	if (sb->pidfd < 0)
		return sbx_fail(reterr, errno == ESRCH ? -ESRCH : negative_errno(),
				"adopt sandbox sbx-%u: open its PID 1", id->slot);
	r = read_start_ticks(id->pid, &ticks);
	if (r == 0 && ticks != id->start_ticks)
		r = -ESRCH; /* the pid was reused: that sandbox is gone */
	if (r < 0)
		return sbx_fail(reterr, r, "adopt sandbox sbx-%u: find its PID 1", id->slot);
	sb->pid = id->pid;
	sb->start_usec = time_monotonic_usec();
	snprintf(name, sizeof(name), "sbx-%u", id->slot);
	r = cgroup_open(rt->cgroups, name, &sb->cgroup, reterr);
	if (r < 0)
		return sbx_wrap(reterr, "adopt sandbox %s", name);
	*ret = TAKE_PTR(sb);
	return 0;
}

void sandbox_adopt_lock(struct sandbox *sb, int lock_fd)
{
	safe_close(sb->uids.lock_fd);
	sb->uids.lock_fd = lock_fd;
}

struct sandbox *sandbox_release(struct sandbox *sb)
{
	if (!sb)
		return NULL;
	safe_close(sb->pidfd);
	cgroup_close(sb->cgroup);
	uid_range_release(&sb->uids); /* sandbox-init holds its own copy of the lock */
	free(sb);
	return NULL;
}

/* Waits (bounded) for an adopted PID 1 to be gone; it is somebody else's child to reap. */
static void wait_adopted_exit(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	(void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	while (poll(&p, 1, 1000) < 0 && errno == EINTR)
		;
}

struct sandbox *sandbox_free(struct sandbox *sb)
{
	if (!sb)
		return NULL;
	/* Once PID 1 is reaped, its pid namespace holds no process, and nothing of a sandbox lives
	 * outside it (setns and namespace flags are denied): an empty cgroup needs no kill. Should
	 * one still be populated, cgroup_destroy() finds it busy and kills it then. */
	if (sb->cgroup && !sb->reaped)
		(void)cgroup_kill(sb->cgroup);
	if (sb->adopted && sb->pidfd >= 0)
		wait_adopted_exit(sb->pidfd);
	if (sb->reaped || sb->adopted)
		sb->pidfd = safe_close(sb->pidfd);
	else
		sb->pidfd = spawn_kill_close(sb->pidfd);
	cgroup_destroy(sb->cgroup);
	uid_range_release(&sb->uids);
	free(sb);
	return NULL;
}
