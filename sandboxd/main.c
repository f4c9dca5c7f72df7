/* SPDX-License-Identifier: MIT */
/* sandboxd: options, startup, the sd-event loop, and the only exit codes. Serving is server.c
 * and conn.c; answering is dispatch.c and the rpc-*.c files. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "job.h"
#include "pool.h"
#include "privileges.h"
#include "server.h"
#include "session.h"
#include "session-record.h"
#include "init-link.h"
#include "landlock.h"
#include "policy-set.h"

static void usage(FILE *f)
{
	fputs("usage: sandboxd [--config FILE] [--socket PATH] [--state-dir DIR] [--foreground]\n"
	      "                [--debug]\n"
	      "Serve the sandboxd.v1 protocol on a Unix socket.\n"
	      "\n"
	      "  --config FILE     settings (default " DAEMON_CONFIG_DEFAULT " if it exists);\n"
	      "                    options given here win over the file\n"
	      "  --socket PATH     listen here (default " DAEMON_SOCKET_DEFAULT ");\n"
	      "                    a socket passed by systemd takes precedence\n"
	      "  --state-dir DIR   session and job state (default " DAEMON_STATE_DIR_DEFAULT ")\n"
	      "  --allow-uid UID   also accept this uid (repeatable; root and our own uid always)\n"
	      "  --allow-gid GID   also accept peers whose primary gid is GID (repeatable)\n"
	      "  --max-sessions N  sessions at once (default 256)\n"
	      "  --warm-pool N     sandboxes kept ready for new sessions (default 0)\n"
	      "  --policy-dir DIR  named policies, *.yaml (default " POLICY_DIR_DEFAULT ")\n"
	      "  --sessions-end-with-daemon\n"
	      "                    sessions end when sandboxd stops or dies, instead of being\n"
	      "                    taken over by the next start (default: they live on)\n"
	      "  --allow-inline-policies\n"
	      "                    accept policy text in CreateSession (default: names only)\n"
	      "  --cgroup-parent NAME, --uid-lock-dir DIR, --sandbox-init PATH\n"
	      "                    for tests and unusual hosts (see docs/daemon.md)\n"
	      "  --foreground      accepted for compatibility: sandboxd never forks away\n"
	      "  --debug           log debug messages\n",
	      f);
}

static int parse_args(int argc, char **argv, struct daemon_config *cfg)
{
	enum {
		OPT_SOCKET = 0x100,
		OPT_STATE_DIR,
		OPT_ALLOW_UID,
		OPT_ALLOW_GID,
		OPT_FOREGROUND,
		OPT_DEBUG,
		OPT_HELP,
		OPT_MAX_SESSIONS,
		OPT_CGROUP_PARENT,
		OPT_UID_LOCK_DIR,
		OPT_SANDBOX_INIT,
		OPT_CONFIG,
		OPT_WARM_POOL,
		OPT_POLICY_DIR,
		OPT_INLINE_POLICIES,
		OPT_SESSIONS_END,
	};
	static const struct option opts[] = {
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"allow-uid", required_argument, NULL, OPT_ALLOW_UID},
		{"allow-gid", required_argument, NULL, OPT_ALLOW_GID},
		{"foreground", no_argument, NULL, OPT_FOREGROUND},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"help", no_argument, NULL, OPT_HELP},
		{"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
		{"cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT},
		{"uid-lock-dir", required_argument, NULL, OPT_UID_LOCK_DIR},
		{"sandbox-init", required_argument, NULL, OPT_SANDBOX_INIT},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"warm-pool", required_argument, NULL, OPT_WARM_POOL},
		{"policy-dir", required_argument, NULL, OPT_POLICY_DIR},
		{"allow-inline-policies", no_argument, NULL, OPT_INLINE_POLICIES},
		{"sessions-end-with-daemon", no_argument, NULL, OPT_SESSIONS_END},
		{},
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			if (optarg[0] != '/') {
				fprintf(stderr,
					"sandboxd: --socket '%s': expected an absolute path\n",
					optarg);
				return -EINVAL;
			}
			cfg->socket_path = optarg;
			cfg->socket_from_cli = true;
			break;
		case OPT_STATE_DIR:
			if (optarg[0] != '/') {
				fprintf(stderr,
					"sandboxd: --state-dir '%s': expected an absolute path\n",
					optarg);
				return -EINVAL;
			}
			cfg->state_dir = optarg;
			cfg->state_dir_from_cli = true;
			break;
		case OPT_ALLOW_UID:
		case OPT_ALLOW_GID: {
			bool uid = c == OPT_ALLOW_UID;
			size_t *n = uid ? &cfg->n_allowed_uids : &cfg->n_allowed_gids;

			if (parse_u64_range(optarg, 0, UINT32_MAX - 1, &v) < 0 ||
			    *n >= DAEMON_ALLOWED_MAX) {
				fprintf(stderr,
					"sandboxd: --allow-%s '%s': expected a number (at most "
					"%d)\n",
					uid ? "uid" : "gid", optarg, DAEMON_ALLOWED_MAX);
				return -EINVAL;
			}
			if (uid)
				cfg->allowed_uids[(*n)++] = (uid_t)v;
			else
				cfg->allowed_gids[(*n)++] = (gid_t)v;
			break;
		}
		case OPT_MAX_SESSIONS:
			if (parse_u64_range(optarg, 0, 65536, &v) < 0) {
				fprintf(stderr,
					"sandboxd: --max-sessions '%s': expected 0 to 65536\n",
					optarg);
				return -EINVAL;
			}
			cfg->sessions_max = (unsigned)v;
			cfg->sessions_max_from_cli = true;
			break;
		case OPT_CGROUP_PARENT:
			cfg->cgroup_parent = optarg;
			break;
		case OPT_UID_LOCK_DIR:
			cfg->uid_lock_dir = optarg;
			break;
		case OPT_SANDBOX_INIT:
			cfg->init_path = optarg;
			break;
		case OPT_CONFIG:
			cfg->config_path = optarg;
			break;
		case OPT_WARM_POOL:
			if (parse_u64_range(optarg, 0, POOL_SIZE_MAX, &v) < 0) {
				fprintf(stderr, "sandboxd: --warm-pool '%s': expected 0 to %d\n",
					optarg, POOL_SIZE_MAX);
				return -EINVAL;
			}
			cfg->warm_pool = (unsigned)v;
			cfg->warm_pool_from_cli = true;
			break;
		case OPT_POLICY_DIR:
			cfg->policy_dir = optarg;
			cfg->policy_dir_from_cli = true;
			break;
		case OPT_SESSIONS_END:
			cfg->sessions_end_with_daemon = true;
			break;
		case OPT_INLINE_POLICIES:
			cfg->inline_policies = true;
			cfg->inline_policies_from_cli = true;
			break;
		case OPT_FOREGROUND:
			break;
		case OPT_DEBUG:
			log_set_max_priority(LOG_DEBUG);
			break;
		case OPT_HELP:
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sandboxd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* The runtime every session's sandbox comes from: checks the host, prepares what each sandbox
 * reuses, and removes what sandboxes of a previous life left behind. */
static int start_runtime(struct daemon *d, struct sbx_error *e)
{
	static char init_buf[PATH_MAX];
	struct runtime_config rc = {
		.cgroup_parent = d->cfg.cgroup_parent,
		.init_path = d->cfg.init_path ? d->cfg.init_path
					      : sandbox_init_locate(init_buf, sizeof(init_buf)),
		.uids = {d->cfg.uid_lock_dir, UID_RANGE_BASE_DEFAULT, UID_RANGE_COUNT_DEFAULT},
	};

	return sandbox_runtime_new(&rc, &d->runtime, e);
}

static int on_stop_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)userdata;
	log_info("received signal %u; stopping", si->ssi_signo);
	(void)sd_notify(0, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Applies a parsed file under the command line: options given there win; allowed ids are the
 * union of both. reload: only what can change while serving is applied. */
static void apply_config(struct daemon_config *cfg, struct config_file *f, bool reload)
{
	if (!reload) {
		if (f->socket_path && !cfg->socket_from_cli)
			cfg->socket_path = f->socket_path;
		if (f->state_dir && !cfg->state_dir_from_cli)
			cfg->state_dir = f->state_dir;
	} else if ((f->socket_path && strcmp(f->socket_path, cfg->socket_path) != 0) ||
		   (f->state_dir && strcmp(f->state_dir, cfg->state_dir) != 0)) {
		log_warn("reload: socket and state_dir changes take effect at the next start");
	}
	cfg->n_allowed_uids = cfg->n_cli_uids;
	for (size_t i = 0; i < f->n_allowed_uids && cfg->n_allowed_uids < DAEMON_ALLOWED_MAX; i++)
		cfg->allowed_uids[cfg->n_allowed_uids++] = f->allowed_uids[i];
	cfg->n_allowed_gids = cfg->n_cli_gids;
	for (size_t i = 0; i < f->n_allowed_gids && cfg->n_allowed_gids < DAEMON_ALLOWED_MAX; i++)
		cfg->allowed_gids[cfg->n_allowed_gids++] = f->allowed_gids[i];
	if (f->has_max_sessions && !cfg->sessions_max_from_cli)
		cfg->sessions_max = f->max_sessions;
	if (!reload && f->has_warm_pool && !cfg->warm_pool_from_cli)
		cfg->warm_pool = f->warm_pool;
	if (f->policy_dir && !cfg->policy_dir_from_cli)
		cfg->policy_dir = f->policy_dir;
	if (f->has_allow_inline_policies && !cfg->inline_policies_from_cli)
		cfg->inline_policies = f->allow_inline_policies;
	cfg->session_defaults = f->defaults;
}

/* The directory of sandbox-browse: built in this tree next to us, or installed. Sessions see it
 * read-only at SESSION_TOOLS_DIR; without it, Browse answers UNAVAILABLE. */
static void locate_browse(struct daemon *d)
{
	char exe[PATH_MAX], dirs[2][PATH_MAX + 16], path[sizeof(dirs[0]) + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(dirs[0], sizeof(dirs[0]), "%s/../tools", exe) >= (int)sizeof(dirs[0]))
		dirs[0][0] = '\0';
	snprintf(dirs[1], sizeof(dirs[1]), "%s", SANDBOXD_LIBEXECDIR);
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		if (snprintf(path, sizeof(path), "%s/sandbox-browse", dirs[i]) >= (int)sizeof(path))
			continue;
		if (access(path, X_OK) == 0 && realpath(dirs[i], d->browse_dir))
			return;
	}
	d->browse_dir[0] = '\0';
	log_info("sandbox-browse not found: Browse is unavailable");
}

/* Loads the named policies; a set that fails to load as a whole changes nothing. */
static int load_policies(struct daemon *d, struct sbx_error *e)
{
	struct policy_set *set = NULL;
	const char *dir = d->cfg.policy_dir ? d->cfg.policy_dir : POLICY_DIR_DEFAULT;
	int r;

	r = policy_set_load(dir, &set, e);
	if (r < 0)
		return sbx_wrap(e, "load the policies of '%s'", dir);
	/* Sessions keep the set they were created with (their reference) alive. */
	policy_set_unref(d->policies);
	d->policies = set;
	log_info("%zu policies loaded from %s (with the built-in default)", policy_set_size(set),
		 dir);
	return 0;
}

/* The strings of the last reloaded file, which the settings in force may point into. */
static struct config_file reloaded;

static int on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	struct config_file f = {};
	struct sbx_error e = {};

	(void)s;
	(void)si;
	/* A bad file changes nothing: the settings in force stay. */
	if (d->cfg.config_path && config_load(d->cfg.config_path, &f, &e) < 0)
		log_error("reload refused, settings unchanged: %s", e.msg);
	else if (d->cfg.config_path) {
		apply_config(&d->cfg, &f, true);
		config_done(&reloaded);
		reloaded = f;
		log_info("reloaded %s", d->cfg.config_path);
	}
	if (load_policies(d, &e) < 0)
		log_error("policy reload refused, the policies in force stay: %s", e.msg);
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d = {
		.cfg =
			{
				.socket_path = DAEMON_SOCKET_DEFAULT,
				.state_dir = DAEMON_STATE_DIR_DEFAULT,
				.frame_max = FRAME_SIZE_MAX_DEFAULT,
				.sessions_max = SESSIONS_MAX_DEFAULT,
				.session_defaults = SESSION_DEFAULTS_INIT,
				.uid_lock_dir = UID_RANGE_LOCK_DIR_DEFAULT,
			},
	};
	struct server *server = NULL;
	struct config_file file = {};
	struct sbx_error e = {};
	struct timespec ts;
	sigset_t mask;
	int r;

	/* File chunks and frames are megabytes each: keep such buffers in the heap for reuse
	 * instead of an mmap, a page fault per 4 KiB and a munmap for every one. */
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
	if (parse_args(argc, argv, &d.cfg) < 0) {
		fputs("Try 'sandboxd --help'.\n", stderr);
		return 2;
	}
	d.cfg.n_cli_uids = d.cfg.n_allowed_uids;
	d.cfg.n_cli_gids = d.cfg.n_allowed_gids;
	if (!d.cfg.config_path && access(DAEMON_CONFIG_DEFAULT, F_OK) == 0)
		d.cfg.config_path = DAEMON_CONFIG_DEFAULT;
	if (d.cfg.config_path) {
		if (config_load(d.cfg.config_path, &file, &e) < 0) {
			log_error("%s", e.msg);
			return EXIT_FAILURE;
		}
		apply_config(&d.cfg, &file, false);
	}

	/* Signals arrive through the loop; a client vanishing mid-write is an EPIPE, not death. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	d.start_usec = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;

	r = sd_event_default(&d.event);
	if (r < 0) {
		log_error("create the event loop: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	if (sd_event_add_signal(d.event, NULL, SIGTERM, on_stop_signal, NULL) < 0 ||
	    sd_event_add_signal(d.event, NULL, SIGINT, on_stop_signal, NULL) < 0 ||
	    sd_event_add_signal(d.event, NULL, SIGHUP, on_reload_signal, &d) < 0) {
		log_error("watch signals: %m");
		sd_event_unref(d.event);
		return EXIT_FAILURE;
	}

	d.jobs_dirfd = d.sessions_dirfd = d.init_dirfd = -EBADF;
	r = privileges_trim(&e);
	if (r >= 0)
		r = start_runtime(&d, &e);
	if (r >= 0)
		r = job_load_all(&d, &e);
	if (r >= 0)
		r = load_policies(&d, &e);
	if (r >= 0)
		r = session_record_setup(&d, &e);
	if (r >= 0)
		r = init_link_setup(&d, &e);
	if (r >= 0)
		locate_browse(&d);
	if (r >= 0 && !realpath(d.cfg.state_dir, d.state_dir_real))
		r = sbx_fail(&e, negative_errno(), "resolve the state directory '%s'",
			     d.cfg.state_dir);
	if (r >= 0) {
		d.landlock_abi = landlock_abi();
		if (d.landlock_abi > 0)
			log_info("Landlock ABI %d confines every tool process", d.landlock_abi);
		else
			log_warn("this kernel has no Landlock: tool processes are confined by the "
				 "policy layer, namespaces and seccomp, without per-skill paths");
	}
	if (r >= 0) {
		/* What an earlier daemon left running is ours again before anything new starts. */
		session_adopt_all(&d);
		job_adopt_unclaimed(&d);
	}
	if (r >= 0 && pool_new(&d, d.cfg.warm_pool, &d.pool) < 0)
		r = sbx_fail(&e, -ENOMEM, "set up the warm pool");
	if (r < 0) {
		log_error("%s", e.msg);
		sd_event_unref(d.event);
		return EXIT_FAILURE;
	}

	r = server_new(&d, &server, &e);
	if (r < 0) {
		log_error("%s", e.msg);
		sandbox_runtime_free(d.runtime);
		sd_event_unref(d.event);
		return EXIT_FAILURE;
	}
	log_info("serving sandboxd.v1 on %s", d.cfg.socket_path);
	(void)sd_notify(0, "READY=1\nSTATUS=serving");

	r = sd_event_loop(d.event);
	server_free(server);
	/* Sessions and their jobs live on; the next daemon takes them over. */
	session_release_all(&d);
	pool_free(d.pool);
	job_free_all(&d);
	safe_close(d.sessions_dirfd);
	safe_close(d.init_dirfd);
	policy_set_unref(d.policies);
	config_done(&reloaded);
	sandbox_runtime_free(d.runtime);
	sd_event_unref(d.event);
	if (r < 0) {
		log_error("event loop: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	config_done(&file);
	log_info("stopped");
	return EXIT_SUCCESS;
}
