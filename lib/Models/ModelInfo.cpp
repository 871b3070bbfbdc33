//===- ModelInfo.cpp - what a .ssmb records about a model -----------------===//
//
// The ModelInfo record of a model compiled by name: its variant and family,
// its eval preprocessing and its hyper-parameters as text.
//
//===----------------------------------------------------------------------===//

#include "ssm/Models/Models.h"

#include "ssmrt/format/writer.h"

#include <cstdio>

using namespace mlir::ssm::models;

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

std::string list(const std::vector<int64_t> &values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i)
    out += (i ? "," : "") + std::to_string(values[i]);
  return out;
}

} // namespace

llvm::StringRef mlir::ssm::models::familyName(Family family) {
  switch (family) {
  case Family::Vim:
    return "vim";
  case Family::VMamba:
    return "vmamba";
  case Family::FastVim:
    return "fastvim";
  case Family::MambaOut:
    return "mambaout";
  }
  return "unknown";
}

ssmrt::format::ModelInfoSpec
mlir::ssm::models::describeModel(const ModelConfig &c) {
  ssmrt::format::ModelInfoSpec info;
  info.name = c.variant;
  info.family = familyName(c.family).str();
  Preprocessing pre = preprocessing(c);
  info.hasPreprocessing = true;
  info.resize = static_cast<uint32_t>(pre.resizeTo);
  info.crop = static_cast<uint32_t>(pre.crop);
  info.resizeFilter = ssmrt::format::ResizeFilter::Bicubic;
  for (size_t i = 0; i < 3; ++i) {
    info.mean[i] = pre.mean[i];
    info.std[i] = pre.std[i];
  }
  auto &p = info.properties;
  p = {{"img", std::to_string(c.imageSize)},
       {"batch", std::to_string(c.batch)},
       {"classes", std::to_string(c.numClasses)},
       {"dtype", c.bf16 ? "bf16" : "f32"}};
  if (c.family == Family::Vim || c.family == Family::FastVim) {
    p.push_back({"embed_dim", std::to_string(c.embedDim)});
    p.push_back({"depth", std::to_string(c.depth)});
    p.push_back({"patch", std::to_string(c.patch)});
    if (c.family == Family::Vim)
      p.push_back({"stride", std::to_string(c.stride)});
    p.push_back({"d_state", std::to_string(c.dState)});
  }
  if (c.family == Family::FastVim) {
    p.push_back({"pool", c.fastvimMaxPool ? "max" : "mean"});
    p.push_back({"pool_scale", number(c.fastvimPoolScale)});
  }
  if (c.family == Family::VMamba || c.family == Family::MambaOut) {
    p.push_back({"dims", list(c.dims)});
    p.push_back({"depths", list(c.depths)});
  }
  if (c.family == Family::VMamba) {
    p.push_back({"version", c.vmambaV0 ? "v0" : "v2"});
    p.push_back({"d_state", std::to_string(c.dState)});
    p.push_back({"ssm_ratio", number(c.ssmRatio)});
    if (!c.vmambaV0)
      p.push_back({"mlp_ratio", number(c.mlpRatio)});
  }
  if (c.family == Family::MambaOut)
    p.push_back({"expansion_ratio", number(c.expansionRatio)});
  return info;
}
