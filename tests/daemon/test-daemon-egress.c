/* SPDX-License-Identifier: MIT */
/* Egress through the real daemon (issue 6): code in a session with a network skill reaches an
 * allowed origin only through the session's proxy (HTTP_PROXY points at it, inside the
 * sandbox), a host not on the skill's allowlist is refused by the proxy, code that ignores the
 * proxy reaches nothing, a skill without the network has no proxy at all, and every
 * connection is in the session's history. The origin is a real HTTP server on 127.0.0.2 (on
 * the host's loopback, where the daemon's proxy connects; the policy names it). */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-harness.h"
#include "macro.h"
#include "sandboxd-client.h"
#include "test-util.h"

static struct test_daemon daemon_;
static char cgroup_parent[64];
static char *lock_dir, *policy_dir, *web_dir;
static pid_t web;
static int port;
static struct sbx_client *c;

/* A free port on 127.0.0.2. */
static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), p;

	inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	char text[1024], portstr[16];

	snprintf(cgroup_parent, sizeof(cgroup_parent), "sandboxd-test-%d", (int)getpid());
	lock_dir = test_mkdtemp();
	policy_dir = test_mkdtemp();
	web_dir = test_mkdtemp();
	write_file(web_dir, "hello.txt", "hello through the proxy\n");
	write_file(web_dir, "page.html",
		   "<html><head><title>A page</title><script>var x = 'hidden';</script></head>"
		   "<body><h1>Hello</h1><p>Readable <b>text</b> here.</p>"
		   "<a href=\"/hello.txt\">next</a></body></html>\n");
	port = free_port();
	snprintf(portstr, sizeof(portstr), "%d", port);
	web = fork();
	ck_assert_int_ge(web, 0);
	if (web == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (chdir(web_dir) < 0)
			_exit(127);
		execl("/usr/bin/python3", "python3", "-m", "http.server", "--bind", "127.0.0.2",
		      portstr, (char *)NULL);
		_exit(127);
	}
	snprintf(text, sizeof(text),
		 "version: 1\nname: web\n"
		 "skills:\n"
		 "  fetch:\n"
		 "    tools: [exec, network]\n"
		 "    network: { allow: [\"127.0.0.2\"], allow_cidrs: [\"127.0.0.2/32\"] }\n"
		 "  offline:\n"
		 "    tools: [exec]\n"
		 "  reader:\n"
		 "    tools: [browse]\n"
		 "    network: { allow: [\"127.0.0.2\"], allow_cidrs: [\"127.0.0.2/32\"] }\n"
		 "    browse: { max_bytes: 1Mi, timeout: 20s }\n");
	write_file(policy_dir, "web.yaml", text);
	test_daemon_start(&daemon_,
			  (const char *const[]){"--cgroup-parent", cgroup_parent, "--uid-lock-dir",
						lock_dir, "--policy-dir", policy_dir, NULL});
	ck_assert_ok(sbx_client_connect(daemon_.socket, &c));
	/* The origin is up before anything talks to it. */
	for (int i = 0; i < 100; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok;

		inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			break;
		usleep(50000);
	}
}

static void teardown(void)
{
	sbx_client_free(c);
	ck_assert_int_eq(test_daemon_stop(&daemon_), 0);
	kill(web, SIGKILL);
	waitpid(web, NULL, 0);
	test_daemon_assert_no_leaks(cgroup_parent);
	test_daemon_remove_cgroup_parent(cgroup_parent);
	test_rm_rf(lock_dir);
	test_rm_rf(policy_dir);
	test_rm_rf(web_dir);
	free(lock_dir);
	free(policy_dir);
	free(web_dir);
}

static Sandboxd__V1__Response *call(Sandboxd__V1__Request *req)
{
	Sandboxd__V1__Response *resp = NULL;

	ck_assert_ok(sbx_client_call(c, req, NULL, NULL, &resp));
	return resp;
}

/* Runs python code under skill; returns stdout (malloc'd). */
static char *py(const char *sid, const char *skill, const char *code)
{
	Sandboxd__V1__ExecRequest body = SANDBOXD__V1__EXEC_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char *out;

	body.session_id = (char *)sid;
	body.skill = (char *)skill;
	body.language = (char *)"python";
	body.code = (char *)code;
	body.timeout_ms = 20000;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_EXEC;
	req.exec = &body;
	resp = call(&req);
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_EXEC_RESULT, "%s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "?");
	out = strndup(resp->exec_result->stdout.data ? (char *)resp->exec_result->stdout.data : "",
		      resp->exec_result->stdout.len);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	return out;
}

START_TEST(test_egress_only_through_the_proxy)
{
	Sandboxd__V1__CreateSessionRequest cs = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__GetHistoryRequest h = SANDBOXD__V1__GET_HISTORY_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char code[2048], *sid, *out;
	bool allowed = false, refused = false;

	cs.policy_name = (char *)"web";
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &cs;
	resp = call(&req);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_SESSION);
	sid = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* Allowed: the proxy is where HTTP_PROXY says, and the origin answers through it. */
	snprintf(code, sizeof(code),
		 "import os, urllib.request\n"
		 "print(os.environ.get('HTTP_PROXY'))\n"
		 "print(urllib.request.urlopen('http://127.0.0.2:%d/hello.txt', timeout=10)"
		 ".read().decode(), end='')\n",
		 port);
	out = py(sid, "fetch", code);
	ck_assert_str_eq(out, "http://127.0.0.1:3128\nhello through the proxy\n");
	free(out);
	/* A host the skill does not allow: the proxy refuses it and says why. */
	snprintf(code, sizeof(code),
		 "import urllib.request, urllib.error\n"
		 "try:\n"
		 "    urllib.request.urlopen('http://127.0.0.3:%d/hello.txt', timeout=10)\n"
		 "    print('reached')\n"
		 "except urllib.error.HTTPError as e:\n"
		 "    print(e.code)\n",
		 port);
	out = py(sid, "fetch", code);
	ck_assert_str_eq(out, "403\n");
	free(out);
	/* Ignoring the proxy reaches nothing: no route out of the sandbox, and the kernel lets a
	 * command of this skill connect to its proxy's port only. */
	snprintf(code, sizeof(code),
		 "import socket\n"
		 "s = socket.socket()\n"
		 "s.settimeout(5)\n"
		 "try:\n"
		 "    s.connect(('127.0.0.2', %d))\n"
		 "    print('connected')\n"
		 "except OSError as e:\n"
		 "    print('refused')\n",
		 port);
	out = py(sid, "fetch", code);
	ck_assert_str_eq(out, "refused\n");
	free(out);
	/* A skill without the network has no proxy at all. */
	snprintf(code, sizeof(code),
		 "import os, socket\n"
		 "print(os.environ.get('HTTP_PROXY'))\n"
		 "s = socket.socket()\n"
		 "s.settimeout(5)\n"
		 "try:\n"
		 "    s.connect(('127.0.0.1', 3128))\n"
		 "    print('connected')\n"
		 "except OSError as e:\n"
		 "    print('refused')\n");
	out = py(sid, "offline", code);
	ck_assert_str_eq(out, "None\nrefused\n");
	free(out);

	/* Every connection through the proxy is in the history, with its decision. */
	h.session_id = sid;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_GET_HISTORY;
	req.get_history = &h;
	resp = call(&req);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_HISTORY);
	for (size_t i = 0; i < resp->history->n_entries; i++) {
		const Sandboxd__V1__HistoryEntry *e = resp->history->entries[i];

		if (strcmp(e->tool, "network") != 0)
			continue;
		if (e->allowed && strstr(e->target, "127.0.0.2"))
			allowed = true;
		if (!e->allowed && strstr(e->target, "127.0.0.3"))
			refused = true;
	}
	sandboxd__v1__response__free_unpacked(resp, NULL);
	ck_assert_msg(allowed && refused, "history lacks the proxy's decisions");
	free(sid);
}
END_TEST

static Sandboxd__V1__Response *browse(const char *sid, const char *url)
{
	Sandboxd__V1__BrowseRequest body = SANDBOXD__V1__BROWSE_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;

	body.session_id = (char *)sid;
	body.skill = (char *)"reader";
	body.url = (char *)url;
	req.body_case = SANDBOXD__V1__REQUEST__BODY_BROWSE;
	req.browse = &body;
	return call(&req);
}

START_TEST(test_browse)
{
	Sandboxd__V1__CreateSessionRequest cs = SANDBOXD__V1__CREATE_SESSION_REQUEST__INIT;
	Sandboxd__V1__Request req = SANDBOXD__V1__REQUEST__INIT;
	Sandboxd__V1__Response *resp;
	char url[256], link[256], *sid;

	cs.policy_name = (char *)"web";
	req.body_case = SANDBOXD__V1__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &cs;
	resp = call(&req);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_SESSION);
	sid = strdup(resp->session->id);
	sandboxd__v1__response__free_unpacked(resp, NULL);

	/* Fetched through the proxy and read inside the session: title, text, absolute links. */
	snprintf(url, sizeof(url), "http://127.0.0.2:%d/page.html", port);
	snprintf(link, sizeof(link), "http://127.0.0.2:%d/hello.txt", port);
	resp = browse(sid, url);
	ck_assert_msg(resp->body_case == SANDBOXD__V1__RESPONSE__BODY_PAGE, "%s",
		      resp->body_case == SANDBOXD__V1__RESPONSE__BODY_ERROR ? resp->error->message
									    : "?");
	ck_assert_int_eq(resp->page->status, 200);
	ck_assert_str_eq(resp->page->title, "A page");
	ck_assert_msg(strstr(resp->page->text, "Readable text here."), "%s", resp->page->text);
	ck_assert_msg(!strstr(resp->page->text, "hidden"), "%s", resp->page->text);
	ck_assert_uint_eq(resp->page->n_links, 1);
	ck_assert_str_eq(resp->page->links[0], link);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	/* A host off the allowlist, and other schemes, are refused before anything runs. */
	snprintf(url, sizeof(url), "http://127.0.0.3:%d/page.html", port);
	resp = browse(sid, url);
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__PERMISSION_DENIED);
	ck_assert_str_eq(resp->error->rule, "web/skills.reader.network.allow");
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = browse(sid, "file:///etc/passwd");
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	ck_assert_int_eq(resp->error->code, SANDBOXD__V1__CODE__INVALID_ARGUMENT);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	resp = browse(sid, "http://127.0.0.2@127.0.0.3/");
	ck_assert_int_eq(resp->body_case, SANDBOXD__V1__RESPONSE__BODY_ERROR);
	sandboxd__v1__response__free_unpacked(resp, NULL);
	free(sid);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-egress");
	TCase *tc = tcase_create("egress");

	if (geteuid() != 0) {
		fputs("test-daemon-egress: needs root\n", stderr);
		return 77;
	}
	if (access("/usr/bin/python3", X_OK) != 0) {
		fputs("test-daemon-egress: needs /usr/bin/python3 for the origin and the client\n",
		      stderr);
		return 77;
	}
	tcase_set_timeout(tc, 90);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_egress_only_through_the_proxy);
	tcase_add_test(tc, test_browse);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
