#!/bin/bash
# One `run` call that gathers the most GPU evidence when device time is
# scarce: the runtime built once, then in order of what the open issues need,
# each stage under its own time cap so a slow stage cannot starve the rest:
#   1. logits of the small, awkward models of every family (f32 and bf16)
#      against the PyTorch reference (bench_models.py --only -c), and of every
#      registered model at full size, batch 2 ($VARIANTS, default
#      artifacts/variants from make_model_artifacts.py --set variants, when
#      present);
#   2. compute-sanitizer memcheck over the same modules, GEMMs on the
#      compiler's kernel and through cuBLASLt (racecheck, initcheck and
#      synccheck follow while time is left);
#   3. the batch-128 table (img/s, peak memory, kernels; the MambaOut peers);
#   4. an Nsight Compute per-kernel profile of one module (PROFILE=name).
# Everything stays under the run tool's 600 s (SESSION_S, default 570).
#   carry: $ARTIFACTS (default artifacts/models6) and $VARIANTS
set -u
ARTIFACTS=${ARTIFACTS:-artifacts/models6}
OUT=${OUT:-$PWD/gpu-out}
SESSION_S=${SESSION_S:-570}
source bench/gpu/device_lib.sh
gpu_info
build_runtime_c || exit 1
LIB=build-rt-gpu/libssmrt_c.so
echo "== built ($(elapsed) s)"

echo "== 1. logits of the small models"
capped ${CHECK_S:-90} python3 bench/gpu/bench_models.py --lib $LIB --artifacts "$ARTIFACTS" \
  --only=-c --no-peers --iters 3 --warmup 1 --json "$OUT/checks.json" 2>&1 | tee "$OUT/checks.log"
echo "checks rc=${PIPESTATUS[0]} ($(elapsed) s)"
VARIANTS=${VARIANTS:-artifacts/variants}
if [ -f "$VARIANTS/manifest.json" ]; then
  capped ${VARIANTS_S:-150} python3 bench/gpu/bench_models.py --lib $LIB --artifacts "$VARIANTS" \
    --no-peers --iters 2 --warmup 1 --json "$OUT/variants.json" 2>&1 | tee "$OUT/variants.log"
  echo "variants rc=${PIPESTATUS[0]} ($(elapsed) s)"
fi

echo "== 2. compute-sanitizer"
for tool in ${SANITIZER_TOOLS-memcheck racecheck initcheck synccheck}; do
  for gemm in fallback auto; do
    log="$OUT/sanitizer-$tool-$gemm.log"
    SSMRT_CUDA_GRAPHS=0 SSMRT_GEMM=$gemm capped ${SANITIZER_S:-45} "$SAN" --tool "$tool" \
      --error-exitcode 3 python3 bench/gpu/bench_models.py --lib $LIB --run-once \
      --artifacts "$ARTIFACTS" --only=-c > "$log" 2>&1
    r=$?
    echo "$tool/$gemm: rc=$r $(grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$log" | tail -1)" |
      tee -a "$OUT/sanitizer-summary.txt"
  done
  [ "$(left)" -lt 330 ] && { echo "(later sanitizer tools skipped: time)"; break; }
done

echo "== 3. batch-128 table ($(left) s left)"
capped $(( $(left) - ${PROFILE_RESERVE_S:-90} )) python3 bench/gpu/bench_models.py --lib $LIB \
  --artifacts "$ARTIFACTS" --only="${BENCH_ONLY:--b128-}" --iters ${ITERS:-20} --warmup 3 \
  --check-images 2 --json "$OUT/models.json" 2>&1 | tee "$OUT/models.log"
echo "bench rc=${PIPESTATUS[0]} ($(elapsed) s)"

if [ -n "${PROFILE:-}" ]; then
  echo "== 4. ncu profile of $PROFILE ($(left) s left)"
  capped $(( $(left) - 10 )) "$NCU" --clock-control none --metrics gpu__time_duration.sum --csv \
    --print-units base python3 bench/gpu/bench_models.py --lib $LIB --run-once \
    --artifacts "$ARTIFACTS" --only "$PROFILE" > "$OUT/ncu.csv" 2> "$OUT/ncu.err"
  echo "ncu rc=$?"
  python3 bench/gpu/summarize_ncu.py "$OUT/ncu.csv" | tee "$OUT/profile.txt" | head -40
fi
echo "== done ($(elapsed) s)"
