#!/usr/bin/env bash
# Makes the TCP captures between two network namespaces (see netns.sh), from
# apps.py's client and server, and their ground truth (*.truth):
#   concurrent.pcap   50 connections opened at once, random sizes each way
#   reset.pcap        connections reset by the server and by the client (SO_LINGER 0)
#   half-close.pcap   clients that shut down their sending side first; the server sends afterwards
#   urgent.pcap       urgent (MSG_OOB) bytes both ways
#   open-at-end.pcap  connections still open when the capture ends
#   portscan.pcap     SYNs to 20 closed ports, answered by RSTs
# Run as root from anywhere: bash testdata/captured/make-tcp.sh; then regen-expected.sh.
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
cd "$HERE"
trap 'kill $SERVER 2>/dev/null; ns_down' EXIT

ns_up 1500 1500
ip netns exec "$NS_S" "$PY" "$APPS" tcp-server --port 7000 &
SERVER=$!
sleep 1
client() { in_c "$PY" "$APPS" tcp-client --server "$S_IP" --port 7000 "$@"; }

rm -f concurrent.truth reset.truth half-close.truth urgent.truth open-at-end.truth

capture_start concurrent.pcap "$NS_S" jn-srv
client --mode close --count 50 --parallel --seed 11 --truth concurrent.truth
capture_stop concurrent.pcap

capture_start reset.pcap "$NS_S" jn-srv
client --mode srvrst --count 2 --req 300 --resp 5000 --seed 21 --truth reset.truth
client --mode clirst --count 2 --req 200 --resp 7000 --seed 22 --truth reset.truth
capture_stop reset.pcap

capture_start half-close.pcap "$NS_S" jn-srv
client --mode halfclose --count 3 --req 1200 --resp 60000 --seed 31 --truth half-close.truth
capture_stop half-close.pcap

capture_start urgent.pcap "$NS_S" jn-srv
client --mode urgent --count 2 --req 2000 --resp 3000 --seed 41 --truth urgent.truth
capture_stop urgent.pcap

capture_start open-at-end.pcap "$NS_S" jn-srv
client --mode hold --count 3 --req 400 --resp 900 --seed 51 --hold 4 --truth open-at-end.truth &
HOLDER=$!
sleep 2
capture_stop open-at-end.pcap
wait $HOLDER

capture_start portscan.pcap "$NS_S" jn-srv
in_c "$PY" "$APPS" scan --server "$S_IP" --first 2000 --count 20
capture_stop portscan.pcap
ls -l *.pcap
