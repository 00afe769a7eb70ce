#!/usr/bin/env bash
# Builds llama.cpp's llama-server, the real server the remote-backend tests talk to, from the exact
# llama.cpp source node-llama-cpp ships (node_modules/node-llama-cpp/llama/gitRelease.bundle), so the
# local and remote backends run the same llama.cpp. Offline: no curl, no OpenSSL, no web UI download.
#
# The binary lands in a versioned cache outside the repo (~12 min on 2 cores, once); a second run is a
# no-op. The cache is keyed by the bundle's commit: a node-llama-cpp update rebuilds. The marker is
# written last, so a half-finished build is redone. Prints the binary's path on the last stdout line.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE="${SOLAR_LLAMA_SERVER_CACHE:-$HOME/.cache/solar-complete/llama-server-v1}"
BUNDLE="$PWD/node_modules/node-llama-cpp/llama/gitRelease.bundle"
JOBS="${SOLAR_BUILD_JOBS:-$(nproc)}"

log() { echo "[llama-server] $*" >&2; }

[[ -f "$BUNDLE" ]] || { log "missing $BUNDLE (run npm install)"; exit 1; }
COMMIT=$(git bundle list-heads "$BUNDLE" | awk '$2 == "HEAD" { print $1 }')
[[ -n "$COMMIT" ]] || { log "no HEAD in $BUNDLE"; exit 1; }
BIN="$CACHE/$COMMIT/bin/llama-server"
MARKER="$CACHE/$COMMIT/.complete"

if [[ -f "$MARKER" && -x "$BIN" ]]; then
    log "reusing $BIN"
    echo "$BIN"
    exit 0
fi

mkdir -p "$CACHE"
# Two runs starting at once must not both build into the same folder.
exec 9>"$CACHE/.lock"
flock 9
if [[ -f "$MARKER" && -x "$BIN" ]]; then
    log "reusing $BIN (built by a concurrent run)"
    echo "$BIN"
    exit 0
fi

started=$(date +%s)
WORK="$CACHE/$COMMIT"
rm -rf "$WORK"
mkdir -p "$WORK"
git -c advice.detachedHead=false clone --quiet "$BUNDLE" "$WORK/src"
git -C "$WORK/src" checkout --quiet "$COMMIT"

# GGML_NATIVE=OFF: the cached binary must run on any x86-64 CI machine, not only the one that built it.
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$WORK/src" -B "$WORK/build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF \
    -DGGML_NATIVE=OFF \
    -DLLAMA_CURL=OFF \
    -DLLAMA_OPENSSL=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=ON \
    >&2
nice -n 19 cmake --build "$WORK/build" --target llama-server -j "$JOBS" >&2

mkdir -p "$WORK/bin"
cp "$WORK/build/bin/llama-server" "$BIN"
"$BIN" --version >&2 2>&1 || true
# The sources and objects are ~1 GB; only the static binary is kept.
rm -rf "$WORK/src" "$WORK/build"
touch "$MARKER"
log "built $BIN in $(($(date +%s) - started)) s"
echo "$BIN"
