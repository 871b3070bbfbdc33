#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang-22, ASan + UBSan) in build-fuzz/
# and runs them, one target at a time, from the seed corpora in fuzz/corpus/.
#
#   scripts/fuzz.sh [--smoke | --runs=N | --time=S] [target...]
#
#   (default)   the long runs recorded in docs/fuzzing.md: 1,000,000
#               executions per target (--runs=N to change it);
#   --time=S    S seconds per target instead of a run count;
#   --smoke     a few seconds per target (scripts/test.sh runs this).
#
# Targets: ssmb npy safetensors png jpeg ssm-ir (default: all). Each run starts
# from a copy of the seeds in build-fuzz/corpus/<target> (kept between runs,
# so later runs start where earlier ones stopped), logs to
# build-fuzz/logs/<target>.log and writes crash / timeout / OOM inputs to
# build-fuzz/findings/<target>/. Prints one line per target and ends with
# "N passed, N failed"; a target fails if libFuzzer reports anything.
# SSM_FUZZ_MLIR=OFF skips the MLIR target (no LLVM/MLIR 22 installed).
set -uo pipefail
cd "$(dirname "$0")/.."

mode=runs
runs=1000000
seconds=0
targets=()
for arg in "$@"; do
  case $arg in
    --smoke) mode=smoke ;;
    --runs=*) mode=runs; runs=${arg#--runs=} ;;
    --time=*) mode=time; seconds=${arg#--time=} ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
mlir=${SSM_FUZZ_MLIR:-ON}
if ((${#targets[@]} == 0)); then
  targets=(ssmb npy safetensors png jpeg)
  [[ $mlir == ON ]] && targets+=(ssm-ir)
fi

BUILD=${SSM_FUZZ_BUILD_DIR:-build-fuzz}
LLVM_DIR=${SSM_LLVM_DIR:-/usr/lib/llvm-22}
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -S fuzz -B "$BUILD" -G Ninja \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DSSM_FUZZ_MLIR="$mlir" -DMLIR_DIR="$LLVM_DIR/lib/cmake/mlir" ||
    { echo "0 passed, 1 failed"; exit 1; }
fi
cmake --build "$BUILD" -j "${SSM_JOBS:-2}" --target "${targets[@]/%/-fuzzer}" ||
  { echo "0 passed, 1 failed"; exit 1; }

# Per target: extra libFuzzer flags. Inputs are capped a little above the
# largest seed; the MLIR target gets a dictionary of ssm IR tokens.
flags_for() {
  case $1 in
    ssmb) echo "-max_len=1048576" ;;
    safetensors) echo "-max_len=32768" ;;
    npy|png|jpeg) echo "-max_len=8192" ;;
    ssm-ir) echo "-max_len=8192 -dict=fuzz/ssm-ir.dict" ;;
  esac
}

mkdir -p "$BUILD/logs"
passed=0
failed=0
for t in "${targets[@]}"; do
  corpus=$BUILD/corpus/$t
  findings=$BUILD/findings/$t
  mkdir -p "$corpus" "$findings"
  case $mode in
    smoke) limit="-max_total_time=5" ; log=$BUILD/logs/$t-smoke.log ;;
    time) limit="-max_total_time=$seconds" ; log=$BUILD/logs/$t.log ;;
    runs) limit="-runs=$runs" ; log=$BUILD/logs/$t.log ;;
  esac
  start=$(date +%s)
  # One process and one job (2 shared cores; -jobs=1 would fork the same
  # single worker and log to ./fuzz-0.log); 2 GB RSS cap, 10 s per input.
  # shellcheck disable=SC2046
  "$BUILD/bin/$t-fuzzer" $limit $(flags_for "$t") \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" "fuzz/corpus/$t" > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  execs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$log" | awk '{print $2}')
  rss=$(grep -oE "stat::peak_rss_mb: +[0-9]+" "$log" | awk '{print $2}')
  if ((rc == 0)) && ! grep -qE "ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:" "$log"; then
    echo "fuzz $t: ok, ${execs:-?} executions in ${secs}s, peak RSS ${rss:-?} MB"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED (exit $rc) after ${execs:-?} executions; see $log:"
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -n 5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
((failed == 0))
