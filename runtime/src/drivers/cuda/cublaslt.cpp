//===- cublaslt.cpp - cuBLASLt through dlopen, for library GEMMs ----------===//
//
// Part of the ssmc project. Declarations written from the cuBLASLt API
// reference (enum values as the library's ABI defines them); no CUDA header
// is needed to build.
//
//===----------------------------------------------------------------------===//

#include "cublaslt.h"

#include "ssmrt/drivers/cuda.h"

#include "../../core/strings.h"
#include "../gpu/dynamic_library.h"

#include <dlfcn.h>
#include <mutex>

namespace ssmrt::cuda {

using detail::strCat;

namespace {

using cublasStatus_t = int;
using Handle = void *;
using MatmulDesc = void *;
using MatrixLayout = void *;
using Preference = void *;

constexpr cublasStatus_t kSuccess = 0;
// cudaDataType_t
constexpr int32_t kR32F = 0, kR16F = 2, kR16BF = 14;
// cublasComputeType_t: full f32 (no TF32 down-conversion).
constexpr int32_t kCompute32F = 68;
// cublasOperation_t
constexpr int32_t kOpN = 0, kOpT = 1;
// cublasLtMatmulDescAttributes_t
constexpr int kDescTransA = 3, kDescTransB = 4, kDescEpilogue = 7,
              kDescBiasPointer = 8, kDescBiasBatchStride = 10,
              kDescBiasDataType = 26;
// cublasLtEpilogue_t
constexpr uint32_t kEpilogueDefault = 1, kEpilogueRelu = 2, kEpilogueBias = 4,
                   kEpilogueReluBias = 6;
// cublasLtMatrixLayoutAttribute_t
constexpr int kLayoutBatchCount = 5, kLayoutStridedBatchOffset = 6;
// cublasLtMatmulPreferenceAttributes_t
constexpr int kPrefMaxWorkspaceBytes = 1, kPrefMinAlignmentA = 5,
              kPrefMinAlignmentB = 6, kPrefMinAlignmentC = 7,
              kPrefMinAlignmentD = 8;

/// The power of two (at most 256, the library's default assumption) that
/// divides a device pointer.
uint32_t alignmentOf(uint64_t pointer) {
  uint32_t align = 256;
  while (align > 1 && pointer % align != 0)
    align /= 2;
  return align;
}

struct Algo {
  uint64_t data[8];
};
struct HeuristicResult {
  Algo algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
};
static_assert(sizeof(HeuristicResult) == 96, "cublasLtMatmulHeuristicResult_t");

int32_t cudaType(format::DType t) {
  switch (t) {
  case format::DType::F32:
    return kR32F;
  case format::DType::F16:
    return kR16F;
  case format::DType::BF16:
    return kR16BF;
  default:
    return -1;
  }
}

/// One operand as a column-major library matrix: rows x cols with leading
/// dimension ld, used transposed or not.
struct LibMatrix {
  uint64_t rows = 0, cols = 0;
  int64_t ld = 0;
  int32_t op = kOpN;
};

/// The library matrix holding X^T for X (r x c) with strides (rs, cs): X^T
/// (c x r) column-major is X with ld = rs when cs == 1 (op N); else X itself
/// is column-major (ld = cs) and is used transposed (op T).
bool transposedView(uint64_t r, uint64_t c, uint64_t rs, uint64_t cs,
                    LibMatrix &out) {
  if (cs == 1 && rs >= std::max<uint64_t>(c, 1) && rs <= INT64_MAX) {
    out = {c, r, int64_t(rs), kOpN};
    return true;
  }
  if (rs == 1 && cs >= std::max<uint64_t>(r, 1) && cs <= INT64_MAX) {
    out = {r, c, int64_t(cs), kOpT};
    return true;
  }
  return false;
}

} // namespace

struct CublasLtSymbols {
  cublasStatus_t (*create)(Handle *) = nullptr;
  cublasStatus_t (*destroy)(Handle) = nullptr;
  size_t (*getVersion)() = nullptr;
  const char *(*getStatusString)(cublasStatus_t) = nullptr;
  cublasStatus_t (*descCreate)(MatmulDesc *, int32_t, int32_t) = nullptr;
  cublasStatus_t (*descDestroy)(MatmulDesc) = nullptr;
  cublasStatus_t (*descSetAttribute)(MatmulDesc, int, const void *,
                                     size_t) = nullptr;
  cublasStatus_t (*layoutCreate)(MatrixLayout *, int32_t, uint64_t, uint64_t,
                                 int64_t) = nullptr;
  cublasStatus_t (*layoutDestroy)(MatrixLayout) = nullptr;
  cublasStatus_t (*layoutSetAttribute)(MatrixLayout, int, const void *,
                                       size_t) = nullptr;
  cublasStatus_t (*prefCreate)(Preference *) = nullptr;
  cublasStatus_t (*prefDestroy)(Preference) = nullptr;
  cublasStatus_t (*prefSetAttribute)(Preference, int, const void *,
                                     size_t) = nullptr;
  cublasStatus_t (*heuristic)(Handle, MatmulDesc, MatrixLayout, MatrixLayout,
                              MatrixLayout, MatrixLayout, Preference, int,
                              HeuristicResult *, int *) = nullptr;
  cublasStatus_t (*matmul)(Handle, MatmulDesc, const void *, const void *,
                           MatrixLayout, const void *, MatrixLayout,
                           const void *, const void *, MatrixLayout, void *,
                           MatrixLayout, const Algo *, void *, size_t,
                           void *) = nullptr;
};

struct CublasLt::Plan {
  const CublasLtSymbols *lt = nullptr;
  MatmulDesc desc = nullptr;
  MatrixLayout a = nullptr, b = nullptr, d = nullptr;
  bool found = false;
  Algo algo = {};
  size_t workspace = 0;
  bool bias = false;
  ~Plan() {
    if (!lt)
      return;
    for (MatrixLayout l : {a, b, d})
      if (l)
        lt->layoutDestroy(l);
    if (desc)
      lt->descDestroy(desc);
  }
};

Status CublasLt::check(int status, const char *what) const {
  if (status == kSuccess)
    return okStatus();
  const char *text = symbols_ && symbols_->getStatusString
                         ? symbols_->getStatusString(status)
                         : nullptr;
  return internalError(strCat("cuBLASLt ", what,
                              " failed: ", text ? text : "unknown status", " (",
                              status, ")"));
}

Expected<std::unique_ptr<CublasLt>> CublasLt::load() {
  std::unique_ptr<CublasLt> lt(new CublasLt());
  SSMRT_ASSIGN_OR_RETURN(
      gpu::OpenedLibrary library,
      gpu::openLibrary({"libcublasLt.so.13", "libcublasLt.so.12",
                        "libcublasLt.so.11", "libcublasLt.so"},
                       "cuBLASLt is not available"));
  lt->library_ = library.handle;
  lt->path_ = library.name;
  lt->symbols_ = std::make_unique<CublasLtSymbols>();
  CublasLtSymbols &s = *lt->symbols_;
  bool missing = false;
  std::string which;
  auto bind = [&](auto &fn, const char *symbol) {
    if (!gpu::resolveSymbol(lt->library_, symbol, fn)) {
      missing = true;
      which = symbol;
    }
  };
  bind(s.create, "cublasLtCreate");
  bind(s.destroy, "cublasLtDestroy");
  bind(s.getVersion, "cublasLtGetVersion");
  bind(s.getStatusString, "cublasLtGetStatusString");
  bind(s.descCreate, "cublasLtMatmulDescCreate");
  bind(s.descDestroy, "cublasLtMatmulDescDestroy");
  bind(s.descSetAttribute, "cublasLtMatmulDescSetAttribute");
  bind(s.layoutCreate, "cublasLtMatrixLayoutCreate");
  bind(s.layoutDestroy, "cublasLtMatrixLayoutDestroy");
  bind(s.layoutSetAttribute, "cublasLtMatrixLayoutSetAttribute");
  bind(s.prefCreate, "cublasLtMatmulPreferenceCreate");
  bind(s.prefDestroy, "cublasLtMatmulPreferenceDestroy");
  bind(s.prefSetAttribute, "cublasLtMatmulPreferenceSetAttribute");
  bind(s.heuristic, "cublasLtMatmulAlgoGetHeuristic");
  bind(s.matmul, "cublasLtMatmul");
  if (missing)
    return unavailableError(strCat("cuBLASLt (", lt->path_, ") lacks ", which));
  lt->version_ = s.getVersion();
  // The descriptors used here exist from cuBLASLt 11 on.
  if (lt->version_ < 110000)
    return unavailableError(strCat("cuBLASLt ", lt->version_, " (", lt->path_,
                                   ") is older than 11.0"));
  SSMRT_RETURN_IF_ERROR(lt->check(s.create(&lt->handle_), "cublasLtCreate"));
  return lt;
}

CublasLt::~CublasLt() {
  plans_.clear();
  if (symbols_ && handle_)
    symbols_->destroy(handle_);
  if (library_)
    ::dlclose(library_);
}

bool CublasLt::supports(const format::LibraryCallInfo &call) {
  if (call.op != format::LibraryOp::Gemm)
    return false;
  // Both inputs of one type, f32 compute and f32 scale (alpha, beta): an f32
  // C from f32 or 16-bit inputs, or a 16-bit C (bf16 / f16: the f32 sums
  // rounded once, as D is stored) from inputs of that same type, the
  // combinations cublasLtMatmul lists for CUBLAS_COMPUTE_32F.
  if (call.aType != call.bType || cudaType(call.aType) < 0)
    return false;
  const bool c16 = call.cType == format::DType::BF16 ||
                   call.cType == format::DType::F16;
  if (call.cType != format::DType::F32 && !c16)
    return false;
  if (c16 && call.aType != call.cType)
    return false;
  // Bias along n only (the library's bias runs along its m = our n). The
  // documented bias type is D's (BIAS_DATA_TYPE's default); an f32 bias
  // with a 16-bit D is not among the documented combinations (f32 biases
  // with a narrower D are listed for FP8 / IMMA kernels only), so that case
  // runs the compiler's kernel, which adds any bias in f32 and rounds once
  // (ssm-narrow-activations gives 16-bit GEMMs biases of D's type, so it
  // does not arise from the compiler).
  if (call.bias == format::GemmBias::AlongM)
    return false;
  if (call.bias == format::GemmBias::AlongN &&
      call.biasType != (c16 ? call.cType : format::DType::F32))
    return false;
  LibMatrix m;
  // C must be row-major (C^T column-major); A and B either way.
  return call.cStrides[1] == 1 &&
         transposedView(call.m, call.n, call.cStrides[0], call.cStrides[1],
                        m) &&
         m.op == kOpN &&
         transposedView(call.k, call.n, call.bStrides[0], call.bStrides[1],
                        m) &&
         transposedView(call.m, call.k, call.aStrides[0], call.aStrides[1], m);
}

Expected<CublasLt::Plan *> CublasLt::plan(const format::LibraryCallInfo &call,
                                          uint64_t workspaceBytes,
                                          uint32_t alignA, uint32_t alignB,
                                          uint32_t alignC) {
  std::vector<uint64_t> key = {uint64_t(call.aType),
                               uint64_t(call.bType),
                               uint64_t(call.cType),
                               uint64_t(call.bias),
                               uint64_t(call.biasType),
                               uint64_t(call.activation),
                               call.m,
                               call.n,
                               call.k,
                               call.batch,
                               call.aStrides[0],
                               call.aStrides[1],
                               call.aStrides[2],
                               call.bStrides[0],
                               call.bStrides[1],
                               call.bStrides[2],
                               call.cStrides[0],
                               call.cStrides[1],
                               call.cStrides[2],
                               workspaceBytes,
                               alignA,
                               alignB,
                               alignC};
  if (auto it = plans_.find(key); it != plans_.end())
    return it->second.get();
  const CublasLtSymbols &s = *symbols_;
  auto p = std::make_unique<Plan>();
  p->lt = &s;
  // Library problem: D' (n x m) = op(A') (n x k) * op(B') (k x m) with A' =
  // B^T, B' = A^T, D' = C^T.
  LibMatrix la, lb, ld;
  if (!transposedView(call.k, call.n, call.bStrides[0], call.bStrides[1], la) ||
      !transposedView(call.m, call.k, call.aStrides[0], call.aStrides[1], lb) ||
      !transposedView(call.m, call.n, call.cStrides[0], call.cStrides[1], ld) ||
      ld.op != kOpN)
    return internalError("cuBLASLt: unsupported layout reached plan()");
  SSMRT_RETURN_IF_ERROR(check(s.descCreate(&p->desc, kCompute32F, kR32F),
                              "cublasLtMatmulDescCreate"));
  SSMRT_RETURN_IF_ERROR(
      check(s.descSetAttribute(p->desc, kDescTransA, &la.op, sizeof(la.op)),
            "set TRANSA"));
  SSMRT_RETURN_IF_ERROR(
      check(s.descSetAttribute(p->desc, kDescTransB, &lb.op, sizeof(lb.op)),
            "set TRANSB"));
  const bool relu = call.activation == format::GemmActivation::Relu;
  p->bias = call.bias == format::GemmBias::AlongN;
  uint32_t epilogue = p->bias ? (relu ? kEpilogueReluBias : kEpilogueBias)
                              : (relu ? kEpilogueRelu : kEpilogueDefault);
  SSMRT_RETURN_IF_ERROR(check(
      s.descSetAttribute(p->desc, kDescEpilogue, &epilogue, sizeof(epilogue)),
      "set EPILOGUE"));
  if (p->bias) {
    int32_t biasType = cudaType(call.biasType);
    int64_t biasStride = 0; // one bias vector for every batch
    SSMRT_RETURN_IF_ERROR(check(s.descSetAttribute(p->desc, kDescBiasDataType,
                                                   &biasType, sizeof(biasType)),
                                "set BIAS_DATA_TYPE"));
    if (call.batch > 1)
      SSMRT_RETURN_IF_ERROR(
          check(s.descSetAttribute(p->desc, kDescBiasBatchStride, &biasStride,
                                   sizeof(biasStride)),
                "set BIAS_BATCH_STRIDE"));
  }
  auto layout = [&](MatrixLayout &out, format::DType type, const LibMatrix &m,
                    uint64_t batchStride) -> Status {
    SSMRT_RETURN_IF_ERROR(
        check(s.layoutCreate(&out, cudaType(type), m.rows, m.cols, m.ld),
              "cublasLtMatrixLayoutCreate"));
    if (call.batch > 1) {
      int32_t count = int32_t(call.batch);
      int64_t stride = int64_t(batchStride);
      SSMRT_RETURN_IF_ERROR(check(
          s.layoutSetAttribute(out, kLayoutBatchCount, &count, sizeof(count)),
          "set BATCH_COUNT"));
      SSMRT_RETURN_IF_ERROR(
          check(s.layoutSetAttribute(out, kLayoutStridedBatchOffset, &stride,
                                     sizeof(stride)),
                "set STRIDED_BATCH_OFFSET"));
    }
    return okStatus();
  };
  SSMRT_RETURN_IF_ERROR(layout(p->a, call.bType, la, call.bStrides[2]));
  SSMRT_RETURN_IF_ERROR(layout(p->b, call.aType, lb, call.aStrides[2]));
  SSMRT_RETURN_IF_ERROR(layout(p->d, call.cType, ld, call.cStrides[2]));

  Preference pref = nullptr;
  SSMRT_RETURN_IF_ERROR(
      check(s.prefCreate(&pref), "cublasLtMatmulPreferenceCreate"));
  uint64_t maxWorkspace = workspaceBytes;
  Status set = check(s.prefSetAttribute(pref, kPrefMaxWorkspaceBytes,
                                        &maxWorkspace, sizeof(maxWorkspace)),
                     "set MAX_WORKSPACE_BYTES");
  // The heuristic assumes 256-byte aligned operands unless told: a view
  // into a buffer (an operand offset) may be less aligned. Library A is our
  // B, library B our A (the transposed problem), C and D our C.
  const std::pair<int, uint32_t> aligns[] = {{kPrefMinAlignmentA, alignB},
                                             {kPrefMinAlignmentB, alignA},
                                             {kPrefMinAlignmentC, alignC},
                                             {kPrefMinAlignmentD, alignC}};
  for (const auto &[attribute, bytes] : aligns)
    if (set.ok() && bytes < 256)
      set = check(s.prefSetAttribute(pref, attribute, &bytes, sizeof(bytes)),
                  "set MIN_ALIGNMENT");
  HeuristicResult result = {};
  int found = 0;
  cublasStatus_t h = kSuccess;
  if (set.ok())
    h = s.heuristic(handle_, p->desc, p->a, p->b, p->d, p->d, pref, 1, &result,
                    &found);
  s.prefDestroy(pref);
  SSMRT_RETURN_IF_ERROR(set);
  // No algorithm (e.g. an epilogue the library does not have for these
  // types) is not an error: the compiler's kernel runs instead.
  p->found = h == kSuccess && found > 0 && result.state == kSuccess &&
             result.workspaceSize <= workspaceBytes;
  p->algo = result.algo;
  p->workspace = result.workspaceSize;
  Plan *raw = p.get();
  plans_[key] = std::move(p);
  return raw;
}

Expected<bool> CublasLt::gemm(const format::LibraryCallInfo &call, uint64_t a,
                              uint64_t b, uint64_t c, uint64_t bias,
                              void *stream, uint64_t workspace,
                              uint64_t workspaceBytes) {
  if (!supports(call))
    return false;
  SSMRT_ASSIGN_OR_RETURN(Plan * p, plan(call, workspaceBytes, alignmentOf(a),
                                        alignmentOf(b), alignmentOf(c)));
  if (!p->found)
    return false;
  const CublasLtSymbols &s = *symbols_;
  if (p->bias) {
    void *pointer = reinterpret_cast<void *>(bias);
    SSMRT_RETURN_IF_ERROR(check(s.descSetAttribute(p->desc, kDescBiasPointer,
                                                   &pointer, sizeof(pointer)),
                                "set BIAS_POINTER"));
  }
  const float alpha = 1.0f, beta = 0.0f;
  void *d = reinterpret_cast<void *>(c);
  SSMRT_RETURN_IF_ERROR(check(
      s.matmul(handle_, p->desc, &alpha, reinterpret_cast<const void *>(b),
               p->a, reinterpret_cast<const void *>(a), p->b, &beta, d, p->d, d,
               p->d, &p->algo, reinterpret_cast<void *>(workspace),
               p->workspace, stream),
      "cublasLtMatmul"));
  return true;
}

//===----------------------------------------------------------------------===//
// cuda::Device's library GEMM (declared in ssmrt/drivers/cuda.h)
//===----------------------------------------------------------------------===//

namespace {
/// Scratch the library may use per call (cuBLASLt's recommendation for
/// Hopper is 32 MiB).
constexpr uint64_t kWorkspaceBytes = 32ull << 20;
} // namespace

Expected<bool> Device::libraryGemm(const format::LibraryCallInfo &call,
                                   uint64_t a, uint64_t b, uint64_t c,
                                   uint64_t bias) {
  if (!CublasLt::supports(call))
    return false;
  if (!cublasLtTried_) {
    cublasLtTried_ = true;
    SSMRT_RETURN_IF_ERROR(makeCurrent());
    Expected<std::unique_ptr<CublasLt>> lt = CublasLt::load();
    // Without the library the compiler's kernels run: not an error.
    if (!lt.ok())
      return false;
    Expected<uint64_t> workspace = allocate(kWorkspaceBytes);
    if (!workspace.ok())
      return workspace.status().withContext("cuBLASLt workspace");
    cublasLt_ = std::move(*lt);
    cublasLtWorkspace_ = *workspace;
  }
  if (!cublasLt_)
    return false;
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return cublasLt_->gemm(call, a, b, c, bias, activeStream(),
                         cublasLtWorkspace_, kWorkspaceBytes);
}

void Device::releaseLibraries() {
  cublasLt_.reset();
  if (cublasLtWorkspace_)
    free(cublasLtWorkspace_).ignoreError();
  cublasLtWorkspace_ = 0;
}

} // namespace ssmrt::cuda
