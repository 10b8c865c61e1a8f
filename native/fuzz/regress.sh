#!/usr/bin/env bash
# The hostile-capture regression with the C compiler that builds jnids (no
# clang or libFuzzer needed): the patched libnids sources that cppbuild.sh
# left in cppbuild/<platform>/src are compiled with AddressSanitizer and
# UBSan into a private build of regress.c, linked with the production
# libpcap.a, and run over testdata/hostile/*.pcap. HostileCaptureTest runs it
# when a compiler with ASan is present.
#
#   bash native/fuzz/regress.sh        (after cppbuild.sh; prints "ok scenarios")
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PLATFORM=${JNIDS_PLATFORM:-linux-x86_64}
NATIVE=$TOP/cppbuild/$PLATFORM
NIDS=$NATIVE/src/libnids-1.26/src
PCAP=$NATIVE/src/libpcap-1.10.3
CC=${CC:-cc}
OUT=${JNIDS_REGRESS_OUT:-$TOP/target/regress}
[ -f "$NIDS/config.h" ] && [ -f "$NATIVE/lib/libpcap.a" ] ||
    { echo "regress.sh: no configured libnids tree in $NATIVE/src; run 'bash cppbuild.sh' first" >&2; exit 2; }
mkdir -p "$OUT"
SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-sanitize=alignment"
# As libnids' Makefile compiles its own sources (NIDS_BUILDING_LIBNIDS: inside
# libnids, nids.h's variables are the current engine's members; patch 0016).
DEFS="-D_BSD_SOURCE -DLIBNET_VER=-1 -DHAVE_ICMPHDR=1 -DHAVE_TCP_STATES=1 -DHAVE_BSD_UDPHDR=1 -DNIDS_BUILDING_LIBNIDS"
objs=()
for f in checksum ip_fragment ip6_fragment ip_options killtcp libnids scan tcp util allpromisc hash engine; do
    "$CC" $SAN $DEFS -w -I"$NIDS" -I"$PCAP" -c "$NIDS/$f.c" -o "$OUT/$f.o"
    objs+=("$OUT/$f.o")
done
"$CC" $SAN -w -I"$NIDS" -I"$PCAP" -o "$OUT/regress" "$HERE/regress.c" "${objs[@]}" "$NATIVE/lib/libpcap.a"
cd "$TOP"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1} "$OUT/regress" testdata/hostile/*.pcap
