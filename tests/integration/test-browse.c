/* SPDX-License-Identifier: MIT */
/* sandbox-browse (tools/sandbox-browse.c) end to end against a small HTTP/1.1 server on
 * 127.0.0.1 run by this test in a thread: HTML, redirects to the limit, text, JSON, binary
 * bodies, size and time caps, and URLs that must never be fetched. Directly, with no proxy in
 * the environment: the egress proxy has tests of its own (test-egress.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "test-util.h"

#define OUTPUT_MAX   (32u << 20) /* bytes of sandbox-browse output read */
#define REQUEST_MAX  16384	 /* bytes of one request head */
#define BIG_SIZE     (2u << 20)	 /* the too-large page */
#define LAST_REQUEST 4096	 /* bytes of the last request head kept for checks */

static int server_port;
static char last_request[LAST_REQUEST];
static pthread_mutex_t last_request_lock = PTHREAD_MUTEX_INITIALIZER;

static const char page_html[] =
	"<!DOCTYPE html><html><head><title>The  &amp; Page</title>"
	"<script>document.write('hidden')</script><style>body{}</style></head>"
	"<body><h1>Heading</h1><p>First   paragraph\n with <b>bold</b>.</p>"
	"<div>Second<div>nested</div></div>"
	"<a href=\"other.html\">rel</a> <a href=\"/abs\">abs</a> "
	"<a href=\"javascript:alert(1)\">js</a> <a href=\"http://127.0.0.1:9/x\">ext</a> "
	"<a href=\"other.html\">again</a></body></html>";

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

static void respond(int fd, const char *status, const char *headers, const char *type,
		    const char *body, size_t len)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s%s%s%s\r\n",
			 status, len, type ? "Content-Type: " : "", type ? type : "",
			 type ? "\r\n" : "", headers ? headers : "");

	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void redirect(int fd, const char *location)
{
	char headers[512];

	snprintf(headers, sizeof(headers), "Location: %s\r\nSet-Cookie: session=secret\r\n",
		 location);
	respond(fd, "302 Found", headers, "text/html", "moved", 5);
}

static void serve(int fd)
{
	char req[REQUEST_MAX + 1], path[1024], loc[256];
	size_t len = 0;
	unsigned n;

	while (len < REQUEST_MAX && !memmem(req, len, "\r\n\r\n", 4)) {
		ssize_t k = recv(fd, req + len, REQUEST_MAX - len, 0);
		if (k <= 0)
			return;
		len += (size_t)k;
	}
	req[len] = '\0';
	pthread_mutex_lock(&last_request_lock);
	memcpy(last_request, req, MIN(len + 1, sizeof(last_request)));
	last_request[sizeof(last_request) - 1] = '\0';
	pthread_mutex_unlock(&last_request_lock);
	/* As the egress proxy answers: absolute-URI requests and CONNECT, refused with a reason
	 * unless the host is allowed.example. */
	if (strncmp(req, "CONNECT ", 8) == 0) {
		static const char refusal[] =
			"HTTP/1.1 403 Forbidden\r\nX-Egress-Rule: test\r\n"
			"X-Egress-Reason: host 'denied.example' is not allowed\r\n"
			"Content-Length: 0\r\n\r\n";

		send_all(fd, refusal, sizeof(refusal) - 1);
		return;
	}
	if (strncmp(req, "GET http://allowed.example/", 27) == 0) {
		respond(fd, "200 OK", NULL, "text/plain", "via proxy", 9);
		return;
	}
	if (strncmp(req, "GET http://", 11) == 0) {
		respond(fd, "403 Forbidden",
			"X-Egress-Rule: test\r\nX-Egress-Reason: host 'denied.example' is not "
			"allowed\r\n",
			"text/plain", "refused", 7);
		return;
	}
	if (sscanf(req, "GET %1023s HTTP/1.1", path) != 1) {
		respond(fd, "400 Bad Request", NULL, "text/plain", "bad", 3);
		return;
	}

	if (strcmp(path, "/page.html") == 0)
		respond(fd, "200 OK", NULL, "text/html; charset=utf-8", page_html,
			sizeof(page_html) - 1);
	else if (sscanf(path, "/redirect/%u", &n) == 1 && n > 0) {
		snprintf(loc, sizeof(loc), "/redirect/%u", n - 1);
		redirect(fd, loc);
	} else if (strcmp(path, "/redirect/0") == 0)
		respond(fd, "200 OK", NULL, "text/plain", "landed", 6);
	else if (strcmp(path, "/redirect-file") == 0)
		redirect(fd, "file:///etc/passwd");
	else if (strcmp(path, "/redirect-gopher") == 0) {
		snprintf(loc, sizeof(loc), "gopher://127.0.0.1:%d/", server_port);
		redirect(fd, loc);
	} else if (strcmp(path, "/text.txt") == 0)
		respond(fd, "200 OK", NULL, "text/plain; charset=utf-8",
			"line one\nbad \xff byte\n", 20);
	else if (strcmp(path, "/data.json") == 0)
		respond(fd, "200 OK", NULL, "application/json", "{\"a\": [1, \"\\u00e9\"]}", 20);
	else if (strcmp(path, "/blob") == 0)
		respond(fd, "200 OK", NULL, "application/octet-stream",
			"\x7f"
			"ELF\0\1\2\3",
			8);
	else if (strcmp(path, "/untyped") == 0)
		respond(fd, "200 OK", NULL, NULL, "<p>no type</p>", 14);
	else if (strcmp(path, "/big.html") == 0) {
		_cleanup_free_ char *big = malloc(BIG_SIZE);
		if (!big)
			return;
		memcpy(big, "<p>", 3);
		memset(big + 3, 'w', BIG_SIZE - 3);
		for (size_t i = 100; i < BIG_SIZE; i += 100)
			big[i] = ' ';
		respond(fd, "200 OK", NULL, "text/html", big, BIG_SIZE);
	} else if (strcmp(path, "/error") == 0)
		respond(fd, "500 Internal Server Error", NULL, "text/html",
			"<title>Oops</title><p>broken</p>", 32);
	else if (strcmp(path, "/slow") == 0) {
		sleep(3);
		respond(fd, "200 OK", NULL, "text/plain", "late", 4);
	} else
		respond(fd, "404 Not Found", NULL, "text/plain", "not found", 9);
}

static void *server_main(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		serve(fd);
		close(fd);
	}
}

/* Starts the server on 127.0.0.1 on a free port; each test runs in its own forked process, so
 * the thread ends with it. A checked fixture: the URLs of a test need the port. */
static void server_start(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	pthread_t t;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 16), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	server_port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&t, NULL, server_main, (void *)(intptr_t)lfd), 0);
	ck_assert_int_eq(pthread_detach(t), 0);
}

/* Runs sandbox-browse with args (NULL-terminated) and no proxy variables but proxy (when not
 * NULL, as http_proxy and https_proxy); returns its exit status and its output parsed as one
 * JSON object. */
static int browse_via(json_t **ret_json, const char *proxy, const char *const *args)
{
	static const char *const proxy_vars[] = {"http_proxy",	"HTTP_PROXY", "https_proxy",
						 "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
						 "no_proxy",	"NO_PROXY"};
	const char *argv[16] = {SANDBOX_BROWSE_PATH};
	_cleanup_free_ char *out = malloc(OUTPUT_MAX + 1);
	size_t n = 1, len = 0;
	json_error_t err;
	int pfd[2], status;
	pid_t pid;

	ck_assert_ptr_nonnull(out);
	for (; *args && n < ELEMENTSOF(argv) - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (size_t i = 0; i < ELEMENTSOF(proxy_vars); i++)
			unsetenv(proxy_vars[i]);
		if (proxy &&
		    (setenv("http_proxy", proxy, 1) < 0 || setenv("https_proxy", proxy, 1) < 0))
			_exit(127);
		if (dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t k = read(pfd[0], out + len, OUTPUT_MAX - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "sandbox-browse died: status %d", status);
	out[len] = '\0';

	*ret_json = json_loadb(out, len, 0, &err);
	ck_assert_msg(*ret_json, "output is not JSON (%s): %.200s", err.text, out);
	ck_assert(json_is_object(*ret_json));
	return WEXITSTATUS(status);
}

static int browse(json_t **ret_json, const char *const *args)
{
	return browse_via(ret_json, NULL, args);
}

static char *url(const char *path)
{
	char *u;

	ck_assert_int_ge(asprintf(&u, "http://127.0.0.1:%d%s", server_port, path), 0);
	return u;
}

static const char *str(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_string(v), "'%s' is not a string", key);
	return json_string_value(v);
}

static long long num(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_integer(v), "'%s' is not an integer", key);
	return json_integer_value(v);
}

static bool flag(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_boolean(v), "'%s' is not a boolean", key);
	return json_is_true(v);
}

START_TEST(test_html)
{
	_cleanup_free_ char *u = url("/page.html"), *other = url("/other.html"), *abs = url("/abs");
	_cleanup_(json_decrefp) json_t *j = NULL;
	json_t *links;

	ck_assert_int_eq(browse(&j, (const char *[]){u, NULL}), 0);
	ck_assert_str_eq(str(j, "url"), u);
	ck_assert_int_eq(num(j, "status"), 200);
	ck_assert_str_eq(str(j, "content_type"), "text/html");
	ck_assert_str_eq(str(j, "title"), "The & Page");
	ck_assert_str_eq(
		str(j, "text"),
		"Heading\nFirst paragraph with bold.\nSecond\nnested\nrel abs js ext again");
	ck_assert(!flag(j, "truncated"));
	ck_assert_int_eq(num(j, "redirects"), 0);
	ck_assert_ptr_null(json_object_get(j, "error"));

	links = json_object_get(j, "links");
	ck_assert(json_is_array(links));
	ck_assert_uint_eq(json_array_size(links), 3);
	ck_assert_str_eq(json_string_value(json_array_get(links, 0)), other);
	ck_assert_str_eq(json_string_value(json_array_get(links, 1)), abs);
	ck_assert_str_eq(json_string_value(json_array_get(links, 2)), "http://127.0.0.1:9/x");

	/* The fixed User-Agent, and nothing the daemon did not ask for. */
	pthread_mutex_lock(&last_request_lock);
	ck_assert_ptr_nonnull(strstr(last_request, "\r\nUser-Agent: sandboxd-browse/1\r\n"));
	ck_assert_ptr_null(strcasestr(last_request, "\r\nCookie:"));
	pthread_mutex_unlock(&last_request_lock);
}
END_TEST

START_TEST(test_redirects)
{
	_cleanup_free_ char *u = url("/redirect/3"), *final = url("/redirect/0");
	_cleanup_(json_decrefp) json_t *j = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){"--max-redirects", "3", u, NULL}), 0);
	ck_assert_str_eq(str(j, "url"), final);
	ck_assert_int_eq(num(j, "status"), 200);
	ck_assert_int_eq(num(j, "redirects"), 3);
	ck_assert_str_eq(str(j, "text"), "landed");

	/* Cookies set along the way are not sent back: the cookie engine is off. */
	pthread_mutex_lock(&last_request_lock);
	ck_assert_ptr_null(strcasestr(last_request, "\r\nCookie:"));
	pthread_mutex_unlock(&last_request_lock);
}
END_TEST

START_TEST(test_redirects_over_limit)
{
	_cleanup_free_ char *u = url("/redirect/4");
	_cleanup_(json_decrefp) json_t *j = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){"--max-redirects", "3", u, NULL}), 1);
	ck_assert_ptr_nonnull(strcasestr(str(j, "error"), "redirect"));
}
END_TEST

START_TEST(test_redirect_to_refused_scheme)
{
	_cleanup_free_ char *f = url("/redirect-file"), *g = url("/redirect-gopher");
	_cleanup_(json_decrefp) json_t *j = NULL, *k = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){f, NULL}), 1);
	ck_assert_ptr_nonnull(json_object_get(j, "error"));
	ck_assert_ptr_null(strstr(str(j, "text"), "root:"));
	ck_assert_int_eq(browse(&k, (const char *[]){g, NULL}), 1);
	ck_assert_ptr_nonnull(json_object_get(k, "error"));
}
END_TEST

START_TEST(test_text)
{
	_cleanup_free_ char *u = url("/text.txt");
	_cleanup_(json_decrefp) json_t *j = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){u, NULL}), 0);
	ck_assert_str_eq(str(j, "content_type"), "text/plain");
	/* Passed through as it is, with the invalid byte replaced. */
	ck_assert_str_eq(str(j, "text"), "line one\nbad \xef\xbf\xbd byte\n");
	ck_assert_str_eq(str(j, "title"), "");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "links")), 0);
}
END_TEST

START_TEST(test_json)
{
	_cleanup_free_ char *u = url("/data.json");
	_cleanup_(json_decrefp) json_t *j = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){u, NULL}), 0);
	ck_assert_str_eq(str(j, "content_type"), "application/json");
	ck_assert_str_eq(str(j, "text"), "{\"a\": [1, \"\\u00e9\"]}");
}
END_TEST

START_TEST(test_binary)
{
	_cleanup_free_ char *u = url("/blob"), *v = url("/untyped");
	_cleanup_(json_decrefp) json_t *j = NULL, *k = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){u, NULL}), 0);
	ck_assert_int_eq(num(j, "status"), 200);
	ck_assert_str_eq(str(j, "content_type"), "application/octet-stream");
	ck_assert_str_eq(str(j, "text"), "");
	ck_assert_str_eq(str(j, "title"), "");
	ck_assert(!flag(j, "truncated"));

	/* No type: metadata only, the body is not guessed at. */
	ck_assert_int_eq(browse(&k, (const char *[]){v, NULL}), 0);
	ck_assert_str_eq(str(k, "content_type"), "");
	ck_assert_str_eq(str(k, "text"), "");
}
END_TEST

START_TEST(test_too_large)
{
	_cleanup_free_ char *u = url("/big.html");
	_cleanup_(json_decrefp) json_t *j = NULL, *k = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){"--max-bytes", "10000", u, NULL}), 0);
	ck_assert_int_eq(num(j, "status"), 200);
	ck_assert(flag(j, "truncated"));
	ck_assert_uint_le(strlen(str(j, "text")), 10000);
	ck_assert_uint_ge(strlen(str(j, "text")), 9000);

	/* Under the default cap the whole page comes through; a cap above the limit is held to
	 * it, not refused. */
	ck_assert_int_eq(browse(&k, (const char *[]){"--max-bytes", "99999999999", u, NULL}), 0);
	ck_assert(!flag(k, "truncated"));
	ck_assert_uint_eq(strlen(str(k, "text")), BIG_SIZE - 3);
}
END_TEST

START_TEST(test_http_error_status)
{
	_cleanup_free_ char *u = url("/error"), *v = url("/missing");
	_cleanup_(json_decrefp) json_t *j = NULL, *k = NULL;

	/* Any HTTP status is a response: exit 0, the page as it came. */
	ck_assert_int_eq(browse(&j, (const char *[]){u, NULL}), 0);
	ck_assert_int_eq(num(j, "status"), 500);
	ck_assert_str_eq(str(j, "title"), "Oops");
	ck_assert_int_eq(browse(&k, (const char *[]){v, NULL}), 0);
	ck_assert_int_eq(num(k, "status"), 404);
}
END_TEST

START_TEST(test_timeout)
{
	_cleanup_free_ char *u = url("/slow");
	_cleanup_(json_decrefp) json_t *j = NULL;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(browse(&j, (const char *[]){"--timeout-ms", "300", u, NULL}), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_ptr_nonnull(json_object_get(j, "error"));
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 3);
}
END_TEST

START_TEST(test_connection_refused)
{
	_cleanup_(json_decrefp) json_t *j = NULL;

	/* Port 9 (discard) has no listener here: a fetch error, not a response. */
	ck_assert_int_eq(browse(&j, (const char *[]){"http://127.0.0.1:9/", NULL}), 1);
	ck_assert_int_eq(num(j, "status"), 0);
	ck_assert_ptr_nonnull(json_object_get(j, "error"));
}
END_TEST

START_TEST(test_proxy)
{
	_cleanup_free_ char *proxy = url("");
	_cleanup_(json_decrefp) json_t *j = NULL, *k = NULL, *l = NULL;

	/* The proxy from the environment is used, and its refusals carry its reason. */
	ck_assert_int_eq(browse_via(&j, proxy, (const char *[]){"http://allowed.example/", NULL}),
			 0);
	ck_assert_str_eq(str(j, "text"), "via proxy");
	ck_assert_int_eq(browse_via(&k, proxy, (const char *[]){"http://denied.example/x", NULL}),
			 1);
	ck_assert_ptr_nonnull(strstr(str(k, "error"), "host 'denied.example' is not allowed"));
	ck_assert_int_eq(browse_via(&l, proxy, (const char *[]){"https://denied.example/", NULL}),
			 1);
	ck_assert_ptr_nonnull(strstr(str(l, "error"), "host 'denied.example' is not allowed"));
}
END_TEST

static const char *const refused_urls[] = {
	"file:///etc/passwd",	  "FILE:///etc/passwd",
	"gopher://127.0.0.1:70/", "dict://127.0.0.1:2628/d:x",
	"ftp://127.0.0.1/",	  "javascript:alert(1)",
	"data:text/html,<p>x",	  "ldap://127.0.0.1/",
	"/relative/path",	  "",
};

START_TEST(test_refused_scheme)
{
	_cleanup_(json_decrefp) json_t *j = NULL;

	ck_assert_int_eq(browse(&j, (const char *[]){refused_urls[_i], NULL}), 2);
	ck_assert_msg(strlen(str(j, "error")) > 0, "no error for '%s'", refused_urls[_i]);
	ck_assert_int_eq(num(j, "status"), 0);
	ck_assert_str_eq(str(j, "text"), "");
}
END_TEST

static const char *const usage_errors[][4] = {
	{NULL},
	{"--max-bytes", NULL},
	{"--max-bytes", "0", "http://127.0.0.1:9/", NULL},
	{"--max-bytes", "-1", "http://127.0.0.1:9/", NULL},
	{"--timeout-ms", "1x", "http://127.0.0.1:9/", NULL},
	{"--max-redirects", "", "http://127.0.0.1:9/", NULL},
	{"--what", "http://127.0.0.1:9/", NULL},
	{"http://127.0.0.1:9/", "http://127.0.0.1:9/", NULL},
};

START_TEST(test_usage)
{
	_cleanup_(json_decrefp) json_t *j = NULL;

	ck_assert_int_eq(browse(&j, usage_errors[_i]), 2);
	ck_assert(strlen(str(j, "error")) > 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("browse");
	TCase *tc = tcase_create("browse");

	tcase_set_timeout(tc, 30);
	/* A checked fixture runs in each test's forked process, before the test. */
	tcase_add_checked_fixture(tc, server_start, NULL);
	tcase_add_test(tc, test_html);
	tcase_add_test(tc, test_redirects);
	tcase_add_test(tc, test_redirects_over_limit);
	tcase_add_test(tc, test_redirect_to_refused_scheme);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_binary);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_http_error_status);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_connection_refused);
	tcase_add_test(tc, test_proxy);
	tcase_add_loop_test(tc, test_refused_scheme, 0, (int)ELEMENTSOF(refused_urls));
	tcase_add_loop_test(tc, test_usage, 0, (int)ELEMENTSOF(usage_errors));
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
