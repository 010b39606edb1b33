// SPDX-License-Identifier: LGPL-2.1-or-later
//
// etcd.cpp - see etcd.hpp.  The gateway of etcd 3.4 answers JSON in which
// keys and values are base64 and 64-bit integers are strings, and leaves
// out fields with a zero value (an empty value, a lease's TTL once it
// expired).  A lease keepalive is a stream: its answer is one JSON object
// per line, of which the first is ours.
#include "etcd.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace memfabric::etcd {

using json = nlohmann::json;

namespace {

// An answer that is not what etcd sends.
struct BadAnswer {
	std::string what;
};

void initCurl()
{
	static std::once_flag once;
	std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A decimal unsigned 64-bit number: etcd's int64 fields as strings (or
// as JSON numbers); anything else, a sign or an overflow included, is a
// BadAnswer.
uint64_t u64Of(const json &j, const char *field)
{
	if (j.is_number_unsigned())
		return j.get<uint64_t>();
	if (j.is_string()) {
		const std::string &s = j.get_ref<const std::string &>();
		if (!s.empty() && s.size() <= 20 &&
		    s.find_first_not_of("0123456789") == std::string::npos) {
			errno = 0;
			unsigned long long v = strtoull(s.c_str(), nullptr, 10);
			if (errno != ERANGE)
				return v;
		}
	}
	throw BadAnswer{ std::string("bad number in \"") + field + "\"" };
}

const json &member(const json &obj, const char *field)
{
	if (!obj.is_object())
		throw BadAnswer{ std::string("no object around \"") + field +
				 "\"" };
	auto it = obj.find(field);
	if (it == obj.end())
		throw BadAnswer{ std::string("no \"") + field + "\"" };
	return *it;
}

const std::string &stringOf(const json &j, const char *field)
{
	if (!j.is_string())
		throw BadAnswer{ std::string("\"") + field +
				 "\" is not a string" };
	return j.get_ref<const std::string &>();
}

std::string decoded(const json &j, const char *field)
{
	std::string out;
	if (base64Decode(stringOf(j, field), out))
		throw BadAnswer{ std::string("bad base64 in \"") + field +
				 "\"" };
	return out;
}

json parseAnswer(const std::string &text)
{
	json j = json::parse(text, nullptr, false);
	if (j.is_discarded() || !j.is_object())
		throw BadAnswer{ "not a JSON object" };
	return j;
}

size_t collect(char *p, size_t size, size_t n, void *arg)
{
	auto *s = static_cast<std::string *>(arg);
	size_t len = size * n;
	if (s->size() + len > kMaxResponse)
		return 0; // CURLE_WRITE_ERROR: -EFBIG
	try {
		s->append(p, len);
	} catch (...) {
		return 0;
	}
	return len;
}

int errnoOf(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		return -EFBIG;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
		return -EINVAL;
	case CURLE_PEER_FAILED_VERIFICATION:
		return -EACCES;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return -ECONNRESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return -EPROTO;
	default:
		return -EIO;
	}
}

// The JSON text of @j (never throws on odd bytes: they become U+FFFD).
std::string dump(const json &j)
{
	return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string base64Encode(const std::string &in)
{
	std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
	int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(&out[0]),
				reinterpret_cast<const unsigned char *>(
					in.data()),
				static_cast<int>(in.size()));
	out.resize(n > 0 ? static_cast<size_t>(n) : 0);
	return out;
}

int base64Decode(const std::string &in, std::string &out)
{
	// OpenSSL decodes; it is lenient about where '=' may stand and
	// counts padding as zero bytes, so the shape is checked here.
	static const char kAlphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	out.clear();
	if (in.size() % 4 || in.size() > INT_MAX)
		return -EINVAL;
	size_t pad = 0;
	while (pad < 2 && pad < in.size() && in[in.size() - 1 - pad] == '=')
		pad++;
	if (in.find_first_not_of(kAlphabet) < in.size() - pad)
		return -EINVAL;
	if (in.empty())
		return 0;
	out.resize(in.size() / 4 * 3);
	int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(&out[0]),
				reinterpret_cast<const unsigned char *>(
					in.data()),
				static_cast<int>(in.size()));
	if (n < 0 || static_cast<size_t>(n) != out.size()) {
		out.clear();
		return -EINVAL;
	}
	out.resize(out.size() - pad);
	return 0;
}

std::string NodeRecord::toJson() const
{
	// The order of the fields as written by earlier versions.
	nlohmann::ordered_json j;
	j["node"] = node;
	j["number"] = std::to_string(number);
	j["addr"] = addr;
	j["port"] = std::to_string(port);
	j["pools"] = pools;
	return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

int NodeRecord::fromJson(const std::string &text, NodeRecord &out)
{
	try {
		json j = parseAnswer(text);
		NodeRecord r;
		r.node = stringOf(member(j, "node"), "node");
		r.addr = stringOf(member(j, "addr"), "addr");
		uint64_t port = u64Of(member(j, "port"), "port");
		if (!port || port > 65535)
			return -EINVAL;
		r.port = static_cast<unsigned>(port);
		if (j.contains("number"))
			r.number = u64Of(j["number"], "number");
		if (j.contains("pools")) {
			const json &p = j["pools"];
			if (!p.is_array())
				return -EINVAL;
			for (const json &e : p)
				r.pools.push_back(stringOf(e, "pools"));
		}
		out = std::move(r);
		return 0;
	} catch (const BadAnswer &) {
		return -EINVAL;
	} catch (const json::exception &) {
		return -EINVAL;
	} catch (const std::bad_alloc &) {
		return -ENOMEM;
	}
}

Client::Client(const std::string &endpoint, Tls tls, int timeoutMs)
	: tls_(std::move(tls)), timeoutMs_(timeoutMs > 0 ? timeoutMs : 1)
{
	std::string hp = endpoint;
	std::string scheme = tls_.empty() ? "http://" : "https://";
	for (const char *s : { "http://", "https://" })
		if (hp.rfind(s, 0) == 0) {
			scheme = s;
			hp.erase(0, strlen(s));
		}
	while (!hp.empty() && hp.back() == '/')
		hp.pop_back();
	// No port (after an IPv6 literal's ']'): etcd's.
	size_t colon = hp.rfind(':'), bracket = hp.rfind(']');
	if (colon == std::string::npos ||
	    (bracket != std::string::npos && colon < bracket))
		hp += ":2379";
	url_ = scheme + hp;
}

Client::~Client()
{
	if (curl_)
		curl_easy_cleanup(static_cast<CURL *>(curl_));
}

int Client::fail(int rc, const std::string &what) const
{
	err_ = what;
	return rc;
}

int Client::post(const std::string &path, const std::string &body,
		 std::string &resp) const
{
	initCurl();
	resp.clear();
	// One handle for the client's life: its connection and TLS session
	// serve the next request; the options are set again for each.
	if (curl_)
		curl_easy_reset(static_cast<CURL *>(curl_));
	else
		curl_ = curl_easy_init();
	if (!curl_)
		return fail(-ENOMEM, "curl_easy_init failed");
	std::unique_ptr<curl_slist, void (*)(curl_slist *)> hdrs(
		curl_slist_append(nullptr, "Content-Type: application/json"),
		curl_slist_free_all);
	if (!hdrs)
		return fail(-ENOMEM, "curl_slist_append failed");
	// No "Expect: 100-continue" pause on a larger body.
	curl_slist *more = curl_slist_append(hdrs.get(), "Expect:");
	if (!more)
		return fail(-ENOMEM, "curl_slist_append failed");
	std::string url = url_ + path;
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *c = static_cast<CURL *>(curl_);
	curl_easy_setopt(c, CURLOPT_URL, url.c_str());
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeoutMs_));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 static_cast<long>(timeoutMs_));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			 static_cast<curl_off_t>(body.size()));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			 static_cast<curl_off_t>(kMaxResponse));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	if (!tls_.caFile.empty())
		curl_easy_setopt(c, CURLOPT_CAINFO, tls_.caFile.c_str());
	if (!tls_.certFile.empty())
		curl_easy_setopt(c, CURLOPT_SSLCERT, tls_.certFile.c_str());
	if (!tls_.keyFile.empty())
		curl_easy_setopt(c, CURLOPT_SSLKEY, tls_.keyFile.c_str());
	CURLcode cc = curl_easy_perform(c);
	// Nothing of this call's stack stays in the kept handle.
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
	if (cc != CURLE_OK) {
		resp.clear();
		return fail(errnoOf(cc), "POST " + url + ": " +
					     (ebuf[0] ? ebuf
						      : curl_easy_strerror(cc)));
	}
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 100 || status > 599)
		return fail(-EPROTO, "POST " + url + ": no HTTP status");
	return static_cast<int>(status);
}

int Client::call(const char *path, const std::string &body,
		 const std::function<int(const std::string &)> &onAnswer) const
{
	std::string resp;
	try {
		int st = post(path, body, resp);
		if (st < 0)
			return st;
		if (st != 200)
			return fail(-EPROTO, std::string("POST ") + path +
						     ": HTTP " +
						     std::to_string(st) + ": " +
						     resp.substr(0, 200));
		return onAnswer(resp);
	} catch (const BadAnswer &e) {
		return fail(-EPROTO, std::string("POST ") + path + ": " + e.what);
	} catch (const json::exception &e) {
		return fail(-EPROTO, std::string("POST ") + path + ": " +
					     e.what());
	} catch (const std::bad_alloc &) {
		return fail(-ENOMEM, "out of memory");
	}
}

int Client::grant(int ttl, std::string &id) const
{
	return call("/v3/lease/grant",
		    dump({ { "TTL", std::to_string(ttl) } }),
		    [&](const std::string &resp) {
			    json j = parseAnswer(resp);
			    id = std::to_string(u64Of(member(j, "ID"), "ID"));
			    return 0;
		    });
}

int Client::keepAlive(const std::string &id) const
{
	return call("/v3/lease/keepalive", dump({ { "ID", id } }),
		    [&](const std::string &resp) {
		// A stream: the first object is the answer to ours.
		std::istringstream in(resp);
		json j;
		try {
			in >> j;
		} catch (const json::exception &) {
			throw BadAnswer{ "not a JSON object" };
		}
		const json &r = member(j, "result");
		if (!r.is_object())
			throw BadAnswer{ "\"result\" is not an object" };
		// An expired lease comes back without a TTL (or with 0).
		if (!r.contains("TTL") || u64Of(r["TTL"], "TTL") == 0)
			return fail(-ENOENT, "lease " + id + " expired");
		return 0;
	    });
}

int Client::revoke(const std::string &id) const
{
	return call("/v3/lease/revoke", dump({ { "ID", id } }),
		    [](const std::string &) { return 0; });
}

int Client::put(const std::string &key, const std::string &value,
		const std::string &lease) const
{
	json body = { { "key", base64Encode(key) },
		      { "value", base64Encode(value) } };
	if (!lease.empty())
		body["lease"] = lease;
	return call("/v3/kv/put", dump(body),
		    [](const std::string &) { return 0; });
}

int Client::putOwned(const std::string &key, const std::string &value,
		     const std::string &lease) const
{
	std::string k = base64Encode(key);
	json put = { { "requestPut",
		       { { "key", k },
			 { "value", base64Encode(value) },
			 { "lease", lease } } } };
	// Two transactions, as a compare cannot say "or": the key is ours
	// (attached to @lease), else it does not exist.
	const json compares[] = {
		{ { "key", k }, { "target", "LEASE" }, { "lease", lease } },
		{ { "key", k }, { "target", "CREATE" }, { "create_revision", "0" } },
	};
	for (const json &cmp : compares) {
		json txn = { { "compare", json::array({ cmp }) },
			     { "success", json::array({ put }) } };
		bool ok = false;
		int rc = call("/v3/kv/txn", dump(txn),
			      [&](const std::string &resp) {
				      json j = parseAnswer(resp);
				      member(j, "header");
				      // false is left out
				      if (j.contains("succeeded")) {
					      if (!j["succeeded"].is_boolean())
						      throw BadAnswer{ "\"succeeded\" is not a boolean" };
					      ok = j["succeeded"].get<bool>();
				      }
				      return 0;
			      });
		if (rc)
			return rc;
		if (ok)
			return 0;
	}
	return fail(-EEXIST, key + " belongs to another lease");
}

int Client::putIfAbsent(const std::string &key, const std::string &value,
			uint64_t &createRev) const
{
	std::string k = base64Encode(key);
	json txn = {
		{ "compare",
		  json::array({ { { "key", k },
				  { "target", "CREATE" },
				  { "create_revision", "0" } } }) },
		{ "success",
		  json::array({ { { "requestPut",
				    { { "key", k },
				      { "value", base64Encode(value) } } } } }) },
	};
	int rc = call("/v3/kv/txn", dump(txn), [](const std::string &resp) {
		parseAnswer(resp);
		return 0;
	});
	if (rc)
		return rc;
	return call("/v3/kv/range", dump({ { "key", k } }),
		    [&](const std::string &resp) {
		json j = parseAnswer(resp);
		const json &kvs = member(j, "kvs");
		if (!kvs.is_array() || kvs.size() != 1)
			throw BadAnswer{ "not one key in \"kvs\"" };
		createRev = u64Of(member(kvs[0], "create_revision"),
				  "create_revision");
		return 0;
	    });
}

int Client::range(const std::string &prefix, bool exact,
		  std::vector<std::pair<std::string, std::string>> &out) const
{
	json body = { { "key", base64Encode(prefix) } };
	if (!exact) {
		std::string end = prefix;
		while (!end.empty() &&
		       static_cast<unsigned char>(end.back()) == 0xff)
			end.pop_back();
		if (!end.empty())
			end.back() = static_cast<char>(end.back() + 1);
		body["range_end"] = base64Encode(end.empty() ? std::string(1, '\0')
							     : end);
	}
	out.clear();
	return call("/v3/kv/range", dump(body), [&](const std::string &resp) {
		json j = parseAnswer(resp);
		member(j, "header");
		if (!j.contains("kvs"))
			return 0; // none: etcd leaves the empty list out
		const json &kvs = j["kvs"];
		if (!kvs.is_array())
			throw BadAnswer{ "\"kvs\" is not a list" };
		std::vector<std::pair<std::string, std::string>> v;
		for (const json &kv : kvs) {
			std::string key = decoded(member(kv, "key"), "key");
			// An empty value is left out.
			std::string val = kv.is_object() && kv.contains("value")
						  ? decoded(kv["value"], "value")
						  : std::string();
			v.emplace_back(std::move(key), std::move(val));
		}
		out = std::move(v);
		return 0;
	});
}

int Client::findNode(const std::string &node, NodeRecord &out) const
{
	std::vector<std::pair<std::string, std::string>> kv;
	int rc = range(std::string(kNodePrefix) + node, true, kv);
	if (rc)
		return rc;
	if (kv.empty())
		return fail(-ENOENT, "no record of node " + node);
	rc = NodeRecord::fromJson(kv[0].second, out);
	if (rc)
		return fail(rc, "a bad record of node " + node);
	return 0;
}

} // namespace memfabric::etcd
