#!/usr/bin/env python3
"""Makes lossy copies of real captures: packets dropped from the pcap as a busy
sensor drops them, deterministically, so that the senders' own record of the
bytes (the original capture's .truth, made by the programs that sent them) is
the truth for what a reassembler must deliver plus report missing.

    python3 testdata/lossy/make-lossy.py      (from the repository's root)

For each capture below: of the TCP packets that carry data and no SYN, FIN or
RST, the k-th (counting from 0 over the whole file) is dropped when
k % PERIOD == PHASE, and a burst of BURST consecutive ones from the packet
BURST_AT on. The receivers acknowledged every dropped segment (they were sent
and received; only the capture lacks them). Writes <name>.pcap and
<name>.sent (the original .truth lines) next to this script.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURED = os.path.join(HERE, "..", "captured")

# name: (source, period, phase, burst_at, burst)
PLANS = {
    "http-large-lossy": ("http-large", 29, 7, 200, 4),
    "concurrent-lossy": ("concurrent", 7, 3, 40, 3),
}


def tcp_data_without_control(frame):
    """Whether an Ethernet frame is IPv4 TCP with a payload and no SYN/FIN/RST."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return False
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6 or len(ip) < ihl + 20:
        return False
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:]
    off = (tcp[12] >> 4) * 4
    flags = tcp[13]
    return total - ihl - off > 0 and not flags & 0x07


def make(name, source, period, phase, burst_at, burst):
    with open(os.path.join(CAPTURED, source + ".pcap"), "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit(f"{source}.pcap: expected a little-endian microsecond pcap file")
    out = [data[:24]]
    pos, k, dropped, kept = 24, 0, 0, 0
    while pos < len(data):
        caplen = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        rec = data[pos:pos + 16 + caplen]
        pos += 16 + caplen
        if tcp_data_without_control(rec[16:]):
            drop = k % period == phase or burst_at <= k < burst_at + burst
            k += 1
            if drop:
                dropped += 1
                continue
        out.append(rec)
        kept += 1
    with open(os.path.join(HERE, name + ".pcap"), "wb") as f:
        f.write(b"".join(out))
    with open(os.path.join(CAPTURED, source + ".truth")) as src, open(os.path.join(HERE, name + ".sent"), "w") as dst:
        dst.write(src.read())
    print(f"{name}.pcap: {kept} packets kept, {dropped} of {k} data segments dropped (from {source}.pcap)")


if __name__ == "__main__":
    for n, plan in PLANS.items():
        make(n, *plan)
