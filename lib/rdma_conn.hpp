// SPDX-License-Identifier: LGPL-2.1-or-later
//
// rdma_conn.hpp - one connection of the library to a remote node's
// mfserverd (librdmacm, an RC queue pair): requests and replies, RDMA
// READ and WRITE, staged transfers (rdma_conn.cpp).
#ifndef MEMFABRIC_LIB_RDMA_CONN_HPP
#define MEMFABRIC_LIB_RDMA_CONN_HPP

#include "internal.hpp"

#include <string>
#include <vector>

#include <rdma/rdma_cma.h>

namespace memfabric::detail {

class Conn {
public:
	~Conn() { close(); }

	// Connect to @host:@port.  0 or -errno.
	int open(const std::string &host, const std::string &port);
	void close() noexcept;

	bool dead() const { return dead_; }
	// Look at the event channel without blocking: a disconnect marks
	// the connection dead.  At most once per kEventCheckNs (it costs a
	// system call, as much as the RDMA operation it would precede); a
	// disconnect missed meanwhile fails the next operation, which marks
	// the connection dead too.
	void checkEvents();

	// Send @req (its header filled but for magic, version, length, seq)
	// and wait for the reply into rbuf().  0 (the reply's status is in
	// its header) or -errno of the transport (the connection is then
	// dead).
	int call(void *req, size_t len, uint16_t op);
	const char *rbuf() const { return rbuf_; }
	char *sbuf() { return sbuf_; }

	// RDMA READ @len bytes at @raddr (@rkey) into @buf, or WRITE them
	// from @buf.  0, -EIO (remote access error) or -ECONNRESET.
	int rdma(bool write, uint64_t raddr, uint32_t rkey, char *buf,
		 size_t len);
	// A staged READ or WRITE of @len bytes at @offset of the server's
	// object handle @handle through the bounce buffer.  0, the server's
	// status or -errno of the transport.
	int staged(bool write, uint64_t handle, uint64_t offset, char *buf,
		   size_t len);

private:
	int waitCm(rdma_cm_event_type want, int timeoutMs);
	int waitWc(uint64_t wrId, ibv_wc *out);
	int fail(int err)
	{
		dead_ = true;
		return err;
	}

	rdma_event_channel *ec_ = nullptr;
	rdma_cm_id *id_ = nullptr;
	ibv_pd *pd_ = nullptr;
	ibv_cq *cq_ = nullptr;
	char *sbuf_ = nullptr, *rbuf_ = nullptr, *data_ = nullptr;
	ibv_mr *smr_ = nullptr, *rmr_ = nullptr, *dmr_ = nullptr;
	uint32_t maxInline_ = 0;
	unsigned maxRd_ = 1;
	uint64_t seq_ = 0;
	uint64_t nextWr_ = 1;
	bool dead_ = true;
	bool connected_ = false;
	uint64_t lastEventCheck_ = 0;
	// Completions reaped while waiting for another one.
	std::vector<ibv_wc> early_;
};

} // namespace memfabric::detail

#endif // MEMFABRIC_LIB_RDMA_CONN_HPP
