// SPDX-License-Identifier: GPL-2.0
//
// membership.cpp - mfserverd's record in etcd (Documentation/remote.md,
// Cluster membership): the node's number (the create revision of
// /memfabric/numbers/NODE), its record /memfabric/nodes/NODE under a
// lease, and a thread that keeps the lease alive every ttl/3 seconds,
// registering again if etcd expired it, and revokes it at the stop.
#include "mfserverd.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace mfserverd {

namespace {

std::mutex g_etcdMu;
std::condition_variable g_etcdCv;
bool g_etcdStop;
std::thread g_etcdThread;

// Whether the node's record is in etcd under our lease.
bool g_registered;

// One keepalive of @lease, registering again if etcd expired it, or if
// the record could not be written yet (another lease held it).
int etcdKeepAlive(const memfabric::etcd::Client &cl, std::string &lease,
		  const std::string &key, const memfabric::etcd::NodeRecord &rec)
{
	int rc = cl.keepAlive(lease);
	if (rc == -ENOENT) {
		LOG_INFO("etcd: lease %s expired; registering again",
			 lease.c_str());
		g_registered = false;
		rc = cl.grant(g_opt.ttl, lease);
	}
	if (!rc && !g_registered) {
		// Never over a record of another lease (another server of
		// the same name, or a forged one): it must expire first.
		rc = cl.putOwned(key, rec.toJson(), lease);
		g_registered = !rc;
		if (!rc)
			LOG_INFO("etcd: registered %s (lease %s)", key.c_str(),
				 lease.c_str());
	}
	return rc;
}

void etcdLoop(std::string lease, memfabric::etcd::NodeRecord rec)
{
	memfabric::etcd::Client cl(g_opt.etcd, g_opt.etcdTls);
	std::string key = std::string(memfabric::etcd::kNodePrefix) + rec.node;
	std::unique_lock<std::mutex> lock(g_etcdMu);
	int period = std::max(1, g_opt.ttl / 3);
	while (!g_etcdCv.wait_for(lock, std::chrono::seconds(period),
				  [] { return g_etcdStop; })) {
		lock.unlock();
		// Nothing may end this thread but the stop: an exception
		// (out of memory) is a failed keepalive, tried again.
		int rc;
		try {
			rc = etcdKeepAlive(cl, lease, key, rec);
		} catch (const std::exception &e) {
			LOG_ERR("etcd %s: keepalive: %s", cl.url().c_str(),
				e.what());
			rc = 0;
		}
		if (rc)
			LOG_ERR("etcd %s: keepalive: %s (%s)", cl.url().c_str(),
				strerror(-rc), cl.lastError().c_str());
		lock.lock();
	}
	lock.unlock();
	int rc = cl.revoke(lease);
	LOG_INFO("etcd: lease %s revoked: %s", lease.c_str(),
		 rc ? strerror(-rc) : "ok");
}

} // namespace

int etcdStart()
{
	memfabric::etcd::Client cl(g_opt.etcd, g_opt.etcdTls);
	memfabric::etcd::NodeRecord rec;
	rec.node = g_opt.node;
	rec.addr = g_opt.advertise;
	rec.port = g_opt.port;
	rec.pools = g_pools;
	std::string lease;
	int rc = cl.putIfAbsent(std::string(memfabric::etcd::kNumberPrefix) +
					g_opt.node,
				g_opt.node, g_nodeNumber);
	if (!rc)
		rc = cl.grant(g_opt.ttl, lease);
	rec.number = g_nodeNumber;
	if (!rc) {
		std::string key =
			std::string(memfabric::etcd::kNodePrefix) + g_opt.node;
		rc = cl.putOwned(key, rec.toJson(), lease);
		g_registered = !rc;
		if (rc == -EEXIST) {
			// Serve anyway; the keepalive thread registers once
			// the other lease has gone.
			LOG_ERR("etcd %s: %s (another server named %s, or a "
				"stale or forged record): registering when it "
				"expires", cl.url().c_str(),
				cl.lastError().c_str(), g_opt.node.c_str());
			rc = 0;
		}
	}
	if (rc) {
		LOG_ERR("etcd %s: cannot register: %s (%s)", cl.url().c_str(),
			strerror(-rc), cl.lastError().c_str());
		return rc;
	}
	LOG_INFO("etcd %s: registered node %s as number %llu "
		 "(lease %s, ttl %d s)",
		 g_opt.etcd.c_str(), g_opt.node.c_str(),
		 (unsigned long long)g_nodeNumber, lease.c_str(), g_opt.ttl);
	g_etcdThread = std::thread(etcdLoop, lease, rec);
	return 0;
}

void etcdStop()
{
	if (!g_etcdThread.joinable())
		return;
	{
		std::lock_guard<std::mutex> lock(g_etcdMu);
		g_etcdStop = true;
	}
	g_etcdCv.notify_all();
	g_etcdThread.join();
}

} // namespace mfserverd
