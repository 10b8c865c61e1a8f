#!/usr/bin/env python3
"""Compares the flow files jnids --dump and tcpflow wrote for one capture.

    compare-flows.py JNIDS_DIR TCPFLOW_DIR

Both name a direction's file A.a-B.b (addresses zero-padded, tcpflow's
naming). A later connection on the same 4-tuple is B.b-1, -2, ... in jnids and
B.bc1, c2, ... in tcpflow (its default template %A.%a-%B.%b%V%v%C%c); the two
are matched as the same file. Prints a summary; exits with status 1 when a file
both wrote differs, other than jnids' file being a prefix of tcpflow's: libnids
delivers nothing more of a direction once it is missing a segment it will not
get (one it dropped, or one the capture lacks), where tcpflow writes every
segment at its sequence offset and leaves holes as zeros.
"""
import os
import re
import sys

SUFFIX_JNIDS = re.compile(r"^(.*\.\d{5})-(\d+)$")
SUFFIX_TCPFLOW = re.compile(r"^(.*\.\d{5})c(\d+)$")
FLOW = re.compile(r"^(\d{3}\.\d{3}\.\d{3}\.\d{3}\.\d{5})-(\d{3}\.\d{3}\.\d{3}\.\d{3}\.\d{5})$")


def flows(directory, suffix):
    """Maps (base name, repeat) to the file name, for every flow file in directory."""
    out = {}
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if not os.path.isfile(path) or name == "report.xml":
            continue
        m = suffix.match(name)
        key = (m.group(1), int(m.group(2))) if m else (name, 0)
        out[key] = name
    return out


def first_difference(a, b):
    """Offset of the first differing byte of two files, or None when they are equal."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        offset = 0
        while True:
            x = fa.read(1 << 20)
            y = fb.read(1 << 20)
            if x != y:
                n = min(len(x), len(y))
                i = next((k for k in range(n) if x[k] != y[k]), n)
                return offset + i
            if not x:
                return None
            offset += len(x)


def tuple_of(base):
    """The connection a flow file belongs to, the same for both directions."""
    m = FLOW.match(base)
    return tuple(sorted(m.groups())) if m else base


def main():
    jdir, tdir = sys.argv[1], sys.argv[2]
    j = flows(jdir, SUFFIX_JNIDS)
    t = flows(tdir, SUFFIX_TCPFLOW)
    common = sorted(set(j) & set(t))
    only_j = sorted(set(j) - set(t))
    only_t = sorted(set(t) - set(j))
    differ = []
    prefix = []
    same_bytes = 0
    for key in common:
        a = os.path.join(jdir, j[key])
        b = os.path.join(tdir, t[key])
        d = first_difference(a, b)
        sj, st = os.path.getsize(a), os.path.getsize(b)
        if d is None:
            same_bytes += sj
        elif d == sj and st > sj:
            prefix.append((j[key], sj, st, d))
        else:
            differ.append((j[key], sj, st, d))

    print("flow files: jnids %d, tcpflow %d, both %d; identical %d (%d bytes), jnids' a prefix of tcpflow's %d, "
          "different %d" % (len(j), len(t), len(common), len(common) - len(differ) - len(prefix), same_bytes,
                            len(prefix), len(differ)))
    for name, sj, st, d in prefix[:20]:
        print("  PREFIX %s: jnids %d bytes, tcpflow %d bytes (libnids delivered no further bytes)" % (name, sj, st))
    for name, sj, st, d in differ[:20]:
        print("  DIFFERENT %s: jnids %d bytes, tcpflow %d bytes, first difference at byte %d" % (name, sj, st, d))

    j_tuples = {tuple_of(k[0]) for k in j}
    t_tuples = {tuple_of(k[0]) for k in t}
    for label, only, own, other_tuples, other in (("jnids", only_j, j, t_tuples, "tcpflow"),
                                                  ("tcpflow", only_t, t, j_tuples, "jnids")):
        if not only:
            continue
        unknown = [k for k in only if tuple_of(k[0]) not in other_tuples]
        known = [k for k in only if tuple_of(k[0]) in other_tuples]
        print("only %s wrote %d files:" % (label, len(only)))
        if unknown:
            why = ("libnids did not follow these connections (no three-way handshake in the capture, "
                   "or a stream libnids gave up on)" if label == "tcpflow"
                   else "tcpflow wrote nothing for these connections")
            print("  %d of connections %s has no file of: %s" % (len(unknown), other, why))
        if known:
            why = ("a direction that carried no data for libnids (e.g. only bytes after a gap, or a "
                   "repeated connection the other tool did not split)")
            print("  %d of connections %s has the other direction or an earlier repeat of: %s"
                  % (len(known), other, why))
        for k in only[:10]:
            name = own[k]
            print("    %s (%d bytes)" % (name, os.path.getsize(os.path.join(jdir if label == "jnids" else tdir, name))))
        if len(only) > 10:
            print("    ...")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
