#!/usr/bin/env bash
# Runs jnids' fuzzers in turn, one process at a time at the lowest priority,
# each for SLICE seconds per turn, until TOTAL seconds have passed.
#
#   bash native/fuzz/run.sh [TOTAL] [SLICE]      (defaults: 3600 600)
#   FUZZERS="capture linktypes" bash native/fuzz/run.sh ...   only those, e.g. one
#       run.sh per core, each with its own harnesses
#
# Corpora grow in native/fuzz/corpus/<harness>/ (seeded from
# corpus/seed/<harness>/, see seed.py); findings land in
# native/fuzz/artifacts/; logs in native/fuzz/build/logs/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOTAL=${1:-3600}
SLICE=${2:-600}
cd "$HERE"
mkdir -p corpus/capture corpus/linktypes corpus/session corpus/sessions corpus/ip6frag artifacts build/logs
end=$(( $(date +%s) + TOTAL ))
turn=0
while [ "$(date +%s)" -lt "$end" ]; do
    for h in ${FUZZERS:-capture linktypes session sessions ip6frag}; do
        left=$(( end - $(date +%s) ))
        [ "$left" -gt 0 ] || break
        t=$(( left < SLICE ? left : SLICE ))
        case $h in session) seed=capture ;; *) seed=$h ;; esac
        log=build/logs/$h-$(date +%Y%m%dT%H%M%S).log
        echo "run.sh: fuzz_$h for $t s, log $log" >&2
        nice -n 19 ./build/fuzz_$h -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
            -max_total_time="$t" -print_final_stats=1 -artifact_prefix=artifacts/ \
            corpus/$h "corpus/seed/$seed" >"$log" 2>&1 || {
            echo "run.sh: fuzz_$h stopped: see $log" >&2
            exit 1
        }
    done
    turn=$((turn + 1))
done
