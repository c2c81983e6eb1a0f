#ifndef CUSTODY_CSHA256_SHIM_H
#define CUSTODY_CSHA256_SHIM_H
// BoringSSL's one-call SHA-256, as swift-crypto builds it on Linux (its vendored BoringSSL's
// symbols carry the CCryptoBoringSSL_ prefix, and the executable links them through the
// Crypto product). Only declared here: nothing of BoringSSL is copied. Swift code calls it
// on Linux only; elsewhere swift-crypto uses the system's CryptoKit and this symbol is absent.
#include <stddef.h>
#include <stdint.h>

// Writes SHA-256 of data[0..<len] to out[0..<32] and returns out.
uint8_t *CCryptoBoringSSL_SHA256(const uint8_t *data, size_t len, uint8_t *out);
#endif
