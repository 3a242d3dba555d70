#!/usr/bin/env bash
# deps.sh — installs the Debian packages dilemma needs, if any is missing.
# usage: scripts/deps.sh build|test
# Runs as root (or through sudo when it is there). Installs nothing that is present.
set -euo pipefail
build_pkgs=(build-essential cmake pkg-config libyaml-dev zlib1g-dev ocl-icd-opencl-dev opencl-headers
            pocl-opencl-icd)
test_pkgs=("${build_pkgs[@]}" libcmocka-dev clang python3 python3-pandas python3-matplotlib
           libopenmpi-dev openmpi-bin python3-venv python3-pip python3-pytest python3-numpy)
case "${1:-build}" in
  build) pkgs=("${build_pkgs[@]}") ;;
  test) pkgs=("${test_pkgs[@]}") ;;
  *) echo "usage: scripts/deps.sh build|test" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "dilemma: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
