// SPDX-License-Identifier: GPL-2.0
//
// test_etcd - the etcd client of net/ (net/etcd.cpp) on the host.
//
//   test_etcd           against a fake HTTP server in this process: good
//                       answers, and answers that are not what etcd sends
//                       (bad JSON, missing fields, negative or huge
//                       numbers, bad base64, HTTP errors, a server that
//                       never answers, an endless answer): each is an
//                       error, in time, and nothing crashes; base64 and
//                       the node record.
//   test_etcd live URL [CA CERT KEY]
//                       against a real etcd (tests/host/t_etcd.sh, plain
//                       and with TLS client certificates): registration,
//                       lookup, keepalive, revocation, as mfserverd and
//                       the library do them.
//   test_etcd expect ERRNO|any URL [CA CERT KEY]
//                       one lookup that must fail with -ERRNO, or with
//                       any error but -ENOENT (t_etcd.sh: a client without
//                       a certificate, a wrong CA, plain HTTP).
// Prints PASS:/FAIL: lines (tests/run-check).
#include "etcd.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace memfabric::etcd;

namespace {

int fails, passes;

void check(bool ok, const std::string &what)
{
	printf("%s: test_etcd: %s\n", ok ? "PASS" : "FAIL", what.c_str());
	(ok ? passes : fails)++;
}

void checkRc(int rc, int want, const std::string &what, const Client *cl = nullptr)
{
	char b[64];
	snprintf(b, sizeof(b), " (%d, want %d)", rc, want);
	std::string msg = what + (rc == want ? "" : b);
	if (rc != want && cl)
		msg += ": " + cl->lastError();
	check(rc == want, msg);
}

// A one-thread HTTP server on 127.0.0.1 that answers every request with
// @reply (raw bytes: status line, headers, body), or never (@hang), or
// with an endless body (@endless).  Keeps the last request's body.
class Fake {
public:
	std::string reply;
	bool hang = false;
	bool endless = false;
	std::string lastBody, lastPath;

	Fake()
	{
		lfd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int one = 1;
		setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd_, reinterpret_cast<sockaddr *>(&a), sizeof(a)) ||
		    listen(lfd_, 8)) {
			perror("fake server");
			exit(1);
		}
		socklen_t l = sizeof(a);
		getsockname(lfd_, reinterpret_cast<sockaddr *>(&a), &l);
		port_ = ntohs(a.sin_port);
		th_ = std::thread([this] { serve(); });
	}

	~Fake()
	{
		stop_ = true;
		th_.join();
		close(lfd_);
	}

	std::string endpoint() const
	{
		return "127.0.0.1:" + std::to_string(port_);
	}

	void answer(int status, const std::string &body)
	{
		hang = endless = false;
		reply = "HTTP/1.1 " + std::to_string(status) +
			" X\r\nContent-Type: application/json\r\n"
			"Content-Length: " + std::to_string(body.size()) +
			"\r\nConnection: close\r\n\r\n" + body;
	}

private:
	bool waitIn(int fd, int ms)
	{
		pollfd p = { fd, POLLIN, 0 };
		return poll(&p, 1, ms) > 0;
	}

	void serve()
	{
		while (!stop_) {
			if (!waitIn(lfd_, 50))
				continue;
			int fd = accept4(lfd_, nullptr, nullptr, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			std::string req;
			char buf[4096];
			size_t hend = std::string::npos, need = 0;
			while (waitIn(fd, 2000)) {
				ssize_t n = read(fd, buf, sizeof(buf));
				if (n <= 0)
					break;
				req.append(buf, static_cast<size_t>(n));
				if (hend == std::string::npos) {
					hend = req.find("\r\n\r\n");
					if (hend == std::string::npos)
						continue;
					size_t cl = req.find("Content-Length: ");
					need = cl < hend ? strtoul(req.c_str() + cl + 16,
								   nullptr, 10)
							 : 0;
				}
				if (req.size() >= hend + 4 + need)
					break;
			}
			if (hend != std::string::npos) {
				lastBody = req.substr(hend + 4);
				size_t sp = req.find(' ');
				lastPath = req.substr(sp + 1,
						      req.find(' ', sp + 1) - sp - 1);
			}
			if (hang) {
				for (int i = 0; i < 100 && !stop_; i++)
					usleep(50000);
			} else if (endless) {
				std::string h = "HTTP/1.1 200 OK\r\nContent-Type: "
						"application/json\r\n\r\n{\"kvs\":[";
				(void)!write(fd, h.data(), h.size());
				std::string junk(65536, ' ');
				while (!stop_ &&
				       send(fd, junk.data(), junk.size(),
					    MSG_NOSIGNAL) > 0)
					;
			} else {
				(void)!send(fd, reply.data(), reply.size(),
					    MSG_NOSIGNAL);
			}
			close(fd);
		}
	}

	int lfd_;
	unsigned port_;
	std::atomic<bool> stop_{ false };
	std::thread th_;
};

const char kHeader[] =
	"\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\",\"revision\":\"7\","
	"\"raft_term\":\"2\"}";

std::string rangeAnswer(const std::string &kvs)
{
	return std::string("{") + kHeader + ",\"kvs\":[" + kvs + "],\"count\":\"1\"}";
}

std::string kv(const std::string &key, const std::string &value)
{
	return "{\"key\":\"" + base64Encode(key) +
	       "\",\"create_revision\":\"5\",\"mod_revision\":\"6\","
	       "\"version\":\"2\",\"value\":\"" + base64Encode(value) +
	       "\",\"lease\":\"7587\"}";
}

void testBase64()
{
	const std::string samples[] = { "", "f", "fo", "foo", "foob", "fooba",
					"foobar", std::string("\0\xff\x10", 3) };
	const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
			      "Zm9vYmE=", "Zm9vYmFy", "AP8Q" };
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		std::string back;
		check(base64Encode(samples[i]) == enc[i],
		      std::string("base64 encode of sample ") + std::to_string(i));
		check(base64Decode(enc[i], back) == 0 && back == samples[i],
		      std::string("base64 decode of ") + enc[i]);
	}
	std::string all;
	for (int i = 0; i < 256; i++)
		all += static_cast<char>(i);
	std::string back;
	check(base64Decode(base64Encode(all), back) == 0 && back == all,
	      "base64: every byte value round-trips");
	for (const char *bad : { "Zg", "Zg=", "Z===", "Zm=v", "Zm9v!A==",
				 "Zm9v Yg==", "====" }) {
		std::string out;
		checkRc(base64Decode(bad, out), -EINVAL,
			std::string("base64 decode of '") + bad + "' is -EINVAL");
	}
}

void testRecord()
{
	NodeRecord r;
	r.node = "n1";
	r.number = 42;
	r.addr = "10.77.0.1";
	r.port = 7471;
	r.pools = { "pool0", "pool1" };
	std::string j = r.toJson();
	check(j == "{\"node\":\"n1\",\"number\":\"42\",\"addr\":\"10.77.0.1\","
		   "\"port\":\"7471\",\"pools\":[\"pool0\",\"pool1\"]}",
	      "node record: the same JSON as before: " + j);
	NodeRecord b;
	check(NodeRecord::fromJson(j, b) == 0 && b.node == "n1" &&
		      b.number == 42 && b.addr == "10.77.0.1" &&
		      b.port == 7471 && b.pools.size() == 2 &&
		      b.pools[1] == "pool1",
	      "node record: round trip");
	check(NodeRecord::fromJson("{ \"pools\" : [ ], \"port\": 7471, "
				   "\"addr\": \"10.0.0.\\u0031\", "
				   "\"node\": \"a\\\"b\" }",
				   b) == 0 &&
		      b.addr == "10.0.0.1" && b.node == "a\"b" && b.port == 7471 &&
		      b.pools.empty() && b.number == 0,
	      "node record: reordered, escaped, spaced, number port");
	const char *bad[] = {
		"",
		"not json",
		"[1,2]",
		"{\"node\":\"n\",\"addr\":\"a\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"0\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"65536\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"-1\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":-1}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"12x\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"99999999999999999999999\"}",
		"{\"node\":\"n\",\"addr\":7,\"port\":\"1\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"1\",\"pools\":[1]}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"1\",\"pools\":\"p\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"1\",\"number\":\"-3\"}",
		"{\"node\":\"n\",\"addr\":\"a\",\"port\":\"1\"",
	};
	for (const char *t : bad)
		checkRc(NodeRecord::fromJson(t, b), -EINVAL,
			std::string("node record: '") + t + "' is -EINVAL");
}

void testFake()
{
	Fake f;
	Client cl(f.endpoint(), Tls(), 1000);
	std::string id;
	uint64_t rev = 0;
	std::vector<std::pair<std::string, std::string>> kvs;
	NodeRecord rec;

	// Good answers, as etcd 3.4's gateway gives them.
	f.answer(200, std::string("{") + kHeader + ",\"ID\":\"7587\",\"TTL\":\"3\"}");
	checkRc(cl.grant(3, id), 0, "grant", &cl);
	check(id == "7587", "grant: the lease id");
	check(f.lastPath == "/v3/lease/grant" &&
		      f.lastBody == "{\"TTL\":\"3\"}",
	      "grant: the request: " + f.lastPath + " " + f.lastBody);
	f.answer(200, std::string("{\"result\":{") + kHeader +
			      ",\"ID\":\"7587\",\"TTL\":\"3\"}}\n");
	checkRc(cl.keepAlive("7587"), 0, "keepalive", &cl);
	f.answer(200, std::string("{\"result\":{") + kHeader +
			      ",\"ID\":\"7587\"}}\n{\"result\":{}}\n");
	checkRc(cl.keepAlive("7587"), -ENOENT,
		"keepalive of an expired lease (no TTL; a second object after)");
	f.answer(200, "{\"result\":{\"ID\":\"7587\",\"TTL\":\"0\"}}");
	checkRc(cl.keepAlive("7587"), -ENOENT, "keepalive with TTL 0");
	f.answer(200, std::string("{") + kHeader + "}");
	checkRc(cl.put("/k", "v", "7587"), 0, "put", &cl);
	std::string b = f.lastBody;
	check(b == "{\"key\":\"L2s=\",\"lease\":\"7587\",\"value\":\"dg==\"}",
	      "put: the request: " + b);
	f.answer(200, rangeAnswer(kv("/memfabric/numbers/n1", "n1")));
	checkRc(cl.putIfAbsent("/memfabric/numbers/n1", "n1", rev), 0,
		"putIfAbsent", &cl);
	check(rev == 5, "putIfAbsent: the create revision");
	f.answer(200, rangeAnswer(kv("/memfabric/nodes/a", "x") + "," +
				  "{\"key\":\"L21lbWZhYnJpYy9ub2Rlcy9i\"}"));
	checkRc(cl.range("/memfabric/nodes/", false, kvs), 0, "range", &cl);
	check(kvs.size() == 2 && kvs[0].first == "/memfabric/nodes/a" &&
		      kvs[0].second == "x" && kvs[1].first == "/memfabric/nodes/b" &&
		      kvs[1].second.empty(),
	      "range: two keys, the second with its empty value left out");
	f.answer(200, std::string("{") + kHeader + "}");
	checkRc(cl.range("/memfabric/nodes/", false, kvs), 0,
		"range of nothing (no kvs)");
	check(kvs.empty(), "range of nothing: empty");
	f.answer(200, rangeAnswer(kv("/memfabric/nodes/n1",
				     "{\"node\":\"n1\",\"number\":\"2\","
				     "\"addr\":\"10.77.0.1\",\"port\":\"7471\","
				     "\"pools\":[\"pool0\"]}")));
	checkRc(cl.findNode("n1", rec), 0, "findNode", &cl);
	check(rec.addr == "10.77.0.1" && rec.port == 7471 && rec.number == 2,
	      "findNode: the record");
	f.answer(200, std::string("{") + kHeader + "}");
	checkRc(cl.findNode("n1", rec), -ENOENT, "findNode of no node: -ENOENT");

	// Answers that are not what etcd sends: -EPROTO (a bad record
	// -EINVAL), never a hang or a crash.
	struct {
		int status;
		std::string body;
		const char *what;
	} grants[] = {
		{ 200, "", "an empty answer" },
		{ 200, "{\"ID\":\"1\"", "cut JSON" },
		{ 200, "[\"ID\",\"1\"]", "a list" },
		{ 200, "{\"TTL\":\"3\"}", "no ID" },
		{ 200, "{\"ID\":\"-5\"}", "a negative ID" },
		{ 200, "{\"ID\":-5}", "a negative number ID" },
		{ 200, "{\"ID\":\"184467440737095516160\"}", "a huge ID" },
		{ 200, "{\"ID\":{}}", "an object ID" },
		{ 200, "{\"ID\":\"1\"}trailing", "trailing garbage" },
		{ 500, "{\"error\":\"etcdserver: too many requests\"}", "HTTP 500" },
		{ 404, "", "HTTP 404" },
	};
	for (auto &g : grants) {
		f.answer(g.status, g.body);
		checkRc(cl.grant(3, id), -EPROTO,
			std::string("grant, answered with ") + g.what + ": -EPROTO");
	}
	const char *ranges[] = {
		"{\"kvs\":[]}", // no header
		"{\"header\":{},\"kvs\":{}}",
		"{\"header\":{},\"kvs\":[{\"value\":\"dg==\"}]}",
		"{\"header\":{},\"kvs\":[{\"key\":\"not base64!\"}]}",
		"{\"header\":{},\"kvs\":[{\"key\":\"L2s=\",\"value\":7}]}",
		"{\"header\":{},\"kvs\":[1]}",
	};
	for (const char *r : ranges) {
		f.answer(200, r);
		checkRc(cl.range("/k", true, kvs), -EPROTO,
			std::string("range, answered with ") + r + ": -EPROTO");
	}
	for (const char *r : { "{\"header\":{},\"kvs\":[{\"key\":\"L2s=\","
			       "\"create_revision\":\"-1\"}]}",
			       "{\"header\":{},\"kvs\":[{\"key\":\"L2s=\","
			       "\"create_revision\":\"1e9\"}]}",
			       "{\"header\":{},\"kvs\":[{\"key\":\"L2s=\"}]}",
			       "{\"header\":{}}" }) {
		f.answer(200, r);
		checkRc(cl.putIfAbsent("/k", "v", rev), -EPROTO,
			std::string("putIfAbsent, answered with ") + r +
				": -EPROTO");
	}
	f.answer(200, rangeAnswer(kv("/memfabric/nodes/n1",
				     "{\"node\":\"n1\",\"addr\":\"a\","
				     "\"port\":\"70000\"}")));
	checkRc(cl.findNode("n1", rec), -EINVAL,
		"findNode of a record with a bad port: -EINVAL");
	f.answer(200, "{\"error\":{\"grpc_code\":5}}");
	checkRc(cl.keepAlive("1"), -EPROTO, "keepalive answered with an error");
	f.answer(200, "{\"result\":7}");
	checkRc(cl.keepAlive("1"), -EPROTO, "keepalive answered with result 7");
	f.answer(200, "{\"result\":{\"TTL\":\"-1\"}}");
	checkRc(cl.keepAlive("1"), -EPROTO, "keepalive answered with TTL -1");

	// HTTP that is not HTTP, lengths that lie.
	f.reply = "garbage\r\n\r\n";
	checkRc(cl.grant(3, id) < 0, 1, "grant answered with garbage: an error");
	f.reply = "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n{}";
	checkRc(cl.grant(3, id), -EFBIG,
		"an answer announcing 10^12 bytes: -EFBIG");
	f.reply = "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}";
	checkRc(cl.grant(3, id) < 0, 1, "a negative Content-Length: an error");
	f.reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "zz\r\n{}\r\n0\r\n\r\n";
	checkRc(cl.grant(3, id) < 0, 1, "a bad chunk size: an error");
	f.reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "ffffffffffffffffff\r\n{}\r\n0\r\n\r\n";
	checkRc(cl.grant(3, id) < 0, 1, "a huge chunk size: an error");
	f.reply = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ID\":\"1\"}";
	checkRc(cl.grant(3, id) < 0, 1, "an answer shorter than announced: an error");

	// The deadline: a server that never answers, one that never stops.
	auto t0 = std::chrono::steady_clock::now();
	f.hang = true;
	checkRc(cl.grant(3, id), -ETIMEDOUT, "a server that never answers: -ETIMEDOUT");
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
			  std::chrono::steady_clock::now() - t0).count();
	check(ms >= 900 && ms < 3000,
	      "... after the 1 s deadline (" + std::to_string(ms) + " ms)");
	f.hang = false;
	f.endless = true;
	t0 = std::chrono::steady_clock::now();
	int rc = cl.range("/k", true, kvs);
	ms = std::chrono::duration_cast<std::chrono::milliseconds>(
		     std::chrono::steady_clock::now() - t0).count();
	check((rc == -EFBIG || rc == -ETIMEDOUT) && ms < 3000,
	      "an endless answer: -EFBIG or -ETIMEDOUT in time (" +
		      std::to_string(rc) + ", " + std::to_string(ms) + " ms)");
	f.endless = false;
}

void testEndpoints()
{
	check(Client("h:1").url() == "http://h:1", "endpoint h:1");
	check(Client("h").url() == "http://h:2379", "endpoint h: port 2379");
	check(Client("http://h:5/").url() == "http://h:5", "endpoint http://h:5/");
	check(Client("https://h").url() == "https://h:2379", "endpoint https://h");
	check(Client("[::1]").url() == "http://[::1]:2379", "endpoint [::1]");
	check(Client("[::1]:7").url() == "http://[::1]:7", "endpoint [::1]:7");
	Tls t;
	t.caFile = "/ca.pem";
	check(Client("h:1", t).url() == "https://h:1",
	      "endpoint h:1 with a CA file: https");
	check(Client("http://h:1", t).url() == "http://h:1",
	      "endpoint http://h:1 with a CA file: as written");

	// Nobody listening on a port just closed.
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
	socklen_t l = sizeof(a);
	getsockname(fd, reinterpret_cast<sockaddr *>(&a), &l);
	close(fd);
	Client cl("127.0.0.1:" + std::to_string(ntohs(a.sin_port)), Tls(), 1000);
	std::string id;
	checkRc(cl.grant(3, id), -ECONNREFUSED, "no etcd listening: -ECONNREFUSED");
	check(!cl.lastError().empty(), "... and a text for the log: " + cl.lastError());
}

Tls tlsOf(int argc, char **argv, int at)
{
	Tls t;
	if (argc > at + 2) {
		t.caFile = argv[at];
		t.certFile = argv[at + 1];
		t.keyFile = argv[at + 2];
	}
	return t;
}

// What mfserverd and the library do, against a real etcd.
void live(const std::string &url, const Tls &tls)
{
	Client cl(url, tls);
	std::string node = "test-etcd-" + std::to_string(getpid());
	uint64_t num = 0, num2 = 0;
	checkRc(cl.putIfAbsent(kNumberPrefix + node, node, num), 0,
		"live: a number for the node", &cl);
	checkRc(cl.putIfAbsent(kNumberPrefix + node, node, num2), 0,
		"live: the number again", &cl);
	check(num && num == num2, "live: the number is stable (" +
					  std::to_string(num) + ")");
	std::string lease;
	checkRc(cl.grant(5, lease), 0, "live: grant", &cl);
	NodeRecord r;
	r.node = node;
	r.number = num;
	r.addr = "10.77.0.1";
	r.port = 7471;
	r.pools = { "pool0" };
	checkRc(cl.putOwned(kNodePrefix + node, r.toJson(), lease), 0,
		"live: putOwned of an absent record", &cl);
	checkRc(cl.putOwned(kNodePrefix + node, r.toJson(), lease), 0,
		"live: putOwned of our own record", &cl);
	{
		// Another lease's record, or one without a lease (forged),
		// is not overwritten.
		std::string other;
		checkRc(cl.grant(5, other), 0, "live: grant another", &cl);
		checkRc(cl.putOwned(kNodePrefix + node, "other", other), -EEXIST,
			"live: putOwned over another lease's record: -EEXIST");
		checkRc(cl.put(kNodePrefix + node + "-forged", "forged", ""), 0,
			"live: a record without a lease", &cl);
		checkRc(cl.putOwned(kNodePrefix + node + "-forged", "x", lease),
			-EEXIST, "live: putOwned over it: -EEXIST");
		std::vector<std::pair<std::string, std::string>> f;
		checkRc(cl.range(kNodePrefix + node + "-forged", true, f), 0,
			"live: range of it", &cl);
		check(f.size() == 1 && f[0].second == "forged",
		      "live: ... unchanged");
		cl.revoke(other);
		std::string k = kNodePrefix + node + "-forged";
		cl.post("/v3/kv/deleterange",
			"{\"key\":\"" + base64Encode(k) + "\"}", k);
	}
	NodeRecord b;
	checkRc(cl.findNode(node, b), 0, "live: findNode", &cl);
	check(b.addr == r.addr && b.port == r.port && b.number == num &&
		      b.pools == r.pools,
	      "live: the record read back");
	std::vector<std::pair<std::string, std::string>> kvs;
	checkRc(cl.range(kNodePrefix, false, kvs), 0, "live: range of the prefix", &cl);
	bool found = false;
	for (auto &kv : kvs)
		found |= kv.first == kNodePrefix + node;
	check(found, "live: the prefix range holds the record");
	checkRc(cl.keepAlive(lease), 0, "live: keepalive", &cl);
	checkRc(cl.revoke(lease), 0, "live: revoke", &cl);
	checkRc(cl.findNode(node, b), -ENOENT,
		"live: the record went with its lease");
	checkRc(cl.keepAlive(lease), -ENOENT,
		"live: keepalive of the revoked lease: -ENOENT");
}

} // namespace

int main(int argc, char **argv)
{
	setvbuf(stdout, nullptr, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "live")) {
		live(argv[2], tlsOf(argc, argv, 3));
	} else if (argc >= 4 && !strcmp(argv[1], "expect")) {
		// ERRNO "any": any error will do.
		bool any = !strcmp(argv[2], "any");
		int want = -atoi(argv[2]);
		Client cl(argv[3], tlsOf(argc, argv, 4));
		NodeRecord r;
		int rc = cl.findNode("nobody", r);
		printf("INFO: test_etcd: %s: %s\n", cl.url().c_str(),
		       cl.lastError().c_str());
		std::string what = std::string("a lookup at ") + cl.url() +
				   " fails as expected";
		if (any)
			check(rc < 0 && rc != -ENOENT,
			      what + " (" + std::to_string(rc) + ")");
		else
			checkRc(rc, want, what);
	} else if (argc == 1) {
		testBase64();
		testRecord();
		testEndpoints();
		testFake();
	} else {
		fprintf(stderr, "usage: test_etcd [live URL [CA CERT KEY] | "
				"expect ERRNO URL [CA CERT KEY]]\n");
		return 2;
	}
	printf("test_etcd: %d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}
