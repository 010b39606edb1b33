#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mfobj.py - object ioctls for the shell tests (t_mfadm_obj.sh,
t_mfadm_monitor.sh), which mfadm does not offer: allocate, publish and hold
objects.  Not a test itself (run-suite runs t_*.sh and build/tests/guest/*).

  mfobj.py alloc POOL NS SECID ID SIZE [ID SIZE]...
      allocate the objects, then close the device: they stay, unreferenced
  mfobj.py publish POOL NS SECID ID...
  mfobj.py hold POOL NS SECID ID
      take a handle on the object, print "held" and wait for SIGTERM

Exits 0, or 1 with the failing call's errno on stderr.
"""
import fcntl
import os
import signal
import struct
import sys

MAGIC = 0xBF


def _iowr(nr, size):
    return (3 << 30) | (size << 16) | (MAGIC << 8) | nr


def _iow(nr, size):
    return (1 << 30) | (size << 16) | (MAGIC << 8) | nr


ALLOC_SIZE = 256     # struct mf_obj_alloc, struct mf_obj_get
FREE_SIZE = 240      # struct mf_obj_free (also publish)
MF_IOC_OBJ_ALLOC = _iowr(0x18, ALLOC_SIZE)
MF_IOC_OBJ_GET = _iowr(0x19, ALLOC_SIZE)
MF_IOC_OBJ_PUBLISH = _iow(0x1d, FREE_SIZE)


def name(pool, ns, secid, oid):
    """struct mf_obj_name: pool[32] ns[64] secid[64] id[64]."""
    return (pool.encode().ljust(32, b"\0") + ns.encode().ljust(64, b"\0") +
            secid.encode().ljust(64, b"\0") + oid.encode().ljust(64, b"\0"))


def alloc_arg(pool, ns, secid, oid, size):
    return (struct.pack("II", ALLOC_SIZE, 0) + name(pool, ns, secid, oid) +
            struct.pack("QQII", size, 0, 0, 0))


def call(fd, cmd, arg, what):
    buf = bytearray(arg)
    try:
        fcntl.ioctl(fd, cmd, buf, True)
    except OSError as e:
        sys.stderr.write("mfobj.py: %s: %s\n" % (what, os.strerror(e.errno)))
        sys.exit(1)
    return buf


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    op, pool, ns, secid = argv[1:5]
    rest = argv[5:]
    fd = os.open("/dev/memfabric", os.O_RDWR | os.O_CLOEXEC)
    if op == "alloc":
        for i in range(0, len(rest) - 1, 2):
            call(fd, MF_IOC_OBJ_ALLOC,
                 alloc_arg(pool, ns, secid, rest[i], int(rest[i + 1])),
                 "alloc " + rest[i])
    elif op == "publish":
        for oid in rest:
            arg = (struct.pack("II", FREE_SIZE, 0) +
                   name(pool, ns, secid, oid) + struct.pack("Q", 0))
            call(fd, MF_IOC_OBJ_PUBLISH, arg, "publish " + oid)
    elif op == "hold":
        arg = (struct.pack("II", ALLOC_SIZE, 0) +
               name(pool, ns, secid, rest[0]) + struct.pack("QQII", 0, 0, 0, 0))
        call(fd, MF_IOC_OBJ_GET, arg, "get " + rest[0])
        print("held", flush=True)
        signal.sigwait([signal.SIGTERM, signal.SIGINT])
    else:
        sys.stderr.write(__doc__)
        return 2
    os.close(fd)
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    sys.exit(main(sys.argv))
