#!/usr/bin/env bash
# Line and region coverage of libnids (and libpcap's readers) reached by the
# fuzz corpora, with the coverage build that build.sh makes (build/cov/).
#
#   bash native/fuzz/coverage.sh        -> build/cov/report-<harness>.txt
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PROFDATA=$(command -v llvm-profdata || command -v llvm-profdata-14)
COV=$(command -v llvm-cov || command -v llvm-cov-14)
[ -x build/cov/fuzz_capture ] || { echo "coverage.sh: run build.sh first (without JNIDS_FUZZ_COV=0)" >&2; exit 1; }
files() {
    local d=build/cov/libnids/src p=build/cov/libpcap
    echo $d/libnids.c $d/ip_fragment.c $d/ip6_fragment.c $d/tcp.c $d/scan.c $d/ip_options.c $d/checksum.c $d/util.c \
        $p/sf-pcap.c $p/sf-pcapng.c $p/savefile.c
}
for h in capture linktypes; do
    rm -rf build/cov/prof-$h && mkdir -p build/cov/prof-$h
    LLVM_PROFILE_FILE=build/cov/prof-$h/%p.profraw nice -n 19 build/cov/fuzz_$h corpus/$h corpus/seed/$h
    "$PROFDATA" merge -sparse build/cov/prof-$h/*.profraw -o build/cov/$h.profdata
    "$COV" report build/cov/fuzz_$h -instr-profile=build/cov/$h.profdata $(files) >build/cov/report-$h.txt
    echo "== fuzz_$h"; cat build/cov/report-$h.txt
done
