#!/usr/bin/env bash
# Sets everything up, builds, and runs every test suite:
#   1. check-ssm: lit (FileCheck tests) + every GoogleTest binary (test/Unit);
#   2. the runtime built standalone with LLVM/MLIR hidden, and its ctest;
#   3. the runtime's ctest again under ASan + UBSan;
#   4. a few seconds of every libFuzzer target (scripts/fuzz.sh --smoke);
#   5. pytest over python/.
# Ends with one line "N passed, N failed" over all suites.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || exit 1
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

echo "== check-ssm (lit + gtest)"
lit_log=build/check-ssm.log
/usr/lib/llvm-22/bin/lit -sv build/test build/test/Unit 2>&1 | tee "$lit_log" | tail -n 30
n() { grep -E "^ *$1 *: +[0-9]+" "$lit_log" | awk '{s += $(NF-1)} END {print s + 0}'; }
lit_pass=$(( $(n Passed) + $(n "Expectedly Failed") ))
lit_fail=$(( $(n Failed) + $(n "Unexpectedly Passed") + $(n "Timed Out") ))
# lit that crashed or found nothing counts as a failure, never as a pass.
if (( lit_pass + lit_fail == 0 )); then lit_fail=1; fi
count "$lit_pass" "$lit_fail"

echo "== runtime, standalone, with LLVM/MLIR hidden"
if scripts/check-runtime-standalone.sh > build/runtime-standalone.log 2>&1; then
  tail -n 3 build/runtime-standalone.log
  rt=$(grep -E "tests passed, [0-9]+ tests failed out of" build/runtime-standalone.log | tail -1)
  rt_fail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$rt")
  rt_total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$rt")
  count $((rt_total - rt_fail + 1)) "$rt_fail"   # +1: the no-LLVM build itself
else
  tail -n 30 build/runtime-standalone.log
  count 0 1
fi

echo "== runtime under ASan + UBSan (CUDA and HIP drivers wired in)"
asan_log=build/runtime-asan.log
# The standalone build above has no GPU driver wired in ("built without"
# paths); this one opens 'cuda' / 'hip' through the real libraries where
# installed (libamdhip64 is: the HIP unavailable path runs against it).
if { cmake -S runtime -B build-rt-asan -G Ninja -DSSMRT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
       -DSSM_ENABLE_CUDA=ON -DSSM_ENABLE_HIP=ON &&
     cmake --build build-rt-asan -j "${SSM_JOBS:-2}" &&
     ctest --test-dir build-rt-asan -j 2; } > "$asan_log" 2>&1; then
  tail -n 3 "$asan_log"
else
  tail -n 30 "$asan_log"
fi
rt=$(grep -E "tests passed, [0-9]+ tests failed out of" "$asan_log" | tail -1)
if [[ -n $rt ]]; then
  rt_fail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$rt")
  rt_total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$rt")
  count $((rt_total - rt_fail)) "$rt_fail"
else
  count 0 1
fi

echo "== fuzz smoke (libFuzzer + ASan + UBSan, a few seconds per target)"
fuzz_log=build/fuzz-smoke.log
scripts/fuzz.sh --smoke > "$fuzz_log" 2>&1
grep -E "^fuzz " "$fuzz_log"
fz=$(grep -E "^[0-9]+ passed, [0-9]+ failed$" "$fuzz_log" | tail -1)
if [[ -n $fz ]]; then
  count "$(awk '{print $1}' <<<"$fz")" "$(awk '{print $3}' <<<"$fz")"
else
  tail -n 30 "$fuzz_log"
  count 0 1
fi

if compgen -G "python/test/test_*.py" > /dev/null; then
  echo "== pytest"
  /usr/bin/python3 -m pytest -q python/test 2>&1 | tee build/pytest.log | tail -n 15
  pp=$(grep -oE "[0-9]+ passed" build/pytest.log | tail -1 | awk '{print $1}')
  pf=$(grep -oE "[0-9]+ (failed|error)" build/pytest.log | awk '{s += $1} END {print s + 0}')
  count "${pp:-0}" "${pf:-0}"
fi

echo "$passed passed, $failed failed"
(( failed == 0 ))
