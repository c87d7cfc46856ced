#!/usr/bin/env bash
# tests/layout.sh — the layout keeps the engine's insides to itself:
#  - a file under cli/, server/ or corpus/ includes, in quotes, only headers
#    of its own folder or of include/ (the public APIs), never an engine one;
#  - engine/ is a PRIVATE include directory of libtriage, PRIVATE wherever
#    else a unit test, a fuzz target or a benchmark names it, and never one
#    of the command's, the server's or the corpus generator's.
# The check runs on the tree, then on a copy with a planted breach of each
# rule, which it must catch.
# Usage: tests/layout.sh [TRIAGE_EXE] (the argument is not used)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Quoted includes of every file under cli/ server/ corpus/ of tree $1.
check_includes() {
    local tree=$1 bad=0 file hdr dir
    while IFS=: read -r file hdr; do
        dir=${file%%/*}
        hdr=${hdr#*\"}
        hdr=${hdr%%\"*}
        case "$hdr" in
        */*) ;;                                      # a path reaches past the folder
        *) if [ -e "$tree/$dir/$hdr" ] || [ -e "$tree/include/$hdr" ]; then continue; fi ;;
        esac
        echo "layout: $file includes \"$hdr\": only $dir/ and include/ headers may be" >&2
        bad=1
    done < <(cd "$tree" && grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
                 cli/*.[ch] server/*.[ch] corpus/*.[ch] 2>/dev/null)
    return $bad
}

# Every target_include_directories(...) call of the build files, one a line.
include_calls() {
    local tree=$1
    cat "$tree/CMakeLists.txt" "$tree"/cmake/*.cmake | sed 's/#.*//' | tr '\n\t' '  ' |
        grep -o 'target_include_directories([^)]*)' || true
}

# The scope (PUBLIC, PRIVATE, INTERFACE) each engine/ entry of a call has.
engine_scopes() {
    tr ' ()' '\n\n\n' | awk '/^(PUBLIC|PRIVATE|INTERFACE|SYSTEM|BEFORE|AFTER)$/ { if ($0 != "SYSTEM" && $0 != "BEFORE" && $0 != "AFTER") scope = $0; next }
                                /\/engine\/?$/ { print scope }'
}

check_cmake() {
    local tree=$1 bad=0 call target scopes
    if cat "$tree/CMakeLists.txt" "$tree"/cmake/*.cmake | sed 's/#.*//' | grep -q '^[[:space:]]*include_directories(.*engine'; then
        echo "layout: a directory-wide include_directories() names engine/" >&2
        bad=1
    fi
    local lib=0
    while read -r call; do
        [ -n "$call" ] || continue
        target=$(echo "$call" | sed 's/^target_include_directories( *\([^ ]*\).*/\1/')
        scopes=$(echo "$call" | engine_scopes | sort -u | tr '\n' ' ')
        [ -n "$scopes" ] || continue
        if [ "$target" = libtriage ]; then lib=1; fi
        case "$target" in
        triage|triage_server|triage_corpus)
            echo "layout: $target has engine/ on its include path" >&2; bad=1 ;;
        esac
        if [ "$scopes" != "PRIVATE " ]; then
            echo "layout: $target names engine/ as ${scopes% }, not PRIVATE" >&2
            bad=1
        fi
    done < <(include_calls "$tree")
    if [ $lib -eq 0 ]; then
        echo "layout: engine/ is not a PRIVATE include directory of libtriage" >&2
        bad=1
    fi
    return $bad
}

check_tree() { local rc=0; check_includes "$1" || rc=1; check_cmake "$1" || rc=1; return $rc; }

check_tree "$root" || { echo "FAIL: the layout does not hold" >&2; exit 1; }

# The check itself: a copy with each rule broken in turn must fail it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
planted() {   # $1: what, then a command that breaks the copy
    local what=$1; shift
    rm -rf "$tmp/t"; mkdir -p "$tmp/t"
    (cd "$root" && cp -r cli server corpus include cmake CMakeLists.txt "$tmp/t/")
    (cd "$tmp/t" && "$@")
    if check_tree "$tmp/t" 2>/dev/null; then
        echo "FAIL: the layout check misses $what" >&2
        exit 1
    fi
}
planted "an engine header in cli/" sed -i '1i #include "decision.h"' cli/main.c
planted "a path into engine/ from server/" sed -i '1i #include "../engine/store.h"' server/api.c
planted "an engine header in corpus/" sed -i '1i #include "date.h"' corpus/draw.c
planted "engine/ made PUBLIC" sed -i 's|PRIVATE \${CMAKE_SOURCE_DIR}/engine)|PUBLIC ${CMAKE_SOURCE_DIR}/engine)|' CMakeLists.txt
planted "engine/ on the server's path" sed -i 's|^target_include_directories(triage_server PRIVATE \${CMAKE_SOURCE_DIR}/server)|target_include_directories(triage_server PRIVATE ${CMAKE_SOURCE_DIR}/server ${CMAKE_SOURCE_DIR}/engine)|' CMakeLists.txt
echo "layout: cli/, server/ and corpus/ use include/ only; engine/ is private to libtriage"
