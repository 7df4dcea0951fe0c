// The C surface of OpenSSL (libssl-dev) that SinkKit's TLS syslog transport
// uses, plus inline wrappers for what Swift cannot import (macros).
#ifndef CALLGUARD_COPENSSL_SHIM_H
#define CALLGUARD_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/// SSL_set_tlsext_host_name (a macro): the SNI name to send.
static inline int COpenSSL_set_sni(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
/// SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) (a macro).
static inline int COpenSSL_require_tls12(SSL_CTX *ctx) { return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
/// SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY) (a macro).
static inline void COpenSSL_auto_retry(SSL_CTX *ctx) { SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY); }

#endif
