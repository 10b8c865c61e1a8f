#!/usr/bin/env bash
# Builds jnids' libFuzzer harnesses against instrumented copies of the patched
# libpcap and libnids source trees that cppbuild.sh leaves behind.
#
#   bash native/fuzz/build.sh            (after: bash cppbuild.sh)
#
# Output (gitignored) goes to native/fuzz/build/:
#   fuzz_capture, fuzz_linktypes     libFuzzer binaries (ASan + UBSan)
#   fuzz_ip6frag                     IPv6 fragment reassembly alone (same build)
#   fuzz_session                     the same for jnids.c and its coroutine
#   fuzz_sessions                    two jnids sessions interleaved on one thread
#   regress                          the hostile-capture regression runner (ASan)
#   soak                             the replay soak (optimised, no sanitizers)
#   cov/fuzz_capture, cov/fuzz_linktypes   coverage-instrumented replayers
#
# Environment:
#   JNIDS_PLATFORM   cppbuild platform directory (default linux-x86_64)
#   CC               a clang (default clang)
#   JNIDS_FUZZ_COV=0 skip the coverage build
#   JNIDS_FUZZ_SRC   other source trees (e.g. unpatched ones, to reproduce a
#                    finding); JNIDS_FUZZ_OUT another output directory
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PLATFORM=${JNIDS_PLATFORM:-linux-x86_64}
SRC=${JNIDS_FUZZ_SRC:-$TOP/cppbuild/$PLATFORM/src}
OUT=${JNIDS_FUZZ_OUT:-$HERE/build}
CC=${CC:-clang}
JOBS=$(nproc 2>/dev/null || echo 2)

die() { echo "build.sh: error: $*" >&2; exit 1; }
[ -d "$SRC/libpcap-1.10.3" ] && [ -d "$SRC/libnids-1.26" ] ||
    die "no patched source trees in $SRC; run 'bash cppbuild.sh' first"
command -v "$CC" >/dev/null || die "$CC not found (apt-get install clang libclang-rt-14-dev)"

# libpcap's configure needs flex, bison and m4; where the machine lacks them,
# cppbuild.sh has unpacked Debian's under cppbuild/tools: use those as it does
# (after the installed ones on PATH).
TOOLS=$TOP/cppbuild/tools/usr
for tool in m4 flex bison; do
    command -v "$tool" >/dev/null 2>&1 && continue
    [ -x "$TOOLS/bin/$tool" ] || die "$tool not found; run 'bash cppbuild.sh' (it unpacks Debian's $tool under cppbuild/tools) or install it"
    case $tool in
        m4) export M4=$TOOLS/bin/m4 ;;
        bison) export BISON_PKGDATADIR=$TOOLS/share/bison ;;
    esac
    case ":$PATH:" in *":$TOOLS/bin:"*) ;; *) export PATH=$PATH:$TOOLS/bin ;; esac
done

# Builds one instrumented copy of both libraries into $OUT/<variant>.
build_variant() {
    local variant=$1 cflags=$2
    local dir=$OUT/$variant
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -a "$SRC/libpcap-1.10.3" "$dir/libpcap"
    cp -a "$SRC/libnids-1.26" "$dir/libnids"
    echo "build.sh: building $variant libpcap" >&2
    (cd "$dir/libpcap" && make distclean >/dev/null 2>&1 || true
     CC=$CC CFLAGS="$cflags" ./configure --disable-shared --with-pcap=linux \
        --disable-dbus --disable-bluetooth --disable-rdma --disable-usb --disable-netmap \
        --disable-remote --without-libnl --without-dpdk --without-dag --without-septel \
        --without-snf --without-turbocap >configure.log 2>&1 || die "libpcap configure failed: $dir/libpcap/configure.log"
     make -j"$JOBS" libpcap.a >make.log 2>&1 || die "libpcap make failed: $dir/libpcap/make.log")
    echo "build.sh: building $variant libnids" >&2
    (cd "$dir/libnids" && make distclean >/dev/null 2>&1 || true
     CC=$CC CFLAGS="$cflags" ./configure --with-libpcap="$dir/libpcap" \
        --disable-libglib --disable-libnet >configure.log 2>&1 || die "libnids configure failed: $dir/libnids/configure.log"
     make -C src -j"$JOBS" static >make.log 2>&1 || die "libnids make failed: $dir/libnids/make.log")
}

link_harness() {
    local variant=$1 name=$2 ldflags=$3
    local dir=$OUT/$variant
    $CC $ldflags -I"$dir/libpcap" -I"$dir/libnids/src" -o "$4" "$HERE/$name.c" \
        "$dir/libnids/src/libnids.a" "$dir/libpcap/libpcap.a"
}

mkdir -p "$OUT"
SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-sanitize=alignment"
build_variant asan "$SAN -fsanitize=fuzzer-no-link"
for h in fuzz_capture fuzz_linktypes fuzz_ip6frag; do
    link_harness asan $h "$SAN -fsanitize=fuzzer" "$OUT/$h"
done
# jnids' own native layer (jnids.c with its coroutine), driven as the Java
# side drives it, over the same instrumented libraries.
# fuzz_sessions: two such sessions interleaved on one thread.
for h in fuzz_session fuzz_sessions; do
    $CC $SAN -fsanitize=fuzzer -I"$TOP/native" -I"$OUT/asan/libpcap" -I"$OUT/asan/libnids/src" \
        -I"$TOP/cppbuild/$PLATFORM/include" -o "$OUT/$h" "$HERE/$h.c" \
        "$TOP/native/jnids.c" "$TOP/native/jnids_coroutine.c" "$TOP/native/jnids_kill.c" "$TOP/native/jnids_offload.c" \
        "$OUT/asan/libnids/src/libnids.a" "$OUT/asan/libpcap/libpcap.a"
done
# The regression runner over testdata/hostile (see regress.c).
link_harness asan regress "$SAN" "$OUT/regress"

if [ "${JNIDS_FUZZ_COV:-1}" != 0 ]; then
    COV="-g -O0 -fprofile-instr-generate -fcoverage-mapping"
    build_variant cov "$COV"
    mkdir -p "$OUT/cov"
    for h in fuzz_capture fuzz_linktypes; do
        link_harness cov $h "$COV $HERE/replay_main.c" "$OUT/cov/$h"
    done
fi

# The soak runs the production build that cppbuild.sh made.
PROD=$TOP/cppbuild/$PLATFORM
$CC -O2 -g -I"$PROD/include" -o "$OUT/soak" "$HERE/soak.c" "$PROD/lib/libnids.a" "$PROD/lib/libpcap.a"
echo "build.sh: harnesses are in $OUT" >&2
