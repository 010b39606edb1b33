// SPDX-License-Identifier: LGPL-2.1-or-later
//
// etcd.hpp - a small client of etcd v3's HTTP/JSON gateway (/v3/...),
// shared by mfserverd (registration, lease keepalive) and libmemfabric
// (discovery).  Plain HTTP/1.1 over a TCP socket; no TLS.
#ifndef MEMFABRIC_ETCD_HPP
#define MEMFABRIC_ETCD_HPP

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace memfabric::etcd {

// Where node records live: PREFIX + node name.
constexpr const char *kNodePrefix = "/memfabric/nodes/";
// Persistent keys whose create revision numbers the nodes.
constexpr const char *kNumberPrefix = "/memfabric/numbers/";

// A node record, the value of kNodePrefix + node (JSON).
struct NodeRecord {
	std::string node;
	uint64_t number = 0;
	std::string addr;
	unsigned port = 0;
	std::vector<std::string> pools;

	std::string toJson() const;
	// 0 or -EINVAL.
	static int fromJson(const std::string &json, NodeRecord &out);
};

std::string base64Encode(const std::string &in);
// 0 or -EINVAL.
int base64Decode(const std::string &in, std::string &out);

// The string value of "key" in @json at or after @from; false if none.
bool jsonString(const std::string &json, const std::string &key,
		std::string &out, size_t from = 0);

class Client {
public:
	// @endpoint: "host:port" or "http://host:port".
	explicit Client(std::string endpoint, int timeoutMs = 3000);

	// POST @body to @path; @resp gets the (de-chunked) body.  The HTTP
	// status (200 ...) or a negative errno.
	int post(const std::string &path, const std::string &body,
		 std::string &resp) const;

	// A lease of @ttl seconds: 0 and its @id, or -errno.
	int grant(int ttl, std::string &id) const;
	// Refresh lease @id: 0, -ENOENT if it expired, or -errno.
	int keepAlive(const std::string &id) const;
	int revoke(const std::string &id) const;
	// Put @key = @value, attached to @lease ("" = none).
	int put(const std::string &key, const std::string &value,
		const std::string &lease) const;
	// Create @key = @value unless it exists; either way @createRev gets
	// the key's create revision.
	int putIfAbsent(const std::string &key, const std::string &value,
			uint64_t &createRev) const;
	// Every key that starts with @prefix (or exactly @prefix when
	// @exact), with its value.
	int range(const std::string &prefix, bool exact,
		  std::vector<std::pair<std::string, std::string>> &out) const;

	// Convenience: the record of @node, -ENOENT if none.
	int findNode(const std::string &node, NodeRecord &out) const;

private:
	std::string host_;
	std::string port_;
	int timeoutMs_;
};

} // namespace memfabric::etcd

#endif // MEMFABRIC_ETCD_HPP
