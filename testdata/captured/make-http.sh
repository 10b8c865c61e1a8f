#!/usr/bin/env bash
# Makes the HTTP captures: Python's http.server serving generated files, curl
# fetching them; curl's --trace of each transfer is the ground truth (*.truth):
# every byte it sent and received.
#   http-small.pcap  between two network namespaces (see netns.sh): six small
#                    transfers, one connection each (13 B, empty, 3 KB page,
#                    a 404, a directory listing, a 40 KB file)
#   http-large.pcap  between two network namespaces: one 600 KB file
#   http-lo.pcap     on the loopback interface of a namespace, where the kernel
#                    leaves checksums to an offload that never happens: libnids
#                    drops every packet unless checksums are off (--no-checksum);
#                    segments up to 64 KB
# Run as root: bash testdata/captured/make-http.sh; then regen-expected.sh.
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
cd "$HERE"
WWW=$(mktemp -d)
WORK=$(mktemp -d)
SERVERS=
trap 'kill $SERVERS 2>/dev/null; ns_down; rm -rf "$WWW" "$WORK"' EXIT
rm -f http-small.truth http-large.truth http-lo.truth

# Generated, reproducible content.
"$PY" - "$WWW" <<'PY'
import os, random, sys
www = sys.argv[1]
def put(name, data):
    with open(os.path.join(www, name), "wb") as f:
        f.write(data)
put("hello.txt", b"hello, jnids\n")
put("empty.txt", b"")
put("page.html", b"<!doctype html>\n<title>jnids</title>\n" + b"".join(
    b"<p>line %d of a small page served for a capture</p>\n" % i for i in range(60)))
put("small.bin", random.Random(71).randbytes(40000))
put("big.bin", random.Random(72).randbytes(600000))
put("medium.bin", random.Random(73).randbytes(200000))
PY

ns_up 1500 1500
ip netns exec "$NS_S" "$PY" -m http.server --bind "$S_IP" --directory "$WWW" 8000 >/dev/null 2>&1 &
SERVERS="$SERVERS $!"
ip netns exec "$NS_S" "$PY" -m http.server --bind 127.0.0.1 --directory "$WWW" 8080 >/dev/null 2>&1 &
SERVERS="$SERVERS $!"
sleep 1.5

# fetch NAMESPACE TRUTH LOCAL_PORT SERVER_IP:PORT PATH
fetch() {
    local ns=$1 truth=$2 lport=$3 server=$4 path=$5 cip
    [ "${server%%:*}" = 127.0.0.1 ] && cip=127.0.0.1 || cip=$C_IP
    ip netns exec "$ns" curl -s --local-port "$lport" --trace "$WORK/trace" -D "$WORK/headers" \
        -o "$WORK/body" "http://$server$path" || true
    "$PY" "$APPS" curl-truth --trace "$WORK/trace" --client "$cip:$lport" --server "$server" \
        --body "$WORK/body" --truth "$truth"
    sleep 0.1
}

capture_start http-small.pcap "$NS_S" jn-srv
fetch "$NS_C" http-small.truth 41001 "$S_IP:8000" /hello.txt
fetch "$NS_C" http-small.truth 41002 "$S_IP:8000" /empty.txt
fetch "$NS_C" http-small.truth 41003 "$S_IP:8000" /page.html
fetch "$NS_C" http-small.truth 41004 "$S_IP:8000" /no/such/file
fetch "$NS_C" http-small.truth 41005 "$S_IP:8000" /
fetch "$NS_C" http-small.truth 41006 "$S_IP:8000" /small.bin
capture_stop http-small.pcap

capture_start http-large.pcap "$NS_S" jn-srv
fetch "$NS_C" http-large.truth 41101 "$S_IP:8000" /big.bin
capture_stop http-large.pcap

capture_start http-lo.pcap "$NS_S" lo
fetch "$NS_S" http-lo.truth 41201 127.0.0.1:8080 /hello.txt
fetch "$NS_S" http-lo.truth 41202 127.0.0.1:8080 /medium.bin
capture_stop http-lo.pcap
ls -l http-*.pcap
