//===- writer.h - Builders for .ssmb artifacts ------------------*- C++ -*-===//
//
// Part of the ssmc project. The compiler links the runtime library and
// writes artifacts with these classes, so writer and reader can never
// disagree about the layout in artifact.h.
//
//  - ArtifactWriter: the container (header, section table, aligned payloads,
//    checksums) over raw section bytes.
//  - StringTableBuilder / RecordSectionBuilder<R>: build section payloads.
//  - ModuleBuilder: the typed front end the compiler normally uses; its
//    finish() runs the reader's full validation on the bytes it produced.
//
// Builders are infallible to call: invalid input is remembered (first error
// wins) and reported by finish().
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_FORMAT_WRITER_H
#define SSMRT_FORMAT_WRITER_H

#include "ssmrt/format/artifact.h"
#include "ssmrt/status.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ssmrt::format {

/// Writes the container around raw section payloads.
class ArtifactWriter {
public:
  /// `compilerVersion` is at most 31 bytes without NULs.
  explicit ArtifactWriter(std::string_view compilerVersion = "");

  void setCompilerVersion(std::string_view compilerVersion);

  /// Appends a section; returns its index in the section table. `name` is at
  /// most 23 bytes without NULs. Kinds other than Debug may appear once.
  uint32_t addSection(SectionKind kind, std::string_view name,
                      std::vector<uint8_t> bytes, uint32_t flags = 0);
  uint32_t addSection(SectionKind kind, std::string_view name, const void *data,
                      size_t size, uint32_t flags = 0);

  size_t sectionCount() const { return sections_.size(); }
  /// First error recorded by the add/set calls (Ok if none).
  const Status &status() const { return status_; }

  /// Lays out the file: 128-byte header, the section table at offset 128,
  /// then each payload at the next 64-byte boundary, in insertion order, with
  /// zero padding; fills in all checksums. Deterministic: equal inputs give
  /// equal bytes.
  Expected<std::vector<uint8_t>> finish() const;

private:
  struct PendingSection {
    SectionKind kind;
    std::string name;
    uint32_t flags;
    std::vector<uint8_t> bytes;
  };
  void fail(Status status);

  std::string compilerVersion_;
  std::vector<PendingSection> sections_;
  Status status_;
};

/// Builds a StringTable payload. Offset 0 is the empty string; equal strings
/// are stored once.
class StringTableBuilder {
public:
  StringTableBuilder();

  /// Offset of `s` in the table (added if new). Strings must not contain NUL;
  /// such a string records an error and yields 0.
  uint32_t add(std::string_view s);

  const std::vector<uint8_t> &bytes() const { return bytes_; }
  const Status &status() const { return status_; }

private:
  std::vector<uint8_t> bytes_;
  std::unordered_map<std::string, uint32_t> offsets_;
  Status status_;
};

namespace detail {
/// Lays out RecordSectionHeader + records + padding to 64 + data area.
std::vector<uint8_t> buildRecordSection(uint32_t recordCount,
                                        uint32_t recordSize,
                                        const std::vector<uint8_t> &records,
                                        const std::vector<uint8_t> &data);
/// Appends `size` bytes to `data` at the next multiple of `alignment` (a
/// power of two), zero-padding; returns the offset they start at.
uint64_t appendAligned(std::vector<uint8_t> &data, const void *bytes,
                       size_t size, size_t alignment);
} // namespace detail

/// Builds the payload of a record section: a RecordSectionHeader, the
/// records, then the data area. Offsets returned by addData/addArray are
/// data-area offsets, which is what records store.
template <typename Record> class RecordSectionBuilder {
  static_assert(std::is_trivially_copyable_v<Record>);

public:
  /// Appends a record; returns its index.
  uint32_t addRecord(const Record &record) {
    size_t at = records_.size();
    records_.resize(at + sizeof(Record));
    std::memcpy(records_.data() + at, &record, sizeof(Record));
    return recordCount_++;
  }

  /// Copies a blob (kernel binary, constant) into the data area at a 64-byte
  /// aligned offset and returns that offset.
  uint64_t addData(const void *data, size_t size) {
    return detail::appendAligned(data_, data, size, kSectionAlignment);
  }

  /// Copies an array of plain structs into the data area at an 8-byte
  /// aligned offset and returns that offset.
  template <typename Item> uint64_t addArray(const Item *items, size_t count) {
    static_assert(std::is_trivially_copyable_v<Item>);
    return detail::appendAligned(data_, items, count * sizeof(Item),
                                 kArrayAlignment);
  }
  template <typename Item> uint64_t addArray(const std::vector<Item> &items) {
    return addArray(items.data(), items.size());
  }

  uint32_t recordCount() const { return recordCount_; }

  /// Reads back / overwrites an added record (index < recordCount()), e.g.
  /// to patch an index once it is known.
  Record getRecord(uint32_t index) const {
    Record record;
    std::memcpy(&record, records_.data() + size_t(index) * sizeof(Record),
                sizeof(Record));
    return record;
  }
  void setRecord(uint32_t index, const Record &record) {
    std::memcpy(records_.data() + size_t(index) * sizeof(Record), &record,
                sizeof(Record));
  }

  std::vector<uint8_t> finish() const {
    return detail::buildRecordSection(recordCount_, sizeof(Record), records_,
                                      data_);
  }

private:
  uint32_t recordCount_ = 0;
  std::vector<uint8_t> records_;
  std::vector<uint8_t> data_;
};

/// A tensor as the compiler describes it (becomes a TensorDescRecord).
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> dims;
};

/// What ModuleBuilder::setModelInfo records (the ModelInfo section; field
/// meanings in artifact.h's ModelInfoRecord).
struct ModelInfoSpec {
  std::string name;
  std::string family;
  /// Records the preprocessing fields below.
  bool hasPreprocessing = false;
  uint32_t resize = 0;
  uint32_t crop = 0;
  ResizeFilter resizeFilter = ResizeFilter::Bicubic;
  std::array<float, 3> mean = {0, 0, 0};
  std::array<float, 3> std = {0, 0, 0};
  /// Hyper-parameters as text, in this order; keys non-empty and unique.
  std::vector<std::pair<std::string, std::string>> properties;
};

/// Typed front end: collects kernels, constants, commands and entries and
/// writes one section of each non-empty kind.
///
///   ModuleBuilder b("ssmc 0.1.0");
///   uint32_t obj = b.addKernelObject(TargetKind::Nvptx, BinaryFormat::Cubin,
///                                    "sm_90", cubin.data(), cubin.size());
///   uint32_t k = b.addKernel("scan_kernel", obj, {256, 1, 1}, 0,
///                            {bufferArg(), bufferArg(), bufferArg(),
///                             scalarArg(4)});
///   uint32_t w = b.addConstant("weight", weight.data(), weight.size());
///   uint32_t first = b.addBindInput(/*buffer=*/0, /*input=*/0);
///   b.addAlloc(/*buffer=*/1, /*bytes=*/4096);
///   b.addAlloc(/*buffer=*/2, weight.size());
///   b.addUploadConstant(/*buffer=*/2, w);
///   b.addLaunch(k, {16, 1, 1}, {launchBuffer(0), launchBuffer(2),
///                               launchBuffer(1), launchScalar(64)});
///   b.addFree(2);
///   uint32_t last = b.addReturn(/*buffer=*/1, /*output=*/0);
///   b.addEntry("forward", {{"x", DType::F32, {1, 1024}}},
///              {{"y", DType::F32, {1, 1024}}}, /*bufferCount=*/3, first,
///              last - first + 1);
///   Expected<std::vector<uint8_t>> bytes = b.finish();
class ModuleBuilder {
public:
  explicit ModuleBuilder(std::string_view compilerVersion = "");

  /// Interns a string; returns its string-table offset.
  uint32_t addString(std::string_view s) { return strings_.add(s); }

  uint32_t addKernelObject(TargetKind target, BinaryFormat format,
                           std::string_view chip, const void *data,
                           size_t size);
  uint32_t addKernel(std::string_view name, uint32_t objectIndex,
                     std::array<uint32_t, 3> blockDims,
                     uint32_t dynamicSharedMemory,
                     const std::vector<KernelArgRecord> &args);
  uint32_t addConstant(std::string_view name, const void *data, size_t size);

  /// Schedule commands; each returns its command index.
  uint32_t addAlloc(uint32_t buffer, uint64_t bytes);
  uint32_t addUploadConstant(uint32_t buffer, uint32_t constant,
                             uint64_t dstOffset = 0);
  uint32_t addLaunch(uint32_t kernel, std::array<uint32_t, 3> grid,
                     const std::vector<LaunchArgRecord> &args);
  uint32_t addCopy(uint32_t dstBuffer, uint64_t dstOffset, uint32_t srcBuffer,
                   uint64_t srcOffset, uint64_t bytes);
  uint32_t addFree(uint32_t buffer);
  uint32_t addReturn(uint32_t buffer, uint32_t output);
  uint32_t addBindInput(uint32_t buffer, uint32_t input);
  /// Binds `buffer` read-only to constant `constant` (weights used in place).
  uint32_t addBindConstant(uint32_t buffer, uint32_t constant);
  /// Appends a raw command; for Launch, `launchArgs` are stored and
  /// args_offset/args_count filled in.
  uint32_t addCommand(const ScheduleCommandRecord &command,
                      const std::vector<LaunchArgRecord> &launchArgs = {});
  uint32_t commandCount() const { return commands_.recordCount(); }

  /// Records that Launch command `record.command` may be replaced by a
  /// vendor library call (validated by finish()).
  uint32_t addLibraryCall(const LibraryCallRecord &record);

  /// An entry point running commands [firstCommand, firstCommand +
  /// commandCount) over buffer ids [0, bufferCount).
  uint32_t addEntry(std::string_view name,
                    const std::vector<TensorSpec> &inputs,
                    const std::vector<TensorSpec> &outputs,
                    uint32_t bufferCount, uint32_t firstCommand,
                    uint32_t commandCount);

  /// Records the model description (one ModelInfo section; a second call
  /// replaces the first). Invalid values fail finish().
  void setModelInfo(const ModelInfoSpec &info);

  /// Opaque bytes in a Debug section (may be called several times).
  void addDebugSection(std::string_view name, std::vector<uint8_t> bytes);

  /// First error recorded so far (Ok if none).
  Status status() const;

  /// Writes the artifact and validates it with ArtifactView::open; any
  /// problem (bad input, dangling index, ...) is an InvalidArgument error.
  Expected<std::vector<uint8_t>> finish() const;

private:
  Expected<TensorDescRecord> makeTensor(const TensorSpec &spec);
  void fail(Status status);

  std::string compilerVersion_;
  StringTableBuilder strings_;
  RecordSectionBuilder<KernelObjectRecord> objects_;
  RecordSectionBuilder<KernelMetadataRecord> kernels_;
  RecordSectionBuilder<ConstantRecord> constants_;
  RecordSectionBuilder<ScheduleCommandRecord> commands_;
  RecordSectionBuilder<EntrySignatureRecord> entries_;
  RecordSectionBuilder<LibraryCallRecord> libraryCalls_;
  /// The ModelInfo section payload; empty when none was set.
  std::vector<uint8_t> modelInfo_;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> debug_;
  Status status_;
};

/// Argument-list helpers.
inline KernelArgRecord bufferArg() {
  return {static_cast<uint32_t>(KernelArgKind::Buffer), 8};
}
inline KernelArgRecord scalarArg(uint32_t size) {
  return {static_cast<uint32_t>(KernelArgKind::Scalar), size};
}
inline LaunchArgRecord launchBuffer(uint32_t buffer, uint64_t offset = 0) {
  return {static_cast<uint32_t>(KernelArgKind::Buffer), buffer, offset};
}
inline LaunchArgRecord launchScalar(uint64_t bits) {
  return {static_cast<uint32_t>(KernelArgKind::Scalar), 0, bits};
}

} // namespace ssmrt::format

#endif // SSMRT_FORMAT_WRITER_H
