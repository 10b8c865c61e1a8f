#!/usr/bin/env bash
# The cost of libnids' engines (patches 0016 on: state reached through the
# thread-local current-engine pointer): native/bench/bench_c linked against
# libnids with patches 0001-0015 only ("before") and with all of them
# ("after"), built with cppbuild.sh's flags, run alternately on one generated
# capture. Prints the median thread CPU time (pass_cpu_ms) and wall time of
# each, per case, and after/before; every run's counts must agree. Where
# valgrind is installed, also the instructions each executes (cachegrind's
# I refs, whole program) on a small capture: on a loaded machine the times
# vary by more than the difference, the instruction count does not.
#
#   bench/engine-overhead.sh [--runs N] [--size SIZE] [--cases ad]
#
# Defaults: 9 runs, a 100M capture (gen_capture -s), cases a and d (see
# bench_c.c). Needs cppbuild.sh's build (libpcap, the libnids archive).
# Output in bench/out/engine-overhead/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATIVE=$ROOT/cppbuild/linux-x86_64
OUT=$ROOT/bench/out/engine-overhead
CC=${CC:-cc}
runs=9 size=100M cases=ad
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift ;;
        --size) size=$2; shift ;;
        --cases) cases=$2; shift ;;
        *) echo "engine-overhead.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
ARCHIVE=$ROOT/cppbuild/downloads/libnids_1.26.orig.tar.gz
[ -f "$ARCHIVE" ] && [ -f "$NATIVE/lib/libpcap.a" ] ||
    { echo "engine-overhead.sh: run 'bash cppbuild.sh' first (needs $ARCHIVE and libpcap)" >&2; exit 2; }
# cppbuild.sh's flags for libnids
CFLAGS="-O2 -g -fPIC -fno-strict-aliasing -fwrapv -falign-functions=64"
mkdir -p "$OUT"

build() { # build NAME LAST_PATCH_NUMBER
    local dir=$OUT/$1 p
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$ARCHIVE" -C "$dir" --strip-components=1
    for p in "$ROOT"/native/patches/libnids/*.patch; do
        [ "$(basename "$p" | cut -c1-4)" -le "$2" ] || continue
        patch -d "$dir" -p1 --forward --batch --quiet <"$p"
    done
    (cd "$dir" && CFLAGS="$CFLAGS" ./configure --with-libpcap="$NATIVE/src/libpcap-1.10.3" \
        --disable-libglib --disable-libnet >configure.log 2>&1 && make -C src static >make.log 2>&1)
    mkdir -p "$dir/include"
    cp "$dir"/src/nids*.h "$dir/include/"
    # as bench/run.sh compiles it; jnids.h (JNIDS_READ_BUFFER_BYTES) from cppbuild
    $CC -O2 -g -falign-functions=64 -falign-loops=32 -Wall -Wno-unused-parameter \
        -I"$dir/include" -I"$NATIVE/include" -o "$OUT/bench_c_$1" "$ROOT/native/bench/bench_c.c" \
        "$dir/src/libnids.a" "$NATIVE/lib/libpcap.a"
}
echo "engine-overhead.sh: building libnids before (0001-0015) and after (all patches)" >&2
build before 15
build after 9999

$CC -O2 -Wall -o "$OUT/gen_capture" "$ROOT/native/bench/gen_capture.c" -lm
capture=$OUT/capture-$size.pcap
[ -f "$capture" ] || "$OUT/gen_capture" -o "$capture" -s "$size" -q 2>/dev/null

median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
printf '| case | before cpu ms | after cpu ms | after/before cpu | before wall ms | after wall ms |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for c in $(echo "$cases" | fold -w1); do
    : >"$OUT/$c.before"; : >"$OUT/$c.after"
    "$OUT/bench_c_after" "$c" "$capture" >/dev/null # page cache
    for i in $(seq 1 "$runs"); do
        # alternate which goes first, so that neither always follows the other
        order="before after"; [ $((i % 2)) = 0 ] && order="after before"
        for v in $order; do "$OUT/bench_c_$v" "$c" "$capture" >>"$OUT/$c.$v"; done
    done
    strip_times() { sed -E 's/ (wall_ms|pass_cpu_ms|cpu_ms|maxrss_kb)=[0-9.]*//g' "$1" | sort -u; }
    if [ "$(strip_times "$OUT/$c.before")" != "$(strip_times "$OUT/$c.after")" ] ||
        [ "$(strip_times "$OUT/$c.before" | wc -l)" != 1 ]; then
        echo "engine-overhead.sh: case $c: the results differ between runs or builds" >&2
        exit 1
    fi
    bc=$(field pass_cpu_ms <"$OUT/$c.before" | median); ac=$(field pass_cpu_ms <"$OUT/$c.after" | median)
    bw=$(field wall_ms <"$OUT/$c.before" | median); aw=$(field wall_ms <"$OUT/$c.after" | median)
    printf '| %s | %.1f | %.1f | %.3f | %.1f | %.1f |\n' "$c" "$bc" "$ac" "$(awk -v a="$ac" -v b="$bc" 'BEGIN{print a / b}')" "$bw" "$aw"
done

if command -v valgrind >/dev/null 2>&1; then
    small=$OUT/capture-10M.pcap
    [ -f "$small" ] || "$OUT/gen_capture" -o "$small" -s 10M -q 2>/dev/null
    printf '\n| case | before instructions | after instructions | after/before |\n| --- | --- | --- | --- |\n'
    for c in $(echo "$cases" | fold -w1); do
        for v in before after; do
            valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
                "$OUT/bench_c_$v" "$c" "$small" 2>"$OUT/$c.$v.cg" >/dev/null
        done
        bi=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$OUT/$c.before.cg" | tr -d ,)
        ai=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$OUT/$c.after.cg" | tr -d ,)
        printf '| %s | %s | %s | %.4f |\n' "$c" "$bi" "$ai" "$(awk -v a="$ai" -v b="$bi" 'BEGIN{print a / b}')"
    done
fi
