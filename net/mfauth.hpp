// SPDX-License-Identifier: LGPL-2.1-or-later
//
// mfauth.hpp - the authentication of protocol 4 (net/mfproto.h), shared
// by libmemfabric and mfserverd: key files, nonces and the MACs, all by
// OpenSSL's libcrypto (HMAC-SHA256, RAND_bytes, CRYPTO_memcmp).
#ifndef MEMFABRIC_NET_MFAUTH_HPP
#define MEMFABRIC_NET_MFAUTH_HPP

#include "mfproto.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace memfabric::auth {

// Smallest and largest key file.
constexpr size_t kKeyMin = 16;
constexpr size_t kKeyMax = 4096;

// Read the secret key at @path: its bytes, all of them, are the key.  It
// must be a regular file of kKeyMin to kKeyMax bytes that neither its
// group nor others may read or write (mode 0600 or 0400, like an ssh
// key).  0 or -errno (-EACCES: mode too open; -EINVAL: size), with the
// reason in @why.
int readKey(const std::string &path, std::string &key, std::string &why);

// @n random bytes from OpenSSL's CSPRNG.  0 or -EIO.
int randomBytes(uint8_t *p, size_t n);

// HMAC-SHA256 with @key of struct mfp_auth_transcript { @label, @client,
// @node, @cnonce, @snonce } into @out.  0 or -EIO.
int mac(const std::string &key, const char *label, const char *client,
	const char *node, const uint8_t *cnonce, const uint8_t *snonce,
	uint8_t out[MFP_MAC_LEN]);

// Whether two MACs are equal, in constant time.
bool sameMac(const uint8_t *a, const uint8_t *b);

} // namespace memfabric::auth

#endif // MEMFABRIC_NET_MFAUTH_HPP
