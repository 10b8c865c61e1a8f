#!/usr/bin/env bash
# Builds the native code jnids bundles, in the javacpp-presets manner: each
# library is fetched, verified, patched and built as a static, position-independent
# archive into cppbuild/<platform>/{include,lib}, where JavaCPP's Builder links
# them into one JNI library.
#
#   bash cppbuild.sh [fetch|build|clean]     (default: build)
#
# Environment:
#   JNIDS_SOURCE_CACHE  directory holding (or receiving) the source archives; a
#                       verified archive found there is used as is (offline builds)
#   JNIDS_OFFLINE=1     never download; only the cache is used
#   JNIDS_SANITIZE      e.g. "address,undefined": build everything with these
#                       sanitizers, into cppbuild/<platform>-sanitize
#   JNIDS_PLATFORM      defaults to linux-x86_64
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLATFORM=${JNIDS_PLATFORM:-linux-x86_64}
SANITIZE=${JNIDS_SANITIZE:-}
OUT=$TOP/cppbuild/$PLATFORM${SANITIZE:+-sanitize}
CACHE=${JNIDS_SOURCE_CACHE:-$TOP/cppbuild/downloads}

LIBPCAP_VERSION=1.10.3
LIBPCAP_ARCHIVE=libpcap_$LIBPCAP_VERSION.orig.tar.gz
LIBPCAP_SHA256=2a8885c403516cf7b0933ed4b14d6caa30e02052489ebd414dc75ac52e7559e6
LIBPCAP_URL=https://www.tcpdump.org/release/libpcap-$LIBPCAP_VERSION.tar.gz

LIBNIDS_VERSION=1.26
LIBNIDS_ARCHIVE=libnids_$LIBNIDS_VERSION.orig.tar.gz
LIBNIDS_SHA256=3f3e9f99a83cd37bc74af83d415c5e3a7505f5b190dfaf456b0849e0054f6733
LIBNIDS_URL=https://downloads.sourceforge.net/project/libnids/libnids/$LIBNIDS_VERSION/libnids-$LIBNIDS_VERSION.tar.gz

die() { echo "cppbuild.sh: error: $*" >&2; exit 1; }
log() { echo "cppbuild.sh: $*" >&2; }

require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 ||
            die "required tool '$tool' was not found on PATH; install it (on Debian: apt-get install $(debian_package "$tool")) and run again"
    done
}

debian_package() {
    case $1 in
        cc|gcc) echo gcc ;;
        sha256sum|install) echo coreutils ;;
        *) echo "$1" ;;
    esac
}

# Prints the SHA-256 of a file.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Refuses an archive whose digest is not the known-good one.
verify() {
    local file=$1 expected=$2 actual
    actual=$(sha256_of "$file")
    [ "$actual" = "$expected" ] ||
        die "$file failed verification: its SHA-256 is $actual, expected $expected; delete it (or fix JNIDS_SOURCE_CACHE) and run again"
}

# Debian's source archive serves the upstream tarballs as *.orig.tar.gz. The
# deb-src entries are derived from this machine's own apt sources into a private
# apt configuration, so the system's apt state is left untouched.
fetch_from_debian_sources() {
    local package=$1 archive=$2 dest=$3
    command -v apt-get >/dev/null 2>&1 || return 1
    local apt=$TOP/cppbuild/apt
    mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/download"
    : >"$apt/etc/sources.list"
    rm -f "$apt/etc/sources.list.d/"*
    local f n=0
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        sed -e 's/^Types:.*$/Types: deb-src/' "$f" >"$apt/etc/sources.list.d/src$n.sources"
        n=$((n + 1))
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n -e 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$apt/etc/sources.list"
    done
    local opts=(-o "Dir::Etc::sourcelist=$apt/etc/sources.list"
        -o "Dir::Etc::sourceparts=$apt/etc/sources.list.d"
        -o "Dir::State::Lists=$apt/lists"
        -o "Dir::Cache=$apt/cache"
        -o "Debug::NoLocking=1"
        -o "APT::Sandbox::User=root")
    log "fetching $archive through apt's source mechanism"
    apt-get "${opts[@]}" -qq update >&2 || return 1
    (cd "$apt/download" && apt-get "${opts[@]}" -qq source --download-only --tar-only "$package" >&2) || return 1
    [ -f "$apt/download/$archive" ] || return 1
    mv "$apt/download/$archive" "$dest"
}

fetch_from_upstream() {
    local url=$1 dest=$2
    log "fetching $url"
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --connect-timeout 20 -o "$dest" "$url"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -T 20 -O "$dest" "$url"
    else
        return 1
    fi
}

# Leaves a verified copy of an archive in the cache and prints its path.
fetch() {
    local package=$1 archive=$2 sha=$3 url=$4
    local path=$CACHE/$archive
    mkdir -p "$CACHE"
    if [ -f "$path" ]; then
        verify "$path" "$sha"
        echo "$path"
        return
    fi
    [ "${JNIDS_OFFLINE:-0}" = 1 ] &&
        die "$archive is not in $CACHE and JNIDS_OFFLINE=1; put the archive (SHA-256 $sha) there"
    local tmp=$path.part
    rm -f "$tmp"
    if ! fetch_from_debian_sources "$package" "$archive" "$tmp" && ! fetch_from_upstream "$url" "$tmp"; then
        rm -f "$tmp"
        die "could not download $archive (tried Debian's source archive and $url); put it in $CACHE and run again"
    fi
    verify "$tmp" "$sha"
    mv "$tmp" "$path"
    echo "$path"
}

# Unpacks an archive into a fresh source tree and applies the project's patches
# for it in name order; a patch that does not apply stops the build.
unpack_and_patch() {
    local archive=$1 tree=$2 patches=$3
    rm -rf "$tree"
    mkdir -p "$tree"
    tar -xzf "$archive" -C "$tree" --strip-components=1
    local p
    for p in "$patches"/*.patch; do
        [ -f "$p" ] || continue
        log "applying $(basename "$p")"
        patch -d "$tree" -p1 --forward --batch --quiet <"$p" >&2 ||
            die "patch $(basename "$p") does not apply to $(basename "$tree")"
    done
}

# A stamp records what a build was made from, so that an unchanged input is not
# rebuilt; it hashes this script, the library's patches and the compiler flags.
stamp_of() {
    { cat "$TOP/cppbuild.sh"; cat "$@" 2>/dev/null; echo "$CFLAGS"; } | sha256sum | cut -d' ' -f1
}

up_to_date() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

build_libpcap() {
    local stampfile=$OUT/.libpcap.stamp stamp
    stamp=$(stamp_of "$TOP"/native/patches/libpcap/*.patch)
    if up_to_date "$stampfile" "$stamp" && [ -f "$OUT/lib/libpcap.a" ]; then
        log "libpcap $LIBPCAP_VERSION is up to date"
        return
    fi
    local archive tree=$OUT/src/libpcap-$LIBPCAP_VERSION
    archive=$(fetch libpcap "$LIBPCAP_ARCHIVE" "$LIBPCAP_SHA256" "$LIBPCAP_URL")
    unpack_and_patch "$archive" "$tree" "$TOP/native/patches/libpcap"
    log "building libpcap $LIBPCAP_VERSION"
    (cd "$tree" &&
        CFLAGS="$CFLAGS" ./configure --prefix="$OUT" --disable-shared --with-pcap=linux \
            --disable-dbus --disable-bluetooth --disable-rdma --disable-usb --disable-netmap \
            --disable-remote --without-libnl --without-dpdk --without-dag --without-septel \
            --without-snf --without-turbocap >"$tree/jnids-configure.log" 2>&1 ||
        die "libpcap configure failed; see $tree/jnids-configure.log"
        make -j"$JOBS" libpcap.a >"$tree/jnids-make.log" 2>&1 ||
        die "libpcap build failed; see $tree/jnids-make.log")
    mkdir -p "$OUT/lib" "$OUT/include/pcap"
    install -m 644 "$tree/libpcap.a" "$OUT/lib/"
    install -m 644 "$tree/pcap.h" "$OUT/include/"
    install -m 644 "$tree"/pcap/*.h "$OUT/include/pcap/"
    echo "$stamp" >"$stampfile"
}

build_libnids() {
    local stampfile=$OUT/.libnids.stamp stamp
    stamp=$(stamp_of "$TOP"/native/patches/libnids/*.patch "$OUT/.libpcap.stamp")
    if up_to_date "$stampfile" "$stamp" && [ -f "$OUT/lib/libnids.a" ]; then
        log "libnids $LIBNIDS_VERSION is up to date"
        return
    fi
    local archive tree=$OUT/src/libnids-$LIBNIDS_VERSION
    archive=$(fetch libnids "$LIBNIDS_ARCHIVE" "$LIBNIDS_SHA256" "$LIBNIDS_URL")
    unpack_and_patch "$archive" "$tree" "$TOP/native/patches/libnids"
    log "building libnids $LIBNIDS_VERSION"
    # No glib threads (multiproc) and no libnet: nids_killtcp would abort(), so
    # connection killing is jnids' own code in native/.
    (cd "$tree" &&
        CFLAGS="$CFLAGS" ./configure --with-libpcap="$OUT/src/libpcap-$LIBPCAP_VERSION" \
            --disable-libglib --disable-libnet >"$tree/jnids-configure.log" 2>&1 ||
        die "libnids configure failed; see $tree/jnids-configure.log"
        make -C src -j"$JOBS" static >"$tree/jnids-make.log" 2>&1 ||
        die "libnids build failed; see $tree/jnids-make.log")
    mkdir -p "$OUT/lib" "$OUT/include/libnids"
    install -m 644 "$tree/src/libnids.a" "$OUT/lib/"
    install -m 644 "$tree/src/nids.h" "$tree/src/nids_current.h" "$OUT/include/"
    # Internal headers, for the project's helpers that read libnids' scan records.
    install -m 644 "$tree/src/scan.h" "$OUT/include/libnids/"
    echo "$stamp" >"$stampfile"
}

# The project's own C (the layer between libnids and the JNI code) is built
# against the libraries above, so that JavaCPP links one archive of it.
build_helpers() {
    local stampfile=$OUT/.helpers.stamp stamp
    stamp=$(stamp_of "$TOP"/native/*.c "$TOP"/native/*.h "$OUT/.libnids.stamp")
    if up_to_date "$stampfile" "$stamp" && [ -f "$OUT/lib/libjnidshelpers.a" ]; then
        log "jnids helpers are up to date"
        return
    fi
    log "building jnids helpers"
    local obj=$OUT/obj src
    rm -rf "$obj"
    mkdir -p "$obj"
    for src in "$TOP"/native/*.c; do
        cc $CFLAGS -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$OUT/include" -I"$TOP/native" \
            -c "$src" -o "$obj/$(basename "${src%.c}").o" || die "compiling $(basename "$src") failed"
    done
    rm -f "$OUT/lib/libjnidshelpers.a"
    ar rcs "$OUT/lib/libjnidshelpers.a" "$obj"/*.o
    install -m 644 "$TOP"/native/*.h "$OUT/include/"
    echo "$stamp" >"$stampfile"
}

build() {
    require_tools cc make ar tar patch sha256sum install flex bison
    JOBS=$(nproc 2>/dev/null || echo 2)
    # -fwrapv: libnids counts a stream's bytes in a signed int, which wraps
    # after 2 GiB; make that defined behaviour. -falign-functions=64: every
    # function starts a cache line, so its hot loops sit at the same place in
    # a cache line in the JNI library and in the C benchmark, whatever order
    # the linker puts the objects in (a loop that straddles a line boundary
    # can take a cycle more per iteration).
    CFLAGS="-O2 -g -fPIC -fno-strict-aliasing -fwrapv -falign-functions=64"
    if [ -n "$SANITIZE" ]; then
        # libnids reads IP headers at the 2-byte alignment link headers leave,
        # which x86-64 allows: UBSan's alignment check would only report that.
        CFLAGS="-O1 -g -fPIC -fwrapv -fno-omit-frame-pointer -fsanitize=$SANITIZE -fno-sanitize=alignment"
    fi
    mkdir -p "$OUT"
    build_libpcap
    build_libnids
    build_helpers
    log "native libraries are in $OUT"
}

case ${1:-build} in
    fetch)
        require_tools tar sha256sum
        fetch libpcap "$LIBPCAP_ARCHIVE" "$LIBPCAP_SHA256" "$LIBPCAP_URL" >/dev/null
        fetch libnids "$LIBNIDS_ARCHIVE" "$LIBNIDS_SHA256" "$LIBNIDS_URL" >/dev/null
        log "verified archives are in $CACHE"
        ;;
    build) build ;;
    clean) rm -rf "$TOP/cppbuild" ;;
    *) die "unknown command '$1'; use fetch, build or clean" ;;
esac
