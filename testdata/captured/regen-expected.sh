#!/usr/bin/env bash
# Writes <name>.expected for every capture in the given folders (default: this
# one) with nids_dump, run with the options listed in <name>.options (none when
# that file is absent), and checks it against <name>.truth where there is one.
#   bash testdata/captured/regen-expected.sh [DIR...]
# The dumper is native/tools/build/nids_dump (make -C native/tools), or $NIDS_DUMP.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
DUMP=${NIDS_DUMP:-$TOP/native/tools/build/nids_dump}
[ -x "$DUMP" ] || make -C "$TOP/native/tools" >&2
[ $# -gt 0 ] || set -- "$HERE"
status=0
for dir in "$@"; do
    for cap in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap; do
        [ -f "$cap" ] || continue
        base=${cap%.*}
        opts=()
        [ -f "$base.options" ] && read -r -a opts <"$base.options"
        "$DUMP" "${opts[@]}" "$cap" >"$base.expected" || true
        echo "$(basename "$base.expected"): $(wc -l <"$base.expected") lines, options: ${opts[*]:-(none)}"
        if [ -f "$base.truth" ] && [ -s "$base.truth" ]; then
            python3 "$HERE/check_truth.py" "$base.expected" "$base.truth" || status=1
        fi
    done
done
exit $status
