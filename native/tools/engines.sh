#!/usr/bin/env bash
# Independent libnids engines at once: every testdata capture (with its
# .options) is dumped by nids_dump, one run per process on libnids' default
# engine, and by nids_dump_mt, all runs in one process: on one thread each,
# at the same time (the first on the default engine), then interleaved packet
# by packet on one thread; each output must equal nids_dump's. Finally every
# run is stopped early and its engine freed while open (free-open), and
# engine_api_test checks the API's contract on one capture. libnids
# is compiled from the patched tree cppbuild.sh left in cppbuild/<platform>/src
# with a sanitizer:
#
#   bash native/tools/engines.sh thread     ThreadSanitizer (clang): no data race
#   bash native/tools/engines.sh address    ASan + UBSan + LeakSanitizer
#   bash native/tools/engines.sh none
#
# Prints "ok engines: N captures" on success. Output in target/engines-<mode>.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MODE=${1:-thread}
PLATFORM=${JNIDS_PLATFORM:-linux-x86_64}
NATIVE=$TOP/cppbuild/$PLATFORM
NIDS=$NATIVE/src/libnids-1.26/src
PCAP=$NATIVE/src/libpcap-1.10.3
OUT=${JNIDS_ENGINES_OUT:-$TOP/target/engines-$MODE}
[ -f "$NIDS/config.h" ] && [ -f "$NATIVE/lib/libpcap.a" ] ||
    { echo "engines.sh: no configured libnids tree in $NATIVE/src; run 'bash cppbuild.sh' first" >&2; exit 2; }

case $MODE in
    thread)
        CC=${CC:-clang}
        SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=thread"
        export TSAN_OPTIONS="halt_on_error=1 exitcode=66 report_signal_unsafe=0" ;;
    address)
        CC=${CC:-cc}
        SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-sanitize=alignment"
        export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" ;;
    none)
        CC=${CC:-cc}
        SAN="-g -O1" ;;
    *) echo "engines.sh: unknown mode '$MODE'; use thread, address or none" >&2; exit 2 ;;
esac

rm -rf "$OUT"
mkdir -p "$OUT/obj"
# As libnids' Makefile compiles its sources (regress.sh does the same), with
# cppbuild.sh's -fno-strict-aliasing (libnids 1.26 breaks without it at -O2).
SAN="$SAN -fno-strict-aliasing -fwrapv"
DEFS="-D_BSD_SOURCE -DLIBNET_VER=-1 -DHAVE_ICMPHDR=1 -DHAVE_TCP_STATES=1 -DHAVE_BSD_UDPHDR=1 -DNIDS_BUILDING_LIBNIDS"
objs=()
for f in checksum ip_fragment ip6_fragment ip_options killtcp libnids scan tcp util allpromisc hash engine; do
    "$CC" $SAN $DEFS -w -I"$NIDS" -I"$PCAP" -c "$NIDS/$f.c" -o "$OUT/obj/$f.o"
    objs+=("$OUT/obj/$f.o")
done
# nids_dump.c includes <libnids/scan.h>: cppbuild.sh installs it there.
INC="-I$NIDS -I$PCAP -I$NATIVE/include"
"$CC" $SAN -std=gnu11 -Wall -Wextra -Wno-unused-parameter $INC -o "$OUT/nids_dump" \
    "$HERE/nids_dump.c" "${objs[@]}" "$NATIVE/lib/libpcap.a"
"$CC" $SAN -std=gnu11 -Wall -Wextra -Wno-unused-parameter $INC -o "$OUT/nids_dump_mt" \
    "$HERE/nids_dump_mt.c" "${objs[@]}" "$NATIVE/lib/libpcap.a" -lpthread
"$CC" $SAN -std=gnu11 -Wall -Wextra -Wno-unused-parameter $INC -o "$OUT/engine_api_test" \
    "$HERE/engine_api_test.c" "${objs[@]}" "$NATIVE/lib/libpcap.a"

cd "$TOP"
"$OUT/engine_api_test" testdata/captured/concurrent.pcap
mt_args=()
n=0
mkdir -p "$OUT/ref" "$OUT/threads" "$OUT/interleave" "$OUT/free-open"
for cap in testdata/captured/* testdata/synth/* testdata/hostile/*; do
    case $cap in *.pcap|*.pcapng) ;; *) continue ;; esac
    opts=()
    base=${cap%.*}
    [ -f "$base.options" ] && read -r -a opts <"$base.options"
    n=$((n + 1))
    echo "$n: ${opts[*]} $cap" >>"$OUT/runs.txt"
    # nids_dump's status is 1 after an ERROR line (e.g. an unknown link type)
    status=0
    "$OUT/nids_dump" "${opts[@]}" "$cap" >"$OUT/ref/$n.out" || status=$?
    [ "$status" -le 1 ] || { echo "engines.sh: nids_dump failed ($status) on $cap" >&2; exit 1; }
    mt_args+=(-- "${opts[@]}" "$cap")
done
[ "$n" -ge 2 ] || { echo "engines.sh: fewer than 2 captures under testdata" >&2; exit 1; }

for mode in threads interleave free-open; do
    status=0
    "$OUT/nids_dump_mt" "$mode" "$OUT/$mode" "${mt_args[@]}" 2>"$OUT/$mode.log" || status=$?
    if [ "$status" -gt 1 ]; then
        cat "$OUT/$mode.log" >&2
        echo "engines.sh: nids_dump_mt $mode failed (status $status)" >&2
        exit 1
    fi
done
for mode in threads interleave; do
    for i in $(seq 1 "$n"); do
        if ! cmp -s "$OUT/ref/$i.out" "$OUT/$mode/$i.out"; then
            echo "engines.sh: $mode differs from nids_dump for run $(sed -n "${i}p" "$OUT/runs.txt"):" >&2
            diff "$OUT/ref/$i.out" "$OUT/$mode/$i.out" | head -20 >&2
            exit 1
        fi
    done
done
echo "ok engines: $n captures, threads, interleaved and freed open"
