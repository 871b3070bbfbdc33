//===- Registry.cpp - model variants, options and weight specs -----------===//
//
// The variant table (docs/semantics.md §4.2, §5.2, §6.2, §7.2), key=value
// overrides, and the entry points of Models.h that dispatch to the family
// builders.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"

#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <sstream>

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::models;

namespace {
struct Variant {
  const char *name;
  ModelConfig (*make)();
};

ModelConfig vim(int64_t dim, int64_t stride) {
  ModelConfig c;
  c.family = Family::Vim;
  c.embedDim = dim;
  c.stride = stride;
  return c;
}
ModelConfig fastvim(int64_t dim) {
  ModelConfig c;
  c.family = Family::FastVim;
  c.embedDim = dim;
  return c;
}
ModelConfig vmamba(int64_t c0, std::vector<int64_t> depths, double ssmRatio,
                   bool v0) {
  ModelConfig c;
  c.family = Family::VMamba;
  c.dims = {c0, 2 * c0, 4 * c0, 8 * c0};
  c.depths = std::move(depths);
  c.ssmRatio = ssmRatio;
  c.vmambaV0 = v0;
  c.dState = v0 ? 16 : 1;
  c.mlpRatio = v0 ? 0.0 : 4.0;
  return c;
}
ModelConfig mambaout(std::vector<int64_t> dims, std::vector<int64_t> depths) {
  ModelConfig c;
  c.family = Family::MambaOut;
  c.dims = std::move(dims);
  c.depths = std::move(depths);
  return c;
}

const Variant kVariants[] = {
    {"vim-t", [] { return vim(192, 16); }},
    {"vim-t-s8", [] { return vim(192, 8); }},
    {"vim-s", [] { return vim(384, 16); }},
    {"vim-s-s8", [] { return vim(384, 8); }},
    {"vim-b", [] { return vim(768, 16); }},
    {"vmamba-t", [] { return vmamba(96, {2, 2, 8, 2}, 1.0, false); }},
    {"vmamba-s", [] { return vmamba(96, {2, 2, 20, 2}, 1.0, false); }},
    {"vmamba-b", [] { return vmamba(128, {2, 2, 20, 2}, 1.0, false); }},
    {"vmamba-t-s2", [] { return vmamba(96, {2, 2, 5, 2}, 2.0, false); }},
    {"vmamba-s-s2", [] { return vmamba(96, {2, 2, 15, 2}, 2.0, false); }},
    {"vmamba-b-s2", [] { return vmamba(128, {2, 2, 15, 2}, 2.0, false); }},
    {"vmamba-v0-t", [] { return vmamba(96, {2, 2, 9, 2}, 2.0, true); }},
    {"vmamba-v0-s", [] { return vmamba(96, {2, 2, 27, 2}, 2.0, true); }},
    {"vmamba-v0-b", [] { return vmamba(128, {2, 2, 27, 2}, 2.0, true); }},
    {"fastvim-t", [] { return fastvim(192); }},
    {"fastvim-s", [] { return fastvim(384); }},
    {"fastvim-b", [] { return fastvim(768); }},
    {"mambaout-femto", [] { return mambaout({48, 96, 192, 288}, {3, 3, 9, 3}); }},
    {"mambaout-kobe", [] { return mambaout({48, 96, 192, 288}, {3, 3, 15, 3}); }},
    {"mambaout-tiny", [] { return mambaout({96, 192, 384, 576}, {3, 3, 9, 3}); }},
    {"mambaout-small",
     [] { return mambaout({96, 192, 384, 576}, {3, 4, 27, 3}); }},
    {"mambaout-base",
     [] { return mambaout({128, 256, 512, 768}, {3, 4, 27, 3}); }},
};

bool parseInt(StringRef s, int64_t &out) {
  return !s.trim().getAsInteger(10, out);
}
bool parseDouble(StringRef s, double &out) {
  return !s.trim().getAsDouble(out);
}
bool parseList(StringRef s, std::vector<int64_t> &out) {
  out.clear();
  SmallVector<StringRef> parts;
  s.split(parts, ',', -1, false);
  for (StringRef p : parts) {
    int64_t v;
    if (!parseInt(p, v))
      return false;
    out.push_back(v);
  }
  return !out.empty();
}

std::string joined(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool isIsotropic(Family f) { return f == Family::Vim || f == Family::FastVim; }

/// Checks what the family's code allows; returns "" or the reason.
std::string validate(const ModelConfig &c) {
  std::ostringstream os;
  if (c.batch < 1 || c.numClasses < 1 || c.imageSize < 1)
    return "img, batch and classes must be positive";
  if (isIsotropic(c.family)) {
    if (c.embedDim < 1 || c.depth < 1 || c.dState < 1 || c.dConv < 1 ||
        c.expand < 1 || c.patch < 1 || c.stride < 1)
      return "embed_dim, depth, d_state, patch and stride must be positive";
    if (c.imageSize < c.patch) {
      os << "img " << c.imageSize << " is smaller than the patch " << c.patch;
      return os.str();
    }
    if (c.family == Family::FastVim) {
      // Patch = stride; the official code pads to a multiple of the patch
      // but freezes the grid with floor division: only multiples work.
      if (c.stride != c.patch)
        return "FastVim uses patch == stride";
      if (c.imageSize % c.patch != 0) {
        os << "FastVim needs img to be a multiple of the patch " << c.patch
           << " (got " << c.imageSize << ")";
        return os.str();
      }
    }
    return "";
  }
  if (c.dims.size() != 4 || c.depths.size() != 4)
    return "dims and depths need 4 stages";
  for (size_t s = 0; s < 4; ++s)
    if (c.dims[s] < 1 || c.depths[s] < 0)
      return "dims must be positive and depths non-negative";
  if (c.family == Family::VMamba) {
    if (c.vmambaV0) {
      // Stem k4 s4, then 2x2 patch merging per downsample.
      if (c.imageSize % 32 != 0) {
        os << "VMamba v0 needs img to be a multiple of 32 (got " << c.imageSize
           << ")";
        return os.str();
      }
    } else if (c.imageSize < 32) {
      return "VMamba needs img >= 32";
    }
    if (c.dState < 1 || c.ssmRatio <= 0)
      return "d_state and ssm_ratio must be positive";
    for (int64_t d : c.dims)
      if (std::fmod(d * c.ssmRatio, 1.0) != 0.0)
        return "ssm_ratio * dims must be integers";
  } else {
    if (c.imageSize < 32)
      return "MambaOut needs img >= 32";
    // The gated block splits its 2H fc1 channels into H gate, H - C identity
    // and C conv channels: H >= C.
    for (int64_t d : c.dims)
      if (int64_t(c.expansionRatio * double(d)) < d)
        return "expansion_ratio must give hidden >= dim (ratio >= 1)";
  }
  return "";
}
} // namespace

std::vector<std::string> mlir::ssm::models::variantNames() {
  std::vector<std::string> names;
  for (const Variant &v : kVariants)
    names.push_back(v.name);
  return names;
}

FailureOr<ModelConfig> mlir::ssm::models::resolveModelConfig(
    StringRef variant, ArrayRef<std::pair<std::string, std::string>> options,
    std::string &error) {
  const Variant *found = nullptr;
  for (const Variant &v : kVariants)
    if (variant == v.name)
      found = &v;
  if (!found) {
    error = "unknown model '" + variant.str() + "' (known: " +
            joined(variantNames()) + ")";
    return failure();
  }
  ModelConfig c = found->make();
  c.variant = found->name;
  for (const auto &[key, value] : options) {
    bool ok = true, known = true;
    StringRef k = key;
    if (k == "img")
      ok = parseInt(value, c.imageSize);
    else if (k == "batch")
      ok = parseInt(value, c.batch);
    else if (k == "classes")
      ok = parseInt(value, c.numClasses);
    else if (k == "dtype") {
      ok = value == "f32" || value == "bf16";
      c.bf16 = value == "bf16";
    } else if (isIsotropic(c.family) && k == "embed_dim")
      ok = parseInt(value, c.embedDim);
    else if (isIsotropic(c.family) && k == "depth")
      ok = parseInt(value, c.depth);
    else if (isIsotropic(c.family) && k == "patch") {
      ok = parseInt(value, c.patch);
      if (c.family == Family::FastVim)
        c.stride = c.patch;
    } else if (c.family == Family::Vim && k == "stride")
      ok = parseInt(value, c.stride);
    else if (c.family != Family::MambaOut && k == "d_state")
      ok = parseInt(value, c.dState);
    else if (c.family == Family::FastVim && k == "pool") {
      ok = value == "mean" || value == "max";
      c.fastvimMaxPool = value == "max";
    } else if (c.family == Family::FastVim && k == "pool_scale")
      ok = parseDouble(value, c.fastvimPoolScale);
    else if (!isIsotropic(c.family) && k == "dims")
      ok = parseList(value, c.dims);
    else if (!isIsotropic(c.family) && k == "depths")
      ok = parseList(value, c.depths);
    else if (c.family == Family::VMamba && k == "ssm_ratio")
      ok = parseDouble(value, c.ssmRatio);
    else if (c.family == Family::VMamba && !c.vmambaV0 && k == "mlp_ratio")
      ok = parseDouble(value, c.mlpRatio);
    else if (c.family == Family::MambaOut && k == "expansion_ratio")
      ok = parseDouble(value, c.expansionRatio);
    else
      known = false;
    if (!known) {
      error = "model '" + c.variant + "' has no option '" + key + "'";
      return failure();
    }
    if (!ok) {
      error = "bad value '" + value + "' for option '" + key + "' of model '" +
              c.variant + "'";
      return failure();
    }
  }
  std::string invalid = validate(c);
  if (!invalid.empty()) {
    error = "model '" + c.variant + "': " + invalid;
    return failure();
  }
  return c;
}

std::vector<int64_t> mlir::ssm::models::imageShape(const ModelConfig &c) {
  return {c.batch, c.inChannels, c.imageSize, c.imageSize};
}

Preprocessing mlir::ssm::models::preprocessing(const ModelConfig &c) {
  Preprocessing p;
  p.crop = c.imageSize;
  // Vim / FastVim (timm build_transform) and VMamba (TEST.CROP) resize to
  // int(img / 0.875) then crop; MambaOut's timm config uses crop_pct 1.0.
  if (c.family == Family::MambaOut)
    p.resizeTo = c.imageSize;
  else if (c.family == Family::VMamba)
    p.resizeTo = int64_t(256.0 / 224.0 * double(c.imageSize));
  else
    p.resizeTo = int64_t(double(c.imageSize) / 0.875);
  return p;
}

OwningOpRef<ModuleOp> mlir::ssm::models::buildModel(MLIRContext &context,
                                                    const ModelConfig &c) {
  context.loadDialect<SSMDialect, func::FuncDialect, arith::ArithDialect,
                      math::MathDialect, linalg::LinalgDialect,
                      tensor::TensorDialect>();
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(UnknownLoc::get(&context), StringRef(c.variant));
  GraphBuilder g(*module, "forward", imageShape(c), c.bf16);
  Value logits;
  switch (c.family) {
  case Family::Vim:
  case Family::FastVim:
    logits = buildIsotropic(g, c);
    break;
  case Family::VMamba:
    logits = c.vmambaV0 ? buildVMambaV0(g, c) : buildVMambaV2(g, c);
    break;
  case Family::MambaOut:
    logits = buildMambaOut(g, c);
    break;
  }
  g.finish({logits}, {"logits"});
  return module;
}

std::vector<WeightSpec> mlir::ssm::models::weightSpecs(const ModelConfig &c) {
  MLIRContext context;
  OwningOpRef<ModuleOp> module = buildModel(context, c);
  auto fn = cast<func::FuncOp>(module->getBody()->front());
  std::vector<WeightSpec> specs;
  for (unsigned i = 1; i < fn.getNumArguments(); ++i) {
    auto type = cast<RankedTensorType>(fn.getArgument(i).getType());
    auto name = fn.getArgAttrOfType<StringAttr>(i, "ssm.name");
    specs.push_back({name.str(), std::vector<int64_t>(type.getShape().begin(),
                                                      type.getShape().end())});
  }
  return specs;
}
