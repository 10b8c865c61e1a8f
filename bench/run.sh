#!/usr/bin/env bash
# jnids' benchmark: the Java API against C libnids on the same capture, side
# by side. Prints a markdown table (and keeps it in bench/out/results-*.md).
#
#   bench/run.sh                  1 GB generated capture, cases a-d and s, 7 runs each
#   bench/run.sh --smoke          a tiny generated capture, 2 runs: seconds, for CI
#   bench/run.sh CAPTURE.pcap     any capture (Ethernet, raw IP, SLL, ... as libnids reads)
#   bench/run.sh --cases s        the scaling case alone
#   bench/run.sh --cases a6       case a, and case a on the same traffic over IPv6
#
# Options: --runs N (default 7; 2 with --smoke), --warmup N (default 1),
#          --cases abcds, --size SIZE (generated capture, default 1G),
#          --n-tcp-streams N (libnids' n_tcp_streams in both, default 16384),
#          --copies K (case s: reads of the capture per measurement, default 4)
# Environment: BENCH_JAVA_OPTS (JVM options, default none), CC (default cc),
#   BENCH_CP_PREFIX (class path entries put before the jar: to measure a
#   patched facade class without rebuilding the jar), BENCH_GAPS=skip (both
#   sides with tcp_gaps skip; the generated capture has loss, so the counts
#   and checksums differ from a default run's, but C and Java must agree).
#
# For each case, one JVM makes a warm-up pass over the capture, then runs the
# C baseline (native/bench/bench_c.c, its own process) and one in-process Java
# pass alternately. The C baseline runs twice: opening the capture as jnids
# does (same I/O: the ratio is the Java layer's cost) and letting libnids open
# it by name (what a plain libnids program does). The counts and checksums of
# every pass must equal the C program's, or the benchmark fails (exit status 1).
# Case s (scaling) reads the capture K times, one NidsSession per read doing
# case a's work, on one thread and then on two threads at once, and reports
# the speed-up; beside it, one bench_c process making K passes and two making
# K/2 each at once. Its rows go to a second table.
# Case 6 (IPv6) is case a on the generated traffic written over IPv6
# (gen_capture -6: the same flows, segments and datagrams, only the IP
# headers differ); its row goes to the main table, and with case a in the same
# run a line gives its times over case a's (target: within 1.10). It needs the
# generated capture, not a CAPTURE argument.
set -euo pipefail

ARGS="$*"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
NATIVE=$ROOT/cppbuild/linux-x86_64
CC=${CC:-cc}

runs= warmup=1 cases=abcds smoke=0 size=1G capture= streams=16384 copies=4
while [ $# -gt 0 ]; do
    case $1 in
        --smoke) smoke=1 ;;
        --runs) runs=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --cases) cases=$2; shift ;;
        --size) size=$2; shift ;;
        --n-tcp-streams) streams=$2; shift ;;
        --copies) copies=$2; shift ;;
        -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) capture=$1 ;;
    esac
    shift
done
[ -n "$runs" ] || runs=$([ $smoke = 1 ] && echo 2 || echo 7)

log() { echo "run.sh: $*" >&2; }
mkdir -p "$OUT/classes"

# 1. The jar (its build also builds libnids and libpcap into cppbuild/).
JAR=$ROOT/target/jnids-0.1.0-all.jar
if [ ! -f "$JAR" ] || [ ! -f "$NATIVE/lib/libnids.a" ]; then
    log "building jnids (mvn -q package -DskipTests)"
    (cd "$ROOT" && mvn -q package -DskipTests)
fi
[ -f "$NATIVE/lib/libnids.a" ] || (cd "$ROOT" && bash cppbuild.sh)

# 2. The C programs, against the very archives the jar links.
newer() { [ ! -f "$1" ] || [ -n "$(find "${@:2}" -newer "$1" 2>/dev/null)" ]; }
if newer "$OUT/gen_capture" "$ROOT/native/bench/gen_capture.c"; then
    log "compiling gen_capture"
    $CC -O2 -Wall -o "$OUT/gen_capture" "$ROOT/native/bench/gen_capture.c" -lm
fi
# Loops 32-byte aligned: a handler's byte loop that straddles a cache line
# runs a cycle per byte slower, which would depend on where the code happens
# to land (the JIT aligns the Java side's loops).
if newer "$OUT/bench_c" "$ROOT/native/bench/bench_c.c" "$NATIVE/lib/libnids.a" "$NATIVE/lib/libpcap.a" \
        "$NATIVE/include/jnids.h" "$ROOT/bench/run.sh"; then
    log "compiling bench_c"
    $CC -O2 -g -falign-functions=64 -falign-loops=32 -Wall -Wno-unused-parameter -I"$NATIVE/include" -o "$OUT/bench_c" "$ROOT/native/bench/bench_c.c" \
        "$NATIVE/lib/libnids.a" "$NATIVE/lib/libpcap.a"
fi

# 3. The Java driver.
if newer "$OUT/classes/jnidsbench/JnidsBench.class" "$ROOT/bench/java" "$JAR"; then
    log "compiling the Java driver"
    javac --release 17 -cp "$JAR" -d "$OUT/classes" "$ROOT"/bench/java/jnidsbench/*.java
fi

# 4. The capture.
if [ -z "$capture" ]; then
    if [ $smoke = 1 ]; then
        capture=$OUT/smoke.pcap
        gen_args=(-s 1M -c 100)
    else
        capture=$OUT/capture-$size.pcap
        gen_args=(-s "$size")
    fi
    if [ ! -f "$capture" ]; then
        log "generating $capture"
        "$OUT/gen_capture" -o "$capture.part" "${gen_args[@]}" 2>"$capture.meta"
        mv "$capture.part" "$capture"
        cat "$capture.meta" >&2
    fi
    capture6=${capture%.pcap}-ipv6.pcap
    if [[ $cases == *6* ]] && [ ! -f "$capture6" ]; then
        log "generating $capture6"
        "$OUT/gen_capture" -6 -o "$capture6.part" "${gen_args[@]}" 2>"$capture6.meta"
        mv "$capture6.part" "$capture6"
        cat "$capture6.meta" >&2
    fi
elif [[ $cases == *6* ]]; then
    echo "run.sh: case 6 runs on the generated capture only (no CAPTURE argument)" >&2
    exit 2
fi
[ -r "$capture" ] || { echo "run.sh: cannot read $capture" >&2; exit 2; }

# 5. The cases.
rows=() srows=() status=0
for (( i = 0; i < ${#cases}; i++ )); do
    c=${cases:$i:1}
    log "case $c"
    run_case=$c run_capture=$capture
    [ "$c" = 6 ] && run_case=a run_capture=$capture6
    # shellcheck disable=SC2086
    if row=$(java ${BENCH_JAVA_OPTS:-} -cp "${BENCH_CP_PREFIX:+$BENCH_CP_PREFIX:}$JAR:$OUT/classes" jnidsbench.JnidsBench --case "$run_case" \
            --capture "$run_capture" --c-bin "$OUT/bench_c" --runs "$runs" --warmup "$warmup" \
            --n-tcp-streams "$streams" --copies "$copies"); then
        [ "$c" = 6 ] && row=${row/| (a) /| (6) IPv6: }
        [ "$c" = a ] && row_a=$row
        [ "$c" = 6 ] && row_6=$row
    else
        status=1
        if [ "$c" = s ]; then
            row=${row:-| (s) | failed | | | | | | | **FAILED** |}
        else
            row=${row:-| ($c) | failed | | | | | | | | | | | | **FAILED** |}
        fi
    fi
    if [ "$c" = s ]; then srows+=("$row"); else rows+=("$row"); fi
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
mem=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
jv=$(java -version 2>&1 | head -1)
ccv=$($CC --version | head -1)
packets_note=$(basename "$capture")
report=$OUT/results-$(date -u +%Y%m%dT%H%M%SZ).md
{
    echo "Capture: \`$packets_note\`, $(du -h "$capture" | cut -f1)B$([ -f "$capture.meta" ] && sed -n 's/^file=[^ ]* bytes=[0-9]* packets=\([0-9]*\) .*tcp_flows=\([0-9]*\) .*max_concurrent=\([0-9]*\).*/, \1 packets, \2 TCP flows, up to \3 concurrent/p' "$capture.meta")."
    echo "Median of $runs runs per case; a ratio is the median of the runs' own ratios (each run's C and Java passes follow each other). **C**: \`native/bench/bench_c\`, one process per run (wall time of the process; CPU time of the process), the capture opened as jnids opens it (64 KB read buffer), so that both do the same I/O; **C by name**: the same program letting libnids open the capture by name (libpcap's 4 KB read buffer), as a plain libnids program does."
    echo "**Java**: the same work through jnids' public API, in one JVM per case, after $warmup warm-up pass(es) (wall time of \`init()\` + \`run()\`; CPU time of the whole JVM over it, JIT and GC threads included)."
    echo
    if [ ${#rows[@]} -gt 0 ]; then
        echo "| case | C ms | Java ms | Java/C | CPU ms C / Java (ratio) | C by name ms | Java / C by name | Mpackets/s C / Java | MB/s C / Java | peak RSS MB C / Java | Java GCs per run (time) | Java bytes allocated per callback | results |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        printf '%s\n' "${rows[@]}"
        echo
    fi
    if [ -n "${row_a:-}" ] && [ -n "${row_6:-}" ]; then
        # columns 3 and 4 of a row: C ms and Java ms (medians)
        awk -F'|' -v a="$row_a" -v b="$row_6" 'BEGIN {
            split(a, x, "|"); split(b, y, "|");
            printf "**IPv6 (6) over IPv4 (a)**, same traffic: C %.2f, Java %.2f (target: within 1.10).\n\n", y[3] / x[3], y[4] / x[4] }'
    fi
    if [ ${#srows[@]} -gt 0 ]; then
        echo "**Scaling (s)**: the capture read $copies times, each read by its own \`NidsSession\` doing case (a)'s work: on 1 thread (one read after the other), then on 2 threads at once ($copies/2 reads each); C: one \`bench_c\` process making $copies passes, then two making $copies/2 each at once. Wall time from the first start to the last end; a speed-up is the median of the runs' own 1/2 ratios."
        echo
        echo "| case | C 1 process ms | C 2 processes ms | C speed-up | Java 1 thread ms | Java 2 threads ms | Java speed-up | Java/C (1 thread / 1 process) | results |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
        printf '%s\n' "${srows[@]}"
        echo
    fi
    echo "Machine: $cpu, $(nproc) cores, $mem RAM, $(uname -sr); $jv; $ccv."
    [ -n "${BENCH_CP_PREFIX:-}" ] && echo "Class path prefix (patched classes): $BENCH_CP_PREFIX."
    echo "JVM options: ${BENCH_JAVA_OPTS:-(defaults)}. n_tcp_streams=$streams in both; tcp_gaps=${BENCH_GAPS:-wait}; other libnids parameters at their defaults."
    echo "Command: \`bench/run.sh${ARGS:+ $ARGS}\`"
} | tee "$report"
exit $status
