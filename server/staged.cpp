// SPDX-License-Identifier: GPL-2.0
//
// staged.cpp - mfserverd's staged path: READ and WRITE requests for an
// object whose mapping the kernel would not register (net/mfproto.h,
// Documentation/remote.md).  The data moves between the object and the
// connection's registered staging buffer with BM_ReadSec/BM_WriteSec (the
// kernel's checks), and between the staging buffer and the client's
// buffer with RDMA WRITE or READ of the server's own; or, inline, inside
// the messages.
#include "mfserverd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace mfserverd {

namespace {

// Post an RDMA WRITE (@toClient) of @len bytes at @local of the staging
// buffer to @raddr/@rkey of the client, or an RDMA READ from there.
// The work request's id, or 0 (the connection is broken).
uint64_t postData(Conn &c, bool toClient, uint64_t raddr, uint32_t rkey,
		  char *local, size_t len)
{
	ibv_sge sge;
	sge.addr = reinterpret_cast<uintptr_t>(local);
	sge.length = static_cast<uint32_t>(len);
	sge.lkey = c.stageMr->lkey;
	ibv_send_wr wr, *bad;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = kDataWr | ++c.nextWr;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = toClient ? IBV_WR_RDMA_WRITE : IBV_WR_RDMA_READ;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	if (ibv_post_send(c.qp, &wr, &bad)) {
		LOG_ERR("conn %llu: ibv_post_send (RDMA %s): %s",
			(unsigned long long)c.no, toClient ? "WRITE" : "READ",
			strerror(errno));
		c.broken = true;
		return 0;
	}
	return wr.wr_id;
}

// Wait for the data work request @wr, on the completion channel, at
// most g_lim.opTimeoutMs.  0, or -EIO: it failed (a bad address or rkey
// of the client, or the connection died) or the deadline passed; the
// connection is broken then.
int waitData(Conn &c, uint64_t wr)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		auto it = c.dataDone.find(wr);
		if (it != c.dataDone.end()) {
			ibv_wc_status st = it->second;
			c.dataDone.erase(it);
			return st == IBV_WC_SUCCESS ? 0 : -EIO;
		}
		ibv_wc wc[8];
		int n = ibv_poll_cq(c.cq, 8, wc);
		if (n < 0) {
			c.broken = true;
			return -EIO;
		}
		for (int i = 0; i < n; i++)
			reap(c, wc[i]);
		if (n)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - start.tv_sec) * 1000 +
			  (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= static_cast<long>(g_lim.opTimeoutMs)) {
			LOG_ERR("conn %llu: RDMA transfer not completed in %u ms",
				(unsigned long long)c.no, g_lim.opTimeoutMs);
			c.broken = true;
			return -EIO;
		}
		if (waitCq(c, static_cast<int>(g_lim.opTimeoutMs - ms))) {
			c.broken = true;
			return -EIO;
		}
	}
}

int ensureStaging(Conn &c)
{
	if (c.stageMr)
		return 0;
	size_t len = kStageChunk * kStageSlots;
	if (g_staging + len > g_lim.maxStaging) {
		LOG_INFO("conn %llu: max_staging (%llu bytes) reached: -EBUSY",
			 (unsigned long long)c.no,
			 (unsigned long long)g_lim.maxStaging);
		return -EBUSY;
	}
	c.stage = static_cast<char *>(aligned_alloc(4096, len));
	if (!c.stage)
		return -ENOMEM;
	c.stageMr = ibv_reg_mr(c.pd, c.stage, len, IBV_ACCESS_LOCAL_WRITE);
	if (!c.stageMr) {
		int rc = -errno;
		LOG_ERR("conn %llu: ibv_reg_mr of the staging buffer: %s",
			(unsigned long long)c.no, strerror(-rc));
		free(c.stage);
		c.stage = nullptr;
		return rc ? rc : -ENOMEM;
	}
	g_staging += len;
	return 0;
}

} // namespace

// A staged READ (@write false: object -> client) or WRITE of @q on @h.
// Chunks of kStageChunk go through the staging slots, several in flight:
// READ copies a chunk into a slot with BM_ReadSec and RDMA WRITEs it to
// the client; WRITE RDMA READs a chunk from the client into a slot and,
// once that completed, BM_WriteSecs it.  Every transfer has completed
// when this returns, so the reply follows the data.
int staged(Conn &c, Handle &h, bool write, const mfp_io_req &q)
{
	uint64_t end;
	if (q.flags || q.length > MFP_IO_MAX ||
	    q.length > kStageChunk * kStageSlots)
		return -EINVAL;
	if (__builtin_add_overflow(q.offset, q.length, &end))
		return -EOVERFLOW;
	if (write && h.info.type == BM_TYPE_SHARED_RO)
		return -EACCES; // as the kernel says for a published object
	if (end > h.info.size)
		return -EINVAL;
	if (!q.length) // the kernel's checks only
		return write ? BM_WriteSec(&h.info, q.offset, 0, nullptr, 0)
			     : BM_ReadSec(&h.info, q.offset, 0, nullptr, 0);
	int rc = ensureStaging(c);
	if (rc)
		return rc;
	struct Slot {
		uint64_t wr = 0;
		size_t off = 0, len = 0;
	} slots[kStageSlots];
	size_t nchunks = (q.length + kStageChunk - 1) / kStageChunk;
	unsigned depth = write ? std::min(kStageSlots, c.maxRd) : kStageSlots;
	size_t posted = 0, done = 0;
	int err = 0;
	while (done < nchunks) {
		while (!err && posted < nchunks && posted - done < depth) {
			Slot &sl = slots[posted % kStageSlots];
			char *local = c.stage + (posted % kStageSlots) * kStageChunk;
			sl.off = posted * kStageChunk;
			sl.len = std::min<size_t>(kStageChunk, q.length - sl.off);
			if (!write) {
				err = BM_ReadSec(&h.info, q.offset + sl.off,
						 sl.len, local, 0);
				if (err)
					break;
			}
			sl.wr = postData(c, !write, q.addr + sl.off, q.rkey,
					 local, sl.len);
			if (!sl.wr) {
				err = -EIO;
				break;
			}
			posted++;
		}
		if (done == posted)
			break;
		Slot &sl = slots[done % kStageSlots];
		int e = waitData(c, sl.wr);
		if (e && !err)
			err = e;
		if (!err && write)
			err = BM_WriteSec(&h.info, q.offset + sl.off, sl.len,
					  c.stage + (done % kStageSlots) *
							    kStageChunk,
					  0);
		done++;
	}
	if (!err)
		c.staged += q.length;
	return err;
}

// A staged READ or WRITE with its data in the messages (MFP_IO_INLINE):
// a WRITE's @dlen bytes at @data follow the request; a READ's go to @out,
// after the reply's header, and *@rlen grows by them.  No RDMA, no
// staging buffer: one copy by the kernel, straight from or into the
// message buffer.
int stagedInline(Handle &h, bool write, const mfp_io_req &q,
		 const char *data, size_t dlen, char *out, size_t *rlen)
{
	if (q.flags != MFP_IO_INLINE || q.addr || q.rkey ||
	    q.length > MFP_IO_INLINE_MAX ||
	    (write ? dlen != q.length : dlen != 0))
		return -EINVAL;
	if (write && h.info.type == BM_TYPE_SHARED_RO)
		return -EACCES; // as the kernel says for a published object
	// BM_ReadSec/BM_WriteSec check the range as for a local caller.
	int rc = write ? BM_WriteSec(&h.info, q.offset, q.length,
				     const_cast<char *>(data), 0)
		       : BM_ReadSec(&h.info, q.offset, q.length, out, 0);
	if (!rc && !write)
		*rlen += q.length;
	return rc;
}

} // namespace mfserverd
