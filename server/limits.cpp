// SPDX-License-Identifier: GPL-2.0
//
// limits.cpp - mfserverd's limits (Documentation/remote.md, Limits): what
// one client and all clients together may hold (connections, handles,
// pinned bytes, staging buffers), how many requests of a connection are
// served per turn of the loop, and the deadlines.  Read from the file of
// --limits in the format of the library's config file (BM_Init(3)): one
// `key = value` per line, '#' starts a comment.  Sizes take a K, M or G
// suffix (powers of 1024).
#include "mfserverd.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace mfserverd {

Limits g_lim;
uint64_t g_nrHandles, g_pinned, g_staging;

namespace {

std::string trim(const std::string &s)
{
	size_t b = s.find_first_not_of(" \t\r");
	size_t e = s.find_last_not_of(" \t\r");
	return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// @v as a number with an optional K/M/G suffix, at most @max.
bool number(const std::string &v, uint64_t max, uint64_t &out)
{
	if (v.empty() || !isdigit(static_cast<unsigned char>(v[0])))
		return false;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(v.c_str(), &end, 10);
	if (errno)
		return false;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && n > (max >> shift)) || (n << shift) > max)
		return false;
	out = n << shift;
	return true;
}

} // namespace

int loadLimits(const std::string &path)
{
	std::ifstream f(path);
	if (!f) {
		LOG_ERR("%s: cannot open", path.c_str());
		return -ENOENT;
	}
	struct Key {
		const char *name;
		uint64_t min, max;
		uint64_t *u64;
		unsigned *u;
	};
	const Key keys[] = {
		{ "max_connections", 1, 65536, nullptr, &g_lim.maxConns },
		{ "max_connections_per_host", 1, 65536, nullptr,
		  &g_lim.maxConnsPerHost },
		{ "max_handles_per_connection", 1, 1u << 24, nullptr,
		  &g_lim.maxHandlesPerConn },
		{ "max_handles", 1, 1u << 26, nullptr, &g_lim.maxHandles },
		{ "max_pinned_per_connection", 0, 1ull << 50,
		  &g_lim.maxPinnedPerConn, nullptr },
		{ "max_pinned", 0, 1ull << 50, &g_lim.maxPinned, nullptr },
		{ "max_staging", 0, 1ull << 40, &g_lim.maxStaging, nullptr },
		{ "requests_per_turn", 1, MFP_RECV_DEPTH, nullptr,
		  &g_lim.requestsPerTurn },
		{ "op_timeout_ms", 100, 600000, nullptr, &g_lim.opTimeoutMs },
		{ "keepalive_s", 1, 3600, nullptr, &g_lim.keepaliveSec },
		{ "idle_timeout_s", 0, 1u << 30, nullptr,
		  &g_lim.idleTimeoutSec },
		{ "auth_timeout_s", 1, 600, nullptr, &g_lim.authTimeoutSec },
	};
	std::string line;
	unsigned lineno = 0;
	while (std::getline(f, line)) {
		lineno++;
		size_t hash = line.find('#');
		if (hash != std::string::npos &&
		    (hash == 0 || line[hash - 1] == ' ' || line[hash - 1] == '\t'))
			line.erase(hash);
		line = trim(line);
		if (line.empty())
			continue;
		size_t eq = line.find('=');
		std::string k = trim(line.substr(0, eq));
		std::string v = eq == std::string::npos
					? std::string()
					: trim(line.substr(eq + 1));
		const Key *key = nullptr;
		for (const Key &x : keys)
			if (k == x.name)
				key = &x;
		uint64_t n;
		if (!key) {
			LOG_ERR("%s:%u: unknown key '%s'", path.c_str(), lineno,
				k.c_str());
			return -EINVAL;
		}
		if (!number(v, key->max, n) || n < key->min) {
			LOG_ERR("%s:%u: %s: '%s' is not a number from %llu to "
				"%llu", path.c_str(), lineno, k.c_str(),
				v.c_str(), (unsigned long long)key->min,
				(unsigned long long)key->max);
			return -EINVAL;
		}
		if (key->u64)
			*key->u64 = n;
		else
			*key->u = static_cast<unsigned>(n);
	}
	return 0;
}

} // namespace mfserverd
