#!/usr/bin/env bash
# Makes midstream.pcap: a capture that starts after two connections were
# already running (one continues with the client's data, one with the
# server's), plus two connections whose SYN, or SYN/ACK, the capture filter
# hides; midstream_app.py's client writes the ground truth (midstream.truth):
# what each side sent after the capture started. Read with --midstream
# (midstream.options). Run as root: bash testdata/captured/make-midstream.sh;
# then regen-expected.sh.
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
cd "$HERE"
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null; ns_down; rm -rf "$WORK"' EXIT
APP=$HERE/midstream_app.py

ns_up 1500 1500
in_s "$PY" "$APP" server --go "$WORK/go" &
SERVER=$!
sleep 1
in_c "$PY" "$APP" client --server "$S_IP" --ready "$WORK/ready" --go "$WORK/go" --truth midstream.truth &
CLIENT=$!
while [ ! -e "$WORK/ready" ]; do sleep 0.1; done
sleep 1   # phase 1 fully acknowledged: nothing of it is in flight
# no SYN of port 9003, no SYN/ACK of port 9004
capture_start midstream.pcap "$NS_S" jn-srv \
    'not (tcp port 9003 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn) and
     not (tcp port 9004 and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack))'
touch "$WORK/go"
wait $CLIENT
wait $SERVER
capture_stop midstream.pcap
echo --midstream > midstream.options
ls -l midstream.pcap
