#!/usr/bin/env python3
"""Writes the hostile captures of testdata/hostile/ (one per libnids patch;
see testdata/hostile/README.md). Each is the smallest capture that makes
the unpatched library misbehave under build/regress.

    python3 native/fuzz/mkhostile.py testdata/hostile
"""
import os, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed import csum, ip, tcp, udp, eth

def pcap(records, linktype=1, snap=65535):
    """records: list of bytes, or of (bytes, wire_length)."""
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snap, linktype)
    for i, r in enumerate(records):
        data, wire = (r, len(r)) if isinstance(r, bytes) else r
        out += struct.pack("<IIII", 1000 + i, 0, len(data), wire) + data
    return out

def raw_ip(src, dst, proto, payload, ihl_words=5, tot_len=None, frag=0, mf=0, opts=b"", fix_sum=True):
    tot = tot_len if tot_len is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl_words, 0, tot, 77, (mf << 13) | frag, 64, proto, 0,
                    bytes(src), bytes(dst)) + opts
    if fix_sum:
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload

A, B = [10, 0, 0, 1], [10, 0, 0, 2]
LLC = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"

def files():
    f = {}
    # 0001: a link type libnids does not know (LINKTYPE_USER0)
    f["nids-init-unknown-linktype.pcap"] = pcap([b"\x00" * 40], linktype=147)
    # 0002: an ordinary UDP datagram; the leak is per session
    f["udp-session.pcap"] = pcap([eth(ip(A, B, 17, udp(A, B, 53, 53, b"hello")))])
    # 0003, 0011: a first fragment whose rest never comes
    f["frag-incomplete.pcap"] = pcap([eth(raw_ip(A, B, 17, udp(A, B, 1, 2, b"x" * 32), mf=1))])
    # 0004: a fragment that is all header
    f["frag-header-only.pcap"] = pcap([eth(raw_ip(A, B, 17, b"", mf=1, frag=1))])
    # 0005: 24 bytes of IP claiming a 60-byte header
    h = raw_ip(A, B, 17, b"", ihl_words=15, tot_len=24, fix_sum=False) + b"\0\0\0\0"
    f["ip-hl-beyond-caplen.pcap"] = pcap([eth(h)])
    # 0006: radiotap length far past the packet; a 3-byte radiotap packet;
    # prism and bare 802.11 packets too short for their headers
    f["radiotap-len-beyond-caplen.pcap"] = pcap([struct.pack("<BBHI", 0, 0, 0xff00, 0), b"\0\0\x08"], linktype=127)
    f["prism-short.pcap"] = pcap([b"\0" * 144], linktype=119)
    f["wlan-short.pcap"] = pcap([b"\x08"], linktype=105)
    # 0007: an 802.11 data frame cut inside its header, 1500 bytes on the wire
    frame = struct.pack("<BBH", 0x08, 0x01, 0) + bytes(22)
    f["wlan-llc-truncated.pcap"] = pcap([(frame, 1500)], linktype=105)
    # 0008: a SYN from 0.0.1.128 (s_addr 0x80010000 in memory: hash -255)
    f["scan-negative-hash.pcap"] = pcap([eth(tcp([0, 0, 1, 128], B, 1000, 80, 1, 0, 0x02))])
    # 0009, 0010: SYNs to a few ports
    f["syn-only.pcap"] = pcap([eth(tcp(A, B, 1000, p, 1, 0, 0x02)) for p in range(1, 9)])
    # 0012: a 24-byte header ending in the first byte of a record-route option
    f["ip-option-last-byte.pcap"] = pcap([eth(raw_ip(A, B, 17, b"", ihl_words=6, opts=b"\x01\x01\x01\x07"))])
    # 0013: an Ethernet frame carrying 6 bytes of "IP"
    f["ip-shorter-than-header.pcap"] = pcap([eth(b"\x45\0\0\x06\0\0")])
    # 0014: the server's FIN out of order, the client's FIN in order (this
    # arms the closing timeout), data that fills the gap (the regress
    # scenario turns tcp_workarounds off in that callback), a RST, and a
    # packet 20 s later
    c, s = 1000, 5000
    conv = [(0, tcp(A, B, 1234, 80, c, 0, 0x02)),
            (0, tcp(B, A, 80, 1234, s, c + 1, 0x12)),
            (0, tcp(A, B, 1234, 80, c + 1, s + 1, 0x10)),
            (1, tcp(B, A, 80, 1234, s + 6, c + 1, 0x19, b"x")),
            (1, tcp(A, B, 1234, 80, c + 1, s + 1, 0x11)),
            (2, tcp(B, A, 80, 1234, s + 1, c + 2, 0x18, b"hello")),
            (2, tcp(B, A, 80, 1234, s + 1, c + 2, 0x04)),
            (22, tcp(A, [10, 0, 0, 3], 9, 9, 1, 0, 0x02))]
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for t, p in conv:
        fr = eth(p)
        out += struct.pack("<IIII", 1000 + t, 0, len(fr), len(fr)) + fr
    f["tcp-workarounds-toggled.pcap"] = out
    # 0024: a stream established with data each way and never closed, then,
    # more than tcp_flow_timeout (3600 s) later, a new SYN from its client
    c, s = 1000, 5000
    conv = [(0, tcp(A, B, 1235, 80, c, 0, 0x02)),
            (0, tcp(B, A, 80, 1235, s, c + 1, 0x12)),
            (0, tcp(A, B, 1235, 80, c + 1, s + 1, 0x10)),
            (1, tcp(A, B, 1235, 80, c + 1, s + 1, 0x18, b"hi")),
            (1, tcp(B, A, 80, 1235, s + 1, c + 3, 0x18, b"yo")),
            (3602, tcp(A, B, 1235, 80, 90000, 0, 0x02))]
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for t, p in conv:
        fr = eth(p)
        out += struct.pack("<IIII", 1000 + t, 0, len(fr), len(fr)) + fr
    f["tcp-late-syn.pcap"] = out
    return f

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in files().items():
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(data)
        print(name, len(data))

if __name__ == "__main__":
    main()
