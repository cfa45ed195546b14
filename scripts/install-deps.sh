#!/usr/bin/env bash
# Installs the Debian 12 packages encoder-watchdog needs to build, test and run its demo, if missing.
# Services are not started by the packages: the tests and the demo start their own servers.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev
  icecast2 ffmpeg mariadb-server mariadb-client procps curl awscli openssl
  chromium
)
if [[ "${1:-}" == "--with-bench" ]]; then packages+=(wrk monit); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
# Keep package scripts from starting icecast2 or mariadb as system services.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee $policy >/dev/null
  "${sudo_cmd[@]}" chmod +x $policy
  created_policy=1
fi
cleanup() { [[ $created_policy -eq 1 ]] && "${sudo_cmd[@]}" rm -f $policy; true; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" -E apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
