//===- test_util.cpp - Helpers for the ssmrt tests
//-------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "test_util.h"

#include "ssmrt/core/crc32.h"
#include "ssmrt/format/writer.h"

#include <gtest/gtest.h>

namespace ssmrt::test {

using namespace ssmrt::format;

Bytes buildSampleModule() {
  ModuleBuilder b("ssmc-test 1.2.3");
  std::mt19937 rng(1234);
  Bytes ptx = randomBytes(rng, 300);
  ptx.back() = 0;
  Bytes cubin = randomBytes(rng, 777);
  uint32_t ptxObj = b.addKernelObject(TargetKind::Nvptx, BinaryFormat::Ptx,
                                      "sm_90", ptx.data(), ptx.size());
  uint32_t cubinObj = b.addKernelObject(TargetKind::Nvptx, BinaryFormat::Cubin,
                                        "sm_90", cubin.data(), cubin.size());
  uint32_t scan = b.addKernel(
      "selective_scan", cubinObj, {128, 1, 1}, 4096,
      {bufferArg(), bufferArg(), bufferArg(), scalarArg(4), scalarArg(8)});
  uint32_t norm = b.addKernel("layer_norm", ptxObj, {256, 1, 1}, 0,
                              {bufferArg(), bufferArg(), scalarArg(2)});
  uint32_t noArgs = b.addKernel("barrier_only", ptxObj, {32, 2, 1}, 0, {});
  Bytes weight = randomBytes(rng, 1000);
  Bytes bias = randomBytes(rng, 64);
  uint32_t w = b.addConstant("blocks.0.weight", weight.data(), weight.size());
  uint32_t bi = b.addConstant("blocks.0.bias", bias.data(), bias.size());

  uint32_t first = b.addBindInput(0, 0);
  b.addAlloc(1, 1000);
  b.addUploadConstant(1, w);
  b.addAlloc(2, 128);
  b.addUploadConstant(2, bi, 64);
  b.addAlloc(3, 4096);
  b.addLaunch(scan, {8, 4, 1},
              {launchBuffer(0), launchBuffer(1), launchBuffer(3, 256),
               launchScalar(0xDEADBEEF), launchScalar(0x0123456789ABCDEFull)});
  b.addLaunch(norm, {16, 1, 1},
              {launchBuffer(3), launchBuffer(2), launchScalar(0x3C00)});
  b.addLaunch(noArgs, {1, 1, 1}, {});
  b.addCopy(3, 0, 2, 64, 64);
  b.addFree(1);
  b.addFree(2);
  uint32_t last = b.addReturn(3, 0);
  b.addEntry("forward", {{"pixels", DType::F32, {1, 3, 224, 224}}},
             {{"logits", DType::F32, {1, 1000}}}, 4, first, last - first + 1);

  uint32_t first2 = b.addBindInput(0, 1);
  b.addBindInput(1, 0);
  b.addCopy(1, 0, 0, 0, 16);
  uint32_t last2 = b.addReturn(1, 0);
  b.addEntry("copy_second", {{"a", DType::BF16, {8}}, {"b", DType::I64, {2}}},
             {{"", DType::I64, {2}}, {"flag", DType::Bool, {}}}, 2, first2,
             last2 - first2 + 1);
  // An entry with no inputs, outputs or commands is legal.
  b.addEntry("noop", {}, {}, 0, 0, 0);
  b.addDebugSection("source_map", randomBytes(rng, 90));
  b.addDebugSection("empty_debug", {});

  Expected<Bytes> bytes = b.finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().toString();
  if (!bytes.ok())
    return {};
  return std::move(bytes).value();
}

Bytes randomBytes(std::mt19937 &rng, size_t size) {
  Bytes out(size);
  std::uniform_int_distribution<int> dist(0, 255);
  for (uint8_t &b : out)
    b = static_cast<uint8_t>(dist(rng));
  return out;
}

FileHeader readHeader(const Bytes &bytes) {
  return readAt<FileHeader>(bytes, 0);
}

void writeHeader(Bytes &bytes, const FileHeader &header) {
  writeAt(bytes, 0, header);
}

SectionEntry readEntry(const Bytes &bytes, uint32_t index) {
  FileHeader h = readHeader(bytes);
  return readAt<SectionEntry>(bytes, h.section_table_offset +
                                         uint64_t(index) * kSectionEntrySize);
}

void writeEntry(Bytes &bytes, uint32_t index, const SectionEntry &e) {
  FileHeader h = readHeader(bytes);
  writeAt(bytes, h.section_table_offset + uint64_t(index) * kSectionEntrySize,
          e);
}

int findSectionIndex(const Bytes &bytes, SectionKind kind) {
  FileHeader h = readHeader(bytes);
  for (uint32_t i = 0; i < h.section_count; ++i)
    if (readEntry(bytes, i).kind == static_cast<uint32_t>(kind))
      return static_cast<int>(i);
  ADD_FAILURE() << "no section of kind " << static_cast<uint32_t>(kind);
  return -1;
}

void refreshChecksums(Bytes &bytes) {
  if (bytes.size() < sizeof(FileHeader))
    return;
  FileHeader h = readHeader(bytes);
  uint64_t tableSize = uint64_t(h.section_count) * kSectionEntrySize;
  bool tableFits = h.section_table_offset <= bytes.size() &&
                   tableSize <= bytes.size() - h.section_table_offset;
  if (tableFits) {
    for (uint32_t i = 0; i < h.section_count; ++i) {
      SectionEntry e = readEntry(bytes, i);
      if (e.offset <= bytes.size() && e.size <= bytes.size() - e.offset) {
        e.checksum = crc32(bytes.data() + e.offset, e.size);
        writeEntry(bytes, i, e);
      }
    }
    h.section_table_checksum =
        crc32(bytes.data() + h.section_table_offset, tableSize);
  }
  h.header_checksum = 0;
  h.header_checksum = crc32(&h, sizeof(h));
  writeHeader(bytes, h);
}

uint64_t dataAreaOffset(const Bytes &bytes, SectionKind kind) {
  int s = findSectionIndex(bytes, kind);
  SectionEntry e = readEntry(bytes, static_cast<uint32_t>(s));
  auto rh = readAt<RecordSectionHeader>(bytes, e.offset);
  return e.offset + rh.data_offset;
}

Expected<ArtifactView> openBytes(const Bytes &bytes, OpenOptions options) {
  return ArtifactView::open(bytes.data(), bytes.size(), options);
}

Status exerciseAllAccessors(const ArtifactView &view) {
  for (uint32_t i = 0; i < view.sectionCount(); ++i)
    SSMRT_RETURN_IF_ERROR(view.section(i).status());
  for (uint32_t i = 0; i < view.kernelObjectCount(); ++i)
    SSMRT_RETURN_IF_ERROR(view.kernelObject(i).status());
  for (uint32_t i = 0; i < view.kernelCount(); ++i)
    SSMRT_RETURN_IF_ERROR(view.kernel(i).status());
  for (uint32_t i = 0; i < view.constantCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(ConstantInfo c, view.constant(i));
    // Touch every byte so ASan sees any out-of-bounds span.
    volatile uint32_t sum = 0;
    for (uint64_t j = 0; j < c.size; ++j)
      sum = sum + c.data[j];
  }
  for (uint32_t i = 0; i < view.commandCount(); ++i)
    SSMRT_RETURN_IF_ERROR(view.command(i).status());
  if (view.hasModelInfo())
    SSMRT_RETURN_IF_ERROR(view.modelInfo().status());
  for (uint32_t i = 0; i < view.entryCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(EntryInfo e, view.entry(i));
    SSMRT_ASSIGN_OR_RETURN(uint32_t found, view.findEntry(e.name));
    if (found > i)
      return internalError("findEntry returned a later entry");
  }
  return okStatus();
}

} // namespace ssmrt::test
