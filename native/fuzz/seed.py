#!/usr/bin/env python3
"""Makes the seed corpora of jnids' fuzz harnesses.

    python3 native/fuzz/seed.py OUTDIR capture...

Writes OUTDIR/capture/ (inputs of fuzz_capture: a flags byte, then a capture
file), OUTDIR/linktypes/ (inputs of fuzz_linktypes) and OUTDIR/sessions/
(inputs of fuzz_sessions: pairs of the capture seeds) and OUTDIR/ip6frag/
(fuzz_ip6frag's fragment records, hand-made). Seeds come from the
captures named (pcapng ones are converted with tcpdump when it is present),
cut into small pieces so that each runs fast, and from a few hand-made
sessions: IP fragments in and out of order and overlapping, TCP with urgent
data, retransmissions, out-of-order segments and resets, UDP, ICMP errors.
"""
import hashlib, os, shutil, struct, subprocess, sys, tempfile

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip(src, dst, proto, payload, ident=1, frag=0, mf=0, ttl=64, opts=b""):
    hl = (20 + len(opts)) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl, 0, hl * 4 + len(payload), ident,
                    (mf << 13) | frag, ttl, proto, 0, bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload

def l4sum(src, dst, proto, seg):
    return csum(bytes(src) + bytes(dst) + struct.pack("!BBH", 0, proto, len(seg)) + seg)

def tcp(src, dst, sp, dp, seq, ack, flags, data=b"", urp=0, win=8192, opts=b""):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, off << 4, flags, win, 0, urp) + opts
    s = l4sum(src, dst, 6, h + data)
    return ip(src, dst, 6, h[:16] + struct.pack("!H", s) + h[18:] + data)

def udp(src, dst, sp, dp, data):
    h = struct.pack("!HHHH", sp, dp, 8 + len(data), 0)
    s = l4sum(src, dst, 17, h + data)
    return h[:6] + struct.pack("!H", s or 0xffff) + data

def eth(p):
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb" + ethertype(p) + p

def ethertype(p):
    return b"\x86\xdd" if p[:1] and p[0] >> 4 == 6 else b"\x08\x00"

# IPv6: a header, then extension headers (each (next header, body) with the
# body padded to a multiple of 8 bytes with its 2-byte prefix), then the
# upper layer.
def ip6(src, dst, proto, payload, ext=(), hlim=64):
    chain, nxt = b"", proto
    for kind, body in reversed(ext):
        if kind == 44:  # Fragment header: fixed 8 bytes, body is its last 6
            chain = bytes([nxt, 0]) + body + chain
        elif kind == 51:  # AH: its length in 4-byte words, minus 2
            body = body + bytes(-(len(body) + 2) % 4)
            chain = bytes([nxt, (len(body) + 2) // 4 - 2]) + body + chain
        else:
            body = body + bytes(-(len(body) + 2) % 8)
            chain = bytes([nxt, (len(body) + 2) // 8 - 1]) + body + chain
        nxt = kind
    return struct.pack("!IHBB16s16s", 6 << 28, len(chain) + len(payload), nxt, hlim,
                       bytes(src), bytes(dst)) + chain + payload

def l6sum(src, dst, proto, seg):
    return csum(bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(seg), proto) + seg)

def tcp6(src, dst, sp, dp, seq, ack, flags, data=b"", urp=0, win=8192, ext=()):
    h = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags, win, 0, urp)
    s = l6sum(src, dst, 6, h + data)
    return ip6(src, dst, 6, h[:16] + struct.pack("!H", s) + h[18:] + data, ext)

def udp6(src, dst, sp, dp, data):
    h = struct.pack("!HHHH", sp, dp, 8 + len(data), 0)
    s = l6sum(src, dst, 17, h + data)
    return h[:6] + struct.pack("!H", s or 0xffff) + data

def frag6hdr(offset, more, ident):
    return (44, struct.pack("!HI", offset | more, ident))

def pcap(frames, linktype=1, snap=65535):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snap, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1000 + i, 0, len(f), len(f)) + f
    return out

def read_pcap(data):
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    pos, frames = 24, []
    while pos + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
        frames.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return linktype, frames

A, B, C = [10, 0, 0, 1], [10, 0, 0, 2], [192, 168, 1, 9]

def sessions():
    s = {}
    # TCP: handshake, data both ways, urgent data, out of order, retransmit, FIN
    c, v = 1000, 5000
    f = [tcp(A, B, 1234, 80, c, 0, 0x02), tcp(B, A, 80, 1234, v, c + 1, 0x12),
         tcp(A, B, 1234, 80, c + 1, v + 1, 0x10),
         tcp(A, B, 1234, 80, c + 1, v + 1, 0x18, b"GET / HTTP/1.0\r\n\r\n"),
         tcp(B, A, 80, 1234, v + 11, c + 19, 0x18, b"world"),
         tcp(B, A, 80, 1234, v + 1, c + 19, 0x18, b"hello ...."),
         tcp(B, A, 80, 1234, v + 1, c + 19, 0x18, b"hello ...."),
         tcp(A, B, 1234, 80, c + 19, v + 16, 0x38, b"!urgent", urp=3),
         tcp(A, B, 1234, 80, c + 26, v + 16, 0x11), tcp(B, A, 80, 1234, v + 16, c + 27, 0x11),
         tcp(A, B, 1234, 80, c + 27, v + 17, 0x10)]
    s["tcp"] = f
    # TCP with window scale and timestamps, then a reset
    opts = b"\x02\x04\x05\xb4\x01\x03\x03\x07\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x01\x04\x02"
    f = [tcp(A, C, 4000, 22, 7, 0, 0x02, opts=opts), tcp(C, A, 22, 4000, 70, 8, 0x12, opts=opts),
         tcp(A, C, 4000, 22, 8, 71, 0x10), tcp(C, A, 22, 4000, 71, 8, 0x18, b"SSH-2.0-x\r\n"),
         tcp(A, C, 4000, 22, 8, 82, 0x04)]
    s["tcp-rst"] = f
    # UDP, whole and in fragments: in order, reversed, overlapping, duplicated
    dg = udp(A, B, 53, 5353, bytes(range(256)) * 2)
    s["udp"] = [ip(A, B, 17, dg, ident=7)]
    frags = [ip(A, B, 17, dg[o:o + 128], ident=9, frag=o // 8, mf=int(o + 128 < len(dg)))
             for o in range(0, len(dg), 128)]
    s["frag"] = frags
    s["frag-rev"] = frags[::-1]
    s["frag-overlap"] = [ip(A, B, 17, dg[0:200], ident=11, frag=0, mf=1),
                         ip(A, B, 17, dg[96:300], ident=11, frag=12, mf=1),
                         ip(A, B, 17, dg[256:], ident=11, frag=32, mf=0),
                         ip(A, B, 17, dg[96:300], ident=11, frag=12, mf=1)]
    # ICMP port unreachable quoting a TCP segment of the first session
    quoted = tcp(A, B, 1234, 80, c + 1, v + 1, 0x10)[:28]
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    s["icmp"] = s["tcp"][:3] + [ip(B, A, 1, icmp)]
    # more than 64 KiB (by libnids' accounting) queued out of order: prune_queue()
    hs = s["tcp"][:3]
    s["tcp-bigqueue"] = hs + [tcp(B, A, 80, 1234, v + 100 + 2 * k, c + 1, 0x18, b"q") for k in range(300)] + \
        [tcp(B, A, 80, 1234, v + 1, c + 1, 0x18, b"z" * 99)]
    # two connections closing with a FIN out of order each (closing timeouts,
    # with tcp_workarounds), then a packet 20 s later
    def closing(sp):
        c2, v2 = 7000 + sp, 9000 + sp
        return [tcp(A, B, sp, 80, c2, 0, 0x02), tcp(B, A, 80, sp, v2, c2 + 1, 0x12),
                tcp(A, B, sp, 80, c2 + 1, v2 + 1, 0x10),
                tcp(B, A, 80, sp, v2 + 6, c2 + 1, 0x19, b"x"), tcp(A, B, sp, 80, c2 + 1, v2 + 1, 0x11),
                tcp(B, A, 80, sp, v2 + 1, c2 + 2, 0x18, b"hello")]
    s["tcp-closing"] = closing(2000) + closing(2001)
    # a SYN scan
    s["scan"] = [tcp(C, B, 6000, p, 1, 0, 0x02) for p in range(20, 40)]
    # IP options (record route, source route)
    s["ipopts"] = [ip(A, B, 17, udp(A, B, 1, 2, b"x" * 10), opts=b"\x07\x07\x04" + bytes(4) + b"\x01"),
                   ip(A, B, 17, udp(A, B, 1, 2, b"y" * 10), opts=b"\x83\x07\x04" + bytes([1, 2, 3, 4]) + b"\x01")]
    s.update(sessions6())
    return s

A6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
B6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]
C6 = [0xfe, 0x80] + [0] * 13 + [9]

def sessions6():
    """The hand-made sessions over IPv6: extension headers of every kind,
    fragments (in order, reversed, overlapping, atomic), a chain longer
    than the packet, UDP."""
    s = {}
    c, v = 1000, 5000
    hop = (0, b"\x01\x02\0\0")            # hop-by-hop, a PadN option
    dst = (60, b"\x01\x00")                  # destination options
    rt = (43, b"\x00\x00" + bytes(4))         # routing type 0, 0 segments left
    ah = (51, bytes(14))                       # AH with a 4-byte ICV
    f = [tcp6(A6, B6, 1234, 80, c, 0, 0x02), tcp6(B6, A6, 80, 1234, v, c + 1, 0x12),
         tcp6(A6, B6, 1234, 80, c + 1, v + 1, 0x10, ext=[hop]),
         tcp6(A6, B6, 1234, 80, c + 1, v + 1, 0x18, b"GET / HTTP/1.0\r\n\r\n", ext=[dst]),
         tcp6(B6, A6, 80, 1234, v + 11, c + 19, 0x18, b"world", ext=[rt]),
         tcp6(B6, A6, 80, 1234, v + 1, c + 19, 0x18, b"hello ....", ext=[hop, dst]),
         tcp6(B6, A6, 80, 1234, v + 1, c + 19, 0x18, b"hello ...."),
         tcp6(A6, B6, 1234, 80, c + 19, v + 16, 0x38, b"!urgent", urp=3),
         tcp6(A6, B6, 1234, 80, c + 26, v + 16, 0x11), tcp6(B6, A6, 80, 1234, v + 16, c + 27, 0x11),
         tcp6(A6, B6, 1234, 80, c + 27, v + 17, 0x10)]
    s["tcp6"] = f
    s["tcp6-rst"] = f[:4] + [tcp6(B6, A6, 80, 1234, v + 1, c + 19, 0x14)]
    # a TCP segment in three fragments, out of order
    seg = tcp6(A6, B6, 1234, 80, c + 1, v + 1, 0x18, bytes(range(200)) * 3)
    body = seg[40:]
    parts = [body[o:o + 256] for o in range(0, len(body), 256)]
    frags = [ip6(A6, B6, 6, p, ext=[frag6hdr(256 * i, int(i < len(parts) - 1), 77)]) for i, p in enumerate(parts)]
    s["tcp6-frag"] = f[:3] + [frags[1], frags[2], frags[0]]
    # UDP in fragments: in order, reversed, overlapping, duplicated, atomic
    dg = udp6(A6, B6, 53, 5353, bytes(range(256)) * 2)
    uf = [ip6(A6, B6, 17, dg[o:o + 128], ext=[hop, frag6hdr(o, int(o + 128 < len(dg)), 9)])
          for o in range(0, len(dg), 128)]
    s["udp6"] = [ip6(A6, B6, 17, dg), ip6(A6, C6, 17, udp6(A6, C6, 1, 2, b"x" * 10), ext=[dst])]
    s["frag6"] = uf
    s["frag6-rev"] = uf[::-1]
    s["frag6-overlap"] = [uf[0], ip6(A6, B6, 17, dg[64:256], ext=[frag6hdr(64, 1, 9)])] + uf[1:] + uf[:1]
    s["frag6-atomic"] = [ip6(A6, B6, 17, dg, ext=[frag6hdr(0, 0, 5)]), ip6(A6, B6, 17, dg, ext=[ah, frag6hdr(0, 0, 6)])]
    # a chain of extension headers longer than the packet, and one that
    # claims more than the payload length
    long_chain = ip6(A6, B6, 17, b"", ext=[hop, dst, rt, dst])
    s["ext6-short"] = [long_chain[:60], long_chain[:40 + 8 + 3],
                       long_chain[:4] + struct.pack("!H", 200) + long_chain[6:]]
    # a SYN scan from an IPv6 source
    s["scan6"] = [tcp6(C6, B6, 6000, p, 1, 0, 0x02) for p in range(20, 40)]
    return s

# Link-layer wrappers of an IP packet, for fuzz_linktypes (selector order
# matches the harness's table).
LLC = b"\xaa\xaa\x03\x00\x00\x00"
def wlan(p, qos=False, wds=False):
    fc = 0x08 | (0x80 if qos else 0)
    flags = 0x03 if wds else 0x01
    h = struct.pack("<BBH", fc, flags, 0) + bytes(18) + b"\0\0" + (bytes(6) if wds else b"") + (b"\0\0" if qos else b"")
    return h + LLC + ethertype(p) + p
# NULL/loopback: AF_INET 2, or one of the BSD AF_INET6 values (24, 28, 30)
def af(p):
    return 2 if ethertype(p) == b"\x08\x00" else (24, 28, 30)[len(p) % 3]
WRAP = {
    0: lambda p: eth(p),
    1: lambda p: wlan(p),
    2: lambda p: struct.pack("<BBHI", 0, 0, 8, 0) + wlan(p, qos=True),
    3: lambda p: bytes(144) + wlan(p, wds=True),
    4: lambda p: bytes(14) + ethertype(p) + p,
    5: lambda p: struct.pack("<I", af(p)) + p,
    6: lambda p: p,
}

def lt_input(flags, sel, packets):
    out = bytes([flags, sel])
    for p in packets:
        out += bytes([0]) + struct.pack("<H", len(p)) + p
    return out

def main():
    out = sys.argv[1]
    cap_dir, lt_dir = os.path.join(out, "capture"), os.path.join(out, "linktypes")
    os.makedirs(cap_dir, exist_ok=True)
    os.makedirs(lt_dir, exist_ok=True)
    ses_dir = os.path.join(out, "sessions")
    os.makedirs(ses_dir, exist_ok=True)
    captures = []
    def put(d, data):
        if d == cap_dir:
            captures.append(data)
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as fh:
            fh.write(data)
    ip_packets = []
    for name, frames in sessions().items():
        for flags in (0x00, 0x81, 0x13, 0x5f):
            put(cap_dir, bytes([flags]) + pcap([eth(p) for p in frames]))
        put(cap_dir, bytes([0x80]) + pcap(frames, linktype=101))
        ip_packets.append(frames)
    tmp = tempfile.mkdtemp()
    try:
        for path in sys.argv[2:]:
            with open(path, "rb") as fh:
                data = fh.read()
            put(cap_dir, b"\x00" + data[:32768])  # as it is, damage included
            if len(data) < 24:
                continue
            if data[:4] == b"\x0a\x0d\x0d\x0a":
                put(cap_dir, b"\x01" + data[:16384])
                conv = os.path.join(tmp, "x.pcap")
                if not shutil.which("tcpdump") or subprocess.run(
                        ["tcpdump", "-r", path, "-w", conv], capture_output=True).returncode:
                    continue
                with open(conv, "rb") as fh:
                    data = fh.read()
            if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
                continue
            linktype, frames = read_pcap(data)
            for i in range(0, len(frames), 24):
                chunk = frames[i:i + 24]
                put(cap_dir, bytes([0x01 if i % 48 else 0x81]) + pcap(chunk, linktype))
                if linktype == 1:
                    ip_packets.append([f[14:] for f in chunk if f[12:14] in (b"\x08\x00", b"\x86\xdd")])
    finally:
        shutil.rmtree(tmp)
    for n, packets in enumerate(ip_packets):
        packets = [p for p in packets if p]
        if not packets:
            continue
        for sel, wrap in WRAP.items():
            if (n + sel) % 3 == 0 or n < 11:
                put(lt_dir, lt_input(0x81 if sel else 0x01, sel, [wrap(p) for p in packets[:24]]))

    # fuzz_sessions: pairs of the capture seeds, each with its flags, and a
    # schedule byte (0: strict alternation).
    captures = [c for c in captures if len(c) <= 30000]
    for n, a in enumerate(captures):
        b = captures[(n * 7 + 3) % len(captures)]
        put(ses_dir, bytes([a[0], b[0] ^ (n & 0x42), (n * 37) & 0xff if n % 3 else 0])
            + struct.pack("<H", len(a) - 1) + a[1:] + b[1:])

    # fuzz_ip6frag: its own records (see fuzz_ip6frag.c), no capture.
    frag_dir = os.path.join(out, "ip6frag")
    os.makedirs(frag_dir, exist_ok=True)
    for name, records in ip6frag_seeds().items():
        for flags in (0x00, 0x07, 0x1c):
            put(frag_dir, bytes([flags]) + b"".join(records))

# fuzz_ip6frag's record: one fragment of (source, destination, id) of the
# 4 x 4 x 4 the harness knows; nh is an index into its next-header table
# (1: UDP, 0: TCP, 4: destination options), first the fragmentable part's
# first byte.
def frag6(offset, length, more, s=0, d=0, ident=0, ext=0, nh=1, first=17, clock=1, second=0):
    b3 = (nh & 15) | (0x80 if second else 0)
    return bytes([s | d << 2 | ident << 4 | ext << 6, offset >> 8, (offset & 0xf8) | more, b3,
                  length >> 8 & 7, length & 0xff, first, clock])

def ip6frag_seeds():
    def split(total, size, **kw):
        return [frag6(o, min(size, total - o), int(o + size < total), **kw) for o in range(0, total, size)]
    inorder = split(3000, 1232)
    small = split(64, 8, ident=1)
    shuffled = [small[i] for i in (3, 0, 7, 1, 6, 2, 5, 4)]
    seeds = {
        "in-order": inorder,
        "reversed": inorder[::-1],
        "shuffled": shuffled,
        "duplicates": [f for f in split(2000, 512, ident=2) for _ in (0, 1)],
        "overlap": [frag6(0, 16, 1, first=17), frag6(0, 16, 1, first=6), frag6(16, 48, 0)],
        "overlap-partial": [frag6(0, 24, 1), frag6(8, 24, 1), frag6(32, 8, 0)],
        "atomic": [frag6(0, 200, 0), frag6(0, 100, 1, ident=3), frag6(0, 40, 0, ident=3, ext=2),
                   frag6(100, 20, 0, ident=3)],
        "ext-headers": split(1500, 504, ext=1) + split(1500, 504, ext=2, d=1)[::-1] + split(800, 400, ext=3, s=2),
        "chain": [frag6(0, 8, 1, nh=4, first=6), frag6(0, 32, 1, nh=4, first=6), frag6(32, 8, 0),
                  frag6(0, 16, 1, nh=4, first=17, second=1, ident=1), frag6(16, 8, 0, ident=1)],
        "timeout": inorder[:2] + [frag6(3000 - 1232, 0, 1, clock=254)] + inorder[2:] + inorder,
        # 192 distinct fragments of 2 KiB: over the engine bound of 1 bucket
        "memory": [frag6(o, 2040, 1, s=i & 3, d=i >> 2 & 3, ident=i >> 4 & 3)
                   for o in (0, 2040, 4080) for i in range(64)],
        "memory-host": [frag6(o, 2040, 1, d=1, ident=i) for o in range(0, 2040 * 30, 2040) for i in range(4)],
        "oversized": [frag6(65528, 16, 0), frag6(65520, 8, 0, ext=2), frag6(0, 8, 1, ext=2)],
        "lengths": [frag6(0, 20, 1), frag6(8, 0, 1), frag6(24, 8, 1, ident=1), frag6(8, 8, 0, ident=1),
                    frag6(16, 8, 0, ident=2), frag6(32, 8, 0, ident=2), frag6(0, 16, 1, nh=6)],
    }
    return seeds

if __name__ == "__main__":
    main()
