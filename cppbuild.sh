#!/usr/bin/env bash
# Builds the native code jnids bundles, in the javacpp-presets manner: each
# library is fetched, verified, patched and built as a static, position-independent
# archive into cppbuild/<platform>/{include,lib}, where JavaCPP's Builder links
# them into one JNI library. flex, bison or m4 missing on the machine are taken
# from Debian's packages, without root (see provide_parser_tools).
#
#   bash cppbuild.sh [fetch|build|clean]     (default: build)
#
# fetch only downloads, so that a later build can run with JNIDS_OFFLINE=1.
#
# Environment:
#   JNIDS_SOURCE_CACHE  directory holding (or receiving) the source archives and
#                       the Debian packages of missing parser tools; a verified
#                       file found there is used as is (offline builds)
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

# apt with a private configuration: this machine's apt sources, as entries of
# the types asked for (deb-src for source archives, deb for binary packages),
# with their own lists and cache under cppbuild/apt. Neither root nor the
# system's apt state is needed or touched. Signature checking stays on whatever
# the machine's configuration says: a repository without a valid signature is
# refused (trusted=yes is dropped from the copied entries), and apt checks every
# index and package it fetches against the hashes of the signed Release file.
APT_DIR=$TOP/cppbuild/apt
APT_TYPES=""
APT_OPTS=(-o "Dir::Etc::sourcelist=$APT_DIR/etc/sources.list"
    -o "Dir::Etc::sourceparts=$APT_DIR/etc/sources.list.d"
    -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::Cache=$APT_DIR/cache"
    -o "Dir::Cache::pkgcache=pkgcache.bin"
    -o "Dir::Cache::srcpkgcache=srcpkgcache.bin"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
    -o "Acquire::AllowInsecureRepositories=false"
    -o "Acquire::AllowWeakRepositories=false"
    -o "Acquire::AllowDowngradeToInsecureRepositories=false"
    -o "APT::Get::AllowUnauthenticated=false")

# apt's binary caches of the lists (tens of MB) only speed up the apt runs of
# one build; the lists themselves stay, to check cached packages against.
drop_apt_caches() { rm -f "$APT_DIR/cache/pkgcache.bin" "$APT_DIR/cache/srcpkgcache.bin"; }

# Makes the private configuration carry entries of the given types and, unless
# offline, reads their package lists; fails without apt or when that fails.
private_apt_ready() {
    command -v apt-get >/dev/null 2>&1 || return 1
    local type added=0
    for type in "$@"; do
        case " $APT_TYPES " in *" $type "*) ;; *) APT_TYPES=${APT_TYPES:+$APT_TYPES }$type added=1 ;; esac
    done
    [ $added = 1 ] || return 0
    mkdir -p "$APT_DIR/etc/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
    : >"$APT_DIR/etc/sources.list"
    rm -f "$APT_DIR/etc/sources.list.d/"*
    local f t n=0
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        sed -e "s/^Types:.*\$/Types: $APT_TYPES/" -e '/^[Tt]rusted:/d' "$f" >"$APT_DIR/etc/sources.list.d/s$n.sources"
        n=$((n + 1))
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        for t in $APT_TYPES; do
            sed -n -e 's/trusted=yes//' -e 's/\[[[:space:]]*\]//' -e "s/^[[:space:]]*deb[[:space:]]/$t /p" "$f"
        done >>"$APT_DIR/etc/sources.list"
    done
    [ "${JNIDS_OFFLINE:-0}" = 1 ] && return 0
    log "reading the package lists of this machine's apt sources ($APT_TYPES) into $APT_DIR"
    apt-get "${APT_OPTS[@]}" -qq update >&2 || return 1
    # apt-get update only warns when no mirror can be reached.
    for type in "$@"; do
        case $type in
            deb) compgen -G "$APT_DIR/lists/*_Packages*" >/dev/null || return 1 ;;
            deb-src) compgen -G "$APT_DIR/lists/*_Sources*" >/dev/null || return 1 ;;
        esac
    done
}

# Debian's source archive serves the upstream tarballs as *.orig.tar.gz.
fetch_from_debian_sources() {
    local package=$1 archive=$2 dest=$3
    private_apt_ready deb-src || return 1
    local download=$APT_DIR/download
    rm -rf "$download"
    mkdir -p "$download"
    log "fetching $archive through apt's source mechanism"
    (cd "$download" && apt-get "${APT_OPTS[@]}" -qq source --download-only --tar-only "$package" >&2) || return 1
    [ -f "$download/$archive" ] || return 1
    mv "$download/$archive" "$dest"
}

# flex and bison generate libpcap's filter-expression scanner and parser, and
# both run m4. Those of them this machine lacks come from Debian's packages,
# fetched through the private apt configuration (so no root is needed), kept
# in the cache next to the source archives, unpacked under cppbuild/tools and
# put at the end of PATH, so that an installed tool always wins.
PARSER_TOOLS=(m4 flex bison)
TOOLS=$TOP/cppbuild/tools

provide_parser_tools() {
    local missing=() absent=() tool
    for tool in "${PARSER_TOOLS[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    for tool in "${missing[@]}"; do
        [ -f "$TOOLS/.$tool.deb" ] && [ -x "$TOOLS/usr/bin/$tool" ] || absent+=("$tool")
    done
    [ ${#absent[@]} = 0 ] || unpack_debian_tools "${missing[*]}" "${absent[@]}"
    export PATH=$PATH:$TOOLS/usr/bin
    # Debian's flex and bison run /usr/bin/m4 and bison reads its skeletons
    # from /usr/share/bison unless told otherwise.
    case " ${missing[*]} " in *" m4 "*) export M4=$TOOLS/usr/bin/m4 ;; esac
    case " ${missing[*]} " in *" bison "*) export BISON_PKGDATADIR=$TOOLS/usr/share/bison ;; esac
    check_parser_tools
    log "using ${missing[*]} from Debian's packages, unpacked in $TOOLS"
}

# Fetches (or takes from the cache) the Debian packages of the given tools,
# checked against the SHA-256 of the signed package lists, and unpacks them.
unpack_debian_tools() {
    local wanted=$1
    shift
    local what="$wanted (needed to build libpcap's filter parser) not found on PATH"
    local install="install them (on Debian: apt-get install $wanted) or put them on PATH, and run again"
    command -v apt-get >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 &&
        command -v dpkg-deb >/dev/null 2>&1 ||
        die "$what, and without apt-get, apt-cache and dpkg-deb cppbuild.sh cannot fetch Debian's packages of them; $install"
    # One reading of the lists serves the source archives too if they are to
    # be fetched.
    local types=(deb)
    [ -f "$CACHE/$LIBPCAP_ARCHIVE" ] && [ -f "$CACHE/$LIBNIDS_ARCHIVE" ] || types+=(deb-src)
    private_apt_ready "${types[@]}" ||
        die "$what, and reading the package lists of this machine's apt sources failed (see apt's messages above; no network?); run again with the package mirrors reachable, or $install"
    # "package file-name sha256" of each candidate version.
    local records
    records=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$@" 2>/dev/null | awk '
        /^Package:/ { pkg = $2 }
        /^Filename:/ { name = $2; sub(/.*\//, "", name) }
        /^SHA256:/ { sha = $2 }
        /^$/ { if (pkg != "" && !(pkg in seen)) { seen[pkg]; print pkg, name, sha }; pkg = name = sha = "" }
        END { if (pkg != "" && !(pkg in seen)) print pkg, name, sha }') || true
    local pkg record name sha deb actual fetch=() names=() shas=()
    for pkg in "$@"; do
        record=$(awk -v p="$pkg" '$1 == p && NF == 3 { print $2, $3; exit }' <<<"$records")
        if [ -z "$record" ]; then
            [ "${JNIDS_OFFLINE:-0}" = 1 ] &&
                die "$what; with JNIDS_OFFLINE=1 a cached Debian package of $pkg can only be used with the package lists of an earlier online run in $APT_DIR/lists to check it against, and there is none for $pkg; run once without JNIDS_OFFLINE, or $install"
            die "$what, and this machine's apt sources offer no package '$pkg'; $install"
        fi
        read -r name sha <<<"$record"
        names+=("$name")
        shas+=("$sha")
        deb=$CACHE/$name
        actual=""
        [ -f "$deb" ] && actual=$(sha256_of "$deb")
        if [ "$actual" = "$sha" ]; then
            log "using the cached $name"
        elif [ "${JNIDS_OFFLINE:-0}" = 1 ]; then
            [ -n "$actual" ] &&
                die "$what, and the cached $deb has SHA-256 $actual where Debian's package lists say $sha; delete it and run once without JNIDS_OFFLINE, or $install"
            die "$what, $name (SHA-256 $sha) is not in $CACHE and JNIDS_OFFLINE=1; put it there, or $install"
        else
            [ -n "$actual" ] && log "the cached $name does not match Debian's package lists; fetching it again"
            fetch+=("$pkg")
        fi
    done
    if [ ${#fetch[@]} -gt 0 ]; then
        log "fetching Debian's packages of ${fetch[*]}"
        local download=$APT_DIR/download-debs got
        rm -rf "$download"
        mkdir -p "$download" "$CACHE"
        (cd "$download" && apt-get "${APT_OPTS[@]}" -qq download "${fetch[@]}" >&2) ||
            die "$what, and apt-get download ${fetch[*]} failed (see apt's messages above); $install"
    fi
    local i
    for i in "${!names[@]}"; do
        pkg=${*:i+1:1} name=${names[i]} sha=${shas[i]} deb=$CACHE/${names[i]}
        case " ${fetch[*]} " in
            *" $pkg "*)
                got=$(compgen -G "$download/${pkg}_*.deb") && [ "$(wc -l <<<"$got")" = 1 ] ||
                    die "apt-get download $pkg left no single package in $download"
                verify "$got" "$sha"
                mv "$got" "$deb" ;;
        esac
        mkdir -p "$TOOLS"
        dpkg-deb -x "$deb" "$TOOLS" || die "could not unpack $deb into $TOOLS; delete it and run again"
        echo "$name $sha" >"$TOOLS/.$pkg.deb"
    done
    [ ${#fetch[@]} = 0 ] || rm -rf "$download"
}

# Runs each parser tool once on a tiny input, so that one that cannot run here
# (e.g. an unpacked package that is missing a library) stops the build with
# its own message rather than in libpcap's configure.
check_parser_tools() {
    local check=$TOOLS/check out
    rm -rf "$check"
    mkdir -p "$check"
    printf '%%%%\nx return 1;\n%%%%\n' >"$check/s.l"
    printf '%%%%\ns: ;\n%%%%\n' >"$check/p.y"
    out=$(echo 'define(T, ok)T' | m4 2>&1) && [ "$out" = ok ] ||
        die "m4 ($(command -v m4)) does not work: $out"
    out=$(flex -o "$check/s.c" "$check/s.l" 2>&1) && [ -s "$check/s.c" ] ||
        die "flex ($(command -v flex)) does not work: $out"
    out=$(bison -o "$check/p.c" "$check/p.y" 2>&1) && [ -s "$check/p.c" ] ||
        die "bison ($(command -v bison)) does not work: $out"
    rm -rf "$check"
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
    provide_parser_tools
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
    # Internal headers, for the project's helpers that read libnids' scan
    # records and for the IPv6 fragment test (native/tools/ip6frag_test.c).
    install -m 644 "$tree/src/scan.h" "$tree/src/ip_fragment.h" "$tree/src/ip6_fragment.h" \
        "$OUT/include/libnids/"
    echo "$stamp" >"$stampfile"
}

# The JDK's JNI headers, for the helpers that call JNI functions
# (jnids_buffers.c): those of the JDK Maven runs on (JNIDS_JAVA_HOME, which the
# pom sets), else of JAVA_HOME, else of the JDK that javac on PATH belongs to.
jni_include_flags() {
    local home javac
    javac=$(command -v javac 2>/dev/null || true)
    [ -z "$javac" ] || javac=$(dirname "$(dirname "$(readlink -f "$javac")")")
    for home in "${JNIDS_JAVA_HOME:-}" "${JAVA_HOME:-}" "$javac"; do
        if [ -n "$home" ] && [ -f "$home/include/jni.h" ]; then
            echo "-I$home/include -I$home/include/linux"
            return
        fi
    done
    die "no JDK headers (include/jni.h) under JNIDS_JAVA_HOME, JAVA_HOME or javac's JDK; set JAVA_HOME to a JDK 17+ and run again"
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
    local obj=$OUT/obj src jni
    jni=$(jni_include_flags)
    rm -rf "$obj"
    mkdir -p "$obj"
    for src in "$TOP"/native/*.c; do
        cc $CFLAGS -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$OUT/include" -I"$TOP/native" $jni \
            -c "$src" -o "$obj/$(basename "${src%.c}").o" || die "compiling $(basename "$src") failed"
    done
    rm -f "$OUT/lib/libjnidshelpers.a"
    ar rcs "$OUT/lib/libjnidshelpers.a" "$obj"/*.o
    install -m 644 "$TOP"/native/*.h "$OUT/include/"
    echo "$stamp" >"$stampfile"
}

build() {
    require_tools cc make ar tar patch sha256sum install
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
    drop_apt_caches
    log "native libraries are in $OUT"
}

case ${1:-build} in
    fetch)
        require_tools tar sha256sum
        fetch libpcap "$LIBPCAP_ARCHIVE" "$LIBPCAP_SHA256" "$LIBPCAP_URL" >/dev/null
        fetch libnids "$LIBNIDS_ARCHIVE" "$LIBNIDS_SHA256" "$LIBNIDS_URL" >/dev/null
        provide_parser_tools
        drop_apt_caches
        log "verified archives (and packages of missing parser tools) are in $CACHE"
        ;;
    build) build ;;
    clean) rm -rf "$TOP/cppbuild" ;;
    *) die "unknown command '$1'; use fetch, build or clean" ;;
esac
