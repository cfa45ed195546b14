#!/usr/bin/env bash
# Installs the Debian 12 packages encoder-watchdog needs to build, test and run its demo, if missing.
# Works as root (apt-get directly) and as a user with sudo. Services are not started by the
# packages: the tests and the demo start their own servers. --with-bench adds wrk, monit and valgrind.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libebur128-dev
  icecast2 ffmpeg mariadb-server mariadb-client procps curl awscli openssl
  chromium monitoring-plugins-basic
  shellcheck clang-format clang
)
die() { echo "install-deps: $*" >&2; exit 1; }

# --with-bench: what only the benchmarks in tests/bench need (wrk for the status server, Monit for
# tests/bench/monit/compare_monit.sh, valgrind for tests/bench/memory/hot_functions.sh).
for arg in "$@"; do
  case $arg in
    --with-bench) packages+=(wrk monit valgrind) ;;
    *) die "unknown argument '$arg' (usage: install-deps.sh [--with-bench])" ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "not root and no sudo: run as root, or install sudo, to install: ${missing[*]}"
  as_root=(sudo)
fi
# "${as_root[@]}" expands to nothing as root, so every privileged command starts with a real command
# name; `env` carries DEBIAN_FRONTEND past sudo's environment reset.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)

# Keep package scripts from starting icecast2 or mariadb as system services.
policy=${WATCHDOG_POLICY_RC_D:-/usr/sbin/policy-rc.d}
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null || die "cannot write $policy"
  "${as_root[@]}" chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [[ $created_policy -eq 1 ]]; then "${as_root[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

"${apt[@]}" update -qq || die "apt-get update failed (exit $?); packages still missing: ${missing[*]}"
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  die "apt-get install failed (exit $?) for: ${missing[*]}"
