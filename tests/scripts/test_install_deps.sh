#!/usr/bin/env bash
# scripts/install-deps.sh against stub apt-get, dpkg-query, sudo and id first on PATH: as root, as a
# user with sudo, with everything installed, without sudo, and with apt-get failing. Asserts what
# the stubs were asked and what the user reads.
set -uo pipefail
script=$(cd "$(dirname "$0")/../.." && pwd)/scripts/install-deps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0

fail() { echo "FAIL: $case_name: $*"; failures=$((failures + 1)); }
expect_line() {  # expect_line FILE LINE
  grep -qxF -- "$2" "$1" || fail "expected in $(basename "$1"): '$2'; it has: $(tr '\n' '|' <"$1")"
}
expect_no_file() { [[ ! -s $1 ]] || fail "expected no $(basename "$1"), got: $(tr '\n' '|' <"$1")"; }

# stubs UID [INSTALLED...]: a bin folder whose commands log their arguments to $work/calls.
make_stubs() {
  local uid=$1
  shift
  rm -rf "${work:?}/bin" "${work:?}/calls" "${work:?}/policy-rc.d" && mkdir -p "$work/bin" "$work/calls"
  printf '%s\n' "$@" >"$work/installed"
  cat >"$work/bin/dpkg-query" <<STUB
#!/bin/bash
pkg=\${!#}
if grep -qxF -- "\$pkg" "$work/installed"; then printf 'install ok installed'; exit 0; fi
echo "dpkg-query: no packages found matching \$pkg" >&2; exit 1
STUB
  cat >"$work/bin/apt-get" <<STUB
#!/bin/bash
echo "\$* | DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-unset} | uid=\$STUB_UID_SEEN | policy=\$(cat "$work/policy-rc.d" 2>/dev/null | tail -n1)" >>"$work/calls/apt-get"
[[ \$1 == update ]] && exit \${STUB_APT_UPDATE_EXIT:-0}
exit \${STUB_APT_INSTALL_EXIT:-0}
STUB
  cat >"$work/bin/sudo" <<STUB
#!/bin/bash
echo "\$*" >>"$work/calls/sudo"
STUB_UID_SEEN=0 exec env -u DEBIAN_FRONTEND "\$@"
STUB
  cat >"$work/bin/id" <<STUB
#!/bin/bash
[[ \$1 == -u ]] && { echo $uid; exit 0; }
exec /usr/bin/id "\$@"
STUB
  chmod +x "$work/bin/"*
}

# run_script [ARGS...]: install-deps.sh with the stubs first on PATH; output in $work/out, exit in $rc.
run_script() {
  env PATH="$work/bin:$PATH" STUB_UID_SEEN="${STUB_UID_SEEN:-0}" WATCHDOG_POLICY_RC_D="$work/policy-rc.d" \
    "$script" "$@" >"$work/out" 2>&1
  rc=$?
}
done_case() { [[ $failures -eq $1 ]] && passed=$((passed + 1)); }

case_name="as root, apt-get is run directly, non-interactive, with every missing package"
before=$failures
make_stubs 0 build-essential cmake pkg-config
run_script
[[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$work/out")"
expect_no_file "$work/calls/sudo"
expect_line "$work/calls/apt-get" "update -qq | DEBIAN_FRONTEND=noninteractive | uid=0 | policy=exit 101"
grep -q '^install -y -qq --no-install-recommends libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev .* shellcheck clang-format clang | DEBIAN_FRONTEND=noninteractive | uid=0 | policy=exit 101$' \
  "$work/calls/apt-get" || fail "install call: $(cat "$work/calls/apt-get")"
grep -q 'install .*build-essential' "$work/calls/apt-get" && fail "asked to install a package that is installed"
for p in libavformat-dev libebur128-dev monitoring-plugins-basic icecast2 mariadb-server chromium ffmpeg; do
  grep -q "install .* $p " "$work/calls/apt-get" || fail "$p was not asked for"
done
[[ ! -e $work/policy-rc.d ]] || fail "policy-rc.d left behind"
done_case "$before"

case_name="as a user with sudo, every privileged command goes through sudo"
before=$failures
make_stubs 1000 build-essential
STUB_UID_SEEN=1000 run_script
[[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$work/out")"
expect_line "$work/calls/sudo" "tee $work/policy-rc.d"
expect_line "$work/calls/sudo" "chmod +x $work/policy-rc.d"
expect_line "$work/calls/sudo" "env DEBIAN_FRONTEND=noninteractive apt-get update -qq"
grep -q '^env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cmake ' "$work/calls/sudo" ||
  fail "install through sudo: $(cat "$work/calls/sudo")"
expect_line "$work/calls/sudo" "rm -f $work/policy-rc.d"
grep -q '^update -qq | DEBIAN_FRONTEND=noninteractive | uid=0 | policy=exit 101$' "$work/calls/apt-get" ||
  fail "apt-get not run as root through sudo: $(cat "$work/calls/apt-get")"
done_case "$before"

case_name="with everything installed, nothing is asked of apt-get or sudo"
before=$failures
make_stubs 1000 build-essential cmake pkg-config libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev \
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libebur128-dev icecast2 ffmpeg mariadb-server \
  mariadb-client procps curl awscli openssl chromium monitoring-plugins-basic shellcheck clang-format clang
run_script
[[ $rc -eq 0 ]] || fail "exit $rc"
expect_no_file "$work/calls/apt-get"
expect_no_file "$work/calls/sudo"
[[ ! -s $work/out ]] || fail "printed: $(cat "$work/out")"
done_case "$before"

case_name="--with-bench adds wrk, monit and valgrind"
before=$failures
make_stubs 0
run_script --with-bench
grep -q '^install .* wrk monit valgrind |' "$work/calls/apt-get" || fail "$(cat "$work/calls/apt-get")"
done_case "$before"

case_name="--with-bench with the rest installed asks only for wrk, monit and valgrind"
before=$failures
make_stubs 0 build-essential cmake pkg-config libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev \
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libebur128-dev icecast2 ffmpeg mariadb-server \
  mariadb-client procps curl awscli openssl chromium monitoring-plugins-basic shellcheck clang-format clang
run_script --with-bench
[[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$work/out")"
expect_line "$work/out" "installing: wrk monit valgrind"
grep -q '^install -y -qq --no-install-recommends wrk monit valgrind |' "$work/calls/apt-get" || fail "$(cat "$work/calls/apt-get")"
done_case "$before"

case_name="an unknown argument is refused before anything is installed"
before=$failures
make_stubs 0
run_script --with-benchmarks
[[ $rc -ne 0 ]] || fail "exit 0 with an unknown argument"
expect_line "$work/out" "install-deps: unknown argument '--with-benchmarks' (usage: install-deps.sh [--with-bench])"
expect_no_file "$work/calls/apt-get"
done_case "$before"

case_name="a failing apt-get install is reported with the package list and a non-zero exit"
before=$failures
make_stubs 0 build-essential cmake pkg-config libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev \
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libebur128-dev icecast2 ffmpeg mariadb-server \
  mariadb-client procps curl awscli openssl chromium monitoring-plugins-basic
STUB_APT_INSTALL_EXIT=100 run_script
[[ $rc -ne 0 ]] || fail "exit 0 after apt-get failed"
expect_line "$work/out" "install-deps: apt-get install failed (exit 100) for: shellcheck clang-format clang"
[[ ! -e $work/policy-rc.d ]] || fail "policy-rc.d left behind after a failure"
done_case "$before"

case_name="a failing apt-get update is reported, and install is not attempted"
before=$failures
make_stubs 0
STUB_APT_UPDATE_EXIT=100 run_script
[[ $rc -ne 0 ]] || fail "exit 0 after apt-get update failed"
grep -q '^install-deps: apt-get update failed (exit 100); packages still missing: build-essential cmake ' "$work/out" ||
  fail "message: $(cat "$work/out")"
grep -q '^install ' "$work/calls/apt-get" && fail "install attempted after update failed"
done_case "$before"

case_name="not root and no sudo: a clear error naming what is missing"
before=$failures
make_stubs 1000 build-essential cmake pkg-config libpoco-dev libyaml-cpp-dev doctest-dev libmariadb-dev \
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libebur128-dev icecast2 ffmpeg mariadb-server \
  mariadb-client procps curl awscli openssl chromium monitoring-plugins-basic shellcheck
rm "$work/bin/sudo"
mkdir -p "$work/nosudo" && for t in bash env grep cat dirname id mktemp tr tail; do ln -sf "$(command -v "$t")" "$work/nosudo/$t"; done
rc=0
env PATH="$work/bin:$work/nosudo" WATCHDOG_POLICY_RC_D="$work/policy-rc.d" "$script" >"$work/out" 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "exit 0 without root or sudo"
expect_line "$work/out" "install-deps: not root and no sudo: run as root, or install sudo, to install: clang-format clang"
expect_no_file "$work/calls/apt-get"
done_case "$before"

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
