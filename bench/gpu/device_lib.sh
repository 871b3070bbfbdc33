# Sourced by the bench/gpu/run_*_on_device.sh scripts (the `run` device tool):
# the time budget of one call and the builds every script starts with.
# Set OUT and SESSION_S (seconds this call may use) before sourcing.
START=$(date +%s)
mkdir -p "$OUT"
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64
export PYTHONUNBUFFERED=1
PY=$(command -v python3)
# The CUDA tools, wherever the machine has them (empty if absent).
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null | head -1)
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu /usr/local/cuda/bin/ncu 2>/dev/null | head -1)

# Seconds left of SESSION_S.
left() { echo $(( SESSION_S - ($(date +%s) - START) )); }
elapsed() { echo $(( $(date +%s) - START )); }

# capped <seconds> <command...>: at most that many seconds and what is left,
# so a slow stage cannot starve the ones after it.
capped() {
  local cap=$1; shift
  local l; l=$(left)
  [ "$l" -lt "$cap" ] && cap=$l
  [ "$cap" -le 5 ] && { echo "(skipped: no time left)"; return 124; }
  timeout "$cap" "$@"
}

gpu_info() {
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu \
    --format=csv | tee "$OUT/gpu.txt"
}

# The runtime's C library with the CUDA driver: build-rt-gpu/libssmrt_c.so.
build_runtime_c() {
  cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
    -DSSMRT_BUILD_TESTS=OFF > "$OUT/build.log" 2>&1 &&
    cmake --build build-rt-gpu -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
    { tail -30 "$OUT/build.log"; return 1; }
}

# The runtime-only Python module with CUDA (build-py-gpu/ssmc), exported for
# `import ssmc` from python/.
build_python_module() {
  if [ ! -d build-py-gpu/ssmc ]; then
    cmake -S python -B build-py-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
      -DPython_EXECUTABLE="$PY" > "$OUT/build-python.log" 2>&1 &&
      cmake --build build-py-gpu -j "$(nproc)" >> "$OUT/build-python.log" 2>&1 ||
      { tail -20 "$OUT/build-python.log"; return 1; }
  fi
  export SSMC_EXTENSION_DIR=$PWD/build-py-gpu/ssmc PYTHONPATH=$PWD/python
}
