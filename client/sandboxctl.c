/* SPDX-License-Identifier: MIT */
/* sandboxctl: the command line for sandboxd, on libsandboxd-client. Exits with 0 on success,
 * 1 for errors the daemon reported ("sandboxctl: CODE: message") or a daemon that cannot be
 * reached, 2 for usage errors (DESIGN.md section 4). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>

#include "ctl.h"
#include "macro.h"

static const char *const code_names[] = {
	"CODE_UNSPECIFIED",    "INVALID_ARGUMENT",   "NOT_FOUND",
	"PERMISSION_DENIED",   "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED",
	"FAILED_PRECONDITION", "UNAVAILABLE",	     "INTERNAL",
};

static void usage(FILE *f)
{
	fputs("usage: sandboxctl [--socket PATH] [-o text|json] COMMAND\n"
	      "Drive sandboxd over its socket (default $" SBX_CLIENT_SOCKET_ENV
	      " or " SBX_CLIENT_SOCKET_DEFAULT ").\n"
	      "\n"
	      "Commands:\n"
	      "  health                          is the daemon serving; sessions; uptime\n"
	      "  version                         daemon version, protocol, features, kernel\n"
	      "  session create [-q] [--policy NAME|FILE] [--skill S]... [--image NAME]\n"
	      "                 [--memory SIZE] [--pids N] [--cpus N] [--disk SIZE]\n"
	      "                 [--ttl DUR] [--idle-ttl DUR] [--label K=V]...\n"
	      "  session ls [--label K=V]...     session get ID     session rm ID\n"
	      "  session extend ID DUR           session pause ID     session resume ID\n"
	      "  exec ID [--skill S] [--timeout DUR] [--stdin FILE] [--env K=V]... [--cwd DIR]\n"
	      "       [--background] -- ARGV...\n"
	      "  run ID --lang python|bash|sh|node [--skill S] [--timeout DUR] (-c CODE | FILE)\n"
	      "  job get JOB | job wait JOB [--timeout DUR] | job cancel JOB | job ls [ID]\n"
	      "  job logs JOB [--follow] [--stream stdout|stderr --offset N]\n"
	      "  oneshot [--policy NAME|FILE] [--skill S] [--image NAME] [--memory SIZE]\n"
	      "          [--timeout DUR] -- ARGV...\n"
	      "  history ID [--limit N]          tool calls and the policy's decisions\n"
	      "  browse ID URL [--skill S] [--max-bytes SIZE] [--timeout DUR]\n"
	      "                                  a page fetched and read inside the session\n"
	      "  file read ID PATH [--offset N] [--length N]      the bytes, to stdout\n"
	      "  file write ID PATH [--mode 0644] [--append | --truncate | --exclusive]\n"
	      "             [--parents]          stdin to PATH (default: atomic replace)\n"
	      "  file ls ID [PATH] [-r] [--depth N] [--limit N]\n"
	      "  file stat ID PATH               file rm ID PATH [-r]\n"
	      "  file mkdir ID PATH [-p] [--mode 0755]\n"
	      "  file mv ID FROM TO [--overwrite]\n"
	      "  file cp LOCAL ID:PATH | file cp ID:PATH LOCAL    '-' is stdin/stdout\n"
	      "  file watch ID PATH [-r] [--timeout DUR] [--max-events N]\n"
	      "                                  events until Ctrl-C, the timeout or N events\n"
	      "  (every file command takes --skill S; paths are in the sandbox, relative\n"
	      "  ones from /workspace)\n"
	      "\n"
	      "Local commands (no daemon):\n"
	      "  policy check FILE...            validate; errors as FILE:LINE:COL: message\n"
	      "  policy explain FILE --skill S --tool T\n"
	      "         [--path P | --host H | --lang L | --argv0 CMD]\n"
	      "         [--timeout DUR] [--max-bytes SIZE]\n"
	      "                                  decide one call as a session holding S would\n"
	      "\n"
	      "--policy NAME is a policy the daemon knows; a FILE (one that exists, or any\n"
	      "argument with a '/') is sent as inline policy text.\n"
	      "\n"
	      "exec, run, job wait and oneshot exit with the command's status (128+N for\n"
	      "signal N). Errors the daemon reports exit 1 (a policy denial shows its rule);\n"
	      "usage errors exit 2. policy check exits 0 when every file is valid, else 1;\n"
	      "policy explain exits 0 when the call is allowed, 1 when it is denied (or the\n"
	      "file or skill is bad). file watch exits 0 when the watch ends: its --timeout,\n"
	      "--max-events, the session's end, or Ctrl-C, which cancels it on the daemon.\n",
	      f);
}

int ctl_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(j);
	if (!s)
		return CTL_EXIT_ERROR;
	puts(s);
	free(s);
	return 0;
}

json_t *ctl_json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	/* Keeps ASCII, the part that is certainly what was meant. */
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

int ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sandboxctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sandboxctl --help'.\n", stderr);
	return CTL_EXIT_USAGE;
}

Sandboxd__V1__Response *ctl_call(struct ctl *ctl, Sandboxd__V1__Request *req,
				 sbx_client_event_fn on_event, void *userdata)
{
	Sandboxd__V1__Response *resp = NULL;
	int r;

	r = sbx_client_call(ctl->client, req, on_event, userdata, &resp);
	if (r < 0) {
		fprintf(stderr, "sandboxctl: UNAVAILABLE: talk to sandboxd: %s\n", strerror(-r));
		return NULL;
	}
	if (resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR) {
		ctl_print_error(resp->error);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return NULL;
	}
	return resp;
}

void ctl_print_error(const Sandboxd__V1__Error *e)
{
	size_t code = (size_t)e->code;

	fprintf(stderr, "sandboxctl: %s: %s",
		code < ELEMENTSOF(code_names) ? code_names[code] : "UNKNOWN", e->message);
	/* A policy denial names what decided, so the policy can be read (or fixed). */
	if (e->code == SANDBOXD__V1__CODE__PERMISSION_DENIED && e->rule && *e->rule)
		fprintf(stderr, " (rule: %s)", e->rule);
	fputc('\n', stderr);
}

int ctl_expect(Sandboxd__V1__Response *resp, Sandboxd__V1__Response__BodyCase body)
{
	if (resp->body_case == body)
		return 0;
	fprintf(stderr, "sandboxctl: INTERNAL: unexpected answer (case %d)\n",
		(int)resp->body_case);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return -EPROTO;
}

static int cmd_health(struct ctl *ctl, int argc, char **argv)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__HealthRequest body = SANDBOXD__V1__HEALTH_REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__HealthResponse *h;
	int ret;

	(void)argv;
	if (argc > 1)
		return ctl_usage_error("health takes no arguments");
	req.body_case = SANDBOXD__V1__REQUEST__BODY_HEALTH;
	req.health = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_HEALTH) < 0)
		return CTL_EXIT_ERROR;
	h = resp->health;
	if (ctl->output == CTL_OUTPUT_JSON)
		ret = ctl_print_json(json_pack("{s:b, s:i, s:I}", "serving", h->serving, "sessions",
					       (int)h->sessions, "uptime_ms",
					       (json_int_t)h->uptime_ms));
	else {
		printf("serving:  %s\nsessions: %u\nuptime:   %llus\n", h->serving ? "yes" : "no",
		       h->sessions, (unsigned long long)(h->uptime_ms / 1000));
		ret = 0;
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static int cmd_version(struct ctl *ctl, int argc, char **argv)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__VersionRequest body = SANDBOXD__V1__VERSION_REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__VersionResponse *v;
	int ret = 0;

	(void)argv;
	if (argc > 1)
		return ctl_usage_error("version takes no arguments");
	req.body_case = SANDBOXD__V1__REQUEST__BODY_VERSION;
	req.version = &body;
	resp = ctl_call(ctl, &req, NULL, NULL);
	if (!resp || ctl_expect(resp, SANDBOXD__V1__RESPONSE__BODY_VERSION) < 0)
		return CTL_EXIT_ERROR;
	v = resp->version;
	if (ctl->output == CTL_OUTPUT_JSON) {
		json_t *features = json_array();

		for (size_t i = 0; i < v->n_features; i++)
			json_array_append_new(features, json_string(v->features[i]));
		ret = ctl_print_json(json_pack("{s:s, s:s, s:o, s:s}", "version", v->version,
					       "protocol", v->protocol, "features", features,
					       "kernel", v->kernel));
	} else {
		printf("sandboxd %s (%s), kernel %s\nfeatures:", v->version, v->protocol,
		       v->kernel);
		for (size_t i = 0; i < v->n_features; i++)
			printf(" %s", v->features[i]);
		putchar('\n');
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static const struct {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	bool local; /* runs here, without connecting to the daemon */
} commands[] = {
	{"health", cmd_health},	  {"version", cmd_version}, {"session", ctl_session},
	{"exec", ctl_exec},	  {"run", ctl_run},	    {"job", ctl_job},
	{"oneshot", ctl_oneshot}, {"history", ctl_history}, {"policy", ctl_policy, .local = true},
	{"file", ctl_file},	  {"browse", ctl_browse},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct ctl ctl = {.output = CTL_OUTPUT_TEXT};
	int c, r, ret;

	while ((c = getopt_long(argc, argv, "+s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ctl.socket = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "text") == 0)
				ctl.output = CTL_OUTPUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				ctl.output = CTL_OUTPUT_JSON;
			else {
				fprintf(stderr, "sandboxctl: -o '%s': expected text or json\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (commands[i].local)
			return commands[i].run(&ctl, argc - optind, argv + optind);
		r = sbx_client_connect(ctl.socket, &ctl.client);
		if (r < 0) {
			fprintf(stderr,
				"sandboxctl: UNAVAILABLE: connect to sandboxd at '%s': %s\n",
				ctl.socket ? ctl.socket
					   : (getenv(SBX_CLIENT_SOCKET_ENV)
						      ? getenv(SBX_CLIENT_SOCKET_ENV)
						      : SBX_CLIENT_SOCKET_DEFAULT),
				strerror(-r));
			return 1;
		}
		/* argv[0] of a command is its own name: it parses its options afresh. */
		ret = commands[i].run(&ctl, argc - optind, argv + optind);
		sbx_client_free(ctl.client);
		return ret;
	}
	fprintf(stderr, "sandboxctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
