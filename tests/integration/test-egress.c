/* SPDX-License-Identifier: MIT */
/* The egress proxy engine (tools/egress-proxy.h) against real sockets, in a network namespace
 * of its own with only lo: origin servers on 127.0.0.1, 127.0.0.2 and ::1, names from a
 * bind-mounted hosts file, and the engine driven by a plain poll() loop as the daemon would
 * drive it. No address outside 127.0.0.0/8 and ::1 is ever used. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "egress-policy.h"
#include "egress-proxy.h"
#include "hostmatch.h"
#include "ip-address.h"
#include "policy-load.h"
#include "test-util.h"

#define ORIGIN_PORT 8080
#define BIG_PATH    "/big"
#define BIG_SIZE    (256 * 1024)

static pid_t origin_pid = -1;

/* --- the policy: names by hostmatch pattern, addresses public or in a listed CIDR --------- */

static const char *const host_patterns[] = {
	"allowed.test", "*.allowed.test", "127.0.0.1", "127.0.0.2", "::1", "::127.0.0.2",
};
static const char *const cidrs[] = {"127.0.0.2/32", "::1/128"};

static bool test_decide_host(void *ud, const char *host, uint16_t port, char *rule, size_t rule_len,
			     char *reason, size_t reason_len)
{
	struct hostmatch_host h;
	struct hostmatch_pattern p;
	const char *why = NULL;

	(void)ud;
	(void)port;
	if (hostmatch_host_parse(host, strlen(host), &h, &why) < 0) {
		snprintf(rule, rule_len, "call.host");
		snprintf(reason, reason_len, "host '%s': %s", host, why ? why : "invalid");
		return false;
	}
	for (size_t i = 0; i < ELEMENTSOF(host_patterns); i++) {
		ck_assert_int_eq(hostmatch_pattern_parse(host_patterns[i], &p, &why), 0);
		if (hostmatch_pattern_match(&p, &h)) {
			snprintf(rule, rule_len, "test/network.allow[%zu]", i);
			snprintf(reason, reason_len, "host '%s' is allowed", host);
			return true;
		}
	}
	snprintf(rule, rule_len, "test/network.allow");
	snprintf(reason, reason_len, "host '%s' is not on the allowlist", host);
	return false;
}

static bool test_decide_address(void *ud, const char *host, const struct sockaddr *sa,
				socklen_t len, char *rule, size_t rule_len, char *reason,
				size_t reason_len)
{
	struct ip_address a;
	struct hostmatch_cidr c;
	char text[IP_ADDRESS_TEXT_MAX];

	(void)ud;
	(void)host;
	ck_assert_int_eq(ip_address_from_sockaddr(sa, len, &a), 0);
	ip_address_to_string(&a, text);
	for (size_t i = 0; i < ELEMENTSOF(cidrs); i++) {
		ck_assert_int_eq(hostmatch_cidr_parse(cidrs[i], &c, NULL), 0);
		if (hostmatch_cidr_contains(&c, &a)) {
			snprintf(rule, rule_len, "test/network.allow_cidrs[%zu]", i);
			snprintf(reason, reason_len, "address %s is listed", text);
			return true;
		}
	}
	snprintf(rule, rule_len, "test/network.address");
	snprintf(reason, reason_len, "address %s is %s", text,
		 ip_address_class_to_string(ip_address_classify(&a)));
	return ip_address_classify(&a) == IP_ADDRESS_PUBLIC;
}

/* --- records --------------------------------------------------------------------------- */

struct saved_record {
	char host[256], address[64], rule[256], reason[400], end[64];
	uint16_t port;
	uint64_t up, down;
	bool allowed;
	int status;
};

static struct saved_record records[512];
static size_t n_records;

static void save_record(void *ud, const struct egress_proxy_record *r)
{
	struct saved_record *s;

	(void)ud;
	if (n_records >= ELEMENTSOF(records))
		return;
	s = &records[n_records++];
	snprintf(s->host, sizeof(s->host), "%s", r->host);
	snprintf(s->address, sizeof(s->address), "%s", r->address);
	snprintf(s->rule, sizeof(s->rule), "%s", r->rule);
	snprintf(s->reason, sizeof(s->reason), "%s", r->reason);
	snprintf(s->end, sizeof(s->end), "%s", r->end);
	s->port = r->port;
	s->up = r->bytes_up;
	s->down = r->bytes_down;
	s->allowed = r->allowed;
	s->status = r->status;
}

/* --- the proxy under test, driven by poll() ---------------------------------------------- */

static struct egress_proxy *engine;
static int listen_fd = -EBADF;
static struct egress_proxy_limits limits;
static struct egress_policy *real_policy;	/* NULL: the test's callbacks above */
static const char *dns_servers = "127.0.0.1:1"; /* nothing listens: unknown names fail fast */

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void proxy_start(void)
{
	struct egress_proxy_config cfg = {
		.policy = {test_decide_host, test_decide_address, NULL},
		.limits = limits,
		.record = save_record,
		.dns_servers = dns_servers,
		.dns_lookups = "fb",
	};
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	struct sbx_error err = {};

	if (real_policy)
		egress_policy_bind(real_policy, &cfg.policy);
	n_records = 0;
	ck_assert_msg(egress_proxy_new(&cfg, &engine, &err) == 0, "%s", err.msg);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(listen_fd, 0);
	ck_assert_int_eq(bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(listen_fd, 512), 0);
}

static void proxy_stop(void)
{
	engine = egress_proxy_free(engine);
	listen_fd = safe_close(listen_fd);
}

/* One turn of the daemon's loop: wait on the listener and the engine fd until the engine's
 * deadline or timeout_ms, accept, process. Returns the number of adds refused at the limit. */
static int proxy_turn(int timeout_ms)
{
	struct pollfd p[2] = {{listen_fd, POLLIN, 0}, {egress_proxy_get_fd(engine), POLLIN, 0}};
	uint64_t d = egress_proxy_get_deadline(engine), now = now_usec();
	int refused = 0;

	if (d != UINT64_MAX)
		timeout_ms = d <= now ? 0 : (int)MIN((uint64_t)timeout_ms, (d - now) / 1000 + 1);
	ck_assert_int_ge(poll(p, 2, timeout_ms), 0);
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			break;
		int r = egress_proxy_add(engine, fd);
		ck_assert_int_ge(r, 0);
		refused += r;
	}
	ck_assert_int_eq(egress_proxy_process(engine), 0);
	return refused;
}

static int client_connect(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd;

	ck_assert_int_eq(getsockname(listen_fd, (struct sockaddr *)&sin, &len), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 || errno == EINPROGRESS);
	return fd;
}

static void client_send(int fd, const void *data, size_t len)
{
	ck_assert_int_eq(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads from the client while turning the proxy, until EOF, until want appears, or 5 s. */
static size_t client_read(int fd, char *buf, size_t cap, const char *want)
{
	uint64_t end = now_usec() + 5000000;
	size_t len = 0;

	while (now_usec() < end) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0) {
			len += (size_t)n;
			buf[len] = 0;
			if ((want && strstr(buf, want)) || len + 1 >= cap)
				break;
			continue;
		}
		proxy_turn(10);
	}
	buf[len] = 0;
	return len;
}

/* Sends a request, returns the whole answer (until EOF). */
static char *fetch(const char *req, size_t req_len)
{
	static char buf[BIG_SIZE + 4096];
	int fd = client_connect();

	proxy_turn(0);
	client_send(fd, req, req_len ? req_len : strlen(req));
	client_read(fd, buf, sizeof(buf), NULL);
	close(fd);
	for (int i = 0; i < 20 && egress_proxy_count(engine) > 0; i++)
		proxy_turn(10);
	return buf;
}

static const struct saved_record *last_record(void)
{
	for (int i = 0; i < 100 && egress_proxy_count(engine) > 0; i++)
		proxy_turn(10);
	ck_assert_uint_gt(n_records, 0);
	return &records[n_records - 1];
}

#define assert_status(resp, code)                                                                  \
	ck_assert_msg(strncmp(resp, "HTTP/1.", 7) == 0 && strncmp(resp + 9, code, 3) == 0,         \
		      "expected %s, got '%.200s'", code, resp)

/* --- the origin servers --------------------------------------------------------------- */

static void origin_serve(int fd)
{
	char buf[8192], local[64] = "?", body[BIG_SIZE + 1024];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t len = 0;
	struct ip_address a;
	int n;

	while (len < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (r <= 0)
			_exit(0);
		len += (size_t)r;
		buf[len] = 0;
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    ip_address_from_sockaddr((struct sockaddr *)&ss, sl, &a) == 0)
		ip_address_to_string(&a, local);
	if (strncmp(buf, "GET " BIG_PATH " ", 5 + strlen(BIG_PATH)) == 0) {
		memset(body, 'x', BIG_SIZE);
		n = BIG_SIZE;
	} else
		n = snprintf(body, sizeof(body), "hello from %s\n%.*s", local,
			     (int)(strstr(buf, "\r\n\r\n") - buf) + 4, buf);
	dprintf(fd, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n", n);
	(void)!write(fd, body, (size_t)n);
	_exit(0);
}

static int origin_listen(int family, const char *addr)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1;

	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(ORIGIN_PORT);
		inet_pton(AF_INET, addr, &in->sin_addr);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(ORIGIN_PORT);
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		len = sizeof(*in6);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 512) < 0) {
		perror(addr);
		return -1;
	}
	return fd;
}

static void origin_start(void)
{
	int fds[3] = {origin_listen(AF_INET, "127.0.0.1"), origin_listen(AF_INET, "127.0.0.2"),
		      origin_listen(AF_INET6, "::1")};

	for (int i = 0; i < 3; i++)
		if (fds[i] < 0)
			exit(77);
	origin_pid = fork();
	if (origin_pid < 0)
		exit(EXIT_FAILURE);
	if (origin_pid > 0) {
		for (int i = 0; i < 3; i++)
			close(fds[i]);
		return;
	}
	signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
	for (;;) {
		struct pollfd p[3] = {
			{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {fds[2], POLLIN, 0}};

		if (poll(p, 3, -1) < 0)
			continue;
		for (int i = 0; i < 3; i++) {
			int c;

			if (!(p[i].revents & POLLIN))
				continue;
			c = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (fork() == 0)
				origin_serve(c);
			close(c);
		}
	}
}

/* The test's own network and hosts file: a netns with lo up, and a mount namespace in which
 * /etc/hosts names the test hosts (c-ares reads it with lookups "fb"). */
static int setup_namespaces(void)
{
	struct ifreq ifr = {};
	char dir[] = "/tmp/test-egress-XXXXXX", path[64];
	FILE *f;
	int s;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET|CLONE_NEWNS): %m; skipping\n");
		return 77;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return 1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return 1;
	close(s);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/hosts", dir);
	f = fopen(path, "we");
	if (!f)
		return 1;
	fprintf(f, "127.0.0.2 allowed.test www.allowed.test\n"
		   "127.0.0.1 rebind.allowed.test\n"
		   "::1 v6.allowed.test\n"
		   "127.0.0.2 mixed.allowed.test\n"
		   "127.0.0.1 mixed.allowed.test\n"
		   "127.0.0.2 evil.test\n");
	fclose(f);
	if (mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0) {
		fprintf(stderr, "bind-mount /etc/hosts: %m; skipping\n");
		return 77;
	}
	/* The file stays reachable through the mount; the directory is not needed. */
	(void)unlink(path);
	(void)rmdir(dir);
	return 0;
}

/* --- cases ---------------------------------------------------------------------------- */

static int count_fds(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	return n;
}

static int fds_before;

/* Every fd the engine opened (epoll, clients, origins, resolver) is closed by its free. */
static void teardown(void)
{
	proxy_stop();
	ck_assert_int_eq(count_fds(), fds_before);
}

static void setup(void)
{
	fds_before = count_fds();
	memset(&limits, 0, sizeof(limits));
	limits.idle_timeout_usec = 3000000;
	limits.connect_timeout_usec = 3000000;
	proxy_start();
}

START_TEST(test_get_allowed)
{
	char *r = fetch("GET http://allowed.test:8080/path?q=1 HTTP/1.1\r\n"
			"Host: allowed.test:8080\r\nProxy-Connection: keep-alive\r\n"
			"Connection: keep-alive\r\nAccept: */*\r\n\r\n",
			0);
	const struct saved_record *rec;

	assert_status(r, "200");
	ck_assert_msg(strstr(r, "hello from 127.0.0.2\n"), "%s", r);
	/* Forwarded in origin-form, hop-by-hop headers gone, Connection: close added. */
	ck_assert_msg(strstr(r, "GET /path?q=1 HTTP/1.1\r\n"), "%s", r);
	ck_assert_msg(!strstr(r, "Proxy-Connection") && !strstr(r, "keep-alive"), "%s", r);
	ck_assert_msg(strstr(r, "Connection: close\r\n"), "%s", r);
	ck_assert_msg(strstr(r, "Accept: */*\r\n"), "%s", r);
	rec = last_record();
	ck_assert(rec->allowed);
	ck_assert_str_eq(rec->host, "allowed.test");
	ck_assert_str_eq(rec->address, "127.0.0.2");
	ck_assert_uint_eq(rec->port, 8080);
	ck_assert_uint_gt(rec->down, 0);
	ck_assert_str_eq(rec->rule, "test/network.allow_cidrs[0]");

	/* No Host header: added from the URL. An IPv6 literal and an IPv6-only name. */
	r = fetch("GET http://allowed.test:8080 HTTP/1.0\r\n\r\n", 0);
	assert_status(r, "200");
	ck_assert_msg(strstr(r, "GET / HTTP/1.1\r\nHost: allowed.test:8080\r\n"), "%s", r);
	r = fetch("GET http://[::1]:8080/ HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 0);
	ck_assert_msg(strstr(r, "hello from ::1\n"), "%s", r);
	r = fetch("GET http://V6.Allowed.Test.:8080/ HTTP/1.1\r\n\r\n", 0);
	ck_assert_msg(strstr(r, "hello from ::1\n"), "%s", r);
}
END_TEST

START_TEST(test_connect_allowed)
{
	char buf[4096];
	const char *req = "CONNECT allowed.test:8080 HTTP/1.1\r\nHost: allowed.test:8080\r\n\r\n";
	int fd = client_connect();
	const struct saved_record *rec;

	proxy_turn(0);
	client_send(fd, req, strlen(req));
	client_read(fd, buf, sizeof(buf), "\r\n\r\n");
	ck_assert_str_eq(buf, "HTTP/1.1 200 Connection established\r\n\r\n");
	/* Not TLS: allowed, to the checked address only. */
	client_send(fd, "GET /tunnel HTTP/1.0\r\n\r\n", 24);
	client_read(fd, buf, sizeof(buf), NULL);
	ck_assert_msg(strstr(buf, "hello from 127.0.0.2\nGET /tunnel"), "%s", buf);
	close(fd);
	rec = last_record();
	ck_assert(rec->allowed);
	ck_assert_int_eq(rec->status, 200);
	ck_assert_uint_eq(rec->up, 24);
	ck_assert_uint_gt(rec->down, 24);
}
END_TEST

/* A ClientHello with one server_name (or none when sni is NULL). */
static size_t client_hello(uint8_t *out, const char *sni)
{
	size_t n = sni ? strlen(sni) : 0, ext = sni ? 9 + n : 0,
	       body = 2 + 32 + 1 + 4 + 2 + 2 + ext;
	uint8_t *p = out;

	*p++ = 22, *p++ = 3, *p++ = 1;
	*p++ = (uint8_t)((body + 4) >> 8), *p++ = (uint8_t)(body + 4);
	*p++ = 1, *p++ = 0, *p++ = (uint8_t)(body >> 8), *p++ = (uint8_t)body;
	*p++ = 3, *p++ = 3;
	memset(p, 0xab, 32), p += 32;
	*p++ = 0;				   /* session id */
	*p++ = 0, *p++ = 2, *p++ = 0x13, *p++ = 1; /* one cipher suite */
	*p++ = 1, *p++ = 0;			   /* null compression */
	*p++ = (uint8_t)(ext >> 8), *p++ = (uint8_t)ext;
	if (sni) {
		*p++ = 0, *p++ = 0, *p++ = (uint8_t)((n + 5) >> 8), *p++ = (uint8_t)(n + 5);
		*p++ = (uint8_t)((n + 3) >> 8), *p++ = (uint8_t)(n + 3);
		*p++ = 0, *p++ = (uint8_t)(n >> 8), *p++ = (uint8_t)n;
		memcpy(p, sni, n), p += n;
	}
	return (size_t)(p - out);
}

static const struct saved_record *connect_with_hello(const char *host, const char *sni, char *buf,
						     size_t cap)
{
	char req[256];
	uint8_t hello[512];
	size_t n = client_hello(hello, sni);
	int fd = client_connect();

	snprintf(req, sizeof(req), "CONNECT %s:8080 HTTP/1.1\r\n\r\n", host);
	proxy_turn(0);
	client_send(fd, req, strlen(req));
	client_read(fd, buf, cap, "\r\n\r\n");
	ck_assert_str_eq(buf, "HTTP/1.1 200 Connection established\r\n\r\n");
	/* Split in two writes: the proxy must wait for the whole record. */
	client_send(fd, hello, 7);
	proxy_turn(20);
	client_send(fd, hello + 7, n - 7);
	shutdown(fd, SHUT_WR);
	client_read(fd, buf, cap, NULL);
	close(fd);
	return last_record();
}

START_TEST(test_connect_sni)
{
	char buf[4096];
	const struct saved_record *rec;

	rec = connect_with_hello("allowed.test", "evil.test", buf, sizeof(buf));
	ck_assert(!rec->allowed);
	ck_assert_str_eq(rec->rule, "egress.sni");
	ck_assert_uint_eq(rec->up, 0); /* nothing of the hello reached the origin */
	ck_assert_msg(strstr(rec->reason, "'evil.test'"), "%s", rec->reason);

	rec = connect_with_hello("allowed.test", "ALLOWED.test", buf, sizeof(buf));
	ck_assert_msg(rec->allowed, "%s: %s", rec->rule, rec->reason);
	ck_assert_uint_gt(rec->up, 0);

	rec = connect_with_hello("allowed.test", NULL, buf, sizeof(buf));
	ck_assert_msg(rec->allowed, "%s: %s", rec->rule, rec->reason);

	/* An IP literal CONNECT carrying a name in SNI: the name was never checked. */
	rec = connect_with_hello("127.0.0.2", "allowed.test", buf, sizeof(buf));
	ck_assert(!rec->allowed);
	ck_assert_str_eq(rec->rule, "egress.sni");
}
END_TEST

static void expect_refusal(const char *req, const char *status, const char *rule)
{
	char *r = fetch(req, 0);
	const struct saved_record *rec;

	assert_status(r, status);
	ck_assert_msg(strstr(r, "X-Egress-Reason: "), "%s", r);
	rec = last_record();
	ck_assert(!rec->allowed);
	ck_assert_msg(strcmp(rec->rule, rule) == 0, "%s: rule %s (%s), expected %s", req, rec->rule,
		      rec->reason, rule);
}

START_TEST(test_refusals)
{
	expect_refusal("GET http://evil.example/ HTTP/1.1\r\n\r\n", "403", "test/network.allow");
	expect_refusal("CONNECT evil.test:443 HTTP/1.1\r\n\r\n", "403", "test/network.allow");
	/* Private literal: the name passes, the address does not (no CIDR lists 127.0.0.1). */
	expect_refusal("GET http://127.0.0.1:8080/ HTTP/1.1\r\n\r\n", "403",
		       "test/network.address");
	/* A name resolving to a refused address (DNS rebinding), and to a mix. */
	expect_refusal("GET http://rebind.allowed.test:8080/ HTTP/1.1\r\n\r\n", "403",
		       "test/network.address");
	expect_refusal("GET http://mixed.allowed.test:8080/ HTTP/1.1\r\n\r\n", "403",
		       "test/network.address");
	/* Spellings of 127.0.0.x that inet_aton() would accept. */
	expect_refusal("GET http://2130706433:8080/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET http://2130706434:8080/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET http://0x7f000002:8080/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET http://0177.0.0.2:8080/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET http://127.2:8080/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("CONNECT 2130706434:8080 HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET http://[::ffff:127.0.0.2]:8080/ HTTP/1.1\r\n\r\n", "400",
		       "egress.request");
	expect_refusal("CONNECT [::ffff:7f00:2]:8080 HTTP/1.1\r\n\r\n", "400", "egress.request");
	/* IPv4-compatible ::127.0.0.2 is an IPv6 address of its own: not in any CIDR. */
	expect_refusal("GET http://[::127.0.0.2]:8080/ HTTP/1.1\r\n\r\n", "403",
		       "test/network.address");
	/* Userinfo tricks. */
	expect_refusal("GET http://allowed.test@evil.test:8080/ HTTP/1.1\r\n\r\n", "400",
		       "egress.request");
	expect_refusal("GET http://allowed.test:8080@evil.test:8080/ HTTP/1.1\r\n\r\n", "400",
		       "egress.request");
	expect_refusal("CONNECT allowed.test@evil.test:8080 HTTP/1.1\r\n\r\n", "400",
		       "egress.request");
	/* Host header naming another site than the URL. */
	expect_refusal("GET http://allowed.test:8080/ HTTP/1.1\r\nHost: evil.test:8080\r\n\r\n",
		       "400", "egress.request");
	expect_refusal("GET http://allowed.test:8080/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n",
		       "400", "egress.request");
	/* Other schemes and forms. */
	expect_refusal("GET file:///etc/passwd HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET gopher://allowed.test/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET https://allowed.test/ HTTP/1.1\r\n\r\n", "400", "egress.request");
	expect_refusal("GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n", "400", "egress.request");
	expect_refusal("TRACE http://allowed.test/ HTTP/1.1\r\n\r\n", "405", "egress.request");
	expect_refusal("CONNECT allowed.test HTTP/1.1\r\n\r\n", "400", "egress.request");
	/* Smuggling shapes. */
	expect_refusal("POST http://allowed.test:8080/ HTTP/1.1\r\nContent-Length: 1\r\n"
		       "Transfer-Encoding: chunked\r\n\r\n",
		       "400", "egress.request");
	expect_refusal("GET http://allowed.test:8080/ HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "400",
		       "egress.request");
	expect_refusal("GET http://allowed.test:8080/ HTTP/1.1\nHost: x\n\n", "400",
		       "egress.request");
	/* Resolution and connect failures. */
	expect_refusal("GET http://nx.allowed.test:8080/ HTTP/1.1\r\n\r\n", "502",
		       "egress.resolve");
	expect_refusal("GET http://allowed.test:8081/ HTTP/1.1\r\n\r\n", "502", "egress.connect");
}
END_TEST

START_TEST(test_garbage)
{
	static char big[EGRESS_PROXY_BUFFER_SIZE];
	uint8_t junk[2048];
	unsigned seed = 1;
	char *r;

	memset(big, 'A', sizeof(big));
	r = fetch(big, sizeof(big));
	assert_status(r, "400");
	memcpy(big, "GET http://allowed.test/", 24);
	r = fetch(big, 9000);
	assert_status(r, "400");
	r = fetch("\0\0\0\0\r\n\r\n", 8);
	assert_status(r, "400");
	for (int i = 0; i < 50; i++) {
		for (size_t k = 0; k < sizeof(junk); k++)
			junk[k] = (uint8_t)rand_r(&seed);
		memcpy(junk + 100, "\r\n\r\n", 4);
		r = fetch((char *)junk, 100 + (size_t)(i * 30));
		ck_assert_msg(r[0] == 0 || strncmp(r, "HTTP/1.1 4", 10) == 0, "%.100s", r);
	}
	/* 70 header fields (the limit is 64). */
	{
		char req[4096];
		size_t n = (size_t)snprintf(req, sizeof(req),
					    "GET http://allowed.test:8080/ HTTP/1.1\r\n");

		for (int i = 0; i < 70; i++)
			n += (size_t)snprintf(req + n, sizeof(req) - n, "X-%d: y\r\n", i);
		snprintf(req + n, sizeof(req) - n, "\r\n");
		assert_status(fetch(req, 0), "400");
	}
	/* Client that hangs up mid-head, then one that stays silent past the head deadline. */
	{
		int fd = client_connect();

		proxy_turn(0);
		client_send(fd, "GET http://allow", 16);
		proxy_turn(10);
		close(fd);
		last_record();
	}
	ck_assert_uint_eq(egress_proxy_count(engine), 0);
	/* Still serving. */
	r = fetch("GET http://allowed.test:8080/ HTTP/1.1\r\n\r\n", 0);
	assert_status(r, "200");
}
END_TEST

START_TEST(test_head_timeout)
{
	char buf[1024];
	int fd;

	proxy_stop();
	limits.idle_timeout_usec = 300000;
	proxy_start();
	fd = client_connect();
	proxy_turn(0);
	client_read(fd, buf, sizeof(buf), NULL);
	assert_status(buf, "400");
	ck_assert_str_eq(last_record()->rule, "egress.timeout");
	close(fd);
}
END_TEST

START_TEST(test_byte_limit)
{
	const struct saved_record *rec;
	char *r;

	proxy_stop();
	limits.max_bytes_per_connection = 64 * 1024;
	proxy_start();
	r = fetch("GET http://allowed.test:8080" BIG_PATH " HTTP/1.1\r\n\r\n", 0);
	ck_assert_msg(strlen(r) < BIG_SIZE, "%zu", strlen(r));
	rec = last_record();
	ck_assert_str_eq(rec->end, "byte limit");
	ck_assert_uint_le(rec->up + rec->down, 64 * 1024);

	/* The session's total: the first download fits, the second is cut. */
	proxy_stop();
	limits.max_bytes_per_connection = 0;
	limits.max_bytes_total = BIG_SIZE + BIG_SIZE / 2;
	proxy_start();
	r = fetch("GET http://allowed.test:8080" BIG_PATH " HTTP/1.1\r\n\r\n", 0);
	ck_assert_uint_gt(strlen(r), BIG_SIZE);
	ck_assert_uint_eq(last_record()->down, strlen(r));
	ck_assert_str_eq(last_record()->end, "closed");
	r = fetch("GET http://allowed.test:8080" BIG_PATH " HTTP/1.1\r\n\r\n", 0);
	ck_assert_uint_lt(strlen(r), BIG_SIZE);
	ck_assert_str_eq(last_record()->end, "byte limit");
}
END_TEST

START_TEST(test_connection_limit)
{
	enum { N = 200, LIMIT = 16 };
	int fds[N], refused = 0, ok = 0, closed_503 = 0;
	const char *req = "CONNECT allowed.test:8080 HTTP/1.1\r\n\r\n";
	char buf[2048];

	proxy_stop();
	limits.max_connections = LIMIT;
	proxy_start();
	for (int i = 0; i < N; i++) {
		fds[i] = client_connect();
		client_send(fds[i], req, strlen(req));
	}
	for (int i = 0; i < 50 && refused + (int)egress_proxy_count(engine) < N; i++)
		refused += proxy_turn(10);
	ck_assert_int_eq(refused, N - LIMIT);
	ck_assert_uint_eq(egress_proxy_count(engine), LIMIT);
	for (int i = 0; i < N; i++) {
		client_read(fds[i], buf, sizeof(buf), "\r\n\r\n");
		if (strncmp(buf, "HTTP/1.1 200 ", 13) == 0)
			ok++;
		else if (strncmp(buf, "HTTP/1.1 503 ", 13) == 0)
			closed_503++;
	}
	ck_assert_int_eq(ok, LIMIT);
	ck_assert_int_eq(closed_503, N - LIMIT);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	for (int i = 0; i < 100 && egress_proxy_count(engine) > 0; i++)
		proxy_turn(10);
	ck_assert_uint_eq(egress_proxy_count(engine), 0);
	assert_status(fetch("GET http://allowed.test:8080/ HTTP/1.1\r\n\r\n", 0), "200");
}
END_TEST

START_TEST(test_timeouts)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(0x7f000001),
				  .sin_port = htons(5353)};
	const struct saved_record *rec;
	char buf[1024];
	int dns, fd;

	/* A resolver that never answers: the connect timeout answers 504. */
	dns = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(dns, (struct sockaddr *)&sin, sizeof(sin)), 0);
	proxy_stop();
	dns_servers = "127.0.0.1:5353";
	limits.connect_timeout_usec = 300000;
	limits.idle_timeout_usec = 300000;
	proxy_start();
	expect_refusal("GET http://silent.allowed.test:8080/ HTTP/1.1\r\n\r\n", "504",
		       "egress.timeout");

	/* An idle tunnel is closed after the idle timeout. */
	fd = client_connect();
	proxy_turn(0);
	client_send(fd, "CONNECT allowed.test:8080 HTTP/1.1\r\n\r\n", 39);
	client_read(fd, buf, sizeof(buf), NULL);
	ck_assert_str_eq(buf, "HTTP/1.1 200 Connection established\r\n\r\n");
	rec = last_record();
	ck_assert_str_eq(rec->end, "idle timeout");
	ck_assert(rec->allowed);
	close(fd);
	close(dns);
}
END_TEST

/* Runs curl through the proxy while turning it; returns curl's exit status and its output. */
static int run_curl(char *out, size_t cap, const char *const *extra)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char proxy[64];
	const char *argv[16] = {"curl", "-sS", "--max-time", "5", "-x", proxy};
	size_t argc = 6, len = 0;
	int pipefd[2], status;
	pid_t pid;

	ck_assert_int_eq(getsockname(listen_fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", ntohs(sin.sin_port));
	for (; *extra && argc < ELEMENTSOF(argv) - 1; extra++)
		argv[argc++] = *extra;
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp("curl", (char **)argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n = read(pipefd[0], out + len, cap - 1 - len);

		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		proxy_turn(10);
	}
	out[len] = 0;
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

START_TEST(test_curl)
{
	static char out[8192];
	const struct saved_record *rec;
	int r;

	if (access("/usr/bin/curl", X_OK) < 0)
		return; /* the hand-written clients above cover the protocol */
	r = run_curl(out, sizeof(out), (const char *const[]){"http://allowed.test:8080/c", NULL});
	ck_assert_msg(r == 0 && strstr(out, "hello from 127.0.0.2\nGET /c HTTP/1.1"), "%d: %s", r,
		      out);
	r = run_curl(out, sizeof(out),
		     (const char *const[]){"-p", "http://allowed.test:8080/tunnel", NULL});
	ck_assert_msg(r == 0 && strstr(out, "hello from 127.0.0.2\nGET /tunnel HTTP/1.1"), "%d: %s",
		      r, out);
	r = run_curl(out, sizeof(out), (const char *const[]){"-f", "http://evil.example/", NULL});
	ck_assert_msg(r == 22, "%d: %s", r, out);
	/* A real ClientHello (curl's OpenSSL) with SNI allowed.test: let through. The origin
	 * speaks no TLS, so the handshake itself fails. */
	r = run_curl(out, sizeof(out), (const char *const[]){"https://allowed.test:8080/", NULL});
	ck_assert_int_ne(r, 0);
	rec = last_record();
	ck_assert_msg(rec->allowed && rec->up > 0, "%s: %s", rec->rule, rec->reason);
	ck_assert_str_eq(rec->host, "allowed.test");
}
END_TEST

/* The same engine bound to policy/decide.h through egress-policy.c. */
START_TEST(test_real_policy)
{
	static const char yaml[] = "version: 1\n"
				   "name: egress-test\n"
				   "skills:\n"
				   "  web:\n"
				   "    tools: [network]\n"
				   "    network:\n"
				   "      allow: [\"allowed.test\", \"*.allowed.test\"]\n"
				   "      allow_cidrs: [\"127.0.0.2/32\"]\n";
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct policy_skill_set all;
	struct egress_policy ep;
	struct sbx_error err = {};
	const struct saved_record *rec;
	char *r;

	ck_assert_msg(policy_load_text(yaml, strlen(yaml), "egress-test", &p, &err) == 0, "%s",
		      err.msg);
	policy_skill_set_all(p, &all);
	ep = (struct egress_policy){.policy = p, .granted = &all, .tool = POLICY_TOOL_NETWORK};
	proxy_stop();
	real_policy = &ep;
	proxy_start();

	r = fetch("GET http://allowed.test:8080/ HTTP/1.1\r\n\r\n", 0);
	assert_status(r, "200");
	rec = last_record();
	ck_assert_str_eq(rec->rule, "egress-test/skills.web.network.allow_cidrs[0]");
	expect_refusal("GET http://127.0.0.1:8080/ HTTP/1.1\r\n\r\n", "403",
		       "egress-test/skills.web.network.allow");
	expect_refusal("GET http://rebind.allowed.test:8080/ HTTP/1.1\r\n\r\n", "403",
		       "egress-test/skills.web.network.address");
	expect_refusal("GET http://evil.test:8080/ HTTP/1.1\r\n\r\n", "403",
		       "egress-test/skills.web.network.allow");
	expect_refusal("GET http://[::1]:8080/ HTTP/1.1\r\n\r\n", "403",
		       "egress-test/skills.web.network.allow");
	expect_refusal("GET http://[::ffff:127.0.0.2]:8080/ HTTP/1.1\r\n\r\n", "400",
		       "egress.request");
	proxy_stop();
	real_policy = NULL;
	proxy_start();
}
END_TEST

static Suite *egress_suite(void)
{
	Suite *s = suite_create("egress");
	TCase *tc = tcase_create("proxy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_get_allowed);
	tcase_add_test(tc, test_connect_allowed);
	tcase_add_test(tc, test_connect_sni);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_head_timeout);
	tcase_add_test(tc, test_byte_limit);
	tcase_add_test(tc, test_connection_limit);
	tcase_add_test(tc, test_timeouts);
	tcase_add_test(tc, test_curl);
	tcase_add_test(tc, test_real_policy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int r = setup_namespaces();

	if (r != 0)
		return r;
	origin_start();
	r = test_run_suite(egress_suite());
	kill(origin_pid, SIGKILL);
	waitpid(origin_pid, NULL, 0);
	return r;
}
