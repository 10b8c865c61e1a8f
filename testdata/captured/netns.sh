# Shared by the make-*.sh scripts (sourced, not run): two network namespaces
# joined by a veth pair, so that real programs talk over a real (virtual) link
# whose traffic never leaves this machine, and tcpdump records it.
#
#   client namespace jnids-cli, interface jn-cli, 10.77.0.1
#   server namespace jnids-srv, interface jn-srv, 10.77.0.2
#
# With IPV6=1 (make-ipv6.sh) IPv6 is on instead, IPv4 addresses off:
#   client namespace jnids6-cli, interface jn6-cli, fd00:77::1
#   server namespace jnids6-srv, interface jn6-srv, fd00:77::2
# (own names, so that IPv4 and IPv6 captures can be made at the same time);
# addresses without duplicate address detection, router solicitations off, so
# that the captures hold little besides the traffic made (neighbour discovery
# remains: ICMPv6, which libnids passes to IP callbacks only).
#
# Offloads (checksum, segmentation, receive coalescing) are off on both ends,
# so every captured packet is one wire-sized frame with correct checksums, as
# on a real network; make-http-lo.sh captures on lo to get the opposite.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
IPV6=${IPV6:-0}
if [ "$IPV6" = 1 ]; then
    NS_C=jnids6-cli NS_S=jnids6-srv DEV_C=jn6-cli DEV_S=jn6-srv C_IP=fd00:77::1 S_IP=fd00:77::2 PREFIX=64
else
    NS_C=jnids-cli NS_S=jnids-srv DEV_C=jn-cli DEV_S=jn-srv C_IP=10.77.0.1 S_IP=10.77.0.2 PREFIX=24
fi
PY=${PYTHON:-/usr/bin/python3}
APPS=$HERE/apps.py
CAPTURE_PID=

ns_down() {
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
}

# ns_up [client MTU] [server MTU]
ns_up() {
    local mtu_c=${1:-1500} mtu_s=${2:-1500} ns dev
    ns_down
    ip netns add "$NS_C"
    ip netns add "$NS_S"
    ip link add "$DEV_C" netns "$NS_C" type veth peer name "$DEV_S" netns "$NS_S"
    for ns in "$NS_C" "$NS_S"; do
        if [ "$IPV6" = 1 ]; then
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=0
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.router_solicitations=0
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1
        else
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
        fi
        ip -n "$ns" link set lo up
    done
    ip -n "$NS_C" addr add "$C_IP/$PREFIX" dev "$DEV_C" nodad 2>/dev/null || ip -n "$NS_C" addr add "$C_IP/$PREFIX" dev "$DEV_C"
    ip -n "$NS_S" addr add "$S_IP/$PREFIX" dev "$DEV_S" nodad 2>/dev/null || ip -n "$NS_S" addr add "$S_IP/$PREFIX" dev "$DEV_S"
    ip -n "$NS_C" link set "$DEV_C" mtu "$mtu_c"
    ip -n "$NS_S" link set "$DEV_S" mtu "$mtu_s"
    for dev in "$NS_C:$DEV_C" "$NS_S:$DEV_S"; do
        # without ethtool the kernel leaves checksums to an offload: the capture would hold wrong ones
        command -v ethtool >/dev/null || { echo "netns.sh: ethtool is needed (apt-get install ethtool)" >&2; exit 1; }
        ip netns exec "${dev%%:*}" ethtool -K "${dev#*:}" tx off rx off tso off gso off gro off >/dev/null
        ip -n "${dev%%:*}" link set "${dev#*:}" up
    done
    sleep 1
}

# capture_start FILE NAMESPACE|- IFACE [filter...]: tcpdump writes FILE until capture_stop.
capture_start() {
    local file=$1 ns=$2 dev=$3
    shift 3
    local log=$file.tcpdump.log
    rm -f "$file" "$log"
    if [ "$ns" = - ]; then
        tcpdump --immediate-mode -i "$dev" -s 0 -U -w "$file" "$@" 2>"$log" &
    else
        ip netns exec "$ns" tcpdump --immediate-mode -i "$dev" -s 0 -U -w "$file" "$@" 2>"$log" &
    fi
    CAPTURE_PID=$!
    local i
    for i in $(seq 50); do
        grep -q "listening on" "$log" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.3
}

capture_stop() {
    # tcpdump is in immediate mode; the pause lets the last packets reach it.
    sleep 1.5
    kill -INT "$CAPTURE_PID"
    wait "$CAPTURE_PID" || true
    cat "${1:-/dev/null}.tcpdump.log" >&2 2>/dev/null || true
    rm -f "${1:-/nonexistent}.tcpdump.log"
}

# in_ns NAMESPACE command...: runs a command in a namespace.
in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }

# fetch6 TRUTH LOCAL_PORT PATH: curl in the client namespace fetches PATH from
# http.server on the server's port 8000 over IPv6 and appends the ground truth
# of the connection to TRUTH (apps.py curl-truth); WORK is a scratch directory.
fetch6() {
    local truth=$1 lport=$2 path=$3
    in_c curl -s --local-port "$lport" --trace "$WORK/trace" -D "$WORK/headers" \
        -o "$WORK/body" "http://[$S_IP]:8000$path" || true
    "$PY" "$APPS" curl-truth --trace "$WORK/trace" --client "[$C_IP]:$lport" --server "[$S_IP]:8000" \
        --body "$WORK/body" --truth "$truth"
    sleep 0.1
}
