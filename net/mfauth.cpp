// SPDX-License-Identifier: LGPL-2.1-or-later
//
// mfauth.cpp - key files, nonces and MACs of protocol 4 (mfauth.hpp).
#include "mfauth.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace memfabric::auth {

int readKey(const std::string &path, std::string &key, std::string &why)
{
	key.clear();
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		why = path + ": " + strerror(e);
		return -e;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st)) {
		rc = -errno;
		why = path + ": " + strerror(-rc);
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		why = path + ": not a regular file";
	} else if (st.st_mode & 077) {
		rc = -EACCES;
		why = path + ": its group or others may access it (chmod 0600)";
	} else if (st.st_size < static_cast<off_t>(kKeyMin) ||
		   st.st_size > static_cast<off_t>(kKeyMax)) {
		rc = -EINVAL;
		why = path + ": a key is " + std::to_string(kKeyMin) + " to " +
		      std::to_string(kKeyMax) + " bytes";
	}
	if (!rc) {
		key.resize(static_cast<size_t>(st.st_size));
		size_t got = 0;
		while (got < key.size()) {
			ssize_t n = ::read(fd, &key[got], key.size() - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = n < 0 ? -errno : -EIO;
				why = path + ": short read";
				break;
			}
			got += static_cast<size_t>(n);
		}
	}
	::close(fd);
	if (rc) {
		OPENSSL_cleanse(&key[0], key.size());
		key.clear();
	}
	return rc;
}

int randomBytes(uint8_t *p, size_t n)
{
	return RAND_bytes(p, static_cast<int>(n)) == 1 ? 0 : -EIO;
}

int mac(const std::string &key, const char *label, const char *client,
	const char *node, const uint8_t *cnonce, const uint8_t *snonce,
	uint8_t out[MFP_MAC_LEN])
{
	mfp_auth_transcript t;
	memset(&t, 0, sizeof(t));
	strncpy(t.label, label, sizeof(t.label) - 1);
	strncpy(t.client, client, sizeof(t.client) - 1);
	strncpy(t.node, node, sizeof(t.node) - 1);
	memcpy(t.client_nonce, cnonce, sizeof(t.client_nonce));
	memcpy(t.server_nonce, snonce, sizeof(t.server_nonce));
	unsigned len = 0;
	if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
		  reinterpret_cast<const unsigned char *>(&t), sizeof(t), out,
		  &len) ||
	    len != MFP_MAC_LEN)
		return -EIO;
	return 0;
}

bool sameMac(const uint8_t *a, const uint8_t *b)
{
	return CRYPTO_memcmp(a, b, MFP_MAC_LEN) == 0;
}

} // namespace memfabric::auth
