#!/usr/bin/env bash
# libnids' IPv6 fragment reassembly (patches 0030-0032) checked by
# ip6frag_test.c, with libnids compiled from the patched tree cppbuild.sh left
# in cppbuild/<platform>/src under a sanitizer (as engines.sh does):
#
#   bash native/tools/ip6frag.sh address    ASan + UBSan + LeakSanitizer
#   bash native/tools/ip6frag.sh none
#
# Prints "ok ip6frag: N checks" on success. Output in target/ip6frag-<mode>.
# (The Maven build also links ip6frag_test against the production libnids.a:
# native/tools/Makefile; Ip6FragmentNativeTest runs both.)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MODE=${1:-address}
PLATFORM=${JNIDS_PLATFORM:-linux-x86_64}
NATIVE=$TOP/cppbuild/$PLATFORM
NIDS=$NATIVE/src/libnids-1.26/src
PCAP=$NATIVE/src/libpcap-1.10.3
OUT=${JNIDS_IP6FRAG_OUT:-$TOP/target/ip6frag-$MODE}
[ -f "$NIDS/config.h" ] && [ -f "$NIDS/ip6_fragment.c" ] && [ -f "$NATIVE/lib/libpcap.a" ] ||
    { echo "ip6frag.sh: no configured libnids tree with ip6_fragment.c in $NATIVE/src; run 'bash cppbuild.sh' first" >&2; exit 2; }

CC=${CC:-cc}
case $MODE in
    address)
        SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-sanitize=alignment"
        export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
        export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" ;;
    none)
        SAN="-g -O1" ;;
    *) echo "ip6frag.sh: unknown mode '$MODE'; use address or none" >&2; exit 2 ;;
esac

rm -rf "$OUT"
mkdir -p "$OUT/obj" "$OUT/include/libnids"
# As libnids' Makefile compiles its sources (engines.sh does the same).
SAN="$SAN -fno-strict-aliasing -fwrapv"
DEFS="-D_BSD_SOURCE -DLIBNET_VER=-1 -DHAVE_ICMPHDR=1 -DHAVE_TCP_STATES=1 -DHAVE_BSD_UDPHDR=1 -DNIDS_BUILDING_LIBNIDS"
objs=()
for f in checksum ip_fragment ip6_fragment ip_options killtcp libnids scan tcp util allpromisc hash engine; do
    "$CC" $SAN $DEFS -w -I"$NIDS" -I"$PCAP" -c "$NIDS/$f.c" -o "$OUT/obj/$f.o"
    objs+=("$OUT/obj/$f.o")
done
# The headers of this tree, laid out as cppbuild.sh installs them.
cp "$NIDS/nids.h" "$NIDS/nids_current.h" "$OUT/include/"
cp "$NIDS/ip_fragment.h" "$NIDS/ip6_fragment.h" "$OUT/include/libnids/"
"$CC" $SAN -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$OUT/include" -I"$PCAP" -o "$OUT/ip6frag_test" \
    "$HERE/ip6frag_test.c" "${objs[@]}" "$NATIVE/lib/libpcap.a"
"$OUT/ip6frag_test"
