#!/usr/bin/env python3
"""Checks a nids_dump output (*.expected) against a capture's ground truth
(*.truth, written by apps.py from the bytes the programs sent; format in
apps.py). Every truth line must be matched:

  TCP ... end=E cts=.. stc=..   the stream's last line is "TCP E" with these counts and CRCs
  UDP ... len=N crc32=X         a UDP line with this tuple, length and CRC (as many times as listed)
  URG ... to=T byte=HH          a TCP URG line like it (as many times as listed)

Exit status 0 when all match; the mismatches are printed otherwise.
"""
import collections
import sys


def main(expected_path, truth_path):
    expected = open(expected_path).read().splitlines()
    ends = {}
    udp = collections.Counter()
    urg = collections.Counter()
    for line in expected:
        f = line.split()
        if len(f) >= 4 and f[0] == "TCP" and f[1] in ("CLOSE", "RESET", "TIMEOUT", "EXITING"):
            ends[(f[2], f[3])] = (f[1], f[4:])
        elif f and f[0] == "UDP":
            udp[(f[1], f[2], f[3], f[4])] += 1
        elif len(f) >= 2 and f[0] == "TCP" and f[1] == "URG":
            urg[tuple(f[2:])] += 1
    bad = 0
    checked = 0
    for line in open(truth_path).read().splitlines():
        f = line.split()
        if not f:
            continue
        checked += 1
        if f[0] == "TCP":
            key = (f[1], f[2])
            want_end = f[3].split("=")[1]
            if key not in ends:
                print("missing stream: %s" % line)
                bad += 1
                continue
            end, fields = ends[key]
            if end != want_end or fields != f[4:]:
                print("truth:    %s\n  dumped: TCP %s %s %s %s" % (line, end, key[0], key[1], " ".join(fields)))
                bad += 1
        elif f[0] == "UDP":
            key = (f[1], f[2], f[3], f[4])
            if udp[key] > 0:
                udp[key] -= 1
            else:
                print("missing datagram: %s" % line)
                bad += 1
        elif f[0] == "URG":
            key = tuple(f[1:])
            if urg[key] > 0:
                urg[key] -= 1
            else:
                print("missing urgent byte: %s" % line)
                bad += 1
    print("%s: %d of %d ground-truth lines match" % (expected_path, checked - bad, checked))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
