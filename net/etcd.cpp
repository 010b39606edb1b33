// SPDX-License-Identifier: LGPL-2.1-or-later
//
// etcd.cpp - see etcd.hpp.  The gateway of etcd 3.4 answers JSON in which
// keys and values are base64 and 64-bit integers are strings; a lease
// keepalive is a stream, answered with chunked encoding.
#include "etcd.hpp"

#include <cerrno>
#include <cstring>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace memfabric::etcd {

namespace {

const char kB64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// JSON string escaping of @s (quotes included).
std::string quote(const std::string &s)
{
	std::string o = "\"";
	for (unsigned char c : s) {
		if (c == '"' || c == '\\') {
			o += '\\';
			o += static_cast<char>(c);
		} else if (c < 0x20) {
			char b[8];
			snprintf(b, sizeof(b), "\\u%04x", c);
			o += b;
		} else {
			o += static_cast<char>(c);
		}
	}
	return o + "\"";
}

// Wait for @fd to be ready for @events; 0, or -ETIMEDOUT / -errno.
int waitFd(int fd, short events, int timeoutMs)
{
	struct pollfd p = { fd, events, 0 };
	for (;;) {
		int n = poll(&p, 1, timeoutMs);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

// Undo chunked transfer encoding.
int dechunk(const std::string &in, std::string &out)
{
	size_t pos = 0;
	out.clear();
	for (;;) {
		size_t eol = in.find("\r\n", pos);
		if (eol == std::string::npos)
			return -EPROTO;
		unsigned long n = strtoul(in.substr(pos, eol - pos).c_str(),
					  nullptr, 16);
		pos = eol + 2;
		if (n == 0)
			return 0;
		if (pos + n > in.size())
			return -EPROTO;
		out.append(in, pos, n);
		pos += n + 2;
	}
}

} // namespace

std::string base64Encode(const std::string &in)
{
	std::string o;
	size_t i = 0;
	for (; i + 2 < in.size(); i += 3) {
		uint32_t v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8 |
			     (uint8_t)in[i + 2];
		o += kB64[v >> 18];
		o += kB64[(v >> 12) & 63];
		o += kB64[(v >> 6) & 63];
		o += kB64[v & 63];
	}
	if (i + 1 == in.size()) {
		uint32_t v = (uint8_t)in[i] << 16;
		o += kB64[v >> 18];
		o += kB64[(v >> 12) & 63];
		o += "==";
	} else if (i + 2 == in.size()) {
		uint32_t v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8;
		o += kB64[v >> 18];
		o += kB64[(v >> 12) & 63];
		o += kB64[(v >> 6) & 63];
		o += '=';
	}
	return o;
}

int base64Decode(const std::string &in, std::string &out)
{
	uint32_t v = 0;
	int bits = 0;
	out.clear();
	for (char c : in) {
		if (c == '=')
			break;
		const char *p = strchr(kB64, c);
		if (!p || !c)
			return -EINVAL;
		v = v << 6 | static_cast<uint32_t>(p - kB64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out += static_cast<char>((v >> bits) & 0xff);
		}
	}
	return 0;
}

bool jsonString(const std::string &json, const std::string &key,
		std::string &out, size_t from)
{
	std::string pat = "\"" + key + "\":";
	size_t p = json.find(pat, from);
	if (p == std::string::npos)
		return false;
	p += pat.size();
	while (p < json.size() && json[p] == ' ')
		p++;
	if (p >= json.size() || json[p] != '"')
		return false;
	out.clear();
	for (p++; p < json.size(); p++) {
		char c = json[p];
		if (c == '"')
			return true;
		if (c == '\\' && p + 1 < json.size())
			c = json[++p];
		out += c;
	}
	return false;
}

std::string NodeRecord::toJson() const
{
	std::string j = "{\"node\":" + quote(node) + ",\"number\":\"" +
			std::to_string(number) + "\",\"addr\":" + quote(addr) +
			",\"port\":\"" + std::to_string(port) + "\",\"pools\":[";
	for (size_t i = 0; i < pools.size(); i++)
		j += (i ? "," : "") + quote(pools[i]);
	return j + "]}";
}

int NodeRecord::fromJson(const std::string &json, NodeRecord &out)
{
	std::string number, port;
	if (!jsonString(json, "node", out.node) ||
	    !jsonString(json, "addr", out.addr) ||
	    !jsonString(json, "port", port))
		return -EINVAL;
	out.port = static_cast<unsigned>(strtoul(port.c_str(), nullptr, 10));
	if (jsonString(json, "number", number))
		out.number = strtoull(number.c_str(), nullptr, 10);
	out.pools.clear();
	size_t p = json.find("\"pools\":[");
	if (p != std::string::npos) {
		size_t end = json.find(']', p);
		size_t q = p + 9;
		while (q < end) {
			size_t a = json.find('"', q);
			if (a == std::string::npos || a >= end)
				break;
			size_t b = json.find('"', a + 1);
			if (b == std::string::npos || b > end)
				break;
			out.pools.push_back(json.substr(a + 1, b - a - 1));
			q = b + 1;
		}
	}
	return out.port && out.port < 65536 ? 0 : -EINVAL;
}

Client::Client(std::string endpoint, int timeoutMs) : timeoutMs_(timeoutMs)
{
	if (endpoint.rfind("http://", 0) == 0)
		endpoint.erase(0, 7);
	while (!endpoint.empty() && endpoint.back() == '/')
		endpoint.pop_back();
	size_t colon = endpoint.rfind(':');
	if (colon == std::string::npos) {
		host_ = endpoint;
		port_ = "2379";
	} else {
		host_ = endpoint.substr(0, colon);
		port_ = endpoint.substr(colon + 1);
	}
}

int Client::post(const std::string &path, const std::string &body,
		 std::string &resp) const
{
	struct addrinfo hints, *res = nullptr;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res);
	if (rc)
		return -EHOSTUNREACH;
	int fd = -1, err = -ECONNREFUSED;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS &&
		    waitFd(fd, POLLOUT, timeoutMs_) == 0) {
			int soerr = 0;
			socklen_t l = sizeof(soerr);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
			if (!soerr)
				break;
			err = -soerr;
		} else {
			err = -errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err;

	std::string req = "POST " + path + " HTTP/1.1\r\nHost: " + host_ +
			  ":" + port_ +
			  "\r\nContent-Type: application/json\r\n"
			  "Connection: close\r\nContent-Length: " +
			  std::to_string(body.size()) + "\r\n\r\n" + body;
	size_t off = 0;
	while (off < req.size()) {
		ssize_t n = send(fd, req.data() + off, req.size() - off,
				 MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			if ((rc = waitFd(fd, POLLOUT, timeoutMs_))) {
				close(fd);
				return rc;
			}
			continue;
		}
		if (n < 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
		off += static_cast<size_t>(n);
	}
	std::string raw;
	char buf[4096];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			raw.append(buf, static_cast<size_t>(n));
			if (raw.size() > (1u << 24))
				break;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EAGAIN) {
			if ((rc = waitFd(fd, POLLIN, timeoutMs_))) {
				close(fd);
				return rc;
			}
			continue;
		}
		if (errno == EINTR)
			continue;
		rc = -errno;
		close(fd);
		return rc;
	}
	close(fd);

	size_t hend = raw.find("\r\n\r\n");
	if (raw.compare(0, 9, "HTTP/1.1 ") && raw.compare(0, 9, "HTTP/1.0 "))
		return -EPROTO;
	if (hend == std::string::npos)
		return -EPROTO;
	int status = atoi(raw.c_str() + 9);
	std::string headers = raw.substr(0, hend);
	for (char &c : headers)
		c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
	std::string payload = raw.substr(hend + 4);
	if (headers.find("transfer-encoding: chunked") != std::string::npos) {
		rc = dechunk(payload, resp);
		if (rc)
			return rc;
	} else {
		resp = payload;
	}
	return status;
}

int Client::grant(int ttl, std::string &id) const
{
	std::string resp;
	int st = post("/v3/lease/grant",
		      "{\"TTL\":\"" + std::to_string(ttl) + "\"}", resp);
	if (st < 0)
		return st;
	if (st != 200 || !jsonString(resp, "ID", id))
		return -EPROTO;
	return 0;
}

int Client::keepAlive(const std::string &id) const
{
	std::string resp, ttl;
	int st = post("/v3/lease/keepalive", "{\"ID\":\"" + id + "\"}", resp);
	if (st < 0)
		return st;
	if (st != 200)
		return -EPROTO;
	// An expired lease comes back without a TTL (or with TTL 0).
	if (!jsonString(resp, "TTL", ttl) || ttl == "0")
		return -ENOENT;
	return 0;
}

int Client::revoke(const std::string &id) const
{
	std::string resp;
	int st = post("/v3/lease/revoke", "{\"ID\":\"" + id + "\"}", resp);
	if (st < 0)
		return st;
	return st == 200 ? 0 : -EPROTO;
}

int Client::put(const std::string &key, const std::string &value,
		const std::string &lease) const
{
	std::string body = "{\"key\":\"" + base64Encode(key) +
			   "\",\"value\":\"" + base64Encode(value) + "\"";
	if (!lease.empty())
		body += ",\"lease\":\"" + lease + "\"";
	body += "}";
	std::string resp;
	int st = post("/v3/kv/put", body, resp);
	if (st < 0)
		return st;
	return st == 200 ? 0 : -EPROTO;
}

int Client::putIfAbsent(const std::string &key, const std::string &value,
			uint64_t &createRev) const
{
	std::string k = base64Encode(key);
	std::string body =
		"{\"compare\":[{\"key\":\"" + k +
		"\",\"target\":\"CREATE\",\"create_revision\":\"0\"}],"
		"\"success\":[{\"requestPut\":{\"key\":\"" + k +
		"\",\"value\":\"" + base64Encode(value) + "\"}}]}";
	std::string resp;
	int st = post("/v3/kv/txn", body, resp);
	if (st < 0)
		return st;
	if (st != 200)
		return -EPROTO;
	std::vector<std::pair<std::string, std::string>> kv;
	std::string out;
	st = post("/v3/kv/range", "{\"key\":\"" + k + "\"}", out);
	if (st < 0)
		return st;
	std::string rev;
	if (st != 200 || !jsonString(out, "create_revision", rev))
		return -EPROTO;
	createRev = strtoull(rev.c_str(), nullptr, 10);
	return 0;
}

int Client::range(const std::string &prefix, bool exact,
		  std::vector<std::pair<std::string, std::string>> &out) const
{
	std::string body = "{\"key\":\"" + base64Encode(prefix) + "\"";
	if (!exact) {
		std::string end = prefix;
		while (!end.empty() &&
		       static_cast<unsigned char>(end.back()) == 0xff)
			end.pop_back();
		if (!end.empty())
			end.back() = static_cast<char>(end.back() + 1);
		body += ",\"range_end\":\"" + base64Encode(end) + "\"";
	}
	body += "}";
	std::string resp;
	int st = post("/v3/kv/range", body, resp);
	if (st < 0)
		return st;
	if (st != 200)
		return -EPROTO;
	out.clear();
	size_t pos = resp.find("\"kvs\":[");
	while (pos != std::string::npos) {
		size_t k = resp.find("\"key\":", pos);
		if (k == std::string::npos)
			break;
		std::string k64, v64, key, value;
		if (!jsonString(resp, "key", k64, k) ||
		    !jsonString(resp, "value", v64, k))
			break;
		if (base64Decode(k64, key) || base64Decode(v64, value))
			return -EPROTO;
		out.emplace_back(key, value);
		pos = resp.find("\"value\":", k);
		if (pos != std::string::npos)
			pos++;
	}
	return 0;
}

int Client::findNode(const std::string &node, NodeRecord &out) const
{
	std::vector<std::pair<std::string, std::string>> kv;
	int rc = range(std::string(kNodePrefix) + node, true, kv);
	if (rc)
		return rc;
	if (kv.empty())
		return -ENOENT;
	return NodeRecord::fromJson(kv[0].second, out);
}

} // namespace memfabric::etcd
