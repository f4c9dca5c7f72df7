/* SPDX-License-Identifier: MIT */
/* The first bytes a client sends through a CONNECT tunnel: is it a TLS ClientHello, and which
 * server name (SNI) does it ask for. Bounded and pure; the tunnel itself is egress-proxy.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EGRESS_TLS_RECORD_MAX 16384 /* plaintext record bytes (RFC 8446 5.1) */
#define EGRESS_TLS_PEEK_MAX   (5 + EGRESS_TLS_RECORD_MAX) /* header + one whole record */
#define EGRESS_TLS_SNI_MAX    253

/* True when buf starts like a TLS handshake record (content type 22, major version 3); the
 * bytes are then held to one ClientHello and must pass egress_tls_parse_sni(). */
bool egress_tls_is_handshake(const uint8_t *buf, size_t len);

/* Parses the ClientHello in the first record of buf[0..len). Returns 1 and the lowercased
 * host_name in ret_sni, 0 for a ClientHello without server_name, -EAGAIN when the first record
 * is not complete yet, -EBADMSG when it is not a well-formed ClientHello in one record. */
int egress_tls_parse_sni(const uint8_t *buf, size_t len,
			 char ret_sni[static EGRESS_TLS_SNI_MAX + 1]);
