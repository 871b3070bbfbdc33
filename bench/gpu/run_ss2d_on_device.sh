#!/bin/bash
# VMamba SS2D core on the GPU machine (the `run` device tool), one call:
# build the working tree's runtime (only the C API library, no tests: the
# .ssmb format must match the compiler that wrote the artifacts), dump the
# fused kernel's SASS facts (registers, spills, shared atomics), then
# bench_ss2d.py over the carried artifacts. Logs go to $OUT.
#   carry: artifacts/ss2d
set -u
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
SRC=runtime
cmake -S "$SRC" -B /tmp/build-rt-wt -G Ninja -DSSM_ENABLE_CUDA=ON \
  -DSSMRT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release > "$OUT/build.log" 2>&1 &&
  cmake --build /tmp/build-rt-wt -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
PTXAS=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
CUOBJDUMP=$(command -v cuobjdump || echo /usr/local/cuda/bin/cuobjdump)
for p in artifacts/ss2d/*.ptx; do
  [ -f "$p" ] || continue
  "$PTXAS" -arch=sm_90 -v "$p" -o /tmp/k.cubin 2>&1 | grep -E "registers|spill" | sed "s|^|$(basename $p): |"
  "$CUOBJDUMP" -sass /tmp/k.cubin > "$OUT/$(basename $p .ptx).sass" 2>&1
  echo "$(basename $p): SASS shared atomics: $(grep -cE 'ATOMS' "$OUT/$(basename $p .ptx).sass")," \
       "CAS: $(grep -cE 'CAS' "$OUT/$(basename $p .ptx).sass"), $(grep -oE 'ATOMS\.[A-Z0-9.]+' "$OUT/$(basename $p .ptx).sass" | sort | uniq -c | tr '\n' ' ')"
done
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_ss2d.py --lib /tmp/build-rt-wt/libssmrt_c.so \
  --artifacts artifacts/ss2d --json "$OUT/ss2d.json" "$@" 2>&1 | tee "$OUT/bench.log"
