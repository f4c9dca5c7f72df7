/* SPDX-License-Identifier: MIT */
/* sandbox-browse: the Browse tool's process, run inside a session's sandbox with HTTP_PROXY and
 * HTTPS_PROXY pointing at the session's egress proxy. It fetches one http(s) URL with libcurl,
 * turns the body into text (tools/browse-html.c for HTML) and prints one JSON object for the
 * daemon (sandboxd/rpc-browse.c) to read. The proxy, not this program, decides what is reachable.
 *
 *   sandbox-browse [--max-bytes N] [--timeout-ms N] [--max-redirects N] [--] URL
 *
 * Exit status: 0 a response was received (any HTTP status), 1 the fetch failed, 2 usage error
 * (including a URL that is not http or https). The JSON carries "error" on 1 and 2. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "browse-html.h"
#include "macro.h"
#include "parse-util.h"

#define BROWSE_URL_MAX		  8192	      /* bytes of the URL argument */
#define BROWSE_BYTES_DEFAULT	  (8u << 20)  /* body bytes kept by default */
#define BROWSE_BYTES_MAX	  (64u << 20) /* --max-bytes at most */
#define BROWSE_TIMEOUT_MS_DEFAULT 30000	      /* whole transfer, redirects included */
#define BROWSE_TIMEOUT_MS_MAX	  600000      /* --timeout-ms above is held here */
#define BROWSE_REDIRECTS_DEFAULT  10	      /* redirects followed by default */
#define BROWSE_REDIRECTS_MAX	  50	      /* --max-redirects above is held here */
#define BROWSE_CONTENT_TYPE_MAX	  256	      /* bytes of the content type reported */
#define BROWSE_EGRESS_REASON_MAX  512	      /* bytes of the proxy's X-Egress-Reason kept */
#define BROWSE_USER_AGENT	  "sandboxd-browse/1"

enum {
	EXIT_RESPONSE = 0,
	EXIT_FETCH_FAILED = 1,
	EXIT_USAGE = 2,
};

struct options {
	uint64_t max_bytes;
	uint64_t timeout_ms;
	uint64_t max_redirects;
	const char *url;
};

/* The body as received, cut at max bytes. */
struct body {
	char *data;
	size_t len;
	size_t alloc;
	size_t max;
	bool truncated;
	bool oom;
};

/* The result printed; every string valid UTF-8 (browse_html_utf8_copy) before it is printed. */
struct result {
	char *url;
	long status;
	char *content_type;
	char *title;
	char *text;
	char **links;
	size_t n_links;
	bool truncated;
	long redirects;
	char error[1024];
	char egress_reason[BROWSE_EGRESS_REASON_MAX + 1];
};

DEFINE_CLEANUP(CURL *, curl_easy_cleanup);
DEFINE_CLEANUP(CURLU *, curl_url_cleanup);

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb, take;

	/* Past max the transfer is aborted (returning less than n), and the page marked cut. */
	take = MIN(n, b->max - b->len);
	if (take > 0) {
		if (b->len + take > b->alloc) {
			size_t alloc = MAX(b->alloc, (size_t)65536);
			char *p;

			while (alloc < b->len + take)
				alloc *= 2;
			alloc = MIN(alloc, b->max);
			p = realloc(b->data, alloc);
			if (!p) {
				b->oom = true;
				return 0;
			}
			b->data = p;
			b->alloc = alloc;
		}
		memcpy(b->data + b->len, ptr, take);
		b->len += take;
	}
	if (take < n) {
		b->truncated = true;
		return 0;
	}
	return n;
}

/* Keeps the egress proxy's X-Egress-Reason of the latest response (CONNECT answers included), so
 * a refusal reads as the proxy's sentence rather than as a bare status. */
static size_t header_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	static const char name[] = "X-Egress-Reason:";
	struct result *r = userdata;
	size_t n = size * nmemb, len;
	const char *v;

	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
		r->egress_reason[0] = '\0';
	else if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
		v = ptr + sizeof(name) - 1;
		len = n - (sizeof(name) - 1);
		while (len > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			len--;
		}
		while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
			len--;
		len = MIN(len, (size_t)BROWSE_EGRESS_REASON_MAX);
		memcpy(r->egress_reason, v, len);
		r->egress_reason[len] = '\0';
	}
	return n;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* A string from outside (URL argument, header, curl's message), as printable UTF-8. */
static void json_field(FILE *f, const char *key, const char *value, bool comma)
{
	_cleanup_free_ char *v = NULL;

	if (value)
		v = browse_html_utf8_copy(value, strlen(value), BROWSE_HTML_TEXT_MAX, NULL);
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	json_string(f, v ? v : "");
}

static int result_print(const struct result *r)
{
	FILE *f = stdout;

	fputc('{', f);
	json_field(f, "url", r->url, false);
	fprintf(f, ",\"status\":%ld", r->status);
	json_field(f, "content_type", r->content_type, true);
	json_field(f, "title", r->title, true);
	json_field(f, "text", r->text, true);
	fputs(",\"links\":[", f);
	for (size_t i = 0; i < r->n_links; i++) {
		if (i > 0)
			fputc(',', f);
		json_string(f, r->links[i]);
	}
	fprintf(f, "],\"truncated\":%s,\"redirects\":%ld", r->truncated ? "true" : "false",
		r->redirects);
	if (r->error[0])
		json_field(f, "error", r->error, true);
	fputs("}\n", f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}

static void result_done(struct result *r)
{
	free(r->url);
	free(r->content_type);
	free(r->title);
	free(r->text);
	for (size_t i = 0; i < r->n_links; i++)
		free(r->links[i]);
	free(r->links);
}

_printf_(2, 3) static void result_fail(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fputs("usage: sandbox-browse [--max-bytes N] [--timeout-ms N] [--max-redirects N] [--] "
	      "URL\n",
	      f);
}

static int parse_options(int argc, char **argv, struct options *ret, struct result *r)
{
	struct options o = {
		.max_bytes = BROWSE_BYTES_DEFAULT,
		.timeout_ms = BROWSE_TIMEOUT_MS_DEFAULT,
		.max_redirects = BROWSE_REDIRECTS_DEFAULT,
	};
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t *dst, min = 1, max;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--max-bytes") == 0) {
			dst = &o.max_bytes;
			max = BROWSE_BYTES_MAX;
		} else if (strcmp(a, "--timeout-ms") == 0) {
			dst = &o.timeout_ms;
			max = BROWSE_TIMEOUT_MS_MAX;
		} else if (strcmp(a, "--max-redirects") == 0) {
			dst = &o.max_redirects;
			min = 0;
			max = BROWSE_REDIRECTS_MAX;
		} else {
			result_fail(r, "parse arguments: unknown option '%.64s'", a);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			result_fail(r, "parse arguments: '%s' needs a value", a);
			return -EINVAL;
		}
		/* Above its limit a value is held to it, so a generous policy still browses. */
		if (parse_u64(argv[++i], dst) < 0 || *dst < min) {
			result_fail(r,
				    "parse arguments: '%s' takes an integer of at least %" PRIu64
				    ", not '%.64s'",
				    a, min, argv[i]);
			return -EINVAL;
		}
		*dst = MIN(*dst, max);
	}
	if (i != argc - 1) {
		result_fail(r, "parse arguments: expected exactly one URL");
		return -EINVAL;
	}
	o.url = argv[i];
	*ret = o;
	return 0;
}

/* Only http and https are fetched: file:// would read the sandbox's own files, and gopher://,
 * dict:// and the like let a URL speak arbitrary bytes to a port. libcurl's protocol options
 * enforce the same for redirects; this check gives the refusal its sentence before any fetch. */
static int check_url(const char *url, struct result *r)
{
	_cleanup_(curl_url_cleanupp) CURLU *u = NULL;
	char *scheme = NULL;
	bool web;

	if (strlen(url) > BROWSE_URL_MAX) {
		result_fail(r, "parse URL: longer than %d bytes", BROWSE_URL_MAX);
		return -EINVAL;
	}
	u = curl_url();
	if (!u) {
		result_fail(r, "parse URL: out of memory");
		return -ENOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		result_fail(r, "parse URL '%.256s': not a valid absolute URL", url);
		return -EINVAL;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		result_fail(r, "parse URL '%.256s': no scheme", url);
		return -EINVAL;
	}
	web = strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
	if (!web)
		result_fail(
			r,
			"fetch '%.256s': scheme '%.32s' refused, only http and https are allowed",
			url, scheme);
	curl_free(scheme);
	return web ? 0 : -EPROTONOSUPPORT;
}

static bool is_html(const char *mime)
{
	return strcasecmp(mime, "text/html") == 0 || strcasecmp(mime, "application/xhtml+xml") == 0;
}

static bool is_text(const char *mime)
{
	size_t n = strlen(mime);

	return strncasecmp(mime, "text/", 5) == 0 || strcasecmp(mime, "application/json") == 0 ||
	       (strncasecmp(mime, "application/", 12) == 0 && n > 5 &&
		strcasecmp(mime + n - 5, "+json") == 0);
}

/* Splits a Content-Type value into its lowercase-insensitive media type and its charset. */
static void split_content_type(const char *ct, char *mime, size_t mime_size, char *charset,
			       size_t charset_size)
{
	const char *semi = strchr(ct, ';'), *cs;
	size_t n = semi ? (size_t)(semi - ct) : strlen(ct);

	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	n = MIN(n, mime_size - 1);
	memcpy(mime, ct, n);
	mime[n] = '\0';

	charset[0] = '\0';
	cs = semi ? strcasestr(semi, "charset=") : NULL;
	if (cs) {
		cs += strlen("charset=");
		if (*cs == '"')
			cs++;
		n = strcspn(cs, "\"; \t");
		n = MIN(n, charset_size - 1);
		memcpy(charset, cs, n);
		charset[n] = '\0';
	}
}

static int fetch(const struct options *o, struct result *r)
{
	_cleanup_(curl_easy_cleanupp) CURL *c = NULL;
	struct body body = {.max = o->max_bytes};
	char errbuf[CURL_ERROR_SIZE] = "";
	char *effective = NULL, *ct = NULL;
	char mime[BROWSE_CONTENT_TYPE_MAX + 1], charset[64];
	CURLcode cc;
	int ret = EXIT_RESPONSE;

	c = curl_easy_init();
	if (!c) {
		result_fail(r, "fetch '%.256s': cannot set up libcurl", o->url);
		return EXIT_FETCH_FAILED;
	}
	/* The proxy comes from HTTP_PROXY/HTTPS_PROXY as libcurl reads them; NO_PROXY is left as
	 * the daemon set it (loopback only), never widened here, so every host goes through it. */
	if (curl_easy_setopt(c, CURLOPT_URL, o->url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)o->max_redirects) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, BROWSE_USER_AGENT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_write) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, r) != CURLE_OK) {
		result_fail(r, "fetch '%.256s': libcurl refused an option", o->url);
		return EXIT_FETCH_FAILED;
	}
	/* No CURLOPT_COOKIEFILE/COOKIEJAR: the cookie engine stays off, nothing is kept. */

	cc = curl_easy_perform(c);

	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	(void)curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &r->redirects);
	if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective)
		r->url = strdup(effective);
	else
		r->url = strdup(o->url);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK || !ct)
		ct = "";
	split_content_type(ct, mime, sizeof(mime), charset, sizeof(charset));
	r->content_type = browse_html_utf8_copy(mime, strlen(mime), BROWSE_CONTENT_TYPE_MAX, NULL);
	if (!r->url || !r->content_type) {
		result_fail(r, "fetch '%.256s': out of memory", o->url);
		ret = EXIT_FETCH_FAILED;
		goto finish;
	}

	if (body.oom) {
		result_fail(r, "fetch '%.256s': out of memory for the body", o->url);
		ret = EXIT_FETCH_FAILED;
		goto finish;
	}
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && body.truncated)) {
		if (r->egress_reason[0])
			result_fail(r, "fetch '%.256s': refused by the egress proxy: %s", o->url,
				    r->egress_reason);
		else
			result_fail(r, "fetch '%.256s': %s", o->url,
				    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		ret = EXIT_FETCH_FAILED;
		goto finish;
	}
	if (r->egress_reason[0]) {
		/* A plain-HTTP refusal is an HTTP answer from the proxy, not from the site. */
		result_fail(r, "fetch '%.256s': refused by the egress proxy (HTTP %ld): %s", o->url,
			    r->status, r->egress_reason);
		ret = EXIT_FETCH_FAILED;
		goto finish;
	}

	r->truncated = body.truncated;
	if (is_html(mime)) {
		struct browse_html_page page = {};
		int k = browse_html_extract(body.data ? body.data : "", body.len,
					    charset[0] ? charset : NULL, r->url,
					    BROWSE_HTML_TEXT_MAX, &page);
		if (k < 0) {
			result_fail(r, "turn '%.256s' into text: %s", o->url, strerror(-k));
			ret = EXIT_FETCH_FAILED;
			goto finish;
		}
		r->title = TAKE_PTR(page.title);
		r->text = TAKE_PTR(page.text);
		r->links = TAKE_PTR(page.links);
		r->n_links = page.n_links;
		page.n_links = 0;
		r->truncated = r->truncated || page.truncated;
		browse_html_page_done(&page);
	} else if (is_text(mime)) {
		/* Text in another charset than UTF-8 shows as replacement characters; the bytes are
		 * never passed on unchecked. */
		r->text = browse_html_utf8_copy(body.data ? body.data : "", body.len,
						BROWSE_HTML_TEXT_MAX, &r->truncated);
		if (!r->text) {
			result_fail(r, "fetch '%.256s': out of memory", o->url);
			ret = EXIT_FETCH_FAILED;
		}
	}

finish:
	free(body.data);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = {};
	struct result r = {};
	int ret;

	if (parse_options(argc, argv, &o, &r) < 0) {
		usage(stderr);
		ret = EXIT_USAGE;
	} else if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		result_fail(&r, "fetch '%.256s': cannot initialise libcurl", o.url);
		ret = EXIT_FETCH_FAILED;
	} else {
		if (check_url(o.url, &r) < 0) {
			r.url = strdup(o.url);
			ret = EXIT_USAGE;
		} else {
			xmlInitParser();
			ret = fetch(&o, &r);
			xmlCleanupParser();
		}
		curl_global_cleanup();
	}

	if (result_print(&r) < 0 && ret == EXIT_RESPONSE)
		ret = EXIT_FETCH_FAILED;
	result_done(&r);
	return ret;
}
