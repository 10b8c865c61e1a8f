#!/usr/bin/env bash
# jnids --dump against tcpflow, side by side on the same captures: wall and
# CPU time (medians of alternating runs, page cache warm), and a comparison of
# the files both write.
#
#   bench/dump-vs-tcpflow.sh [options] CAPTURE...
#
#   --runs N        timed rounds per capture (default 7), after one warm-up
#                   round; a round runs every contender once, in an order
#                   that rotates from round to round
#   --out DIR       where the flow files go (default: a directory in
#                   /dev/shm when it is a tmpfs, else bench/out/dump-runs);
#                   each run writes a fresh directory, removed after it
#   --add 'LABEL=COMMAND'
#                   one more contender; COMMAND is run by sh with $IN (the
#                   capture) and $OUT (a fresh, not yet existing directory),
#                   e.g. --add 'nocds=JNIDS_CDS=off bin/jnids --no-checksum --dump "$OUT" "$IN"'
#   --only LABELS   comma-separated contenders to run (default all)
#   --no-compare    skip the file comparison
#   --jnids-args A  arguments before --dump (default --no-checksum: the
#                   loopback captures of bench/make-http-captures.sh carry
#                   checksums the kernel never filled in)
#
# Contenders: jnids (bin/jnids $JNIDS_ARGS --dump "$OUT" "$IN", standard output
# discarded) and tcpflow (tcpflow -r "$IN" -o "$OUT", as a user runs it).
# The comparison takes the last round's directories of jnids and tcpflow:
# for every flow file both wrote, the bytes must be identical (the script
# exits with status 1 otherwise); files only one tool wrote are listed with
# the likely reason. tcpflow's report.xml is not a flow file.
#
# The machine this runs on may be shared: each round runs every contender
# back to back, so a slow spell slows a whole round; the ratio reported is
# the median of the rounds' own ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=7 out= compare=1 only= jnids_args=--no-checksum
labels=(jnids tcpflow)
declare -A cmd
cmd[jnids]='"$JNIDS" $JNIDS_ARGS --dump "$OUT" "$IN" >/dev/null'
cmd[tcpflow]='tcpflow -r "$IN" -o "$OUT" >/dev/null'
captures=()
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift ;;
        --out) out=$2; shift ;;
        --add) labels+=("${2%%=*}"); cmd[${2%%=*}]=${2#*=}; shift ;;
        --only) only=$2; shift ;;
        --no-compare) compare=0 ;;
        --jnids-args) jnids_args=$2; shift ;;
        -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
        -*) echo "dump-vs-tcpflow.sh: unknown option $1" >&2; exit 2 ;;
        *) captures+=("$1") ;;
    esac
    shift
done
[ ${#captures[@]} -gt 0 ] || { echo "dump-vs-tcpflow.sh: name a capture (see bench/make-http-captures.sh)" >&2; exit 2; }
if [ -n "$only" ]; then
    IFS=, read -r -a labels <<<"$only"
fi
command -v tcpflow >/dev/null || { echo "dump-vs-tcpflow.sh: tcpflow is not installed (apt-get install tcpflow)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "dump-vs-tcpflow.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
export JNIDS=$ROOT/bin/jnids JNIDS_ARGS=$jnids_args
if [ -z "$out" ]; then
    if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
        out=/dev/shm/jnids-dump-vs-tcpflow.$$
    else
        out=$ROOT/bench/out/dump-runs
    fi
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work" "$out"/run-*' EXIT

# run LABEL CAPTURE KEEP: one timed run into a fresh directory; appends
# "wall user sys" to $work/LABEL.times. KEEP=1 leaves the directory as
# $out/last-LABEL.
run() {
    local label=$1 capture=$2 keep=$3 dir="$out/run-$1"
    rm -rf "$dir"
    # tcpflow wants its output directory to exist; jnids creates it.
    [ "$label" = tcpflow ] && mkdir -p "$dir"
    if ! IN=$capture OUT=$dir /usr/bin/time -f '%e %U %S' -o "$work/time" sh -c "${cmd[$label]}" 2>"$work/stderr"; then
        cat "$work/stderr" >&2
        echo "dump-vs-tcpflow.sh: $label failed on $capture" >&2
        exit 1
    fi
    cat "$work/time" >>"$work/$label.times"
    if [ "$keep" = 1 ]; then
        rm -rf "$out/last-$label"
        mv "$dir" "$out/last-$label"
    else
        rm -rf "$dir"
    fi
}

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
col() { awk -v c="$1" '{print $c}' "$2"; }
cpu() { awk '{printf "%.2f\n", $2+$3}' "$1"; }

status=0
echo "| capture | size | contender | wall median (s) | CPU median (s) | wall min-max (s) | vs tcpflow (median of ratios) |"
echo "|---|---|---|---|---|---|---|"
for capture in "${captures[@]}"; do
    [ -r "$capture" ] || { echo "dump-vs-tcpflow.sh: cannot read $capture" >&2; exit 1; }
    cat "$capture" >/dev/null # page cache warm
    rm -f "$work"/*.times
    for label in "${labels[@]}"; do run "$label" "$capture" 0; done
    rm -f "$work"/*.times
    n=${#labels[@]}
    for r in $(seq 0 $((runs - 1))); do
        for k in $(seq 0 $((n - 1))); do
            label=${labels[$(((k + r) % n))]}
            run "$label" "$capture" $([ "$r" = $((runs - 1)) ] && echo 1 || echo 0)
        done
    done
    size=$(du -h "$capture" | cut -f1)
    for label in "${labels[@]}"; do
        wall=$(col 1 "$work/$label.times" | median)
        c=$(cpu "$work/$label.times" | median)
        range="$(col 1 "$work/$label.times" | sort -n | head -1)-$(col 1 "$work/$label.times" | sort -n | tail -1)"
        ratio=-
        if [ "$label" != tcpflow ] && [ -f "$work/tcpflow.times" ]; then
            ratio=$(paste -d' ' "$work/$label.times" "$work/tcpflow.times" | awk '{printf "%.3f\n", $1/$4}' | median)
        fi
        echo "| $(basename "$capture") | $size | $label | $wall | $c | $range | $ratio |"
    done
    if [ "$compare" = 1 ] && [ -d "$out/last-jnids" ] && [ -d "$out/last-tcpflow" ]; then
        /usr/bin/python3 "$ROOT/bench/compare-flows.py" "$out/last-jnids" "$out/last-tcpflow" \
            >"$work/compare" || status=1
        { echo; echo "$(basename "$capture"): jnids against tcpflow, last round's files:"; cat "$work/compare"; } >>"$work/compare-all"
    fi
    rm -rf "$out"/last-*
done
[ ! -f "$work/compare-all" ] || cat "$work/compare-all"
rmdir "$out" 2>/dev/null || true
exit $status
