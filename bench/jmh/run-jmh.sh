#!/usr/bin/env bash
# JMH figures for jnids' callback crossings and field reads, with bench_c's
# figures for the same micro captures beside them.
#
#   bench/jmh/run-jmh.sh [JMH options, e.g. -f 1 -wi 3 -i 5 TcpCallbackBench]
#
# Builds the jar (mvn package in the repository root) when it is missing.
# Results: bench/out/jmh.json and bench/out/jmh-c.txt.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out
JAR=$ROOT/target/jnids-0.1.0.jar
[ -f "$JAR" ] || (cd "$ROOT" && mvn -q package -DskipTests)
NATIVE=$ROOT/cppbuild/linux-x86_64
mkdir -p "$OUT"
if [ ! -x "$OUT/bench_c" ] || [ "$ROOT/native/bench/bench_c.c" -nt "$OUT/bench_c" ]; then
    ${CC:-cc} -O2 -g -Wall -Wno-unused-parameter -I"$NATIVE/include" -o "$OUT/bench_c" "$ROOT/native/bench/bench_c.c" \
        "$NATIVE/lib/libnids.a" "$NATIVE/lib/libpcap.a"
fi
(cd "$HERE" && mvn -q package)
CP=$HERE/target/classes:$(cat "$HERE/target/classpath.txt"):$JAR

java -cp "$CP" jnidsbench.jmh.MicroCapture "$OUT" >/dev/null
{
    echo "# bench_c on the micro captures: median of 201 passes, ns per packet of interest"
    for c in n a; do
        line=$(BENCH_REPEAT=201 "$OUT/bench_c" "$c" "$OUT/micro-tcp.pcap")
        ms=$(sed 's/.*wall_ms=\([0-9.]*\).*/\1/' <<<"$line")
        echo "tcp case=$c ns_per_segment=$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms * 1e6 / 20000 }')"
    done
    for c in n u i d; do
        line=$(BENCH_REPEAT=201 "$OUT/bench_c" "$c" "$OUT/micro-udp.pcap")
        ms=$(sed 's/.*wall_ms=\([0-9.]*\).*/\1/' <<<"$line")
        echo "udp case=$c ns_per_datagram=$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms * 1e6 / 20000 }')"
    done
} | tee "$OUT/jmh-c.txt"
cd "$HERE"
java -cp "$CP" org.openjdk.jmh.Main -jvmArgsAppend "-Djnids.bench.dir=$OUT" -rf json -rff "$OUT/jmh.json" "$@"
