#!/bin/sh
# Rewrites examples/expected/ from runs of the C reference (nidstest, built by
# 'make') over every capture in testdata/:
#
#   examples/expected/<dir>/<capture>.<program>.txt     what the program prints
#   examples/expected/<dir>/<capture>.<program>.status  its exit status, when not 0
#
# for <program> nidstest, nidsstream and example (the last with -s: see
# nidstest.c). A capture is any file under testdata/ but the sidecar files
# listed in is_capture below. Run it from anywhere: make -C native/tools/nidstest_c expected
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
NIDSTEST=${NIDSTEST:-$TOP/target/nidstest_c/nidstest}
OUT=$TOP/examples/expected

[ -x "$NIDSTEST" ] || { echo "expected.sh: no $NIDSTEST; run make first" >&2; exit 1; }
[ -d "$TOP/testdata" ] || { echo "expected.sh: no $TOP/testdata" >&2; exit 1; }

is_capture() {
    case $1 in
        */README*|*.expected|*.options|*.truth|*.sent|*.py|*.sh|*.md|*.json|*.gitignore|*.keep) return 1 ;;
        *) return 0 ;;
    esac
}

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$TOP/testdata"
find . -type f | LC_ALL=C sort | while read -r f; do
    f=${f#./}
    is_capture "$f" || continue
    mkdir -p "$OUT/$(dirname "$f")"
    for program in nidstest nidsstream example; do
        flag=
        [ "$program" = example ] && flag=-s
        status=0
        "$NIDSTEST" -m "$program" $flag "$f" >"$OUT/$f.$program.txt" 2>/dev/null || status=$?
        if [ "$status" -ne 0 ]; then
            echo "$status" >"$OUT/$f.$program.status"
        fi
    done
    echo "expected.sh: $f"
done
