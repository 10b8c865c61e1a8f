#!/usr/bin/env bash
# Makes the IPv6 captures of captured/ipv6/ between two network namespaces
# (netns.sh with IPV6=1: fd00:77::1 client, fd00:77::2 server), from curl and
# Python's http.server and from apps.py's clients and servers, with their
# ground truth (*.truth, the senders' own record, as for the IPv4 captures):
#   http-small.pcap   six HTTP/1.0 transfers, one connection each (curl <- http.server)
#   http-large.pcap   one 600 KB download
#   concurrent.pcap   50 connections opened at once, random sizes each way
#   reset.pcap        connections reset by the server and by the client (SO_LINGER 0)
#   half-close.pcap   clients that shut down their sending side first
#   urgent.pcap       urgent (MSG_OOB) bytes both ways
#   open-at-end.pcap  connections still open when the capture ends
#   portscan.pcap     SYNs to 20 closed ports, answered by RSTs
#   udp-dns.pcap      five DNS-style queries and answers
#   udp-frag.pcap     datagrams of 100 to 30000 bytes echoed back; the client's
#                     route to the server has an MTU of 1280 (IPv6's minimum), the
#                     server's 1400, so the kernel sends both directions as IPv6
#                     fragments (fragment extension headers), of two sizes
# Run as root: bash testdata/captured/make-ipv6.sh; then the expected outputs with
# Ipv6Expected (see testdata/README.md).
IPV6=1
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
OUT=$HERE/ipv6
mkdir -p "$OUT"
cd "$OUT"
WWW=$(mktemp -d)
WORK=$(mktemp -d)
SERVERS=
trap 'kill $SERVERS 2>/dev/null; ns_down; rm -rf "$WWW" "$WORK"' EXIT
rm -f ./*.truth

"$PY" - "$WWW" <<'PY'
import os, random, sys
www = sys.argv[1]
def put(name, data):
    with open(os.path.join(www, name), "wb") as f:
        f.write(data)
put("hello.txt", b"hello, jnids over IPv6\n")
put("empty.txt", b"")
put("page.html", b"<!doctype html>\n<title>jnids</title>\n" + b"".join(
    b"<p>line %d of a small page served over IPv6</p>\n" % i for i in range(60)))
put("small.bin", random.Random(171).randbytes(40000))
put("big.bin", random.Random(172).randbytes(600000))
PY

ns_up 1500 1500
ip -n "$NS_C" -6 route replace "$S_IP/128" dev "$DEV_C" mtu lock 1280
ip -n "$NS_S" -6 route replace "$C_IP/128" dev "$DEV_S" mtu lock 1400
ip netns exec "$NS_S" "$PY" -m http.server --bind "$S_IP" --directory "$WWW" 8000 >/dev/null 2>&1 &
SERVERS="$SERVERS $!"
ip netns exec "$NS_S" "$PY" "$APPS" tcp-server --bind "$S_IP" --port 7000 &
SERVERS="$SERVERS $!"
ip netns exec "$NS_S" "$PY" "$APPS" udp-server --bind "$S_IP" --port 5353 --mode dns &
SERVERS="$SERVERS $!"
ip netns exec "$NS_S" "$PY" "$APPS" udp-server --bind "$S_IP" --port 7001 --mode echo &
SERVERS="$SERVERS $!"
sleep 1.5
# Neighbour discovery before capturing, so that the first packets are not delayed.
in_c ping -6 -c 1 -W 1 "$S_IP" >/dev/null 2>&1 || true

client() { in_c "$PY" "$APPS" tcp-client --server "$S_IP" --port 7000 "$@"; }

capture_start http-small.pcap "$NS_S" "$DEV_S"
fetch6 http-small.truth 42001 /hello.txt
fetch6 http-small.truth 42002 /empty.txt
fetch6 http-small.truth 42003 /page.html
fetch6 http-small.truth 42004 /no/such/file
fetch6 http-small.truth 42005 /
fetch6 http-small.truth 42006 /small.bin
capture_stop http-small.pcap

capture_start http-large.pcap "$NS_S" "$DEV_S"
fetch6 http-large.truth 42101 /big.bin
capture_stop http-large.pcap

capture_start concurrent.pcap "$NS_S" "$DEV_S"
client --mode close --count 50 --parallel --seed 111 --truth concurrent.truth
capture_stop concurrent.pcap

capture_start reset.pcap "$NS_S" "$DEV_S"
client --mode srvrst --count 2 --req 300 --resp 5000 --seed 121 --truth reset.truth
client --mode clirst --count 2 --req 200 --resp 7000 --seed 122 --truth reset.truth
capture_stop reset.pcap

capture_start half-close.pcap "$NS_S" "$DEV_S"
client --mode halfclose --count 3 --req 1200 --resp 60000 --seed 131 --truth half-close.truth
capture_stop half-close.pcap

capture_start urgent.pcap "$NS_S" "$DEV_S"
client --mode urgent --count 2 --req 2000 --resp 3000 --seed 141 --truth urgent.truth
capture_stop urgent.pcap

capture_start open-at-end.pcap "$NS_S" "$DEV_S"
client --mode hold --count 3 --req 400 --resp 900 --seed 151 --hold 4 --truth open-at-end.truth &
HOLDER=$!
sleep 2
capture_stop open-at-end.pcap
wait $HOLDER

capture_start portscan.pcap "$NS_S" "$DEV_S"
in_c "$PY" "$APPS" scan --server "$S_IP" --first 2000 --count 20
capture_stop portscan.pcap

capture_start udp-dns.pcap "$NS_S" "$DEV_S"
in_c "$PY" "$APPS" udp-client --server "$S_IP" --port 5353 --mode dns --truth udp-dns.truth
capture_stop udp-dns.pcap

# a larger capture buffer (-B, KiB): a 30000-byte datagram arrives as a burst of fragments
capture_start udp-frag.pcap "$NS_S" "$DEV_S" -B 16384
in_c "$PY" "$APPS" udp-client --server "$S_IP" --port 7001 --mode echo \
    --sizes 100,1232,1233,1352,1400,4000,9000,30000 --seed 161 --gap 0.3 --truth udp-frag.truth
capture_stop udp-frag.pcap

printf -- '--warn\n' >portscan.options
printf -- '--udp\n' >udp-dns.options
printf -- '--udp --ip --frag --warn\n' >udp-frag.options
ls -l ./*.pcap
