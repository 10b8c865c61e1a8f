#!/usr/bin/env bash
# jnids-spark's benchmark: a directory of captures read by the jnids source on
# local[1] and local[2], against the jnids command on the same files in the
# same run. Prints rows/s and MB/s of each, and Spark's overhead per file.
#
#   bench/spark-bench.sh                 8 generated captures of 32 MB, 5 runs each
#   bench/spark-bench.sh --files N --size SIZE --runs R
#   bench/spark-bench.sh --small N       overhead per file: N tiny captures (default 200)
#
# Needs mvn package at the root first (the -all jars); the Spark class path
# comes from Maven (spark/pom.xml's provided dependencies). Medians of the
# runs; the first run of each kind only warms up. On a shared, loaded machine
# the figures are indicative only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out/spark
files=8 size=32M runs=5 small=200
while [ $# -gt 0 ]; do
    case $1 in
        --files) files=$2; shift ;;
        --size) size=$2; shift ;;
        --runs) runs=$2; shift ;;
        --small) small=$2; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "spark-bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
log() { echo "spark-bench.sh: $*" >&2; }

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
BIG=$OUT/big-$files-$size
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

# The command: one process over all the files of a directory, as a user would run it.
command_run() {
    local dir=$1 t=() rows=0
    for r in $(seq 0 "$runs"); do
        local t0 t1
        t0=$(date +%s.%N)
        rows=$(java -jar "$JAR" --no-checksum --json --no-progress "$dir"/*.pcap | wc -l)
        t1=$(date +%s.%N)
        [ "$r" -gt 0 ] && t+=("$(echo "$t1 - $t0" | bc)")
    done
    printf '%s\n' "${t[@]}" | median
    echo "$rows" >"$OUT/rows"
}

bytes=$(du -cb "$BIG"/*.pcap | tail -1 | cut -f1)
log "the command on $BIG"
cmd_s=$(command_run "$BIG"); cmd_rows=$(cat "$OUT/rows")
log "Spark on $BIG"
java "${JOPTS[@]}" -cp "$CP" "$ROOT/bench/spark/SparkBench.java" "$BIG" "$runs" 'local[1]' 'local[2]' >"$OUT/big.txt"
log "the command on $SMALL"
small_cmd_s=$(command_run "$SMALL")
log "Spark on $SMALL"
java "${JOPTS[@]}" -cp "$CP" "$ROOT/bench/spark/SparkBench.java" "$SMALL" "$runs" 'local[1]' 'local[2]' >"$OUT/small.txt"

field() { awk -v m="$1" -v k="$3" '$1 == "RESULT" && $2 == m { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$2"; }
{
echo "| what | seconds (median of $runs) | rows | rows/s | MB/s |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '| command, %s files of %s | %.2f | %d | %.0f | %.1f |\n' "$files" "$size" "$cmd_s" "$cmd_rows" \
    "$(echo "$cmd_rows / $cmd_s" | bc -l)" "$(echo "$bytes / $cmd_s / 1000000" | bc -l)"
for m in 'local[1]' 'local[2]'; do
    s=$(field "$m" "$OUT/big.txt" median)
    printf '| Spark %s, same files | %.2f | %d | %.0f | %.1f |\n' "$m" "$s" "$(field "$m" "$OUT/big.txt" rows)" \
        "$(field "$m" "$OUT/big.txt" rows/s)" "$(field "$m" "$OUT/big.txt" MB/s)"
done
s1=$(field 'local[1]' "$OUT/small.txt" median)
printf '| command, %s tiny files | %.2f | | | |\n' "$small" "$small_cmd_s"
printf '| Spark local[1], same tiny files | %.2f | | | |\n' "$s1"
printf '\nSpark overhead per file (local[1], tiny files, minus the command'"'"'s time incl. its JVM start): %.1f ms\n' \
    "$(echo "($s1 - $small_cmd_s) * 1000 / $small" | bc -l)"
} | tee "$OUT/results-$(date -u +%Y%m%dT%H%M%SZ).md"
