#!/usr/bin/env bash
# Makes captured/ipv6/offload.pcap: a capture taken on a sending host whose
# network card was to fill in checksums. The client namespace (fd00:77::1)
# keeps its veth's transmit checksum and segmentation offloads on, and the
# capture is taken on that interface: its own TCP segments are recorded with
# the partial checksum the stack leaves for the card (and, with segmentation
# offload, as segments larger than the MTU), the server's with right ones.
# Two HTTP/1.0 downloads (curl <- http.server), 23 B and 200 KB, with their
# ground truth (offload.truth, curl's own record, as for the other captures).
# Run as root: bash testdata/captured/make-ipv6-offload.sh; then the expected
# output with Ipv6Oracle (see testdata/README.md).
IPV6=1
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
OUT=$HERE/ipv6
cd "$OUT"
WWW=$(mktemp -d)
WORK=$(mktemp -d)
SERVERS=
trap 'kill $SERVERS 2>/dev/null; ns_down; rm -rf "$WWW" "$WORK"' EXIT
rm -f offload.truth

"$PY" - "$WWW" <<'PY'
import os, random, sys
www = sys.argv[1]
with open(os.path.join(www, "hello.txt"), "wb") as f:
    f.write(b"hello, jnids over IPv6\n")
with open(os.path.join(www, "medium.bin"), "wb") as f:
    f.write(random.Random(173).randbytes(200000))
PY

ns_up 1500 1500
ip netns exec "$NS_C" ethtool -K "$DEV_C" tx on tso on gso on >/dev/null
ip netns exec "$NS_S" "$PY" -m http.server --bind "$S_IP" --directory "$WWW" 8000 >/dev/null 2>&1 &
SERVERS="$SERVERS $!"
sleep 1.5
in_c ping -6 -c 1 -W 1 "$S_IP" >/dev/null 2>&1 || true


# a larger capture buffer (-B, KiB): the download arrives in bursts
capture_start offload.pcap "$NS_C" "$DEV_C" -B 16384
fetch6 offload.truth 42301 /hello.txt
fetch6 offload.truth 42302 /medium.bin
capture_stop offload.pcap
ls -l offload.pcap
