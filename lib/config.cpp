// SPDX-License-Identifier: LGPL-2.1-or-later
//
// config.cpp - the BM_Init() config file and BmInitAttr overrides.
//
// File format (see BM_Init(3)): one `key = value` per line; blanks around
// key and value are ignored; '#' at the start of a line or after a blank
// starts a comment; blank lines are ignored; a later key overrides an
// earlier one.  Keys: device, default_pool, log_level, remote (repeatable:
// one remote node each), etcd, etcd_cacert, etcd_cert, etcd_key,
// remote_client, remote_key.
#include "internal.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

namespace memfabric::detail {

namespace {

int checkEndpoint(const std::string &value);

bool isBlank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s)
{
	while (!s.empty() && isBlank(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && isBlank(s.back()))
		s.remove_suffix(1);
	return s;
}

// @s for a log line: control characters shown as '?'.
std::string printable(std::string_view s)
{
	std::string out(s);

	for (char &c : out)
		if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
			c = '?';
	return out;
}

// Read all of @path, at most kMaxConfigSize bytes.
int readFile(const char *path, std::string &out)
{
	UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));

	if (!fd)
		return -errno;
	out.clear();
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd.get(), buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		if (out.size() + static_cast<size_t>(n) > kMaxConfigSize)
			return -EFBIG;
		out.append(buf, static_cast<size_t>(n));
	}
}

int parseLine(const char *path, unsigned lineno, std::string_view line,
	      Config &cfg)
{
	// A '#' at the start or after a blank begins a comment.
	for (size_t i = 0; i < line.size(); i++) {
		if (line[i] == '#' && (i == 0 || isBlank(line[i - 1]))) {
			line = line.substr(0, i);
			break;
		}
	}
	line = trim(line);
	if (line.empty())
		return 0;

	size_t eq = line.find('=');
	if (eq == std::string_view::npos) {
		log(BM_LOG_ERROR, "%s:%u: expected 'key = value'", path,
		    lineno);
		return -EINVAL;
	}
	std::string key(trim(line.substr(0, eq)));
	std::string value(trim(line.substr(eq + 1)));
	if (key.empty() || value.empty()) {
		log(BM_LOG_ERROR, "%s:%u: empty %s", path, lineno,
		    key.empty() ? "key" : "value");
		return -EINVAL;
	}
	int rc;
	if (key == "device") {
		rc = checkDevice(value);
		if (!rc)
			cfg.device = value;
	} else if (key == "default_pool") {
		rc = checkPoolName(value);
		if (!rc)
			cfg.defaultPool = value;
	} else if (key == "log_level") {
		rc = parseLogLevel(value, cfg.logLevel);
	} else if (key == "remote") {
		rc = parseRemote(value, cfg);
	} else if (key == "etcd") {
		rc = checkEndpoint(value);
		if (!rc)
			cfg.etcd = value;
	} else if (key == "etcd_cacert" || key == "etcd_cert" ||
		   key == "etcd_key") {
		// PEM files for TLS towards etcd: a path, as for `device`.
		rc = checkDevice(value);
		if (!rc)
			(key == "etcd_cacert" ? cfg.etcdCaFile
			 : key == "etcd_cert" ? cfg.etcdCertFile
					      : cfg.etcdKeyFile) = value;
	} else if (key == "remote_client") {
		// The name this client has in the servers' identity maps.
		rc = checkObjName(value);
		if (!rc && value.find(':') != std::string::npos)
			rc = -EINVAL;
		if (!rc)
			cfg.remoteClient = value;
	} else if (key == "remote_key") {
		// Its secret key file (read at each connection).
		rc = checkDevice(value);
		if (!rc)
			cfg.remoteKeyFile = value;
	} else {
		log(BM_LOG_ERROR, "%s:%u: unknown key '%s'", path, lineno,
		    printable(key).c_str());
		return -EINVAL;
	}
	if (rc)
		log(BM_LOG_ERROR, "%s:%u: invalid %s '%s'", path, lineno,
		    key.c_str(), printable(value).c_str());
	return rc;
}

// HOST[:PORT] (or http://HOST:PORT for etcd): printable, no blanks.
int checkEndpoint(const std::string &value)
{
	if (value.empty() || value.size() > 255)
		return -EINVAL;
	for (unsigned char c : value)
		if (c <= 0x20 || c >= 0x7f || c == ',' || c == '=')
			return -EINVAL;
	return 0;
}

} // namespace

int parseRemote(const std::string &spec, Config &cfg)
{
	std::string_view s = trim(spec);
	size_t sep = s.find_first_of("= \t");
	if (sep == std::string_view::npos)
		return -EINVAL;
	std::string node(trim(s.substr(0, sep)));
	std::string addr(trim(s.substr(sep + 1)));
	if (checkPoolName(node) || checkEndpoint(addr))
		return -EINVAL;
	cfg.remotes[node] = addr;
	return 0;
}

int checkDevice(const std::string &value)
{
	if (value.empty() || value.size() >= PATH_MAX)
		return -EINVAL;
	for (unsigned char c : value)
		if (c < 0x20 || c == 0x7f)
			return -EINVAL;
	return 0;
}

int checkPoolName(const std::string &value)
{
	if (value.empty() || value.size() >= BM_POOL_NAME_LEN)
		return -EINVAL;
	for (char c : value) {
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' ||
			  c == '.';
		if (!ok)
			return -EINVAL;
	}
	return 0;
}

int parseLogLevel(const std::string &value, BmLogLevel &out)
{
	static const struct {
		const char *name;
		BmLogLevel level;
	} names[] = {
		{ "error", BM_LOG_ERROR },
		{ "warn", BM_LOG_WARN },
		{ "info", BM_LOG_INFO },
		{ "debug", BM_LOG_DEBUG },
	};

	for (const auto &n : names) {
		// The size check keeps "debug\0junk" out.
		if (value.size() == strlen(n.name) &&
		    !strcasecmp(value.c_str(), n.name)) {
			out = n.level;
			return 0;
		}
	}
	return -EINVAL;
}

int parseConfigFile(const char *path, Config &cfg)
{
	if (!*path)
		return -EINVAL;

	std::string text;
	int rc = readFile(path, text);
	if (rc) {
		log(BM_LOG_INFO, "cannot read config %s: %s", path,
		    systemErrorText(-rc));
		return rc;
	}

	std::string_view rest(text);
	unsigned lineno = 0;
	while (!rest.empty()) {
		size_t nl = rest.find('\n');
		std::string_view line = rest.substr(0, nl);

		rest.remove_prefix(nl == std::string_view::npos ? rest.size()
								: nl + 1);
		rc = parseLine(path, ++lineno, line, cfg);
		if (rc)
			return rc;
	}
	log(BM_LOG_DEBUG, "config %s: device=%s default_pool=%s", path,
	    cfg.device.c_str(), cfg.defaultPool.c_str());
	return 0;
}

int copyInitAttr(const void *user, BmInitAttr &out)
{
	// The first published BmInitAttr ends with @reserved.
	constexpr size_t kSizeVer0 =
		offsetof(BmInitAttr, reserved) + sizeof(uint32_t);

	if (!user)
		return -EINVAL;

	uint32_t size;
	memcpy(&size, user, sizeof(size));
	if (size < kSizeVer0)
		return -EINVAL;
	if (size > kMaxStructSize)
		return -E2BIG;
	// Sizes this library knows end on a field: the first version, with
	// @remoteNodes, with @etcd (the remote fabric).  A size in between
	// would cut a pointer in half.
	constexpr size_t kSizeRemote1 =
		offsetof(BmInitAttr, remoteNodes) + sizeof(const char *);
	if (size < sizeof(BmInitAttr) && size != kSizeVer0 &&
	    size != kSizeRemote1)
		return -EINVAL;

	memset(&out, 0, sizeof(out));
	memcpy(&out, user, size < sizeof(out) ? size : sizeof(out));
	const unsigned char *bytes = static_cast<const unsigned char *>(user);
	for (size_t i = sizeof(out); i < size; i++)
		if (bytes[i])
			return -E2BIG;
	if (out.flags || out.reserved)
		return -EINVAL;
	return 0;
}

int applyInitAttr(const BmInitAttr &attr, Config &cfg)
{
	// strnlen first: an unterminated string is not read past its bound.
	if (attr.device) {
		cfg.device.assign(attr.device, strnlen(attr.device, PATH_MAX));
		if (checkDevice(cfg.device))
			return -EINVAL;
	}
	if (attr.defaultPool) {
		cfg.defaultPool.assign(attr.defaultPool,
					  strnlen(attr.defaultPool,
						  BM_POOL_NAME_LEN));
		if (checkPoolName(cfg.defaultPool))
			return -EINVAL;
	}
	if (attr.remoteNodes) {
		std::string all(attr.remoteNodes,
				strnlen(attr.remoteNodes, kMaxConfigSize));
		size_t pos = 0;
		while (pos <= all.size()) {
			size_t comma = all.find(',', pos);
			if (comma == std::string::npos)
				comma = all.size();
			std::string one = all.substr(pos, comma - pos);
			if (parseRemote(one, cfg))
				return -EINVAL;
			pos = comma + 1;
		}
	}
	if (attr.etcd) {
		std::string e(attr.etcd, strnlen(attr.etcd, 256));
		if (checkEndpoint(e))
			return -EINVAL;
		cfg.etcd = e;
	}
	if (attr.logLevel != BM_LOG_UNSET) {
		if (attr.logLevel < BM_LOG_ERROR ||
		    attr.logLevel > BM_LOG_DEBUG)
			return -EINVAL;
		cfg.logLevel = static_cast<BmLogLevel>(attr.logLevel);
	}
	return 0;
}

} // namespace memfabric::detail
