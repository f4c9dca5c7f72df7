/* SPDX-License-Identifier: MIT */
/* sbx-run: runs one command in one fully confined sandbox, without the daemon. Parses options
 * into a struct sandbox_spec, asks runtime/sandbox.h for the sandbox, waits, and exits with the
 * command's status. The only place here that prints. */
#include <getopt.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "parse-util.h"
#include "sandbox.h"
#include "units.h"

#define EXIT_SETUP 125 /* sbx-run's own failure, as env(1) and chroot(1) use it */
#define EXIT_USAGE 2

static const char *const env_defaults[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=" SANDBOX_WORKSPACE,
	"LANG=C.UTF-8",
};

struct options {
	struct sandbox_spec spec;
	struct sandbox_bind binds[SANDBOX_BINDS_MAX];
	const char *env[SANDBOX_ENV_MAX + 1];
	size_t n_env;
	const char *cgroup_root;
	const char *cgroup_parent;
	const char *uid_lock_dir;
};

static void usage(FILE *f)
{
	fputs("usage: sbx-run [OPTION]... -- COMMAND [ARG]...\n"
	      "Run COMMAND in a new, fully confined sandbox and exit with its status.\n"
	      "\n"
	      "  --image NAME         root image: host (default), a name, or a directory\n"
	      "  --workspace DIR      bind DIR at /workspace (default: a tmpfs)\n"
	      "  --workspace-size SZ  size of the /workspace tmpfs (default 1Gi)\n"
	      "  --memory SIZE        memory limit, swap off (default 1Gi)\n"
	      "  --pids N             process limit (default 1024)\n"
	      "  --cpus N             CPU limit, e.g. 0.5 (default none)\n"
	      "  --timeout DUR        wall-clock limit, e.g. 30s (default none)\n"
	      "  --env K=V            set an environment variable (repeatable)\n"
	      "  --ro-bind SRC:DST    bind host SRC read-only at DST (repeatable)\n"
	      "  --bind SRC:DST       bind host SRC writable at DST (repeatable)\n"
	      "  --cwd DIR            working directory inside (default /workspace)\n"
	      "  --hostname NAME      hostname inside (default sandbox)\n"
	      "  --help               show this help\n"
	      "\n"
	      "Exit status: the command's, 128+N if signal N ended it, 125 if the sandbox could\n"
	      "not be set up, 2 for usage errors.\n",
	      f);
}

static _noreturn_ _printf_(1, 2) void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sbx-run: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sbx-run --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* Sets or replaces one K=V in the environment list. */
static void env_set(struct options *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen;

	if (!eq || eq == kv)
		die_usage("--env '%s': expected KEY=VALUE", kv);
	klen = (size_t)(eq - kv) + 1;
	for (size_t i = 0; i < o->n_env; i++)
		if (strncmp(o->env[i], kv, klen) == 0) {
			o->env[i] = kv;
			return;
		}
	if (o->n_env >= SANDBOX_ENV_MAX)
		die_usage("too many --env options (at most %d)", SANDBOX_ENV_MAX);
	o->env[o->n_env++] = kv;
}

static void add_bind(struct options *o, char *arg, bool writable)
{
	char *colon = strchr(arg, ':');

	if (!colon || colon == arg || colon[1] != '/')
		die_usage("bind '%s': expected SRC:/ABSOLUTE/DST", arg);
	if (o->spec.n_binds >= SANDBOX_BINDS_MAX)
		die_usage("too many binds (at most %d)", SANDBOX_BINDS_MAX);
	*colon = '\0';
	o->binds[o->spec.n_binds++] = (struct sandbox_bind){
		.source = arg,
		.target = colon + 1,
		.writable = writable,
	};
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_IMAGE = 0x100,
		OPT_WORKSPACE,
		OPT_WORKSPACE_SIZE,
		OPT_MEMORY,
		OPT_PIDS,
		OPT_CPUS,
		OPT_TIMEOUT,
		OPT_ENV,
		OPT_RO_BIND,
		OPT_BIND,
		OPT_CWD,
		OPT_HOSTNAME,
		OPT_HELP,
		OPT_CGROUP_ROOT,
		OPT_CGROUP_PARENT,
		OPT_UID_LOCK_DIR,
	};
	static const struct option longopts[] = {
		{"image", required_argument, NULL, OPT_IMAGE},
		{"workspace", required_argument, NULL, OPT_WORKSPACE},
		{"workspace-size", required_argument, NULL, OPT_WORKSPACE_SIZE},
		{"memory", required_argument, NULL, OPT_MEMORY},
		{"pids", required_argument, NULL, OPT_PIDS},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"env", required_argument, NULL, OPT_ENV},
		{"ro-bind", required_argument, NULL, OPT_RO_BIND},
		{"bind", required_argument, NULL, OPT_BIND},
		{"cwd", required_argument, NULL, OPT_CWD},
		{"hostname", required_argument, NULL, OPT_HOSTNAME},
		{"help", no_argument, NULL, OPT_HELP},
		/* For tests and unusual hosts; documented in docs/sbx-run.md. */
		{"cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT},
		{"cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT},
		{"uid-lock-dir", required_argument, NULL, OPT_UID_LOCK_DIR},
		{},
	};
	struct sandbox_spec *s = &o->spec;
	int c;

	for (size_t i = 0; i < ELEMENTSOF(env_defaults); i++)
		o->env[o->n_env++] = env_defaults[i];
	s->image = SANDBOX_IMAGE_HOST;
	s->workspace_size = SANDBOX_WORKSPACE_SIZE_DEFAULT;
	s->tmp_size = SANDBOX_TMP_SIZE_DEFAULT;
	s->limits = (struct sandbox_limits){
		.memory_max = SANDBOX_MEMORY_DEFAULT,
		.pids_max = SANDBOX_PIDS_DEFAULT,
		.nofile = SANDBOX_NOFILE_DEFAULT,
	};
	s->stdio[0] = STDIN_FILENO;
	s->stdio[1] = STDOUT_FILENO;
	s->stdio[2] = STDERR_FILENO;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_IMAGE:
			s->image = optarg;
			break;
		case OPT_WORKSPACE:
			if (optarg[0] != '/')
				die_usage("--workspace '%s': expected an absolute directory",
					  optarg);
			s->workspace_dir = optarg;
			break;
		case OPT_WORKSPACE_SIZE:
			if (units_parse_size(optarg, &s->workspace_size) < 0 ||
			    s->workspace_size == 0)
				die_usage("--workspace-size '%s': expected a size like 512Mi",
					  optarg);
			break;
		case OPT_MEMORY:
			if (units_parse_size(optarg, &s->limits.memory_max) < 0 ||
			    s->limits.memory_max < (1ULL << 20))
				die_usage("--memory '%s': expected a size of at least 1Mi, like "
					  "256Mi",
					  optarg);
			break;
		case OPT_PIDS:
			if (parse_u64_range(optarg, 1, 4194304, &s->limits.pids_max) < 0)
				die_usage("--pids '%s': expected a number from 1 to 4194304",
					  optarg);
			break;
		case OPT_CPUS:
			if (units_parse_cpus(optarg, &s->limits.cpu_millis) < 0)
				die_usage("--cpus '%s': expected a number of CPUs like 0.5 or 2",
					  optarg);
			break;
		case OPT_TIMEOUT:
			if (units_parse_duration(optarg, &s->limits.timeout_usec) < 0 ||
			    s->limits.timeout_usec == 0)
				die_usage("--timeout '%s': expected a duration like 30s or 500ms",
					  optarg);
			break;
		case OPT_ENV:
			env_set(o, optarg);
			break;
		case OPT_RO_BIND:
		case OPT_BIND:
			add_bind(o, optarg, c == OPT_BIND);
			break;
		case OPT_CWD:
			if (optarg[0] != '/')
				die_usage("--cwd '%s': expected an absolute path", optarg);
			s->cwd = optarg;
			break;
		case OPT_HOSTNAME:
			if (strlen(optarg) == 0 || strlen(optarg) > 64)
				die_usage("--hostname '%s': expected 1 to 64 characters", optarg);
			s->hostname = optarg;
			break;
		case OPT_CGROUP_ROOT:
			o->cgroup_root = optarg;
			break;
		case OPT_CGROUP_PARENT:
			o->cgroup_parent = optarg;
			break;
		case OPT_UID_LOCK_DIR:
			o->uid_lock_dir = optarg;
			break;
		case OPT_HELP:
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			fputs("Try 'sbx-run --help'.\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind >= argc)
		die_usage("no command given");
	if (argc - optind > SANDBOX_ARGV_MAX)
		die_usage("too many arguments (at most %d)", SANDBOX_ARGV_MAX);
	s->argv = (const char *const *)argv + optind;
	o->env[o->n_env] = NULL;
	s->env = o->env;
	s->binds = o->binds;
}

/* sandbox-init's pidfd while the command runs: a terminal's ^C or a supervisor's SIGTERM aimed at
 * sbx-run reaches the command (sandbox-init forwards it) instead of orphaning the sandbox. */
static int forward_pidfd = -EBADF;

static void forward_signal(int sig)
{
	int saved = errno;

	if (forward_pidfd >= 0)
		(void)pidfd_send_signal(forward_pidfd, sig, NULL, 0);
	errno = saved;
}

static void forward_signals(int pidfd)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	struct sigaction sa = {.sa_handler = forward_signal};

	forward_pidfd = pidfd;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

static void report_end(const struct sandbox_spec *spec, const struct sandbox_result *res)
{
	char a[UNITS_TEXT_MAX];

	switch (res->end) {
	case SANDBOX_OOM:
		fprintf(stderr, "sbx-run: killed: memory limit %s exceeded\n",
			units_format_size(spec->limits.memory_max, a));
		break;
	case SANDBOX_TIMEOUT:
		fprintf(stderr, "sbx-run: killed: timeout %s\n",
			units_format_duration(spec->limits.timeout_usec, a));
		break;
	default:
		break;
	}
}

int main(int argc, char **argv)
{
	_cleanup_(sandbox_runtime_freep) struct sandbox_runtime *rt = NULL;
	_cleanup_(sandbox_freep) struct sandbox *sb = NULL;
	struct options o = {};
	struct sandbox_result res;
	struct sbx_error e = {};
	char init_path[PATH_MAX];
	struct runtime_config cfg;
	int r;

	parse_options(argc, argv, &o);

	cfg = (struct runtime_config){
		.cgroup_root = o.cgroup_root,
		.cgroup_parent = o.cgroup_parent,
		.init_path = sandbox_init_locate(init_path, sizeof(init_path)),
		.uids =
			{
				.lock_dir = o.uid_lock_dir ? o.uid_lock_dir
							   : UID_RANGE_LOCK_DIR_DEFAULT,
				.base = UID_RANGE_BASE_DEFAULT,
				.count = UID_RANGE_COUNT_DEFAULT,
			},
		.kill_on_parent_death = true,
	};

	r = sandbox_runtime_new(&cfg, &rt, &e);
	if (r < 0) {
		fprintf(stderr, "sbx-run: %s\n", e.msg);
		return EXIT_SETUP;
	}
	r = sandbox_create(rt, &o.spec, &sb, &e);
	if (r < 0) {
		fprintf(stderr, "sbx-run: %s\n", e.msg);
		return EXIT_SETUP;
	}
	forward_signals(sandbox_pidfd(sb));
	r = sandbox_wait(sb, &res, &e);
	if (r < 0) {
		fprintf(stderr, "sbx-run: %s\n", e.msg);
		return EXIT_SETUP;
	}
	report_end(&o.spec, &res);
	return res.exit_code;
}
