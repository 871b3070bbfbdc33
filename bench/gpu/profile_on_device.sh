#!/bin/bash
# Diagnosis batch on the GPU machine: build the runtime with the CUDA driver,
# time one artifact under sustained load while sampling the SM clock, then
# profile one launch of its kernel with Nsight Compute (--clock-control none:
# the card's clocks are left alone). Usage: profile_on_device.sh FILTER
#   carry: artifacts/gpu
set -u
OUT=${OUT:-$PWD/gpu-out}
FILTER=${1:-c64_t32_u2}
mkdir -p "$OUT"
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DSSMRT_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu \
  --format=csv,noheader -lms 100 > "$OUT/clocks.csv" 2>&1 &
SMI=$!
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_scan.py --lib build-rt-gpu/libssmrt_c.so \
  --only "$FILTER" --checks 1 --iters 2000 --torch-iters 1 2>&1 | tee "$OUT/bench.log" | tail -4
kill $SMI
echo "SM clock samples (MHz) while busy:"; awk -F', ' '$2+0 > 1000 {print $2}' "$OUT/clocks.csv" |
  sort -n | uniq -c | sort -rn | head -5
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
echo "ncu: $NCU"
PYTHONUNBUFFERED=1 "$NCU" --clock-control none --kernel-name regex:scan --launch-count 1 \
  --section SpeedOfLight --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis \
  --section Occupancy --section LaunchStats --section SchedulerStats --section WarpStateStats \
  --section InstructionStats \
  --metrics "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio,regex:sm__pipe_.*_cycles_active\.avg\.pct_of_peak_sustained_active,l1tex__data_bank_conflicts_pipe_lsu_mem_shared.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,sm__sass_inst_executed_op_shared_ld.sum,dram__bytes_read.sum,dram__bytes_write.sum" \
  python3 bench/gpu/bench_scan.py --lib build-rt-gpu/libssmrt_c.so --only "$FILTER" \
  --checks 1 --iters 1 --warmup 0 --torch-iters 1 > "$OUT/ncu.txt" 2>&1
echo "ncu rc=$?"
grep -E "stalled|pipe_|bank|wavefronts|shared_ld|dram__bytes" "$OUT/ncu.txt" | awk '$NF+0 > 0.05' | head -60
grep -E "Duration|SM Frequency|Memory Throughput|DRAM Throughput|Compute \(SM\)|Executed Ipc|Issue Slots|Achieved Occupancy|Theoretical Occupancy|Block Limit|Registers|Stall|Warp Cycles|No Eligible|Active Warps|Eligible Warps|Pipe|Shared|Bank|L1/TEX Hit|L2 Hit|One or More|Mem Busy|Max Bandwidth|Waves" "$OUT/ncu.txt" | head -70
