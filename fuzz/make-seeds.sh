#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus/ (committed; see docs/fuzzing.md):
#   png, jpeg    the image tests' embedded PIL / cjpeg files, plus generated
#                PNGs (fuzz/make_seeds.py);
#   npy          np.save files of every dtype, versions 1-3;
#   safetensors  files from ssmc's NumPy writer, with Vim-T parameter names;
#   ssmb         small IR compiled by build/bin/ssm-compile for cpu, nvptx
#                and amdgpu, and MambaOut-Femto at 32x32 for cpu (needs
#                scripts/build.sh ssm-compile); ssmb/v3-* are kept;
#   ssm-ir       the lit tests' .mlir files, split at '// -----'.
set -euo pipefail
cd "$(dirname "$0")/.."
C=fuzz/corpus
# Everything is regenerated except ssmb/v3-*: format version 3 files (the
# oldest the runtime reads) from an ssm-compile of that time, kept as they are.
find "$C" -type f ! -path "$C/ssmb/v3-*" -delete 2>/dev/null || true
mkdir -p "$C"/{png,jpeg,npy,safetensors,ssmb,ssm-ir}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Images embedded in runtime/test/image_test_data.h.
cat > "$tmp/extract.cpp" <<'CPP'
#include "image_test_data.h"
#include <cstdio>
#include <string>
using namespace ssmrt::image_test_data;
static void put(const std::string &path, const char *d, size_t n) {
  FILE *f = std::fopen(path.c_str(), "wb");
  std::fwrite(d, 1, n, f);
  std::fclose(f);
}
int main(int, char **argv) {
  std::string out = argv[1];
  for (const EmbeddedImage &e : kImages)
    put(out + (e.jpeg ? "/jpeg/" : "/png/") + e.name + (e.jpeg ? ".jpg" : ".png"),
        e.data, e.size);
  put(out + "/jpeg/progressive.jpg", kProgressiveJpeg, sizeof(kProgressiveJpeg) - 1);
  put(out + "/jpeg/arithmetic.jpg", kArithmeticJpeg, sizeof(kArithmeticJpeg) - 1);
}
CPP
g++ -std=c++17 -I runtime/test "$tmp/extract.cpp" -o "$tmp/extract"
"$tmp/extract" "$C"

/usr/bin/python3 fuzz/make_seeds.py

# The lit tests, one file per '// -----' case.
for f in $(find test -name '*.mlir' | sort); do
  base=$(echo "${f#test/}" | tr '/' '_')
  awk -v out="$C/ssm-ir/${base%.mlir}" '
    /^\/\/ -----/ { n++; next }
    { print > (out "-" n ".mlir") }' n=0 "$f"
done

# .ssmb files: small IR compiled for every target; the linear layer embeds
# its weights (a Constants section; on nvptx also a LibraryCalls section).
SC=${SSM_COMPILE:-build/bin/ssm-compile}
cat > "$tmp/flip.mlir" <<'MLIR'
func.func @flip(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %y = ssm.flip %x along 2 : tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}
MLIR
cat > "$tmp/scan.mlir" <<'MLIR'
func.func @scan(%u: tensor<1x8x16xf32>, %delta: tensor<1x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<1x4x16xf32>, %C: tensor<1x4x16xf32>, %D: tensor<8xf32>) -> tensor<1x8x16xf32> {
  %y = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf32>) delta_softplus : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<8x4xf32>, tensor<1x4x16xf32>, tensor<1x4x16xf32>
  return %y : tensor<1x8x16xf32>
}
MLIR
cat > "$tmp/mixed.mlir" <<'MLIR'
func.func @pool(%x: tensor<2x3x12xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x12xf32>) {
  %p = ssm.axis_pool mean %x cols 3 : tensor<2x3x12xf32>
  %b = ssm.axis_broadcast %p cols 3 : tensor<2x3x4xf32>
  return %p, %b : tensor<2x3x4xf32>, tensor<2x3x12xf32>
}
func.func @cross(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x2x9xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x2x3x3xf32>
  return %xs : tensor<1x4x2x9xf32>
}
MLIR
# test/ssm-compile/nvptx-gemm.mlir's linear layer at 8x4 -> 8x6.
grep -v '^//' test/ssm-compile/nvptx-gemm.mlir | sed 's/300/8/g; s/96/4/g; s/128/6/g' |
  sed 's/%w: tensor<6x4xf32>, %bias: tensor<6xf32>/%w: tensor<6x4xf32> {ssm.name = "w"}, %bias: tensor<6xf32> {ssm.name = "bias"}/' \
  > "$tmp/linear.mlir"
/usr/bin/python3 - "$tmp/linear.safetensors" <<'PY'
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("st", "python/ssmc/safetensors_io.py")
st = importlib.util.module_from_spec(spec)
spec.loader.exec_module(st)
st.save_file({"w": np.arange(24, dtype=np.float32).reshape(6, 4),
              "bias": np.ones(6, np.float32)}, sys.argv[1])
PY
for t in cpu nvptx amdgpu; do
  for f in flip scan mixed; do
    "$SC" "$tmp/$f.mlir" --target=$t -o "$C/ssmb/$f-$t.ssmb"
  done
  "$SC" "$tmp/linear.mlir" --target=$t --weights="$tmp/linear.safetensors" \
    -o "$C/ssmb/linear-weights-$t.ssmb"
done
# A whole model by name (weights as inputs, official parameter names in the
# signature, the ssm.metadata section with the preprocessing).
"$SC" --model=mambaout-femto --img=32 -o "$C/ssmb/mambaout-femto-img32-cpu.ssmb"
du -sh --apparent-size "$C"
