// SPDX-License-Identifier: LGPL-2.1-or-later
//
// etcd.hpp - a small client of etcd v3's HTTP/JSON gateway (/v3/...),
// shared by mfserverd (registration, lease keepalive) and libmemfabric
// (discovery).  HTTP and TLS by libcurl, JSON by nlohmann-json; every
// request has an overall deadline, and an answer that is not what etcd
// sends (bad JSON, a missing field, a bad number) is an error.
#ifndef MEMFABRIC_ETCD_HPP
#define MEMFABRIC_ETCD_HPP

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace memfabric::etcd {

// Where node records live: PREFIX + node name.
constexpr const char *kNodePrefix = "/memfabric/nodes/";
// Persistent keys whose create revision numbers the nodes.
constexpr const char *kNumberPrefix = "/memfabric/numbers/";
// The default overall deadline of one request.
constexpr int kDefaultTimeoutMs = 3000;
// The largest answer accepted (-EFBIG beyond).
constexpr size_t kMaxResponse = 16u << 20;

// A node record, the value of kNodePrefix + node (JSON).
struct NodeRecord {
	std::string node;
	uint64_t number = 0;
	std::string addr;
	unsigned port = 0;
	std::vector<std::string> pools;

	std::string toJson() const;
	// 0 or -EINVAL (not JSON, a field missing or of the wrong type, a
	// port out of 1..65535).
	static int fromJson(const std::string &json, NodeRecord &out);
};

// Base64 (RFC 4648, padded) by OpenSSL.  Decode: 0 or -EINVAL.
std::string base64Encode(const std::string &in);
int base64Decode(const std::string &in, std::string &out);

// TLS towards etcd: PEM files; empty ones are not used.  With any of
// them set, an endpoint without a scheme is https://.
struct Tls {
	std::string caFile;	// the CA that signed etcd's certificate
	std::string certFile;	// our client certificate
	std::string keyFile;	// its private key

	bool empty() const
	{
		return caFile.empty() && certFile.empty() && keyFile.empty();
	}
};

// One client of one etcd endpoint.  It keeps its connection (and TLS
// session) for the next request: a keepalive every few seconds costs no
// new handshake.  Not for two threads at once.
class Client {
public:
	// @endpoint: "host[:port]" (port 2379 by default), or with a scheme,
	// "http://host:port" or "https://host:port".
	explicit Client(const std::string &endpoint, Tls tls = Tls(),
			int timeoutMs = kDefaultTimeoutMs);
	~Client();
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;

	// POST the JSON @body to @path; @resp gets the answer's body.  The
	// HTTP status (200 ...) or a negative errno: -ECONNREFUSED,
	// -EHOSTUNREACH, -ETIMEDOUT (the deadline passed), -ECONNRESET,
	// -EFBIG (answer over kMaxResponse), -EPROTO (not HTTP, or TLS
	// failed), -EACCES (etcd's certificate not trusted), -EINVAL (a bad
	// endpoint or an unusable TLS file), -ENOMEM, -EIO.
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
	// Put @key = @value under @lease if the key does not exist or is
	// already @lease's (a transaction): 0, -EEXIST if another lease owns
	// it, or -errno.
	int putOwned(const std::string &key, const std::string &value,
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

	// What went wrong in the last failed call, for a log line.
	const std::string &lastError() const { return err_; }
	// The URL requests go to, without the path.
	const std::string &url() const { return url_; }

private:
	int fail(int rc, const std::string &what) const;
	// POST @body to @path; a 200 answer goes to @onAnswer, whose
	// exceptions (an answer that is not what etcd sends) are -EPROTO.
	int call(const char *path, const std::string &body,
		 const std::function<int(const std::string &)> &onAnswer) const;

	std::string url_;
	Tls tls_;
	int timeoutMs_;
	mutable std::string err_;
	mutable void *curl_ = nullptr; // the CURL easy handle, kept

};

} // namespace memfabric::etcd

#endif // MEMFABRIC_ETCD_HPP
