/* SPDX-License-Identifier: MIT */
/* sandboxctl: the command line for sandboxd, on libsandboxd-client. Exits with 0 on success,
 * 1 for errors the daemon reported ("sandboxctl: CODE: message") or a daemon that cannot be
 * reached, 2 for usage errors (DESIGN.md section 4). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sandboxd-client.h"

enum output { OUTPUT_TEXT, OUTPUT_JSON };

struct ctl {
	const char *socket;
	enum output output;
	struct sbx_client *client;
};

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
	      "  health     is the daemon serving; sessions; uptime\n"
	      "  version    daemon version, protocol, features, kernel\n",
	      f);
}

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(j);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

/* Sends req; prints a transport failure or an Error answer. Returns the response or NULL. */
static Sandboxd__V1__Response *call(struct ctl *ctl, Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;
	int r;

	r = sbx_client_call(ctl->client, req, NULL, NULL, &resp);
	if (r < 0) {
		fprintf(stderr, "sandboxctl: UNAVAILABLE: talk to sandboxd: %s\n", strerror(-r));
		return NULL;
	}
	if (resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR) {
		const Sandboxd__V1__Error *e = resp->error;
		size_t code = (size_t)e->code;

		fprintf(stderr, "sandboxctl: %s: %s\n",
			code < ELEMENTSOF(code_names) ? code_names[code] : "UNKNOWN", e->message);
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return NULL;
	}
	return resp;
}

static int cmd_health(struct ctl *ctl)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__HealthRequest body = SANDBOXD__V1__HEALTH_REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__HealthResponse *h;
	int ret;

	req.body_case = SANDBOXD__V1__REQUEST__BODY_HEALTH;
	req.health = &body;
	resp = call(ctl, &req);
	if (!resp)
		return 1;
	if (resp->body_case != SANDBOXD__V1__RESPONSE__BODY_HEALTH) {
		fprintf(stderr, "sandboxctl: INTERNAL: unexpected answer to health\n");
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return 1;
	}
	h = resp->health;
	if (ctl->output == OUTPUT_JSON)
		ret = print_json(json_pack("{s:b, s:i, s:I}", "serving", h->serving, "sessions",
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

static int cmd_version(struct ctl *ctl)
{
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__VersionRequest body = SANDBOXD__V1__VERSION_REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	const Sandboxd__V1__VersionResponse *v;
	int ret = 0;

	req.body_case = SANDBOXD__V1__REQUEST__BODY_VERSION;
	req.version = &body;
	resp = call(ctl, &req);
	if (!resp)
		return 1;
	if (resp->body_case != SANDBOXD__V1__RESPONSE__BODY_VERSION) {
		fprintf(stderr, "sandboxctl: INTERNAL: unexpected answer to version\n");
		sandboxd__v1__response__free_unpacked(resp, NULL);
		return 1;
	}
	v = resp->version;
	if (ctl->output == OUTPUT_JSON) {
		json_t *features = json_array();

		for (size_t i = 0; i < v->n_features; i++)
			json_array_append_new(features, json_string(v->features[i]));
		ret = print_json(json_pack("{s:s, s:s, s:o, s:s}", "version", v->version,
					   "protocol", v->protocol, "features", features, "kernel",
					   v->kernel));
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
	int (*run)(struct ctl *ctl);
} commands[] = {
	{"health", cmd_health},
	{"version", cmd_version},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct ctl ctl = {.output = OUTPUT_TEXT};
	int c, r, ret;

	while ((c = getopt_long(argc, argv, "+s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ctl.socket = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "text") == 0)
				ctl.output = OUTPUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				ctl.output = OUTPUT_JSON;
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
		if (optind + 1 < argc) {
			fprintf(stderr, "sandboxctl: %s takes no arguments\n", commands[i].name);
			return 2;
		}
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
		ret = commands[i].run(&ctl);
		sbx_client_free(ctl.client);
		return ret;
	}
	fprintf(stderr, "sandboxctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
