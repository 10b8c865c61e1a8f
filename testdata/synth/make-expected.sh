#!/usr/bin/env bash
# Writes NAME.expected for every capture in this directory: the output of the
# reference dumper nids_dump (native/tools, FORMAT.md) run with the options in
# NAME.options. The captures themselves come from
# io.github.jnids.testing.SynthCaptures (see README.md).
#
#   testdata/synth/make-expected.sh [PATH-TO-NIDS_DUMP]
#
# The dumper is the argument, else $NIDS_DUMP, else native/tools/build/nids_dump,
# else target/native-tools/nids_dump.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
dump=${1:-${NIDS_DUMP:-}}
if [ -z "$dump" ]; then
    for candidate in "$top/native/tools/build/nids_dump" "$top/target/native-tools/nids_dump"; do
        if [ -x "$candidate" ]; then dump=$candidate; break; fi
    done
fi
[ -n "$dump" ] && [ -x "$dump" ] || { echo "make-expected.sh: no nids_dump; build it with 'make -C native/tools'" >&2; exit 1; }
dump=$(cd "$(dirname "$dump")" && pwd)/$(basename "$dump")

cd "$here"
for options_file in *.options; do
    name=${options_file%.options}
    capture=
    for f in "$name".pcap "$name".pcapng "$name".txt; do
        if [ -e "$f" ]; then capture=$f; fi
    done
    [ -n "$capture" ] || { echo "make-expected.sh: no capture for $options_file" >&2; exit 1; }
    read -r -a options < "$options_file" || true
    status=0
    "$dump" "${options[@]}" "$capture" > "$name.expected" || status=$?
    # 0 after END, 1 after ERROR (the bad files); anything else is a failure
    if [ "$status" -gt 1 ]; then
        echo "make-expected.sh: nids_dump failed on $capture (status $status)" >&2
        exit 1
    fi
    echo "$name.expected: $(tail -n 1 "$name.expected")"
done
