#!/usr/bin/env bash
# jnids-spark's benchmark: a directory of captures read by the jnids source on
# local[1] and local[2], against the jnids command on the same files in the
# same run. Prints rows/s and MB/s of each, and Spark's overhead per file.
#
#   bench/spark-bench.sh                 8 generated captures of 32 MB, 5 runs each
#   bench/spark-bench.sh --files N --size SIZE --runs R
#   bench/spark-bench.sh --dir DIR       the *.pcap files of DIR instead of generated ones
#   bench/spark-bench.sh --small N       overhead per file: N tiny captures (default 200)
#
# The overhead per file is measured on N copies of a 4-stream capture: Spark's
# time per file (local[1]) against the command's time per file over the same
# files, less its JVM start (the command on one file).
#
# Each figure is given as wall time and as CPU time (user + system of the whole
# JVM: every thread, JIT and collector included); on a loaded machine the CPU
# time is the steadier of the two. The load average is printed with the results.
#
# Needs mvn package at the root first (the -all jars); the Spark class path
# comes from Maven (spark/pom.xml's provided dependencies). Medians of the
# runs; the first two Spark runs (and the first run of the command) only warm up. On a shared, loaded machine
# the figures are indicative only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out/spark
files=8 size=32M runs=5 small=200 dir=
while [ $# -gt 0 ]; do
    case $1 in
        --files) files=$2; shift ;;
        --size) size=$2; shift ;;
        --runs) runs=$2; shift ;;
        --small) small=$2; shift ;;
        --dir) dir=$(cd "$2" && pwd); shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "spark-bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
log() { echo "spark-bench.sh: $*" >&2; }
# The driver binds to the loopback address only (Spark otherwise picks the first interface's).
export SPARK_LOCAL_IP=127.0.0.1
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

JAR=$ROOT/target/jnids-0.1.0-all.jar
SPARK_JAR=$ROOT/spark/target/jnids-spark-0.1.0-all.jar
[ -f "$JAR" ] && [ -f "$SPARK_JAR" ] || { log "building (mvn -q package -DskipTests)"; (cd "$ROOT" && mvn -q package -DskipTests); }
mkdir -p "$OUT"
if [ ! -f "$OUT/classpath" ] || [ "$ROOT/spark/pom.xml" -nt "$OUT/classpath" ]; then
    log "resolving Spark's class path"
    # From the root, so that jnids resolves in the reactor; the spark module writes the file last.
    (cd "$ROOT" && mvn -q -o package -DskipTests dependency:build-classpath -pl spark -am -Dmdep.includeScope=provided \
        -Dmdep.outputFile="$OUT/classpath")
fi
CP=$(cat "$OUT/classpath"):$SPARK_JAR
JOPTS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
       --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
       --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
       --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
       --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
       --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
       --add-opens=java.base/sun.security.action=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Xmx2g)

# The captures: the C benchmark's generator, each file its own seed.
GEN=$ROOT/bench/out/gen_capture
[ -x "$GEN" ] || { mkdir -p "$ROOT/bench/out"; cc -O2 -Wall -o "$GEN" "$ROOT/native/bench/gen_capture.c" -lm; }
BIG=${dir:-$OUT/big-$files-$size}
if [ ! -d "$BIG" ]; then
    log "generating $files captures of $size in $BIG"
    mkdir -p "$BIG.part"
    for i in $(seq 1 "$files"); do "$GEN" -o "$BIG.part/cap$i.pcap" -s "$size" -S "$i" -q; done
    mv "$BIG.part" "$BIG"
fi
SMALL=$OUT/small-$small
if [ ! -d "$SMALL" ]; then
    log "making $small tiny captures in $SMALL"
    mkdir -p "$SMALL.part"
    for i in $(seq 1 "$small"); do cp "$ROOT/testdata/captured/reset.pcap" "$SMALL.part/cap$i.pcap"; done
    mv "$SMALL.part" "$SMALL"
fi

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The command: one process over the files given, as a user would run it.
# Prints the median wall seconds and the median CPU seconds (user + system);
# its rows are its TCP records (each file also ends with a record of its own).
command_run() {
    local t=() c=() rows=0
    for r in $(seq 0 "$runs"); do
        rows=$(/usr/bin/time -f '%e %U %S' -o "$OUT/time" java -jar "$JAR" --no-checksum --json --no-progress "$@" | grep -c '"type":"tcp"')
        if [ "$r" -gt 0 ]; then
            t+=("$(cut -d' ' -f1 "$OUT/time")")
            c+=("$(awk '{ print $2 + $3 }' "$OUT/time")")
        fi
    done
    echo "$(printf '%s\n' "${t[@]}" | median) $(printf '%s\n' "${c[@]}" | median)"
    echo "$rows" >"$OUT/rows"
}

nbig=$(ls "$BIG"/*.pcap | wc -l)
bytes=$(du -cb "$BIG"/*.pcap | tail -1 | cut -f1)
log "the command on $BIG"
read -r cmd_s cmd_c < <(command_run "$BIG"/*.pcap); cmd_rows=$(cat "$OUT/rows")
log "Spark on $BIG"
java "${JOPTS[@]}" -cp "$CP" "$ROOT/bench/spark/SparkBench.java" "$BIG" "$runs" 'local[1]' 'local[2]' >"$OUT/big.txt"
log "the command on $SMALL, and on one of its files"
read -r small_cmd_s small_cmd_c < <(command_run "$SMALL"/*.pcap)
read -r one_cmd_s one_cmd_c < <(command_run "$SMALL/cap1.pcap")
log "Spark on $SMALL"
java "${JOPTS[@]}" -cp "$CP" "$ROOT/bench/spark/SparkBench.java" "$SMALL" "$runs" 'local[1]' 'local[2]' >"$OUT/small.txt"

field() { awk -v m="$1" -v k="$3" '$1 == "RESULT" && $2 == m { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$2"; }
{
echo "| what | wall s (median of $runs) | CPU s (median) | rows | rows/s | MB/s |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '| command, %s files (%s MB) | %.2f | %.2f | %d | %.0f | %.1f |\n' "$nbig" "$((bytes / 1000000))" "$cmd_s" "$cmd_c" \
    "$cmd_rows" "$(echo "$cmd_rows / $cmd_s" | bc -l)" "$(echo "$bytes / $cmd_s / 1000000" | bc -l)"
for m in 'local[1]' 'local[2]'; do
    printf '| Spark %s, same files | %.2f | %.2f | %d | %.0f | %.1f |\n' "$m" "$(field "$m" "$OUT/big.txt" median)" \
        "$(field "$m" "$OUT/big.txt" cpu)" "$(field "$m" "$OUT/big.txt" rows)" \
        "$(field "$m" "$OUT/big.txt" rows/s)" "$(field "$m" "$OUT/big.txt" MB/s)"
done
s1=$(field 'local[1]' "$OUT/small.txt" median); c1=$(field 'local[1]' "$OUT/small.txt" cpu)
s2=$(field 'local[2]' "$OUT/small.txt" median); c2=$(field 'local[2]' "$OUT/small.txt" cpu)
printf '| command, 1 tiny file (its JVM start, mostly) | %.2f | %.2f | | | |\n' "$one_cmd_s" "$one_cmd_c"
printf '| command, %s tiny files | %.2f | %.2f | | | |\n' "$small" "$small_cmd_s" "$small_cmd_c"
printf '| Spark local[1], same tiny files | %.2f | %.2f | | | |\n' "$s1" "$c1"
printf '| Spark local[2], same tiny files | %.2f | %.2f | | | |\n' "$s2" "$c2"
per() { echo "$1 * 1000 / $small" | bc -l; }
cmd_w=$(echo "($small_cmd_s - $one_cmd_s) * 1000 / ($small - 1)" | bc -l)
cmd_cpu=$(echo "($small_cmd_c - $one_cmd_c) * 1000 / ($small - 1)" | bc -l)
printf '\nPer tiny file (the whole query over %s files, divided; the command less its JVM start):\n' "$small"
printf '  the command %.1f ms wall, %.1f ms CPU; Spark local[1] %.1f ms wall, %.1f ms CPU\n' \
    "$cmd_w" "$cmd_cpu" "$(per "$s1")" "$(per "$c1")"
printf 'Spark overhead per file: %.1f ms wall, %.1f ms CPU\n' "$(echo "$(per "$s1") - $cmd_w" | bc -l)" \
    "$(echo "$(per "$c1") - $cmd_cpu" | bc -l)"
printf 'Load average (1, 5, 15 min) at the start: %s; at the end: %s (%s cores)\n' "$load_before" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
} | tee "$OUT/results-$(date -u +%Y%m%dT%H%M%SZ).md"
