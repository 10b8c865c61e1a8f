#!/usr/bin/env bash
# Makes the UDP captures between two network namespaces (see netns.sh), from
# apps.py's client and server, and their ground truth (*.truth):
#   udp-dns.pcap   five DNS-style queries and their answers
#   udp-frag.pcap  datagrams of 100 to 30000 bytes echoed back: the client's
#                  route to the server has an MTU of 600, the server's 1500 (a
#                  veth end drops frames bigger than its own MTU, so the interfaces
#                  both keep 1500), so both directions travel as IP fragments, of
#                  two sizes
# Run as root: bash testdata/captured/make-udp.sh; then regen-expected.sh.
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
cd "$HERE"
SERVER=
trap 'kill $SERVER 2>/dev/null; ns_down' EXIT
rm -f udp-dns.truth udp-frag.truth

ns_up 1500 1500
ip -n "$NS_C" route replace "$S_IP/32" dev jn-cli mtu lock 600
ip netns exec "$NS_S" "$PY" "$APPS" udp-server --port 5353 --mode dns &
SERVER="$SERVER $!"
ip netns exec "$NS_S" "$PY" "$APPS" udp-server --port 7001 --mode echo &
SERVER="$SERVER $!"
sleep 1
# The first datagram each way needs ARP; resolve it before capturing.
in_c ping -c 1 -W 1 "$S_IP" >/dev/null 2>&1 || true

capture_start udp-dns.pcap "$NS_S" jn-srv
in_c "$PY" "$APPS" udp-client --server "$S_IP" --port 5353 --mode dns --truth udp-dns.truth
capture_stop udp-dns.pcap

capture_start udp-frag.pcap "$NS_S" jn-srv
in_c "$PY" "$APPS" udp-client --server "$S_IP" --port 7001 --mode echo \
    --sizes 100,572,573,1400,1473,4000,9000,30000 --seed 61 --truth udp-frag.truth
capture_stop udp-frag.pcap
ls -l udp-*.pcap
