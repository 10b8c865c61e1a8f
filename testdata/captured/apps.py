#!/usr/bin/env python3
"""The small client and server programs whose traffic the make-*.sh scripts
capture, and the ground truth they record.

Every client writes, for each connection or datagram it takes part in, one line
of ground truth in the nids_dump vocabulary (native/tools/FORMAT.md):

    TCP C:cp S:sp end=CLOSE|RESET|EXITING cts=N cts_crc32=X stc=M stc_crc32=Y
    UDP A:ap B:bp len=N crc32=X
    URG C:cp S:sp to=server|client byte=HH

(an IPv6 address is written in brackets, RFC 5952 text: [fd00:77::1]:40000),
computed from the bytes the programs themselves sent (both ends' payloads are
derived from a seed, so the client knows what the server sends). check_truth.py
compares these lines with the dumper's output.

TCP protocol between client and server: the client sends one line
"MODE NREQ NRESP SEED\\n" and then NREQ bytes; the server answers with NRESP
bytes. MODE says how the connection ends (see serve_one).
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys
import threading
import time
import zlib


def request_body(seed, n):
    return random.Random(2 * seed).randbytes(n)


def response_body(seed, n):
    return random.Random(2 * seed + 1).randbytes(n)


def crc(b):
    return "%08x" % (zlib.crc32(b) & 0xFFFFFFFF)


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(min(65536, n - len(out)))
        if not chunk:
            break
        out += chunk
    return bytes(out)


def recv_line(s):
    out = bytearray()
    while not out.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            break
        out += c
    return bytes(out)


def recv_all(s):
    out = bytearray()
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    return bytes(out)


def family(host):
    """The socket family of an address given as text: IPv6 if it has a colon."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def endpoint(host, port):
    """host:port as nids_dump prints it: IPv6 in brackets, RFC 5952 text (Python's compressed form)."""
    if ":" in host:
        return "[%s]:%d" % (ipaddress.ip_address(host).compressed, port)
    return "%s:%d" % (host, port)


def linger_zero(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


# ---------------------------------------------------------------- TCP server

def serve_one(conn):
    """Modes:
    close      read the request, send the response, close (FIN); the client closes after reading it all
    halfclose  the client sends its request and shuts down its sending side (FIN); the server reads
               to the end, then sends the response in chunks, then closes
    srvrst     send the response, then close with SO_LINGER 0: the server resets the connection
    clirst     send the response and wait: the client reads it and resets the connection
    urgent     the request carries urgent (MSG_OOB) bytes; the response too, then close
    hold       send the response and keep the connection open until the server is killed
    """
    with conn:
        line = recv_line(conn).split()
        mode, nreq, nresp, seed = line[0].decode(), int(line[1]), int(line[2]), int(line[3])
        resp = response_body(seed, nresp)
        if mode == "halfclose":
            recv_all(conn)
            for i in range(4):
                part = resp[i * len(resp) // 4:(i + 1) * len(resp) // 4]
                conn.sendall(part)
                time.sleep(0.05)
            conn.shutdown(socket.SHUT_WR)
            return
        if mode == "urgent":
            got = recv_exact(conn, nreq)  # urgent bytes are not inline: they are dropped here
            half = len(resp) // 2
            conn.sendall(resp[:half])
            time.sleep(0.05)
            conn.send(b"#", socket.MSG_OOB)
            time.sleep(0.05)
            conn.sendall(resp[half:])
            time.sleep(0.1)
            recv_all(conn)
            return
        recv_exact(conn, nreq)
        conn.sendall(resp)
        if mode == "srvrst":
            time.sleep(0.2)
            linger_zero(conn)
            return
        if mode in ("clirst", "hold"):
            while True:
                try:
                    if not conn.recv(65536):
                        return
                except ConnectionResetError:
                    return
        recv_all(conn)  # close: wait for the client's FIN, then close


def tcp_server(args):
    ls = socket.socket(family(args.bind), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.bind, args.port))
    ls.listen(256)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()


# ---------------------------------------------------------------- TCP client

def one_connection(server, port, mode, nreq, nresp, seed, hold_seconds=0.0):
    """Runs one connection; returns its ground-truth lines."""
    s = socket.create_connection((server, port))
    cip, cport = s.getsockname()[:2]
    tuple_ = "%s %s" % (endpoint(cip, cport), endpoint(server, port))
    head = b"%s %d %d %d\n" % (mode.encode(), nreq, nresp, seed)
    body = request_body(seed, nreq)
    resp = response_body(seed, nresp)
    lines = []
    end = "CLOSE"
    if mode == "urgent":
        # Urgent bytes: one after the first half of the body, one at the end.
        half = nreq // 2
        s.sendall(head + body[:half])
        time.sleep(0.05)
        s.send(b"!", socket.MSG_OOB)
        time.sleep(0.05)
        s.sendall(body[half:])
        time.sleep(0.05)
        s.send(b"?", socket.MSG_OOB)
        got = recv_exact(s, nresp)
        time.sleep(0.2)
        s.close()
        lines.append("URG %s to=server byte=%02x" % (tuple_, ord("!")))
        lines.append("URG %s to=server byte=%02x" % (tuple_, ord("?")))
        lines.append("URG %s to=client byte=%02x" % (tuple_, ord("#")))
    else:
        s.sendall(head + body)
        if mode == "halfclose":
            s.shutdown(socket.SHUT_WR)
            got = recv_all(s)
            s.close()
        elif mode == "srvrst":
            got = recv_all(s)
            s.close()
            end = "RESET"
        elif mode == "clirst":
            got = recv_exact(s, nresp)
            linger_zero(s)
            s.close()
            end = "RESET"
        elif mode == "hold":
            got = recv_exact(s, nresp)
            end = "EXITING"
            lines.append(s)  # kept open by the caller
        else:
            got = recv_exact(s, nresp)
            s.shutdown(socket.SHUT_WR)
            recv_all(s)
            s.close()
    if mode != "srvrst" and got != resp:
        raise SystemExit("%s: the response differs from the one the server was asked for" % tuple_)
    cts = head + body
    lines.append("TCP %s end=%s cts=%d cts_crc32=%s stc=%d stc_crc32=%s"
                 % (tuple_, end, len(cts), crc(cts), len(resp), crc(resp)))
    return lines


def tcp_client(args):
    out = []
    held = []
    lock = threading.Lock()

    def run(i, barrier=None):
        rng = random.Random(args.seed * 1000 + i)
        nreq = args.req if args.req >= 0 else rng.randint(1, 3000)
        nresp = args.resp if args.resp >= 0 else rng.randint(1, 9000)
        if barrier:
            barrier.wait()
        lines = one_connection(args.server, args.port, args.mode, nreq, nresp, args.seed * 1000 + i)
        with lock:
            for l in lines:
                (held if isinstance(l, socket.socket) else out).append(l)

    if args.parallel:
        barrier = threading.Barrier(args.count)
        threads = [threading.Thread(target=run, args=(i, barrier)) for i in range(args.count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i in range(args.count):
            run(i)
            time.sleep(args.gap)
    with open(args.truth, "a") as f:
        for l in sorted(out):
            f.write(l + "\n")
    if held:
        # Connections left open: the capture is stopped while they still are.
        print("holding %d connections" % len(held), flush=True)
        time.sleep(args.hold)


# ---------------------------------------------------------------- port scan

def scan(args):
    """Connects to each port of a range where nothing listens (SYN, answered by RST)."""
    for port in range(args.first, args.first + args.count):
        s = socket.socket(family(args.server), socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            s.connect((args.server, port))
        except OSError:
            pass
        s.close()
        time.sleep(args.gap)


# ---------------------------------------------------------------- UDP

def dns_query(qid, name):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def dns_answer(query):
    """A DNS-style answer: the question, then one A record in 10.77.x.y."""
    qid = struct.unpack(">H", query[:2])[0]
    question = query[12:]
    h = zlib.crc32(question)
    rdata = bytes([10, 77, (h >> 8) & 0xFF, h & 0xFF])
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + rdata
    return struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer


def udp_server(args):
    s = socket.socket(family(args.bind), socket.SOCK_DGRAM)
    s.bind((args.bind, args.port))
    while True:
        data, peer = s.recvfrom(65535)
        if args.mode == "dns":
            s.sendto(dns_answer(data), peer)
        else:  # echo, reversed, so that the two directions differ
            s.sendto(data[::-1], peer)


def udp_client(args):
    s = socket.socket(family(args.server), socket.SOCK_DGRAM)
    s.settimeout(2)
    s.connect((args.server, args.port))
    cip, cport = s.getsockname()[:2]
    lines = []
    if args.mode == "dns":
        names = ["example.org", "www.jnids.test", "a.very.long.name.in.a.test.zone.jnids.test", "mail.jnids.test",
                 "ns1.jnids.test"]
        datagrams = [dns_query(0x1000 + i, n) for i, n in enumerate(names)]
    else:
        sizes = [int(x) for x in args.sizes.split(",")]
        datagrams = [random.Random(args.seed + i).randbytes(n) for i, n in enumerate(sizes)]
    for d in datagrams:
        s.send(d)
        reply = s.recv(65535)
        expected = dns_answer(d) if args.mode == "dns" else d[::-1]
        if reply != expected:
            raise SystemExit("unexpected UDP reply")
        c, srv = endpoint(cip, cport), endpoint(args.server, args.port)
        lines.append("UDP %s %s len=%d crc32=%s" % (c, srv, len(d), crc(d)))
        lines.append("UDP %s %s len=%d crc32=%s" % (srv, c, len(reply), crc(reply)))
        time.sleep(args.gap)
    with open(args.truth, "a") as f:
        for l in lines:
            f.write(l + "\n")


# ---------------------------------------------------------------- curl

def curl_truth(args):
    """Ground truth of one curl transfer from its --trace file: every byte curl
    sent (=> Send header/data) and received (<= Recv header/data), in order."""
    sent, got = bytearray(), bytearray()
    target, remaining = None, 0
    with open(args.trace, encoding="latin-1") as f:
        for line in f:
            if line.startswith("=> Send header") or line.startswith("=> Send data"):
                target, remaining = sent, int(line.split(",")[1].split()[0])
            elif line.startswith("<= Recv header") or line.startswith("<= Recv data"):
                target, remaining = got, int(line.split(",")[1].split()[0])
            elif line[:1] in ("=", "<"):
                target, remaining = None, 0
            elif target is not None and remaining > 0 and ": " in line:
                offset, rest = line.split(": ", 1)
                if not all(c in "0123456789abcdef" for c in offset):
                    continue
                k = min(16, remaining)
                target += bytes(int(t, 16) for t in rest.split()[:k])
                remaining -= k
    with open(args.truth, "a") as f:
        f.write("TCP %s %s end=CLOSE cts=%d cts_crc32=%s stc=%d stc_crc32=%s\n"
                % (args.client, args.server, len(sent), crc(bytes(sent)), len(got), crc(bytes(got))))
    if args.body is not None:
        with open(args.body, "rb") as b:
            body = b.read()
        if not bytes(got).endswith(body):
            raise SystemExit("curl's trace does not end with the body it saved")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("tcp-server")
    a.add_argument("--bind", default="0.0.0.0")
    a.add_argument("--port", type=int, required=True)
    a = sub.add_parser("tcp-client")
    a.add_argument("--server", required=True)
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--mode", default="close")
    a.add_argument("--count", type=int, default=1)
    a.add_argument("--parallel", action="store_true")
    a.add_argument("--req", type=int, default=-1, help="request bytes (default: random)")
    a.add_argument("--resp", type=int, default=-1, help="response bytes (default: random)")
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--gap", type=float, default=0.05)
    a.add_argument("--hold", type=float, default=5.0)
    a.add_argument("--truth", required=True)
    a = sub.add_parser("scan")
    a.add_argument("--server", required=True)
    a.add_argument("--first", type=int, default=1000)
    a.add_argument("--count", type=int, default=20)
    a.add_argument("--gap", type=float, default=0.02)
    a = sub.add_parser("udp-server")
    a.add_argument("--bind", default="0.0.0.0")
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--mode", default="echo")
    a = sub.add_parser("udp-client")
    a.add_argument("--server", required=True)
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--mode", default="echo")
    a.add_argument("--sizes", default="100,1000")
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--gap", type=float, default=0.05)
    a.add_argument("--truth", required=True)
    a = sub.add_parser("curl-truth")
    a.add_argument("--trace", required=True)
    a.add_argument("--client", required=True, help="C:cp ([C]:cp for IPv6)")
    a.add_argument("--server", required=True, help="S:sp ([S]:sp for IPv6)")
    a.add_argument("--body", help="the file curl saved (-o): checked against the trace")
    a.add_argument("--truth", required=True)
    args = p.parse_args()
    {"tcp-server": tcp_server, "tcp-client": tcp_client, "scan": scan,
     "udp-server": udp_server, "udp-client": udp_client, "curl-truth": curl_truth}[args.cmd](args)


if __name__ == "__main__":
    main()
