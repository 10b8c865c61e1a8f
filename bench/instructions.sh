#!/usr/bin/env bash
# Instructions per pass, the Java API against C libnids, counted by valgrind:
# the load-independent side of bench/run.sh. On a shared machine run.sh's
# times vary by more than most changes to the Java layer do; the instructions
# a pass executes do not (two passes of one JVM agree to 0.1 %, two JVMs to
# about as much once the JIT has settled).
#
#   bench/instructions.sh [--cases ad] [--size SIZE] [CAPTURE]
#
# For each case, under callgrind, counting each thread apart and starting a
# new count whenever libnids' nids_init() is entered (every pass opens the
# capture): bench_c making 3 passes (BENCH_REPEAT=3), and JnidsBench making 2
# warm-up passes and 3 measured ones. A pass's count is that of the thread
# making it, from one nids_init() to the next: the mean of C's passes 1-2
# and of Java's measured passes 1-2 (the JVM's compiler and GC threads are
# not counted; Java's figure includes JnidsBench's own work between passes,
# about 0.1 %). Prints a markdown row per case: instructions per pass, C and
# Java, and their ratio. One JVM under valgrind takes about a minute.
# Default capture: gen_capture -s 10M (197 MB, 225,343 packets).
# Environment: BENCH_CP_PREFIX (class path entries before the jar, as for
# run.sh: an A/B of Java classes), BENCH_JAVA_OPTS.
# Needs valgrind (apt-get install valgrind) and run.sh's programs: run
# `bench/run.sh --smoke` once first. Output in bench/out/instructions/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
WORK=$OUT/instructions
JAR=$ROOT/target/jnids-0.1.0-all.jar
cases=ad size=10M capture=
while [ $# -gt 0 ]; do
    case $1 in
        --cases) cases=$2; shift ;;
        --size) size=$2; shift ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        -*) echo "instructions.sh: unknown option $1" >&2; exit 2 ;;
        *) capture=$1 ;;
    esac
    shift
done
command -v valgrind >/dev/null ||
    { echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
for f in "$JAR" "$OUT/bench_c" "$OUT/gen_capture" "$OUT/classes/jnidsbench/JnidsBench.class"; do
    [ -e "$f" ] || { echo "instructions.sh: $f is missing: run bench/run.sh --smoke first" >&2; exit 2; }
done
if [ -z "$capture" ]; then
    capture=$OUT/capture-$size.pcap
    [ -f "$capture" ] || "$OUT/gen_capture" -o "$capture" -s "$size" 2>/dev/null
fi
[ -r "$capture" ] || { echo "instructions.sh: cannot read $capture" >&2; exit 2; }
mkdir -p "$WORK"

# count NAME COMMAND...: the command under callgrind, a count per thread and pass.
count() {
    local name=$1
    shift
    rm -f "$WORK/$name".out*
    valgrind --tool=callgrind --separate-threads=yes --dump-before=nids_init \
        --callgrind-out-file="$WORK/$name.out" "$@" >"$WORK/$name.log" 2>&1 ||
        { echo "instructions.sh: '$*' failed; see $WORK/$name.log" >&2; exit 1; }
}

# per_pass NAME FIRST: the mean count of dumps FIRST and FIRST+1 (the two
# passes after them), each on the thread that executed the most in it.
per_pass() {
    python3 - "$WORK/$1.out" "$2" <<'EOF'
import glob, sys

def summary(path):
    for line in open(path, errors="replace"):
        if line.startswith("summary:"):
            return int(line.split()[1])
    return 0

counts = []
for dump in (int(sys.argv[2]), int(sys.argv[2]) + 1):
    files = glob.glob("%s.%d-*" % (sys.argv[1], dump))
    if not files:
        sys.exit("instructions.sh: no count for pass dump %d in %s" % (dump, sys.argv[1]))
    counts.append(max(summary(f) for f in files))
print(sum(counts) // len(counts))
EOF
}

echo "| case | C instructions per pass | Java instructions per pass | Java / C |"
echo "|---|---:|---:|---:|"
for (( i = 0; i < ${#cases}; i++ )); do
    c=${cases:$i:1}
    BENCH_REPEAT=3 count "c-$c" "$OUT/bench_c" "$c" "$capture" 16384
    # shellcheck disable=SC2086
    count "java-$c" java ${BENCH_JAVA_OPTS:-} -cp "${BENCH_CP_PREFIX:+$BENCH_CP_PREFIX:}$JAR:$OUT/classes" \
        jnidsbench.JnidsBench --case "$c" --capture "$capture" --c-bin "$OUT/bench_c" --runs 3 --warmup 2
    grep -q "same results" "$WORK/java-$c.log" && ! grep -q MISMATCH "$WORK/java-$c.log" ||
        { echo "instructions.sh: case $c: Java's results differ from C's; see $WORK/java-$c.log" >&2; exit 1; }
    # Dump 1 runs up to the first pass; C's passes are dumps 2-3, Java's
    # warm-up passes dumps 2-3 and its measured ones dumps 4-5.
    cpass=$(per_pass "c-$c" 2)
    jpass=$(per_pass "java-$c" 4)
    awk -v c="$c" -v cp="$cpass" -v jp="$jpass" 'BEGIN {
        printf "| (%s) | %.1f M | %.1f M | **%.3f** |\n", c, cp / 1e6, jp / 1e6, jp / cp }'
done
