#!/usr/bin/env bash
# JMH figures for jnids' callback crossings and field reads, with bench_c's
# figures for the same micro captures beside them.
#
#   bench/jmh/run-jmh.sh [JMH options, e.g. -f 1 -wi 3 -i 5 TcpCallbackBench]
#
# Builds the jar (mvn package in the repository root) when it is missing.
# Results: bench/out/jmh-cpu.txt (CPU-time figures, C and Java) and
# bench/out/jmh.json (JMH). JMH=0 skips JMH.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out
JAR=$ROOT/target/jnids-0.1.0.jar
[ -f "$JAR" ] || (cd "$ROOT" && mvn -q package -DskipTests)
NATIVE=$ROOT/cppbuild/linux-x86_64
mkdir -p "$OUT"
if [ ! -x "$OUT/bench_c" ] || [ "$ROOT/native/bench/bench_c.c" -nt "$OUT/bench_c" ]; then
    ${CC:-cc} -O2 -g -falign-functions=64 -falign-loops=32 -Wall -Wno-unused-parameter -I"$NATIVE/include" -o "$OUT/bench_c" "$ROOT/native/bench/bench_c.c" \
        "$NATIVE/lib/libnids.a" "$NATIVE/lib/libpcap.a"
fi
(cd "$HERE" && mvn -q package)
CP=$HERE/target/classes:$(cat "$HERE/target/classpath.txt"):$JAR

java -cp "$CP" jnidsbench.jmh.MicroCapture "$OUT" >/dev/null
# 1. C on the same micro captures, with the Java side's n_tcp_streams (libnids'
#    default, 1040): median thread CPU time of 201 passes.
# 2. The Java variants timed by thread CPU time (CpuTimeMicro), one JVM each.
#    On a loaded machine these are the figures to trust: JMH (3.) measures
#    wall time, which includes time the thread spent descheduled.
{
    echo "# C (bench_c), CPU ns per segment / datagram, median of 201 passes"
    for c in n a; do
        line=$(BENCH_REPEAT=201 "$OUT/bench_c" "$c" "$OUT/micro-tcp.pcap" 1040)
        ms=$(sed 's/.*pass_cpu_ms=\([0-9.]*\).*/\1/' <<<"$line")
        echo "c tcp $c $(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms * 1e6 / 20000 }')"
    done
    for c in n u i d; do
        line=$(BENCH_REPEAT=201 "$OUT/bench_c" "$c" "$OUT/micro-udp.pcap" 1040)
        ms=$(sed 's/.*pass_cpu_ms=\([0-9.]*\).*/\1/' <<<"$line")
        echo "c udp $c $(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms * 1e6 / 20000 }')"
    done
    echo "# Java, CPU ns per segment / datagram, median of 301 passes after 400 warm-up passes"
    for h in none state countNew fields dataBuffer data rawJavaCpp; do
        java -Djnids.bench.dir="$OUT" -cp "$CP" jnidsbench.jmh.CpuTimeMicro tcp "$h"
    done
    for h in none udp udpAddr ip udpAndIp; do
        java -Djnids.bench.dir="$OUT" -cp "$CP" jnidsbench.jmh.CpuTimeMicro udp "$h"
    done
} | tee "$OUT/jmh-cpu.txt"
[ "${JMH:-1}" = 0 ] && exit 0
cd "$HERE"
java -cp "$CP" org.openjdk.jmh.Main -jvmArgsAppend "-Djnids.bench.dir=$OUT" -rf json -rff "$OUT/jmh.json" "$@"
