//===- reader.h - Validating reader for .ssmb artifacts ---------*- C++ -*-===//
//
// Part of the ssmc project. ArtifactView checks a byte buffer against the
// contract in artifact.h and then hands out decoded, validated records.
// Nothing a corrupt buffer contains can make any function here read out of
// bounds: open() checks the container, every accessor re-checks the record it
// decodes, and all offset arithmetic is overflow-safe.
//
// Error codes: InvalidArgument for a buffer that is not a .ssmb at all (bad
// magic); FailedPrecondition for a format version outside
// [kMinFormatVersion, kFormatVersion]; DataLoss for
// everything corrupt or truncated; OutOfRange for an accessor index past the
// end; NotFound from findEntry.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_FORMAT_READER_H
#define SSMRT_FORMAT_READER_H

#include "ssmrt/core/mapped_file.h"
#include "ssmrt/format/artifact.h"
#include "ssmrt/status.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssmrt::format {

struct OpenOptions {
  /// Check the header, section table and payload CRC-32s, and that all
  /// padding is zero. Turn off only in tools that inspect damaged files.
  bool verifyChecksums = true;
  /// Run validateContents() (every record, every cross-reference) in open().
  /// Accessors validate what they decode either way.
  bool verifyContents = true;
};

/// A section as located by the section table. `data` points into the buffer.
struct SectionInfo {
  uint32_t index = 0;
  SectionKind kind = SectionKind::Debug;
  uint32_t flags = 0;
  std::string_view name;
  const uint8_t *data = nullptr;
  uint64_t size = 0;
};

struct KernelObject {
  uint32_t index = 0;
  TargetKind target = TargetKind::Cpu;
  BinaryFormat format = BinaryFormat::So;
  std::string_view chip;
  const uint8_t *data = nullptr; // 64-byte aligned relative to the file start
  uint64_t size = 0;
};

struct KernelInfo {
  uint32_t index = 0;
  std::string_view name;
  uint32_t objectIndex = 0;
  std::array<uint32_t, 3> blockDims = {1, 1, 1};
  uint32_t dynamicSharedMemory = 0;
  std::vector<KernelArgRecord> args;
};

struct ConstantInfo {
  uint32_t index = 0;
  std::string_view name;
  const uint8_t *data = nullptr; // 64-byte aligned relative to the file start
  uint64_t size = 0;
};

struct TensorInfo {
  std::string_view name;
  DType dtype = DType::F32;
  uint32_t rank = 0;
  std::array<int64_t, kMaxRank> dims = {};
  uint64_t elementCount = 0; // product of dims (1 for rank 0)
  uint64_t byteSize = 0;     // elementCount * dtypeSize(dtype)
};

struct EntryInfo {
  uint32_t index = 0;
  std::string_view name;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  /// One past the largest buffer id the entry's commands use (at most the
  /// record's declared buffer_count, which is never trusted for sizing).
  uint32_t bufferCount = 0;
  uint32_t firstCommand = 0;
  uint32_t commandCount = 0;
};

struct Command {
  uint32_t index = 0;
  ScheduleOp op = ScheduleOp::Alloc;
  uint32_t buffer = 0;
  uint32_t srcBuffer = 0;
  uint32_t operandIndex = 0; // kernel / constant / input / output index
  uint64_t bytes = 0;
  uint64_t dstOffset = 0;
  uint64_t srcOffset = 0;
  std::array<uint32_t, 3> grid = {0, 0, 0};
  std::vector<LaunchArgRecord> args; // Launch only
};

/// A validated view of an artifact held in memory the caller keeps alive.
/// Cheap to copy. Sections that are absent read as empty (an absent string
/// table reads as the one-byte table holding "").
/// A decoded, validated LibraryCallRecord (see artifact.h). The byte
/// extents are what the call reads / writes from each operand's launch
/// offset: the executor checks them against the buffers before any call.
struct LibraryCallInfo {
  uint32_t index = 0;
  LibraryOp op = LibraryOp::Gemm;
  uint32_t command = 0;
  uint32_t aArg = 0, bArg = 0, cArg = 0, biasArg = 0;
  DType aType = DType::F32, bType = DType::F32, cType = DType::F32,
        biasType = DType::F32;
  GemmBias bias = GemmBias::None;
  GemmActivation activation = GemmActivation::None;
  uint64_t m = 0, n = 0, k = 0, batch = 0;
  std::array<uint64_t, 3> aStrides = {}, bStrides = {}, cStrides = {};
  uint64_t aBytes = 0, bBytes = 0, cBytes = 0, biasBytes = 0;
  /// Bytes from each operand's launch offset to its first element (v7
  /// record offsets times the dtype's size; 0 before v7).
  uint64_t aOffset = 0, bOffset = 0, cOffset = 0, biasOffset = 0;
};

/// A decoded, validated ModelInfoRecord (see artifact.h).
struct ModelInfo {
  std::string_view name;
  std::string_view family;
  bool hasPreprocessing = false;
  /// Set (and validated) only with hasPreprocessing; else zero.
  uint32_t resize = 0;
  uint32_t crop = 0;
  ResizeFilter resizeFilter = ResizeFilter::Bicubic;
  std::array<float, 3> mean = {0, 0, 0};
  std::array<float, 3> std = {0, 0, 0};
  /// In stored order; keys non-empty and unique.
  std::vector<std::pair<std::string_view, std::string_view>> properties;
};

class ArtifactView {
public:
  /// Validates the container: header (magic, version, sizes, checksum), the
  /// section table (bounds, alignment, overlap, kinds, checksum), payload
  /// checksums, zero padding and the record-section prefixes; then, with
  /// options.verifyContents, validateContents().
  static Expected<ArtifactView> open(const uint8_t *data, size_t size,
                                     const OpenOptions &options = {});

  const FileHeader &header() const { return header_; }
  uint32_t formatVersion() const { return header_.format_version; }
  std::string_view compilerVersion() const;
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }

  uint32_t sectionCount() const {
    return static_cast<uint32_t>(sections_.size());
  }
  /// Section by table index (OutOfRange past the end).
  Expected<SectionInfo> section(uint32_t index) const;
  /// The section of a unique kind, or NotFound.
  Expected<SectionInfo> findSection(SectionKind kind) const;

  /// The NUL-terminated string at `offset` in the string table.
  Expected<std::string_view> string(uint32_t offset) const;

  uint32_t kernelObjectCount() const { return objects_.count; }
  Expected<KernelObject> kernelObject(uint32_t index) const;

  uint32_t kernelCount() const { return kernels_.count; }
  Expected<KernelInfo> kernel(uint32_t index) const;

  uint32_t constantCount() const { return constants_.count; }
  Expected<ConstantInfo> constant(uint32_t index) const;

  uint32_t commandCount() const { return commands_.count; }
  /// One schedule command; checks indices against the kernel and constant
  /// tables and Launch arguments against the kernel's argument list.
  Expected<Command> command(uint32_t index) const;

  uint32_t libraryCallCount() const { return libraryCalls_.count; }
  Expected<LibraryCallInfo> libraryCall(uint32_t index) const;

  /// Whether the artifact has a ModelInfo section (format v4 and later).
  bool hasModelInfo() const { return modelInfo_.section >= 0; }
  /// The ModelInfo record; NotFound when there is none.
  Expected<ModelInfo> modelInfo() const;

  uint32_t entryCount() const { return entries_.count; }
  /// One entry point; also checks each command in its range against the
  /// entry (buffer ids < bufferCount, input/output indices in range).
  Expected<EntryInfo> entry(uint32_t index) const;
  /// Index of the entry called `name`, or NotFound.
  Expected<uint32_t> findEntry(std::string_view name) const;

  /// Decodes every record of every section and checks cross-references and
  /// entry-name uniqueness.
  Status validateContents() const;

private:
  /// A record section located and checked by open().
  struct RecordTable {
    int section = -1; // section index, -1 if absent
    uint32_t count = 0;
    uint32_t recordSize = 0;
    const uint8_t *records = nullptr;
    const uint8_t *dataArea = nullptr;
    uint64_t dataSize = 0;
  };

  ArtifactView() = default;

  Status initRecordTable(const SectionInfo &section, RecordTable &table);
  template <typename Record>
  Status readRecord(const RecordTable &table, SectionKind kind, uint32_t index,
                    Record &out) const;
  template <typename Item>
  Status readArray(const RecordTable &table, uint64_t offset, uint64_t count,
                   std::vector<Item> &out) const;
  Status readBlob(const RecordTable &table, uint64_t offset, uint64_t size,
                  const uint8_t *&out) const;
  Expected<TensorInfo> decodeTensor(const TensorDescRecord &record) const;

  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
  FileHeader header_ = {};
  std::vector<SectionInfo> sections_;
  /// Table index of the section of each unique kind, -1 if absent.
  std::array<int, kMaxSectionKind + 1> uniqueSection_ = {-1, -1, -1, -1, -1,
                                                         -1, -1, -1, -1, -1};
  const uint8_t *strings_ = nullptr;
  uint64_t stringsSize_ = 0;
  RecordTable objects_, kernels_, constants_, commands_, entries_,
      libraryCalls_, modelInfo_;
};

/// A memory-mapped artifact file plus its validated view. Move-only; the view
/// stays valid for the lifetime of this object (moves keep the mapping).
class ArtifactFile {
public:
  /// Maps `path` read-only and opens it. Errors carry the path: open/mmap
  /// failures come from MappedFile (with errno text); format errors are
  /// "'<path>': <reader message>".
  static Expected<ArtifactFile> openPath(const std::string &path,
                                         const OpenOptions &options = {});

  const ArtifactView &view() const { return view_; }
  const std::string &path() const { return file_.path(); }

private:
  ArtifactFile(MappedFile file, ArtifactView view)
      : file_(std::move(file)), view_(view) {}

  MappedFile file_;
  ArtifactView view_;
};

} // namespace ssmrt::format

#endif // SSMRT_FORMAT_READER_H
