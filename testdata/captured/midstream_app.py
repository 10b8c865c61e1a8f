#!/usr/bin/env python3
"""Client and server for make-midstream.sh: connections whose beginning the
capture misses, and the ground truth of what it does see.

Each connection carries, each way, bytes derived from its seed (so both ends
know all of them). A "late" connection has two phases: phase 1 before the
capture starts (each side sends its part and reads the other's, so nothing
is in flight), then both ends wait for the file GO, which the script creates
once tcpdump listens, and run phase 2: the side named first sends its part,
then the other; then the client closes. A "whole" connection runs after GO
in one phase (the capture filter hides its SYN or its SYN/ACK).

The client writes one truth line per connection (native/tools/FORMAT.md's
vocabulary), for the bytes sent after GO: what a mid-stream pick-up delivers.

    TCP C:cp S:sp end=CLOSE cts=N cts_crc32=X stc=M stc_crc32=Y
"""
import argparse
import os
import random
import socket
import sys
import time
import zlib


def body(seed, direction, phase, n):
    return random.Random(seed * 100 + direction * 10 + phase).randbytes(n)


def crc(b):
    return "%08x" % (zlib.crc32(b) & 0xFFFFFFFF)


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(min(65536, n - len(out)))
        if not chunk:
            raise SystemExit("connection ended after %d of %d bytes" % (len(out), n))
        out += chunk
    return bytes(out)


def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.05)


# A connection's plan: (seed, phase-1 bytes up, down, phase-2 bytes up, down, who sends first in phase 2)
PLANS = {
    9001: (1, 10000, 12000, 100000, 50000, "client"),   # late, the client's data first
    9002: (2, 8000, 9000, 20000, 150000, "server"),     # late, the server's data first
    9003: (3, 0, 0, 30000, 60000, "client"),            # whole, its SYN not captured
    9004: (4, 0, 0, 25000, 70000, "client"),            # whole, its SYN/ACK not captured
}


def exchange(s, is_client, plan, phase):
    seed, up1, down1, up2, down2, first = plan
    up, down = (up1, down1) if phase == 1 else (up2, down2)
    mine, theirs = (up, down) if is_client else (down, up)
    my_dir = 0 if is_client else 1
    if (first == "client") == is_client or phase == 1 and is_client:
        s.sendall(body(seed, my_dir, phase, mine))
        got = recv_exact(s, theirs)
    else:
        got = recv_exact(s, theirs)
        s.sendall(body(seed, my_dir, phase, mine))
    assert got == body(seed, 1 - my_dir, phase, theirs), "bytes differ"


def server(args):
    socks = []
    for port in PLANS:
        l = socket.socket()
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(("0.0.0.0", port))
        l.listen(4)
        socks.append((port, l))
    import threading

    def serve(port, l):
        c, _ = l.accept()
        plan = PLANS[port]
        if plan[1] or plan[2]:
            exchange(c, False, plan, 1)
            wait_for(args.go)
        exchange(c, False, plan, 2)
        assert c.recv(1) == b""   # the client's FIN
        c.close()

    ts = [threading.Thread(target=serve, args=p) for p in socks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def client(args):
    late = [p for p in PLANS if PLANS[p][1] or PLANS[p][2]]
    conns = {}
    for port in late:
        s = socket.create_connection((args.server, port))
        exchange(s, True, PLANS[port], 1)
        conns[port] = s
    open(args.ready, "w").close()
    wait_for(args.go)
    for port in PLANS:
        if port not in conns:
            conns[port] = socket.create_connection((args.server, port))
        exchange(conns[port], True, PLANS[port], 2)
    lines = []
    for port, s in conns.items():
        seed, _, _, up2, down2, _ = PLANS[port]
        me = s.getsockname()
        cts, stc = body(seed, 0, 2, up2), body(seed, 1, 2, down2)
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == b""
        s.close()
        lines.append("TCP %s:%d %s:%d end=CLOSE cts=%d cts_crc32=%s stc=%d stc_crc32=%s\n" % (
            me[0], me[1], args.server, port, len(cts), crc(cts), len(stc), crc(stc)))
    with open(args.truth, "w") as f:
        f.writelines(lines)


def main():
    a = argparse.ArgumentParser()
    sub = a.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--go", required=True)
    c = sub.add_parser("client")
    c.add_argument("--server", required=True)
    c.add_argument("--ready", required=True)
    c.add_argument("--go", required=True)
    c.add_argument("--truth", required=True)
    args = a.parse_args()
    server(args) if args.cmd == "server" else client(args)


if __name__ == "__main__":
    main()
