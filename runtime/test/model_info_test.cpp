//===- model_info_test.cpp - The ModelInfo record and ModuleInfo ----------===//
//
// Part of the ssmc project. The typed model description of format v4: written
// by ModuleBuilder::setModelInfo, read back by ArtifactView::modelInfo,
// Module::modelInfo and the device-free ModuleInfo; invalid values rejected
// by the writer, corrupt and truncated records by the reader, with clear
// errors. Also the version window: v3 files (no ModelInfo) still read.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/format/reader.h"
#include "ssmrt/format/writer.h"

#include "kernel_artifacts.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using test::Bytes;

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

ModelInfoSpec vimSpec() {
  ModelInfoSpec spec;
  spec.name = "vim-t";
  spec.family = "vim";
  spec.hasPreprocessing = true;
  spec.resize = 256;
  spec.crop = 224;
  spec.mean = {0.485f, 0.456f, 0.406f};
  spec.std = {0.229f, 0.224f, 0.225f};
  spec.properties = {{"img", "224"}, {"dtype", "bf16"}, {"depth", "24"}};
  return spec;
}

/// A GPU-only module (one PTX kernel object, one entry) with `spec`.
Expected<Bytes> buildGpuModule(const std::optional<ModelInfoSpec> &spec) {
  ModuleBuilder b("ssmc-test 0.1");
  const char ptx[] = ".version 8.0\n.target sm_90\n";
  uint32_t object = b.addKernelObject(TargetKind::Nvptx, BinaryFormat::Ptx,
                                      "sm_90", ptx, sizeof(ptx));
  uint32_t kernel =
      b.addKernel("copy", object, {64, 1, 1}, 0, {bufferArg(), bufferArg()});
  uint32_t first = b.addBindInput(0, 0);
  b.addAlloc(1, 16);
  b.addLaunch(kernel, {1, 1, 1}, {launchBuffer(0), launchBuffer(1)});
  uint32_t last = b.addReturn(1, 0);
  b.addEntry("forward", {{"image", DType::F32, {1, 4}}},
             {{"logits", DType::F32, {1, 4}}}, 2, first, last - first + 1);
  if (spec)
    b.setModelInfo(*spec);
  return b.finish();
}

#define EXPECT_OPEN_FAILS(bytes, substring)                                    \
  do {                                                                         \
    Expected<ArtifactView> view_ = test::openBytes(bytes);                     \
    ASSERT_FALSE(view_.ok()) << "opened although corrupt";                     \
    EXPECT_EQ(view_.status().code(), StatusCode::DataLoss)                     \
        << view_.status().toString();                                          \
    EXPECT_TRUE(contains(view_.status().message(), substring))                 \
        << "message '" << view_.status().message() << "' lacks '"              \
        << (substring) << "'";                                                 \
  } while (false)

class ModelInfoTest : public ::testing::Test {
protected:
  void SetUp() override {
    Expected<Bytes> built = buildGpuModule(vimSpec());
    ASSERT_TRUE(built.ok()) << built.status().toString();
    bytes = *built;
  }
  void patch(const std::function<void(ModelInfoRecord &)> &edit) {
    test::patchRecord<ModelInfoRecord>(bytes, SectionKind::ModelInfo, 0, edit);
  }
  Bytes bytes;
};

TEST_F(ModelInfoTest, RoundTripThroughTheReader) {
  Expected<ArtifactView> view = test::openBytes(bytes);
  ASSERT_TRUE(view.ok()) << view.status().toString();
  EXPECT_EQ(view->formatVersion(), kFormatVersion);
  ASSERT_TRUE(view->hasModelInfo());
  Expected<SectionInfo> section = view->findSection(SectionKind::ModelInfo);
  ASSERT_TRUE(section.ok());
  EXPECT_EQ(section->name, "model_info");
  Expected<format::ModelInfo> info = view->modelInfo();
  ASSERT_TRUE(info.ok()) << info.status().toString();
  EXPECT_EQ(info->name, "vim-t");
  EXPECT_EQ(info->family, "vim");
  EXPECT_TRUE(info->hasPreprocessing);
  EXPECT_EQ(info->resize, 256u);
  EXPECT_EQ(info->crop, 224u);
  EXPECT_EQ(info->resizeFilter, ResizeFilter::Bicubic);
  EXPECT_EQ(info->mean[0], 0.485f);
  EXPECT_EQ(info->mean[2], 0.406f);
  EXPECT_EQ(info->std[1], 0.224f);
  ASSERT_EQ(info->properties.size(), 3u);
  EXPECT_EQ(info->properties[0].first, "img");
  EXPECT_EQ(info->properties[0].second, "224");
  EXPECT_EQ(info->properties[1].first, "dtype");
  EXPECT_EQ(info->properties[1].second, "bf16");
  EXPECT_EQ(info->properties[2].first, "depth");
  EXPECT_TRUE(test::exerciseAllAccessors(*view).ok());
}

TEST_F(ModelInfoTest, ModuleInfoNeedsNoDevice) {
  // An NVPTX module: no CPU kernel object, so Module::load on the CPU
  // refuses it, but ModuleInfo reads everything it declares.
  Expected<ModuleInfo> info =
      ModuleInfo::fromMemory(bytes.data(), bytes.size());
  ASSERT_TRUE(info.ok()) << info.status().toString();
  EXPECT_EQ(info->formatVersion, kFormatVersion);
  EXPECT_EQ(info->compilerVersion, "ssmc-test 0.1");
  ASSERT_EQ(info->functions.size(), 1u);
  EXPECT_EQ(info->functions[0].toString(),
            "forward(image: 1x4xf32) -> (logits: 1x4xf32)");
  ASSERT_EQ(info->kernelObjects.size(), 1u);
  EXPECT_EQ(info->kernelObjects[0].target, TargetKind::Nvptx);
  EXPECT_EQ(info->kernelObjects[0].format, BinaryFormat::Ptx);
  EXPECT_EQ(info->kernelObjects[0].chip, "sm_90");
  ASSERT_TRUE(info->model.has_value());
  EXPECT_EQ(info->model->name, "vim-t");
  ASSERT_TRUE(info->model->preprocessing.has_value());
  EXPECT_EQ(info->model->preprocessing->resize, 256);
  EXPECT_EQ(info->model->preprocessing->crop, 224);
  EXPECT_EQ(info->model->preprocessing->std[2], 0.225f);
  // The memory plan, without a device: the 16-byte output, no arena.
  ASSERT_EQ(info->memoryPlans.size(), 1u);
  ASSERT_TRUE(info->memoryPlans[0].has_value());
  EXPECT_EQ(info->memoryPlans[0]->outputBytes, 16u);
  EXPECT_EQ(info->memoryPlans[0]->arenaBytes, 0u);
  EXPECT_EQ(info->memoryPlans[0]->peakBytes, 16u);
  ASSERT_TRUE(info->signature("forward").ok());
  Expected<FunctionSignature> missing = info->signature("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "unknown function 'nope' (available functions: forward)");

  // The same from a file; a corrupt file is the reader's error.
  std::string path = ::testing::TempDir() + "/model_info_gpu.ssmb";
  ASSERT_TRUE(test::writeFileBytes(path, bytes).ok());
  Expected<ModuleInfo> fromFile = ModuleInfo::read(path);
  ASSERT_TRUE(fromFile.ok()) << fromFile.status().toString();
  EXPECT_EQ(fromFile->model->family, "vim");
  Bytes cut(bytes.begin(), bytes.begin() + 200);
  ASSERT_TRUE(test::writeFileBytes(path, cut).ok());
  Expected<ModuleInfo> truncated = ModuleInfo::read(path);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::DataLoss);
  EXPECT_TRUE(contains(truncated.status().message(), path));
  std::remove(path.c_str());
}

TEST_F(ModelInfoTest, LoadedModuleExposesIt) {
  ModuleBuilder b("t");
  test::KernelIds k =
      test::addTestKernels(b, *test::readFileBytes(test::testKernelsPath()));
  (void)k;
  uint32_t first = b.addBindInput(0, 0);
  b.addAlloc(1, 16);
  b.addCopy(1, 0, 0, 0, 16);
  uint32_t last = b.addReturn(1, 0);
  b.addEntry("f", {{"x", DType::F32, {4}}}, {{"y", DType::F32, {4}}}, 2, first,
             last - first + 1);
  b.setModelInfo(vimSpec());
  Expected<Bytes> built = b.finish();
  ASSERT_TRUE(built.ok()) << built.status().toString();
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> cpu = instance->openDevice("cpu");
  ASSERT_TRUE(cpu.ok());
  Expected<Module> m = Module::loadFromMemory(*cpu, *built);
  ASSERT_TRUE(m.ok()) << m.status().toString();
  ASSERT_TRUE(m->modelInfo().has_value());
  EXPECT_EQ(m->modelInfo()->name, "vim-t");
  EXPECT_EQ(m->modelInfo()->properties.size(), 3u);
  EXPECT_EQ(m->info().functions.size(), 1u);
  // The loaded module's info carries the plans Module::memoryPlan gives.
  Expected<MemoryPlan> plan = m->memoryPlan("f");
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(m->info().memoryPlans.size(), 1u);
  ASSERT_TRUE(m->info().memoryPlans[0].has_value());
  EXPECT_EQ(m->info().memoryPlans[0]->peakBytes, plan->peakBytes);
  EXPECT_EQ(m->info().memoryPlans[0]->outputBytes, 16u);
}

TEST(ModelInfoAbsentTest, ModulesFromIRHaveNone) {
  Expected<Bytes> bytes = buildGpuModule(std::nullopt);
  ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
  Expected<ArtifactView> view = test::openBytes(*bytes);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->hasModelInfo());
  EXPECT_EQ(view->modelInfo().status().code(), StatusCode::NotFound);
  Expected<ModuleInfo> info =
      ModuleInfo::fromMemory(bytes->data(), bytes->size());
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->model.has_value());
}

TEST(ModelInfoAbsentTest, WithoutPreprocessingOrProperties) {
  ModelInfoSpec spec;
  spec.name = "custom";
  Expected<Bytes> bytes = buildGpuModule(spec);
  ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
  Expected<ModuleInfo> info =
      ModuleInfo::fromMemory(bytes->data(), bytes->size());
  ASSERT_TRUE(info.ok()) << info.status().toString();
  ASSERT_TRUE(info->model.has_value());
  EXPECT_EQ(info->model->name, "custom");
  EXPECT_EQ(info->model->family, "");
  EXPECT_FALSE(info->model->preprocessing.has_value());
  EXPECT_TRUE(info->model->properties.empty());
  ModelInfoRecord r =
      test::getRecord<ModelInfoRecord>(*bytes, SectionKind::ModelInfo, 0);
  EXPECT_EQ(r.flags, 0u);
  EXPECT_EQ(r.properties_offset, 0u);
}

/// The writer validates what it writes: each bad spec fails finish() with
/// InvalidArgument naming the problem.
TEST(ModelInfoWriterTest, RejectsInvalidValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    const char *what;
    std::function<void(ModelInfoSpec &)> edit;
    const char *message;
  } cases[] = {
      {"empty name", [](ModelInfoSpec &s) { s.name = ""; }, "empty model name"},
      {"crop 0", [](ModelInfoSpec &s) { s.crop = 0; }, "crop 0 is not in"},
      {"resize < crop", [](ModelInfoSpec &s) { s.resize = 100; },
       "resize 100 is not in [crop = 224"},
      {"huge resize", [](ModelInfoSpec &s) { s.resize = 1u << 20; },
       "is not in [crop = 224, 65536]"},
      {"zero std", [](ModelInfoSpec &s) { s.std[1] = 0; },
       "std[1] is not a finite positive number"},
      {"negative std", [](ModelInfoSpec &s) { s.std[0] = -1; },
       "std[0] is not a finite positive number"},
      {"NaN std", [&](ModelInfoSpec &s) { s.std[2] = nan; },
       "std[2] is not a finite positive number"},
      {"infinite mean", [&](ModelInfoSpec &s) { s.mean[0] = inf; },
       "mean[0] is not finite"},
      {"NaN mean", [&](ModelInfoSpec &s) { s.mean[1] = nan; },
       "mean[1] is not finite"},
      {"duplicate key",
       [](ModelInfoSpec &s) { s.properties.push_back({"img", "32"}); },
       "duplicate property 'img'"},
      {"empty key", [](ModelInfoSpec &s) { s.properties.push_back({"", "x"}); },
       "property 3 has no key"},
  };
  for (const Case &c : cases) {
    ModelInfoSpec spec = vimSpec();
    c.edit(spec);
    Expected<Bytes> bytes = buildGpuModule(spec);
    ASSERT_FALSE(bytes.ok()) << c.what;
    EXPECT_EQ(bytes.status().code(), StatusCode::InvalidArgument) << c.what;
    EXPECT_TRUE(contains(bytes.status().message(), c.message))
        << c.what << ": " << bytes.status().message();
  }
}

TEST_F(ModelInfoTest, TruncatedAtEveryByte) {
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Expected<ArtifactView> v = ArtifactView::open(bytes.data(), cut);
    ASSERT_FALSE(v.ok()) << "cut at " << cut;
    ASSERT_EQ(v.status().code(), StatusCode::DataLoss) << cut;
    EXPECT_TRUE(contains(v.status().message(), "truncated")) << cut;
  }
}

TEST_F(ModelInfoTest, EveryByteOfTheSectionFlipped) {
  // Checksums catch each flip; without them, the record checks must give a
  // clean error or a valid view, never a crash (ASan under SSMRT_SANITIZE).
  int s = test::findSectionIndex(bytes, SectionKind::ModelInfo);
  ASSERT_GE(s, 0);
  SectionEntry e = test::readEntry(bytes, static_cast<uint32_t>(s));
  OpenOptions unchecked;
  unchecked.verifyChecksums = false;
  for (uint64_t at = e.offset; at < e.offset + e.size; ++at) {
    Bytes copy = bytes;
    copy[at] ^= 0x5A;
    Expected<ArtifactView> checked = test::openBytes(copy);
    ASSERT_FALSE(checked.ok()) << at;
    EXPECT_TRUE(contains(checked.status().message(), "checksum mismatch"));
    Expected<ArtifactView> v = test::openBytes(copy, unchecked);
    if (v.ok())
      EXPECT_TRUE(test::exerciseAllAccessors(*v).ok()) << at;
    else
      EXPECT_EQ(v.status().code(), StatusCode::DataLoss)
          << at << ": " << v.status().toString();
  }
}

TEST_F(ModelInfoTest, CorruptRecords) {
  const Bytes good = bytes;
  struct Case {
    const char *what;
    std::function<void(ModelInfoRecord &)> edit;
    const char *message;
  } cases[] = {
      {"name offset", [](ModelInfoRecord &r) { r.name = 0xFFFFFF; },
       "ModelInfo record 0 name: string offset 16777215 out of range"},
      {"empty name", [](ModelInfoRecord &r) { r.name = 0; },
       "ModelInfo record 0: empty model name"},
      {"family offset", [](ModelInfoRecord &r) { r.family = 0xFFFFFF; },
       "ModelInfo record 0 family: string offset"},
      {"unknown flag", [](ModelInfoRecord &r) { r.flags |= 0x10; },
       "ModelInfo record 0: unknown flags 0x11"},
      {"reserved", [](ModelInfoRecord &r) { r.reserved0 = 1; },
       "reserved field is not zero"},
      {"filter", [](ModelInfoRecord &r) { r.resize_filter = 7; },
       "unknown resize filter 7"},
      {"no filter", [](ModelInfoRecord &r) { r.resize_filter = 0; },
       "unknown resize filter 0"},
      {"crop", [](ModelInfoRecord &r) { r.crop = 70000; },
       "crop 70000 is not in [1, 65536]"},
      {"resize", [](ModelInfoRecord &r) { r.resize = 3; },
       "resize 3 is not in [crop = 224, 65536]"},
      {"std", [](ModelInfoRecord &r) { r.std[0] = -0.5f; },
       "std[0] is not a finite positive number"},
      {"mean",
       [](ModelInfoRecord &r) {
         r.mean[2] = std::numeric_limits<float>::infinity();
       },
       "mean[2] is not finite"},
      {"fields without the flag", [](ModelInfoRecord &r) { r.flags = 0; },
       "preprocessing fields are set without the preprocessing flag"},
      {"property count",
       [](ModelInfoRecord &r) { r.property_count = 1u << 30; },
       "ModelInfo record 0 properties: array of 1073741824 x 8 bytes"},
      {"property offset",
       [](ModelInfoRecord &r) {
         r.property_count = 2;
         r.properties_offset = 4;
       },
       "array at data offset 0x4 is not 8-byte aligned"},
      {"property offset far",
       [](ModelInfoRecord &r) { r.properties_offset = 1ull << 40; },
       "exceeds the data area"},
      {"offset without properties",
       [](ModelInfoRecord &r) {
         r.property_count = 0;
         r.properties_offset = 8;
       },
       "properties offset set with no properties"},
  };
  for (const Case &c : cases) {
    bytes = good;
    patch(c.edit);
    SCOPED_TRACE(c.what);
    EXPECT_OPEN_FAILS(bytes, c.message);
  }
}

TEST_F(ModelInfoTest, CorruptProperties) {
  ModelInfoRecord r =
      test::getRecord<ModelInfoRecord>(bytes, SectionKind::ModelInfo, 0);
  const Bytes good = bytes;
  // Property 1's key becomes property 0's: a duplicate.
  auto first = test::readAt<ModelPropertyRecord>(
      bytes, test::dataAreaOffset(bytes, SectionKind::ModelInfo) +
                 r.properties_offset);
  test::patchData<ModelPropertyRecord>(
      bytes, SectionKind::ModelInfo, r.properties_offset + 8,
      [&](ModelPropertyRecord &p) { p.key = first.key; });
  EXPECT_OPEN_FAILS(bytes, "ModelInfo record 0: duplicate property 'img'");
  bytes = good;
  test::patchData<ModelPropertyRecord>(
      bytes, SectionKind::ModelInfo, r.properties_offset,
      [](ModelPropertyRecord &p) { p.key = 0; });
  EXPECT_OPEN_FAILS(bytes, "ModelInfo record 0: property 0 has no key");
  bytes = good;
  test::patchData<ModelPropertyRecord>(
      bytes, SectionKind::ModelInfo, r.properties_offset + 16,
      [](ModelPropertyRecord &p) { p.value = 0x7FFFFFFF; });
  EXPECT_OPEN_FAILS(bytes,
                    "ModelInfo record 0 property 'depth' value: string offset");
}

TEST_F(ModelInfoTest, CorruptSectionHeader) {
  int s = test::findSectionIndex(bytes, SectionKind::ModelInfo);
  SectionEntry e = test::readEntry(bytes, static_cast<uint32_t>(s));
  const Bytes good = bytes;
  auto editHeader =
      [&](const std::function<void(RecordSectionHeader &)> &edit) {
        bytes = good;
        auto rh = test::readAt<RecordSectionHeader>(bytes, e.offset);
        edit(rh);
        test::writeAt(bytes, e.offset, rh);
        test::refreshChecksums(bytes);
      };
  editHeader([](RecordSectionHeader &rh) { rh.record_count = 0; });
  EXPECT_OPEN_FAILS(bytes,
                    "(ModelInfo) holds 0 records (exactly one expected)");
  editHeader([](RecordSectionHeader &rh) { rh.record_size = 48; });
  EXPECT_OPEN_FAILS(bytes, "(ModelInfo): record size 48, expected 64");
  // Two records fit the section only when the data area moves; the count
  // check comes first anyway.
  editHeader([](RecordSectionHeader &rh) { rh.record_count = 2; });
  Expected<ArtifactView> two = test::openBytes(bytes);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().code(), StatusCode::DataLoss);
}

TEST_F(ModelInfoTest, FormatVersions) {
  // Versions outside [kMinFormatVersion, kFormatVersion] are refused, and
  // the message says which way to go.
  struct Case {
    uint32_t version;
    const char *advice;
  } cases[] = {{kMinFormatVersion - 1, "recompile the module"},
               {1, "recompile the module"},
               {kFormatVersion + 1, "the file is newer: update the runtime"},
               {0xFFFFFFFFu, "the file is newer: update the runtime"}};
  for (const Case &c : cases) {
    Bytes copy = bytes;
    FileHeader h = test::readHeader(copy);
    h.format_version = c.version;
    test::writeHeader(copy, h);
    test::refreshChecksums(copy);
    Expected<ArtifactView> v = test::openBytes(copy);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), StatusCode::FailedPrecondition);
    EXPECT_EQ(v.status().message(),
              "unsupported .ssmb format version " + std::to_string(c.version) +
                  " (this runtime reads versions " +
                  std::to_string(kMinFormatVersion) + " to " +
                  std::to_string(kFormatVersion) + "; " + c.advice + ")");
  }

  // A v3 file (no ModelInfo kind) is still read...
  Expected<Bytes> plain = buildGpuModule(std::nullopt);
  ASSERT_TRUE(plain.ok());
  Bytes v3 = *plain;
  FileHeader h = test::readHeader(v3);
  h.format_version = 3;
  test::writeHeader(v3, h);
  test::refreshChecksums(v3);
  Expected<ModuleInfo> old = ModuleInfo::fromMemory(v3.data(), v3.size());
  ASSERT_TRUE(old.ok()) << old.status().toString();
  EXPECT_EQ(old->formatVersion, 3u);
  EXPECT_FALSE(old->model.has_value());
  EXPECT_EQ(old->functions.size(), 1u);

  // ... but a ModelInfo section in a v3 file is corrupt.
  Bytes mixed = bytes;
  h = test::readHeader(mixed);
  h.format_version = 3;
  test::writeHeader(mixed, h);
  test::refreshChecksums(mixed);
  EXPECT_OPEN_FAILS(mixed, "is a ModelInfo section, which format version 3 "
                           "does not have");
}

} // namespace
} // namespace ssmrt
