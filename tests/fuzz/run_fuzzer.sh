#!/usr/bin/env bash
# Builds one libFuzzer target with clang under AddressSanitizer and UBSan (into $WATCHDOG_BUILD_DIR/fuzz)
# and runs it for a bounded time on a copy of its seed corpus. Prints libFuzzer's execution count;
# exits non-zero on a crash, a leak, undefined behaviour, an escaped exception or a time-out inside one input.
# The seed is fixed (FUZZ_SEED, default 1) so ctest repeats the same inputs; FUZZ_SEED=0 explores (random seed).
# A finding prints its input in Base64: add it to corpus/NAME/ as a regression seed.
#   run_fuzzer.sh NAME SECONDS
set -euo pipefail
name=$1
seconds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${WATCHDOG_BUILD_DIR:-$root/build}/fuzz
mkdir -p "$out"

core=(core/src/common/Duration.cpp core/src/common/ConfigError.cpp core/src/common/Spelling.cpp)
config=(core/src/config/ConfigNode.cpp core/src/config/Options.cpp core/src/config/Pipeline.cpp core/src/config/PipelineRules.cpp core/src/config/Variables.cpp core/src/config/EnvValue.cpp)
libs=()
case $name in
  duration) sources=("${core[@]}") ;;
  pipeline) sources=("${core[@]}" "${config[@]}") libs=(-lyaml-cpp -lPocoNet -lPocoFoundation) ;;
  env) sources=("${core[@]}" "${config[@]}" core/src/migrate/EnvFile.cpp) libs=(-lyaml-cpp -lPocoNet -lPocoFoundation) ;;
  icecast_stats) sources=(plugins/icecast/IcecastStats.cpp) libs=(-lexpat) ;;
  hls_playlist) sources=(plugins/hls_playlist/HlsPlaylistParse.cpp) ;;
  *) echo "run_fuzzer.sh: no fuzz target '$name'" >&2; exit 2 ;;
esac
sources=("$here/fuzz_$name.cpp" "${sources[@]/#/$root/}")

binary=$out/fuzz_$name
stale=0
[[ -x $binary ]] || stale=1
for s in "${sources[@]}" "$0"; do [[ $s -nt $binary ]] && stale=1; done
for h in "$root"/core/include/watchdog/*.h "$root"/core/src/config/*.h; do [[ $h -nt $binary ]] && stale=1; done
if [[ $stale -eq 1 ]]; then
  command -v clang++ >/dev/null || { echo "clang++ is not installed (scripts/install-deps.sh installs clang)"; exit 1; }
  clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/core/include" -I"$root/core/src" -I"$root/plugins/icecast" -I"$root/plugins/hls_playlist" \
    -DWATCHDOG_VERSION='"fuzz"' "${sources[@]}" "${libs[@]}" -o "$binary.tmp"
  mv "$binary.tmp" "$binary"
fi

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$here/corpus/$name/"* "$corpus/"
cd "$out"  # crash-* artifacts land beside the binary
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
"$binary" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -max_len=65536 -print_final_stats=1 "$corpus" \
  >"$corpus.log" 2>&1 || status=$?
grep -E "^(INFO: Seed|Done|stat::number_of_executed_units|==[0-9]+== ?ERROR|SUMMARY|Test unit written|Base64|terminate called|  what\(\))|runtime error" "$corpus.log" |
  tail -n 40 || true
rm -f "$corpus.log"
[[ $status -eq 0 ]] && echo "fuzz_$name: 1 passed, 0 failed" || echo "fuzz_$name: 0 passed, 1 failed"
exit "$status"
