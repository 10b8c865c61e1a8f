#!/usr/bin/env bash
# Makes the captures of bench/dump-vs-tcpflow.sh: real HTTP transfers between
# real programs over the loopback interface of a private network namespace
# (so no other traffic of the machine gets in), recorded by tcpdump.
#
#   bench/out/http-large.pcap  ~500 MB: 248 transfers of 2 KB to 16 MB files,
#                              downloads (curl, wget, Python's urllib) and a
#                              few uploads (curl -T), 4 at a time
#   bench/out/http-small.pcap  ~5000 short connections: files of 60 B to 16 KB,
#                              each fetched over its own connection, 8 clients
#                              at a time
#
# The server is Python's http.server (HTTP/1.0: one request per connection)
# with PUT added. The file contents are generated from fixed seeds; the
# timing of the transfers (and so the packets) differs from run to run.
# On lo the kernel leaves TCP checksums to an offload that never happens, so
# read these captures with checksums off (jnids --no-checksum).
#
# Run as root (network namespace, tcpdump): bash bench/make-http-captures.sh
# [large|small]... (default both). Needs tcpdump, curl, wget, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
NS=jnids-bench-http
PY=${PYTHON:-/usr/bin/python3}
PORT=8000
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(large small)

for tool in tcpdump curl wget "$PY" ip; do
    command -v "$tool" >/dev/null || { echo "make-http-captures.sh: $tool is needed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "make-http-captures.sh: run as root (network namespace, tcpdump)" >&2; exit 1; }

mkdir -p "$OUT"
WWW=$OUT/www
WORK=$(mktemp -d)
SERVER=
CAPTURE=
cleanup() {
    [ -z "$CAPTURE" ] || kill "$CAPTURE" 2>/dev/null || true
    [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

in_ns() { ip netns exec "$NS" "$@"; }

# The served files: large/NN.bin (2 KB to 16 MB, ~62 MB in all, each
# fetched 8 times) and small/NNNN.txt (text of 60 B to 16 KB).
"$PY" - "$WWW" <<'PY'
import math, os, random, sys
www = sys.argv[1]
for sub in ("large", "small", "up"):
    os.makedirs(os.path.join(www, sub), exist_ok=True)
def put(path, data):
    p = os.path.join(www, path)
    if os.path.exists(p) and os.path.getsize(p) == len(data):
        return
    with open(p, "wb") as f:
        f.write(data)
r = random.Random(1616)
for i in range(31):
    # 2 KB to 16 MB, each 1.35 times the previous: 62 MB in all.
    size = int(2000 * (8000 ** (i / 30)))
    put("large/%02d.bin" % i, random.Random(i).randbytes(size))
words = [b"jnids", b"tcp", b"stream", b"reassembly", b"capture", b"packet", b"flow", b"http"]
for i in range(500):
    size = int(math.exp(r.uniform(math.log(60), math.log(16000))))
    line = b" ".join(r.choice(words) for _ in range(12)) + b"\n"
    put("small/%04d.txt" % i, (line * (size // len(line) + 1))[:size])
PY

cat >"$WORK/server.py" <<'PY'
# http.server with PUT: the request body is read and dropped.
import http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_PUT(self):
        left = int(self.headers.get("Content-Length", "0"))
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer.request_queue_size = 256
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
        lambda *a, **k: Handler(*a, directory=sys.argv[2], **k))
server.serve_forever()
PY

cat >"$WORK/client.py" <<'PY'
# Fetches each URL given on standard input over its own connection (urllib).
import sys, urllib.request
for url in sys.stdin.read().split():
    with urllib.request.urlopen(url) as r:
        while r.read(1 << 16):
            pass
PY

ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
in_ns ip link set lo up
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
# ip netns exec execs its command: $! is the server's (and below tcpdump's) pid.
ip netns exec "$NS" "$PY" "$WORK/server.py" "$PORT" "$WWW" &
SERVER=$!
for _ in $(seq 50); do
    in_ns curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.1
done
BASE=http://127.0.0.1:$PORT

# capture NAME: starts tcpdump on the namespace's lo, writing bench/out/NAME.pcap.
capture() {
    rm -f "$OUT/$1.pcap"
    # A large kernel buffer: tcpdump must not drop packets while writing.
    ip netns exec "$NS" tcpdump -i lo -s 0 -B 262144 -w "$OUT/$1.pcap" "tcp port $PORT" 2>"$WORK/tcpdump.log" &
    CAPTURE=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.3
}

# finish NAME: stops tcpdump; fails when the kernel dropped packets.
finish() {
    sleep 1
    kill -INT "$CAPTURE"
    wait "$CAPTURE" || true
    CAPTURE=
    cat "$WORK/tcpdump.log" >&2
    if ! grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.log"; then
        echo "make-http-captures.sh: tcpdump dropped packets; run again on a less loaded machine" >&2
        exit 1
    fi
    ls -l "$OUT/$1.pcap" >&2
}

large() {
    capture http-large
    local i lane pids=()
    for lane in 0 1 2 3; do
        (
            for i in $(seq "$lane" 4 247); do
                f=$(printf 'large/%02d.bin' $((i % 31)))
                case $((i % 8)) in
                    0|1|2|3) in_ns curl -s -o /dev/null "$BASE/$f" ;;
                    4|5) in_ns wget -q -O /dev/null "$BASE/$f" ;;
                    6) echo "$BASE/$f" | in_ns "$PY" "$WORK/client.py" ;;
                    7) in_ns curl -s -o /dev/null -T "$WWW/$f" "$BASE/up/$i.bin" ;;
                esac
            done
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
    finish http-large
}

small() {
    capture http-small
    local lane pids=()
    for lane in 0 1 2 3 4 5 6 7; do
        (
            urls=$(for i in $(seq "$lane" 8 4999); do printf '%s/small/%04d.txt\n' "$BASE" $((i % 500)); done)
            if [ $((lane % 2)) = 0 ]; then
                # One curl, many URLs: HTTP/1.0 answers close, so one connection each.
                # shellcheck disable=SC2086
                in_ns curl -s $(for u in $urls; do printf -- '-o /dev/null %s ' "$u"; done)
            else
                echo "$urls" | in_ns "$PY" "$WORK/client.py"
            fi
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
    finish http-small
}

for w in "${which[@]}"; do
    case $w in
        large) large ;;
        small) small ;;
        *) echo "make-http-captures.sh: unknown capture $w (large, small)" >&2; exit 2 ;;
    esac
done
