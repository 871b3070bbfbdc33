//===- reader.cpp - Validating reader for .ssmb artifacts -----------------===//
//
// Part of the ssmc project.
//
// Every read of the buffer goes through a range check written as
// `offset <= limit && length <= limit - offset`, which cannot overflow, and
// copies records out with memcpy, so the buffer needs no particular alignment.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/format/reader.h"

#include "ssmrt/core/crc32.h"

#include "../core/strings.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace ssmrt::format {

using ::ssmrt::detail::Hex;
using ::ssmrt::detail::strCat;

namespace {

/// True if [offset, offset + length) lies within [0, limit).
bool rangeFits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

/// True if two half-open ranges share a byte. Empty ranges share nothing.
/// Both ranges must already be known not to overflow.
bool rangesOverlap(uint64_t aBegin, uint64_t aSize, uint64_t bBegin,
                   uint64_t bSize) {
  if (aSize == 0 || bSize == 0)
    return false;
  return aBegin < bBegin + bSize && bBegin < aBegin + aSize;
}

bool allZero(const void *data, size_t size) {
  const auto *p = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < size; ++i)
    if (p[i] != 0)
      return false;
  return true;
}

/// Length of a NUL-padded fixed-size char field, or -1 if it has no NUL.
/// Bytes after the first NUL must be NUL too (-2 otherwise).
int paddedStringLength(const char *field, size_t capacity) {
  const void *nul = std::memchr(field, 0, capacity);
  if (!nul)
    return -1;
  size_t length = static_cast<size_t>(static_cast<const char *>(nul) - field);
  if (!allZero(field + length, capacity - length))
    return -2;
  return static_cast<int>(length);
}

std::string sectionLabel(uint32_t index, uint32_t kind) {
  if (isValidSectionKind(kind))
    return strCat("section ", index, " (",
                  sectionKindName(static_cast<SectionKind>(kind)), ")");
  return strCat("section ", index);
}

std::string recordLabel(SectionKind kind, uint32_t index) {
  return strCat(sectionKindName(kind), " record ", index);
}

/// Multiplies two counts into a byte length; false on overflow.
bool mulFits(uint64_t a, uint64_t b, uint64_t &out) {
  if (a != 0 && b > UINT64_MAX / a)
    return false;
  out = a * b;
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Container validation
//===----------------------------------------------------------------------===//

Expected<ArtifactView> ArtifactView::open(const uint8_t *data, size_t size,
                                          const OpenOptions &options) {
  if (data == nullptr && size != 0)
    return invalidArgumentError("null artifact buffer with non-zero size");

  // Header.
  static_assert(kFileHeaderSize > sizeof(kMagic));
  if (size < kFileHeaderSize) {
    if (size >= sizeof(kMagic) && std::memcmp(data, kMagic, 8) != 0)
      return invalidArgumentError(
          strCat("not a .ssmb artifact: bad magic ",
                 ::ssmrt::detail::quoteBytes(data, sizeof(kMagic))));
    return dataLossError(strCat("truncated: file is ", size,
                                " bytes, smaller than the ", kFileHeaderSize,
                                "-byte .ssmb header"));
  }
  if (std::memcmp(data, kMagic, sizeof(kMagic)) != 0)
    return invalidArgumentError(
        strCat("not a .ssmb artifact: bad magic ",
               ::ssmrt::detail::quoteBytes(data, sizeof(kMagic))));

  ArtifactView view;
  view.data_ = data;
  view.size_ = size;
  FileHeader &h = view.header_;
  std::memcpy(&h, data, sizeof(FileHeader));

  if (h.format_version < kMinFormatVersion || h.format_version > kFormatVersion)
    return failedPreconditionError(
        strCat("unsupported .ssmb format version ", h.format_version,
               " (this runtime reads versions ", kMinFormatVersion, " to ",
               kFormatVersion,
               h.format_version > kFormatVersion
                   ? "; the file is newer: update the runtime)"
                   : "; recompile the module)"));
  if (h.header_size != kFileHeaderSize)
    return dataLossError(strCat("bad header_size ", h.header_size,
                                " (expected ", kFileHeaderSize, ")"));
  if (options.verifyChecksums) {
    FileHeader zeroed = h;
    zeroed.header_checksum = 0;
    uint32_t computed = crc32(&zeroed, sizeof(zeroed));
    if (computed != h.header_checksum)
      return dataLossError(strCat("header checksum mismatch (stored ",
                                  Hex{h.header_checksum}, ", computed ",
                                  Hex{computed}, ")"));
  }
  if (h.file_size != size) {
    if (size < h.file_size)
      return dataLossError(strCat("truncated: file is ", size,
                                  " bytes, header says ", h.file_size));
    return dataLossError(strCat("size mismatch: file is ", size,
                                " bytes, header says ", h.file_size,
                                " (trailing data)"));
  }
  if (h.flags != 0)
    return dataLossError(
        strCat("unknown header flags ", Hex{h.flags}, " (none are defined)"));
  int versionLength =
      paddedStringLength(h.compiler_version, kCompilerVersionSize);
  if (versionLength < 0)
    return dataLossError(versionLength == -1
                             ? "compiler_version is not NUL-terminated"
                             : "compiler_version is not NUL-padded");
  if (h.reserved0 != 0 || !allZero(h.reserved, sizeof(h.reserved)))
    return dataLossError("reserved header fields are not zero");
  if (h.section_entry_size != kSectionEntrySize)
    return dataLossError(strCat("bad section_entry_size ", h.section_entry_size,
                                " (expected ", kSectionEntrySize, ")"));

  // Section table.
  const uint64_t tableOffset = h.section_table_offset;
  const uint64_t tableSize = uint64_t(h.section_count) * kSectionEntrySize;
  if (tableOffset % kSectionAlignment != 0)
    return dataLossError(strCat("section table offset ", Hex{tableOffset},
                                " is not ", kSectionAlignment,
                                "-byte aligned"));
  if (tableOffset < kFileHeaderSize)
    return dataLossError(strCat("section table offset ", Hex{tableOffset},
                                " overlaps the file header"));
  if (!rangeFits(tableOffset, tableSize, size))
    return dataLossError(strCat(
        "section table (offset ", Hex{tableOffset}, ", ", h.section_count,
        " entries) extends past the end of the file (", size, " bytes)"));
  const uint8_t *table = data + tableOffset;
  if (options.verifyChecksums) {
    uint32_t computed = crc32(table, static_cast<size_t>(tableSize));
    if (computed != h.section_table_checksum)
      return dataLossError(strCat("section table checksum mismatch (stored ",
                                  Hex{h.section_table_checksum}, ", computed ",
                                  Hex{computed}, ")"));
  }

  view.sections_.reserve(h.section_count);
  for (uint32_t i = 0; i < h.section_count; ++i) {
    SectionEntry e;
    std::memcpy(&e, table + uint64_t(i) * kSectionEntrySize, sizeof(e));
    if (!isValidSectionKind(e.kind))
      return dataLossError(strCat("section ", i, " has unknown kind ", e.kind));
    const auto kind = static_cast<SectionKind>(e.kind);
    if (kind == SectionKind::ModelInfo &&
        h.format_version < kModelInfoFormatVersion)
      return dataLossError(strCat("section ", i, " is a ModelInfo section, ",
                                  "which format version ", h.format_version,
                                  " does not have"));
    const std::string label = sectionLabel(i, e.kind);
    int nameLength = paddedStringLength(e.name, kSectionNameSize);
    if (nameLength < 0)
      return dataLossError(
          strCat(label, " name is not ",
                 nameLength == -1 ? "NUL-terminated" : "NUL-padded"));
    if (e.reserved0 != 0 || e.reserved1 != 0)
      return dataLossError(strCat(label, " reserved fields are not zero"));
    if (e.offset % kSectionAlignment != 0)
      return dataLossError(strCat(label, " offset ", Hex{e.offset}, " is not ",
                                  kSectionAlignment, "-byte aligned"));
    if (!rangeFits(e.offset, e.size, size))
      return dataLossError(
          strCat(label, " (offset ", Hex{e.offset}, ", size ", e.size,
                 ") extends past the end of the file (", size, " bytes)"));
    if (rangesOverlap(e.offset, e.size, 0, kFileHeaderSize))
      return dataLossError(strCat(label, " overlaps the file header"));
    if (rangesOverlap(e.offset, e.size, tableOffset, tableSize))
      return dataLossError(strCat(label, " overlaps the section table"));
    if (isUniqueSectionKind(kind)) {
      int &slot = view.uniqueSection_[e.kind];
      if (slot >= 0)
        return dataLossError(strCat("duplicate ", sectionKindName(kind),
                                    " section (sections ", slot, " and ", i,
                                    ")"));
      slot = static_cast<int>(i);
    }
    SectionInfo info;
    info.index = i;
    info.kind = kind;
    info.flags = e.flags;
    info.name = std::string_view(
        reinterpret_cast<const char *>(table + uint64_t(i) * kSectionEntrySize +
                                       offsetof(SectionEntry, name)),
        static_cast<size_t>(nameLength));
    info.data = data + e.offset;
    info.size = e.size;
    view.sections_.push_back(info);
    if (options.verifyChecksums) {
      uint32_t computed = crc32(info.data, static_cast<size_t>(e.size));
      if (computed != e.checksum)
        return dataLossError(strCat(label, " checksum mismatch (stored ",
                                    Hex{e.checksum}, ", computed ",
                                    Hex{computed}, ")"));
    }
  }

  // Overlap between sections: sort by offset, compare neighbours (empty
  // sections occupy no bytes and are skipped).
  struct Range {
    uint64_t begin, size;
    uint32_t index;
  };
  std::vector<Range> ranges;
  ranges.reserve(view.sections_.size() + 2);
  for (const SectionInfo &s : view.sections_)
    if (s.size != 0)
      ranges.push_back({static_cast<uint64_t>(s.data - data), s.size, s.index});
  std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) {
    return a.begin != b.begin ? a.begin < b.begin : a.index < b.index;
  });
  for (size_t i = 1; i < ranges.size(); ++i) {
    const Range &a = ranges[i - 1];
    const Range &b = ranges[i];
    if (b.begin < a.begin + a.size) {
      const SectionInfo &sa = view.sections_[a.index];
      const SectionInfo &sb = view.sections_[b.index];
      return dataLossError(strCat(
          sectionLabel(sb.index, static_cast<uint32_t>(sb.kind)), " overlaps ",
          sectionLabel(sa.index, static_cast<uint32_t>(sa.kind))));
    }
  }

  // Every byte outside the header, the table and the payloads is padding and
  // must be zero, so that a flipped bit anywhere in the file is detected.
  if (options.verifyChecksums) {
    ranges.push_back({0, kFileHeaderSize, UINT32_MAX});
    if (tableSize != 0)
      ranges.push_back({tableOffset, tableSize, UINT32_MAX});
    std::sort(ranges.begin(), ranges.end(),
              [](const Range &a, const Range &b) { return a.begin < b.begin; });
    uint64_t cursor = 0;
    for (const Range &r : ranges) {
      for (uint64_t p = cursor; p < r.begin; ++p)
        if (data[p] != 0)
          return dataLossError(strCat("non-zero padding byte at offset ",
                                      Hex{p}, " (outside every section)"));
      cursor = std::max(cursor, r.begin + r.size);
    }
    for (uint64_t p = cursor; p < size; ++p)
      if (data[p] != 0)
        return dataLossError(strCat("non-zero padding byte at offset ", Hex{p},
                                    " (outside every section)"));
  }

  // Typed sections.
  static const uint8_t kEmptyStringTable[1] = {0};
  view.strings_ = kEmptyStringTable;
  view.stringsSize_ = 1;
  if (int s = view.uniqueSection_[uint32_t(SectionKind::StringTable)]; s >= 0) {
    const SectionInfo &info = view.sections_[s];
    const std::string label =
        sectionLabel(info.index, uint32_t(SectionKind::StringTable));
    if (info.size == 0)
      return dataLossError(strCat(label, " is empty (it must hold at least "
                                         "the empty string)"));
    if (info.data[0] != 0)
      return dataLossError(
          strCat(label, " does not start with the empty string"));
    if (info.data[info.size - 1] != 0)
      return dataLossError(strCat(label, " does not end with a NUL"));
    view.strings_ = info.data;
    view.stringsSize_ = info.size;
  }
  struct {
    SectionKind kind;
    RecordTable ArtifactView::*table;
  } const recordSections[] = {
      {SectionKind::KernelObject, &ArtifactView::objects_},
      {SectionKind::KernelMetadata, &ArtifactView::kernels_},
      {SectionKind::Constants, &ArtifactView::constants_},
      {SectionKind::Schedule, &ArtifactView::commands_},
      {SectionKind::Signatures, &ArtifactView::entries_},
      {SectionKind::LibraryCalls, &ArtifactView::libraryCalls_},
      {SectionKind::ModelInfo, &ArtifactView::modelInfo_},
  };
  for (const auto &rs : recordSections) {
    int s = view.uniqueSection_[uint32_t(rs.kind)];
    if (s >= 0)
      SSMRT_RETURN_IF_ERROR(
          view.initRecordTable(view.sections_[s], view.*(rs.table)));
  }

  if (view.modelInfo_.section >= 0 && view.modelInfo_.count != 1)
    return dataLossError(strCat(
        sectionLabel(static_cast<uint32_t>(view.modelInfo_.section),
                     uint32_t(SectionKind::ModelInfo)),
        " holds ", view.modelInfo_.count, " records (exactly one expected)"));

  if (options.verifyContents)
    SSMRT_RETURN_IF_ERROR(view.validateContents());
  return view;
}

Status ArtifactView::initRecordTable(const SectionInfo &section,
                                     RecordTable &table) {
  const std::string label =
      sectionLabel(section.index, static_cast<uint32_t>(section.kind));
  if (section.size < sizeof(RecordSectionHeader))
    return dataLossError(
        strCat(label, " is ", section.size, " bytes, too small for its ",
               sizeof(RecordSectionHeader), "-byte record header"));
  RecordSectionHeader rh;
  std::memcpy(&rh, section.data, sizeof(rh));
  const uint32_t expected =
      recordSizeForKind(section.kind, header_.format_version);
  if (rh.record_size != expected)
    return dataLossError(strCat(label, ": record size ", rh.record_size,
                                ", expected ", expected));
  const uint64_t recordsSize = uint64_t(rh.record_count) * rh.record_size;
  if (!rangeFits(sizeof(RecordSectionHeader), recordsSize, section.size))
    return dataLossError(strCat(label, ": ", rh.record_count, " records of ",
                                rh.record_size, " bytes exceed the section (",
                                section.size, " bytes)"));
  if (rh.data_offset % kSectionAlignment != 0)
    return dataLossError(strCat(label, ": data area offset ",
                                Hex{rh.data_offset}, " is not ",
                                kSectionAlignment, "-byte aligned"));
  if (rh.data_offset < sizeof(RecordSectionHeader) + recordsSize)
    return dataLossError(strCat(label, ": data area offset ",
                                Hex{rh.data_offset},
                                " overlaps the record array"));
  if (rh.data_offset > section.size)
    return dataLossError(
        strCat(label, ": data area offset ", Hex{rh.data_offset},
               " is past the section end (", section.size, " bytes)"));
  table.section = static_cast<int>(section.index);
  table.count = rh.record_count;
  table.recordSize = rh.record_size;
  table.records = section.data + sizeof(RecordSectionHeader);
  table.dataArea = section.data + rh.data_offset;
  table.dataSize = section.size - rh.data_offset;
  return okStatus();
}

//===----------------------------------------------------------------------===//
// Low-level accessors
//===----------------------------------------------------------------------===//

std::string_view ArtifactView::compilerVersion() const {
  const char *v = header_.compiler_version;
  return std::string_view(
      v, static_cast<size_t>(std::find(v, v + kCompilerVersionSize, '\0') - v));
}

Expected<SectionInfo> ArtifactView::section(uint32_t index) const {
  if (index >= sections_.size())
    return outOfRangeError(strCat("section index ", index, " out of range (",
                                  sections_.size(), " sections)"));
  return sections_[index];
}

Expected<SectionInfo> ArtifactView::findSection(SectionKind kind) const {
  uint32_t k = static_cast<uint32_t>(kind);
  if (!isUniqueSectionKind(kind))
    return invalidArgumentError(
        strCat("findSection needs a unique section kind, got ", k));
  if (uniqueSection_[k] < 0)
    return notFoundError(
        strCat("artifact has no ", sectionKindName(kind), " section"));
  return sections_[uniqueSection_[k]];
}

Expected<std::string_view> ArtifactView::string(uint32_t offset) const {
  if (offset >= stringsSize_)
    return dataLossError(strCat("string offset ", offset,
                                " out of range (string table is ", stringsSize_,
                                " bytes)"));
  const char *begin = reinterpret_cast<const char *>(strings_) + offset;
  // The table ends with a NUL (checked in open), so this always finds one.
  const void *nul = std::memchr(begin, 0, stringsSize_ - offset);
  if (!nul)
    return dataLossError(
        strCat("string at offset ", offset, " is not NUL-terminated"));
  return std::string_view(
      begin, static_cast<size_t>(static_cast<const char *>(nul) - begin));
}

template <typename Record>
Status ArtifactView::readRecord(const RecordTable &table, SectionKind kind,
                                uint32_t index, Record &out) const {
  if (index >= table.count)
    return outOfRangeError(strCat(sectionKindName(kind), " index ", index,
                                  " out of range (", table.count, " records)"));
  // open() proved count * recordSize fits and recordSize is the version's
  // (an older, shorter record is a prefix: the rest reads as zero);
  // re-check so this accessor is safe on its own.
  uint64_t begin = uint64_t(index) * table.recordSize;
  if (table.recordSize == 0 || table.recordSize > sizeof(Record) ||
      !rangeFits(begin, table.recordSize,
                 uint64_t(table.count) * table.recordSize))
    return internalError(
        strCat(sectionKindName(kind), " record table is inconsistent"));
  out = Record{};
  std::memcpy(&out, table.records + begin, table.recordSize);
  return okStatus();
}

template <typename Item>
Status ArtifactView::readArray(const RecordTable &table, uint64_t offset,
                               uint64_t count, std::vector<Item> &out) const {
  uint64_t bytes;
  if (!mulFits(count, sizeof(Item), bytes) ||
      !rangeFits(offset, bytes, table.dataSize))
    return dataLossError(strCat(
        "array of ", count, " x ", sizeof(Item), " bytes at data offset ",
        Hex{offset}, " exceeds the data area (", table.dataSize, " bytes)"));
  if (offset % kArrayAlignment != 0)
    return dataLossError(strCat("array at data offset ", Hex{offset},
                                " is not ", kArrayAlignment, "-byte aligned"));
  out.resize(static_cast<size_t>(count));
  if (bytes != 0)
    std::memcpy(out.data(), table.dataArea + offset,
                static_cast<size_t>(bytes));
  return okStatus();
}

Status ArtifactView::readBlob(const RecordTable &table, uint64_t offset,
                              uint64_t size, const uint8_t *&out) const {
  if (!rangeFits(offset, size, table.dataSize))
    return dataLossError(strCat("data (offset ", Hex{offset}, ", size ", size,
                                ") exceeds the data area (", table.dataSize,
                                " bytes)"));
  if (offset % kSectionAlignment != 0)
    return dataLossError(strCat("data offset ", Hex{offset}, " is not ",
                                kSectionAlignment, "-byte aligned"));
  out = table.dataArea + offset;
  return okStatus();
}

//===----------------------------------------------------------------------===//
// Typed accessors
//===----------------------------------------------------------------------===//

Expected<KernelObject> ArtifactView::kernelObject(uint32_t index) const {
  KernelObjectRecord r;
  SSMRT_RETURN_IF_ERROR(
      readRecord(objects_, SectionKind::KernelObject, index, r));
  const std::string label = recordLabel(SectionKind::KernelObject, index);
  if (!isValidTargetKind(r.target))
    return dataLossError(strCat(label, ": unknown target ", r.target));
  if (!isValidBinaryFormat(r.format))
    return dataLossError(strCat(label, ": unknown binary format ", r.format));
  KernelObject obj;
  obj.index = index;
  obj.target = static_cast<TargetKind>(r.target);
  obj.format = static_cast<BinaryFormat>(r.format);
  if (!isFormatForTarget(obj.target, obj.format))
    return dataLossError(
        strCat(label, ": binary format ", binaryFormatName(obj.format),
               " is not valid for target ", targetKindName(obj.target)));
  if (r.flags != 0)
    return dataLossError(strCat(label, ": flags must be zero"));
  Expected<std::string_view> chip = string(r.chip);
  if (!chip.ok())
    return chip.status().withContext(strCat(label, " chip"));
  obj.chip = *chip;
  if (r.data_size == 0)
    return dataLossError(strCat(label, ": empty binary"));
  Status s = readBlob(objects_, r.data_offset, r.data_size, obj.data);
  if (!s.ok())
    return s.withContext(label);
  obj.size = r.data_size;
  return obj;
}

Expected<KernelInfo> ArtifactView::kernel(uint32_t index) const {
  KernelMetadataRecord r;
  SSMRT_RETURN_IF_ERROR(
      readRecord(kernels_, SectionKind::KernelMetadata, index, r));
  const std::string label = recordLabel(SectionKind::KernelMetadata, index);
  KernelInfo k;
  k.index = index;
  Expected<std::string_view> name = string(r.name);
  if (!name.ok())
    return name.status().withContext(strCat(label, " name"));
  if (name->empty())
    return dataLossError(strCat(label, ": empty kernel name"));
  k.name = *name;
  if (r.object_index >= objects_.count)
    return dataLossError(strCat(label, ": object index ", r.object_index,
                                " out of range (", objects_.count,
                                " kernel objects)"));
  k.objectIndex = r.object_index;
  for (int d = 0; d < 3; ++d) {
    if (r.block_dims[d] == 0)
      return dataLossError(strCat(label, ": block dimension ", d, " is 0"));
    k.blockDims[d] = r.block_dims[d];
  }
  k.dynamicSharedMemory = r.dynamic_shared_memory;
  if (r.reserved0 != 0 || r.reserved1 != 0)
    return dataLossError(strCat(label, ": reserved fields are not zero"));
  Status s = readArray(kernels_, r.args_offset, r.arg_count, k.args);
  if (!s.ok())
    return s.withContext(strCat(label, " args"));
  for (size_t i = 0; i < k.args.size(); ++i) {
    const KernelArgRecord &a = k.args[i];
    if (!isValidKernelArgKind(a.kind))
      return dataLossError(
          strCat(label, ": arg ", i, " has unknown kind ", a.kind));
    bool sizeOk =
        static_cast<KernelArgKind>(a.kind) == KernelArgKind::Buffer
            ? a.size == 8
            : (a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8);
    if (!sizeOk)
      return dataLossError(
          strCat(label, ": arg ", i, " (",
                 kernelArgKindName(static_cast<KernelArgKind>(a.kind)),
                 ") has invalid size ", a.size));
  }
  return k;
}

Expected<ConstantInfo> ArtifactView::constant(uint32_t index) const {
  ConstantRecord r;
  SSMRT_RETURN_IF_ERROR(
      readRecord(constants_, SectionKind::Constants, index, r));
  const std::string label = recordLabel(SectionKind::Constants, index);
  ConstantInfo c;
  c.index = index;
  Expected<std::string_view> name = string(r.name);
  if (!name.ok())
    return name.status().withContext(strCat(label, " name"));
  c.name = *name;
  if (r.reserved0 != 0 || r.reserved1 != 0)
    return dataLossError(strCat(label, ": reserved fields are not zero"));
  Status s = readBlob(constants_, r.data_offset, r.data_size, c.data);
  if (!s.ok())
    return s.withContext(label);
  c.size = r.data_size;
  return c;
}

Expected<TensorInfo>
ArtifactView::decodeTensor(const TensorDescRecord &r) const {
  TensorInfo t;
  Expected<std::string_view> name = string(r.name);
  if (!name.ok())
    return name.status().withContext("name");
  t.name = *name;
  if (!isValidDType(r.dtype))
    return dataLossError(strCat("unknown dtype ", r.dtype));
  t.dtype = static_cast<DType>(r.dtype);
  if (r.rank > kMaxRank)
    return dataLossError(
        strCat("rank ", r.rank, " exceeds the maximum of ", kMaxRank));
  t.rank = r.rank;
  if (r.reserved0 != 0)
    return dataLossError("reserved field is not zero");
  uint64_t elements = 1;
  for (uint32_t d = 0; d < kMaxRank; ++d) {
    int64_t dim = r.dims[d];
    if (d >= r.rank) {
      if (dim != 0)
        return dataLossError(
            strCat("dimension ", d, " is ", dim, " beyond rank ", r.rank));
      continue;
    }
    if (dim < 0)
      return dataLossError(strCat("dimension ", d, " is negative (", dim, ")"));
    if (!mulFits(elements, static_cast<uint64_t>(dim), elements))
      return dataLossError("element count overflows 64 bits");
    t.dims[d] = dim;
  }
  t.elementCount = elements;
  if (!mulFits(elements, dtypeSize(t.dtype), t.byteSize))
    return dataLossError("byte size overflows 64 bits");
  return t;
}

Expected<Command> ArtifactView::command(uint32_t index) const {
  ScheduleCommandRecord r;
  SSMRT_RETURN_IF_ERROR(readRecord(commands_, SectionKind::Schedule, index, r));
  const std::string label = strCat("Schedule command ", index);
  if (!isValidScheduleOp(r.opcode))
    return dataLossError(strCat(label, ": unknown opcode ", r.opcode));
  Command c;
  c.index = index;
  c.op = static_cast<ScheduleOp>(r.opcode);
  c.buffer = r.buffer;
  c.srcBuffer = r.src_buffer;
  c.operandIndex = r.index;
  c.bytes = r.bytes;
  c.dstOffset = r.dst_offset;
  c.srcOffset = r.src_offset;
  c.grid = {r.grid[0], r.grid[1], r.grid[2]};
  const std::string opLabel = strCat(label, " (", scheduleOpName(c.op), ")");

  // Fields each opcode uses; all others must be zero.
  enum : unsigned {
    kBuffer = 1u << 0,
    kSrcBuffer = 1u << 1,
    kIndex = 1u << 2,
    kBytes = 1u << 3,
    kDstOffset = 1u << 4,
    kSrcOffset = 1u << 5,
    kGrid = 1u << 6,
    kArgs = 1u << 7,
  };
  unsigned used = 0;
  switch (c.op) {
  case ScheduleOp::Alloc:
    used = kBuffer | kBytes;
    break;
  case ScheduleOp::UploadConstant:
    used = kBuffer | kIndex | kDstOffset;
    break;
  case ScheduleOp::Launch:
    used = kIndex | kGrid | kArgs;
    break;
  case ScheduleOp::Copy:
    used = kBuffer | kSrcBuffer | kBytes | kDstOffset | kSrcOffset;
    break;
  case ScheduleOp::Free:
    used = kBuffer;
    break;
  case ScheduleOp::Return:
  case ScheduleOp::BindInput:
  case ScheduleOp::BindConstant:
    used = kBuffer | kIndex;
    break;
  }
  struct {
    unsigned bit;
    bool nonZero;
    const char *name;
  } const fields[] = {
      {kBuffer, r.buffer != 0, "buffer"},
      {kSrcBuffer, r.src_buffer != 0, "src_buffer"},
      {kIndex, r.index != 0, "index"},
      {kBytes, r.bytes != 0, "bytes"},
      {kDstOffset, r.dst_offset != 0, "dst_offset"},
      {kSrcOffset, r.src_offset != 0, "src_offset"},
      {kGrid, r.grid[0] != 0 || r.grid[1] != 0 || r.grid[2] != 0, "grid"},
      {kArgs, r.args_count != 0 || r.args_offset != 0, "args"},
  };
  for (const auto &f : fields)
    if (!(used & f.bit) && f.nonZero)
      return dataLossError(
          strCat(opLabel, ": field ", f.name, " is unused and must be zero"));

  switch (c.op) {
  case ScheduleOp::UploadConstant:
  case ScheduleOp::BindConstant:
    if (r.index >= constants_.count)
      return dataLossError(strCat(opLabel, ": constant index ", r.index,
                                  " out of range (", constants_.count,
                                  " constants)"));
    break;
  case ScheduleOp::Launch: {
    if (r.index >= kernels_.count)
      return dataLossError(strCat(opLabel, ": kernel index ", r.index,
                                  " out of range (", kernels_.count,
                                  " kernels)"));
    for (int d = 0; d < 3; ++d)
      if (r.grid[d] == 0)
        return dataLossError(strCat(opLabel, ": grid dimension ", d, " is 0"));
    Expected<KernelInfo> k = kernel(r.index);
    if (!k.ok())
      return k.status().withContext(opLabel);
    if (r.args_count != k->args.size())
      return dataLossError(strCat(opLabel, ": ", r.args_count,
                                  " arguments for kernel '", k->name,
                                  "' which takes ", k->args.size()));
    Status s = readArray(commands_, r.args_offset, r.args_count, c.args);
    if (!s.ok())
      return s.withContext(strCat(opLabel, " args"));
    for (size_t i = 0; i < c.args.size(); ++i) {
      const LaunchArgRecord &a = c.args[i];
      const KernelArgRecord &expected = k->args[i];
      if (a.kind != expected.kind)
        return dataLossError(strCat(
            opLabel, ": arg ", i, " kind ", a.kind, " does not match kernel '",
            k->name, "' (",
            kernelArgKindName(static_cast<KernelArgKind>(expected.kind)), ")"));
      if (static_cast<KernelArgKind>(a.kind) == KernelArgKind::Scalar) {
        if (a.buffer != 0)
          return dataLossError(
              strCat(opLabel, ": scalar arg ", i, " has a buffer id"));
        if (expected.size < 8 && (a.value >> (expected.size * 8)) != 0)
          return dataLossError(strCat(opLabel, ": scalar arg ", i,
                                      " does not fit in ", expected.size,
                                      " bytes"));
      }
    }
    break;
  }
  default:
    break;
  }
  return c;
}

Expected<EntryInfo> ArtifactView::entry(uint32_t index) const {
  EntrySignatureRecord r;
  SSMRT_RETURN_IF_ERROR(
      readRecord(entries_, SectionKind::Signatures, index, r));
  const std::string label = recordLabel(SectionKind::Signatures, index);
  EntryInfo e;
  e.index = index;
  Expected<std::string_view> name = string(r.name);
  if (!name.ok())
    return name.status().withContext(strCat(label, " name"));
  if (name->empty())
    return dataLossError(strCat(label, ": empty entry name"));
  e.name = *name;
  if (r.reserved0 != 0)
    return dataLossError(strCat(label, ": reserved field is not zero"));

  struct {
    const char *what;
    uint64_t offset;
    uint32_t count;
    std::vector<TensorInfo> *out;
  } const lists[] = {
      {"input", r.inputs_offset, r.input_count, &e.inputs},
      {"output", r.outputs_offset, r.output_count, &e.outputs},
  };
  for (const auto &list : lists) {
    std::vector<TensorDescRecord> descs;
    Status s = readArray(entries_, list.offset, list.count, descs);
    if (!s.ok())
      return s.withContext(strCat(label, " ", list.what, "s"));
    list.out->reserve(descs.size());
    for (size_t i = 0; i < descs.size(); ++i) {
      Expected<TensorInfo> t = decodeTensor(descs[i]);
      if (!t.ok())
        return t.status().withContext(strCat(label, " ", list.what, " ", i));
      list.out->push_back(*t);
    }
  }

  if (!rangeFits(r.first_command, r.command_count, commands_.count))
    return dataLossError(strCat(label, ": commands [", r.first_command, ", +",
                                r.command_count, ") out of range (",
                                commands_.count, " commands)"));
  e.firstCommand = r.first_command;
  e.commandCount = r.command_count;
  // The executor sizes its per-buffer tables by bufferCount, so it must come
  // from the ids the commands actually use, never from the declared field: a
  // hostile buffer_count of 2^32 would otherwise allocate gigabytes.
  uint32_t usedBufferCount = 0;
  for (uint32_t i = 0; i < r.command_count; ++i) {
    Expected<Command> c = command(r.first_command + i);
    if (!c.ok())
      return c.status().withContext(strCat("entry '", e.name, "'"));
    const std::string where = strCat("entry '", e.name, "' command ", c->index,
                                     " (", scheduleOpName(c->op), ")");
    auto checkBuffer = [&](uint32_t id) -> Status {
      if (id >= r.buffer_count)
        return dataLossError(strCat(where, ": buffer id ", id,
                                    " out of range (buffer_count ",
                                    r.buffer_count, ")"));
      usedBufferCount = std::max(usedBufferCount, id + 1);
      return okStatus();
    };
    switch (c->op) {
    case ScheduleOp::Copy:
      SSMRT_RETURN_IF_ERROR(checkBuffer(c->srcBuffer));
      SSMRT_RETURN_IF_ERROR(checkBuffer(c->buffer));
      break;
    case ScheduleOp::Launch:
      for (const LaunchArgRecord &a : c->args)
        if (static_cast<KernelArgKind>(a.kind) == KernelArgKind::Buffer)
          SSMRT_RETURN_IF_ERROR(checkBuffer(a.buffer));
      break;
    case ScheduleOp::BindInput:
      SSMRT_RETURN_IF_ERROR(checkBuffer(c->buffer));
      if (c->operandIndex >= e.inputs.size())
        return dataLossError(strCat(where, ": input index ", c->operandIndex,
                                    " out of range (", e.inputs.size(),
                                    " inputs)"));
      break;
    case ScheduleOp::Return:
      SSMRT_RETURN_IF_ERROR(checkBuffer(c->buffer));
      if (c->operandIndex >= e.outputs.size())
        return dataLossError(strCat(where, ": output index ", c->operandIndex,
                                    " out of range (", e.outputs.size(),
                                    " outputs)"));
      break;
    default:
      SSMRT_RETURN_IF_ERROR(checkBuffer(c->buffer));
      break;
    }
  }
  e.bufferCount = usedBufferCount;
  return e;
}

Expected<LibraryCallInfo> ArtifactView::libraryCall(uint32_t index) const {
  LibraryCallRecord r;
  SSMRT_RETURN_IF_ERROR(
      readRecord(libraryCalls_, SectionKind::LibraryCalls, index, r));
  const std::string label = recordLabel(SectionKind::LibraryCalls, index);
  auto bad = [&](std::string_view what) {
    return dataLossError(strCat(label, ": ", what));
  };
  if (!isValidLibraryOp(r.op))
    return bad(strCat("unknown op ", r.op));
  if (r.reserved0 != 0)
    return bad("reserved field is not zero");
  LibraryCallInfo c;
  c.index = index;
  c.op = static_cast<LibraryOp>(r.op);
  c.command = r.command;
  if (r.command >= commands_.count)
    return bad(strCat("command ", r.command, " out of range (",
                      commands_.count, " commands)"));
  SSMRT_ASSIGN_OR_RETURN(Command launch, command(r.command));
  if (launch.op != ScheduleOp::Launch)
    return bad(strCat("command ", r.command, " is not a Launch"));
  if (!isValidGemmBias(r.bias))
    return bad(strCat("unknown bias kind ", r.bias));
  if (!isValidGemmActivation(r.activation))
    return bad(strCat("unknown activation ", r.activation));
  c.bias = static_cast<GemmBias>(r.bias);
  c.activation = static_cast<GemmActivation>(r.activation);
  const bool hasBias = c.bias != GemmBias::None;
  // Operands: distinct Buffer arguments of the launch.
  auto arg = [&](uint32_t position, const char *name) -> Status {
    if (position >= launch.args.size())
      return bad(strCat(name, " argument ", position, " out of range (",
                        launch.args.size(), " launch arguments)"));
    if (static_cast<KernelArgKind>(launch.args[position].kind) !=
        KernelArgKind::Buffer)
      return bad(strCat(name, " argument ", position, " is not a buffer"));
    return okStatus();
  };
  SSMRT_RETURN_IF_ERROR(arg(r.a_arg, "A"));
  SSMRT_RETURN_IF_ERROR(arg(r.b_arg, "B"));
  SSMRT_RETURN_IF_ERROR(arg(r.c_arg, "C"));
  if (hasBias)
    SSMRT_RETURN_IF_ERROR(arg(r.bias_arg, "bias"));
  else if (r.bias_arg != 0 || r.bias_dtype != 0)
    return bad("bias argument and dtype must be 0 without a bias");
  if (r.c_arg == r.a_arg || r.c_arg == r.b_arg ||
      (hasBias && r.c_arg == r.bias_arg))
    return bad("C is also an input argument");
  auto inputType = [](uint32_t t) {
    return t == uint32_t(DType::F32) || t == uint32_t(DType::BF16) ||
           t == uint32_t(DType::F16);
  };
  if (!inputType(r.a_dtype) || !inputType(r.b_dtype))
    return bad(strCat("unsupported A / B dtype ", r.a_dtype, " / ",
                      r.b_dtype, " (f32, bf16, f16)"));
  // A 16-bit C (v6): the f32 result rounded as it is stored, from inputs of
  // that type (a 16-bit model's GEMM).
  const bool c16 =
      (r.c_dtype == uint32_t(DType::BF16) || r.c_dtype == uint32_t(DType::F16)) &&
      formatVersion() >= kGemm16BitOutputFormatVersion;
  if (r.c_dtype != uint32_t(DType::F32) && !c16)
    return bad(strCat("unsupported C dtype ", r.c_dtype,
                      formatVersion() >= kGemm16BitOutputFormatVersion
                          ? " (f32, bf16, f16)"
                          : " (f32)"));
  if (c16 && (r.a_dtype != r.c_dtype || r.b_dtype != r.c_dtype))
    return bad(strCat("a 16-bit C dtype ", r.c_dtype,
                      " needs A and B of that type, got ", r.a_dtype, " / ",
                      r.b_dtype));
  if (hasBias && !inputType(r.bias_dtype))
    return bad(strCat("unsupported bias dtype ", r.bias_dtype));
  c.aArg = r.a_arg;
  c.bArg = r.b_arg;
  c.cArg = r.c_arg;
  c.biasArg = r.bias_arg;
  c.aType = static_cast<DType>(r.a_dtype);
  c.bType = static_cast<DType>(r.b_dtype);
  c.cType = static_cast<DType>(r.c_dtype);
  c.biasType = hasBias ? static_cast<DType>(r.bias_dtype) : DType::F32;
  constexpr uint64_t kMaxDim = (uint64_t(1) << 31) - 1;
  const uint64_t dims[4] = {r.m, r.n, r.k, r.batch};
  for (uint64_t d : dims)
    if (d == 0 || d > kMaxDim)
      return bad(strCat("m, n, k and batch must be in [1, 2^31), got ", r.m,
                        ", ", r.n, ", ", r.k, ", ", r.batch));
  c.m = r.m;
  c.n = r.n;
  c.k = r.k;
  c.batch = r.batch;
  // One matrix layout: a unit stride, the other covering the contiguous
  // extent (no two elements of one matrix share memory); a result's batch
  // stride past one matrix (an input's any). Extents in bytes (the last
  // batch's matrix included), overflow-checked.
  auto layout = [&](const char *name, uint64_t rows, uint64_t cols,
                    const uint64_t *st, DType type, bool output,
                    std::array<uint64_t, 3> &strides,
                    uint64_t &bytes) -> Status {
    const uint64_t rs = st[0], cs = st[1], bs = st[2];
    const bool rowMajor = cs == 1 && (rows == 1 || rs >= cols);
    const bool colMajor = rs == 1 && (cols == 1 || cs >= rows);
    if (!rowMajor && !colMajor)
      return bad(strCat(name, " strides (", rs, ", ", cs,
                        ") are neither row- nor column-major for ", rows, "x",
                        cols));
    uint64_t lastRow, lastCol, span;
    if (!mulFits(rows - 1, rs, lastRow) || !mulFits(cols - 1, cs, lastCol) ||
        lastRow > UINT64_MAX - lastCol - 1)
      return bad(strCat(name, " extent overflows"));
    span = lastRow + lastCol + 1;
    if (r.batch > 1) {
      // Inputs are only read: their batches may share memory (stride 0: one
      // matrix for all; shorter than a matrix: padded extents running into
      // the next batch). A result's never do.
      if (output && bs < span)
        return bad(strCat(name, " batch stride ", bs,
                          " overlaps its matrices (span ", span, ")"));
    } else if (bs != 0) {
      return bad(strCat(name, " batch stride must be 0 with batch 1"));
    }
    uint64_t lastBatch, elements;
    if (!mulFits(r.batch - 1, bs, lastBatch) ||
        lastBatch > UINT64_MAX - span ||
        !mulFits(lastBatch + span, dtypeSize(type), elements) ||
        elements > (uint64_t(1) << 62))
      return bad(strCat(name, " extent overflows"));
    strides = {rs, cs, bs};
    bytes = elements;
    return okStatus();
  };
  SSMRT_RETURN_IF_ERROR(layout("A", r.m, r.k, r.a_strides, c.aType, false,
                               c.aStrides, c.aBytes));
  SSMRT_RETURN_IF_ERROR(layout("B", r.k, r.n, r.b_strides, c.bType, false,
                               c.bStrides, c.bBytes));
  SSMRT_RETURN_IF_ERROR(layout("C", r.m, r.n, r.c_strides, c.cType, true,
                               c.cStrides, c.cBytes));
  if (hasBias &&
      !mulFits(c.bias == GemmBias::AlongM ? r.m : r.n, dtypeSize(c.biasType),
               c.biasBytes))
    return bad("bias extent overflows");
  // Operand offsets (v7): in bytes, with offset + extent representable (the
  // executor checks both against the buffer before any call).
  if (!hasBias && r.bias_offset != 0)
    return bad("bias offset must be 0 without a bias");
  auto offset = [&](const char *name, uint64_t elements, DType type,
                    uint64_t extent, uint64_t &bytes) -> Status {
    if (!mulFits(elements, dtypeSize(type), bytes) ||
        bytes > UINT64_MAX - extent || bytes + extent > (uint64_t(1) << 62))
      return bad(strCat(name, " offset ", elements, " overflows"));
    return okStatus();
  };
  SSMRT_RETURN_IF_ERROR(offset("A", r.a_offset, c.aType, c.aBytes, c.aOffset));
  SSMRT_RETURN_IF_ERROR(offset("B", r.b_offset, c.bType, c.bBytes, c.bOffset));
  SSMRT_RETURN_IF_ERROR(offset("C", r.c_offset, c.cType, c.cBytes, c.cOffset));
  SSMRT_RETURN_IF_ERROR(offset("bias", r.bias_offset, c.biasType, c.biasBytes,
                               c.biasOffset));
  return c;
}

Expected<uint32_t> ArtifactView::findEntry(std::string_view name) const {
  for (uint32_t i = 0; i < entries_.count; ++i) {
    EntrySignatureRecord r;
    SSMRT_RETURN_IF_ERROR(readRecord(entries_, SectionKind::Signatures, i, r));
    Expected<std::string_view> entryName = string(r.name);
    if (!entryName.ok())
      return entryName.status().withContext(
          strCat(recordLabel(SectionKind::Signatures, i), " name"));
    if (*entryName == name)
      return i;
  }
  return notFoundError(strCat("no entry named '", name, "'"));
}

Status ArtifactView::validateContents() const {
  for (uint32_t i = 0; i < kernelObjectCount(); ++i)
    SSMRT_RETURN_IF_ERROR(kernelObject(i).status());
  for (uint32_t i = 0; i < kernelCount(); ++i)
    SSMRT_RETURN_IF_ERROR(kernel(i).status());
  for (uint32_t i = 0; i < constantCount(); ++i)
    SSMRT_RETURN_IF_ERROR(constant(i).status());
  for (uint32_t i = 0; i < commandCount(); ++i)
    SSMRT_RETURN_IF_ERROR(command(i).status());
  std::unordered_set<uint32_t> replaced;
  for (uint32_t i = 0; i < libraryCallCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(LibraryCallInfo c, libraryCall(i));
    if (!replaced.insert(c.command).second)
      return dataLossError(strCat(recordLabel(SectionKind::LibraryCalls, i),
                                  ": a second library call for command ",
                                  c.command));
  }
  if (hasModelInfo())
    SSMRT_RETURN_IF_ERROR(modelInfo().status());
  std::unordered_set<std::string_view> names;
  for (uint32_t i = 0; i < entryCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(EntryInfo e, entry(i));
    if (!names.insert(e.name).second)
      return dataLossError(strCat(recordLabel(SectionKind::Signatures, i),
                                  ": duplicate entry name '", e.name, "'"));
  }
  return okStatus();
}

Expected<ModelInfo> ArtifactView::modelInfo() const {
  if (!hasModelInfo())
    return notFoundError("artifact has no ModelInfo section");
  ModelInfoRecord r;
  SSMRT_RETURN_IF_ERROR(readRecord(modelInfo_, SectionKind::ModelInfo, 0, r));
  const std::string label = recordLabel(SectionKind::ModelInfo, 0);
  ModelInfo info;
  Expected<std::string_view> name = string(r.name);
  if (!name.ok())
    return name.status().withContext(strCat(label, " name"));
  if (name->empty())
    return dataLossError(strCat(label, ": empty model name"));
  info.name = *name;
  Expected<std::string_view> family = string(r.family);
  if (!family.ok())
    return family.status().withContext(strCat(label, " family"));
  info.family = *family;
  if ((r.flags & ~kModelInfoKnownFlags) != 0)
    return dataLossError(strCat(label, ": unknown flags ", Hex{r.flags}));
  if (r.reserved0 != 0)
    return dataLossError(strCat(label, ": reserved field is not zero"));
  info.hasPreprocessing = (r.flags & kModelInfoHasPreprocessing) != 0;
  if (info.hasPreprocessing) {
    constexpr uint32_t kMaxSide = 65536;
    if (r.crop < 1 || r.crop > kMaxSide)
      return dataLossError(
          strCat(label, ": crop ", r.crop, " is not in [1, ", kMaxSide, "]"));
    if (r.resize < r.crop || r.resize > kMaxSide)
      return dataLossError(strCat(label, ": resize ", r.resize,
                                  " is not in [crop = ", r.crop, ", ", kMaxSide,
                                  "]"));
    if (!isValidResizeFilter(r.resize_filter))
      return dataLossError(
          strCat(label, ": unknown resize filter ", r.resize_filter));
    for (int c = 0; c < 3; ++c) {
      // Finite: the exponent bits are not all ones (no NaN, no infinity).
      uint32_t meanBits, stdBits;
      std::memcpy(&meanBits, &r.mean[c], 4);
      std::memcpy(&stdBits, &r.std[c], 4);
      if ((meanBits & 0x7F800000u) == 0x7F800000u)
        return dataLossError(strCat(label, ": mean[", c, "] is not finite"));
      if ((stdBits & 0x7F800000u) == 0x7F800000u || !(r.std[c] > 0.0f))
        return dataLossError(
            strCat(label, ": std[", c, "] is not a finite positive number"));
    }
    info.resize = r.resize;
    info.crop = r.crop;
    info.resizeFilter = static_cast<ResizeFilter>(r.resize_filter);
    std::memcpy(info.mean.data(), r.mean, sizeof(r.mean));
    std::memcpy(info.std.data(), r.std, sizeof(r.std));
  } else {
    if (r.resize != 0 || r.crop != 0 || r.resize_filter != 0 ||
        !allZero(r.mean, sizeof(r.mean)) || !allZero(r.std, sizeof(r.std)))
      return dataLossError(strCat(label, ": preprocessing fields are set "
                                         "without the preprocessing flag"));
  }
  if (r.property_count == 0 && r.properties_offset != 0)
    return dataLossError(
        strCat(label, ": properties offset set with no properties"));
  std::vector<ModelPropertyRecord> properties;
  Status read =
      readArray(modelInfo_, r.properties_offset, r.property_count, properties);
  if (!read.ok())
    return read.withContext(strCat(label, " properties"));
  std::unordered_set<std::string_view> keys;
  for (size_t i = 0; i < properties.size(); ++i) {
    Expected<std::string_view> key = string(properties[i].key);
    if (!key.ok())
      return key.status().withContext(strCat(label, " property ", i, " key"));
    if (key->empty())
      return dataLossError(strCat(label, ": property ", i, " has no key"));
    if (!keys.insert(*key).second)
      return dataLossError(strCat(label, ": duplicate property '", *key, "'"));
    Expected<std::string_view> value = string(properties[i].value);
    if (!value.ok())
      return value.status().withContext(
          strCat(label, " property '", *key, "' value"));
    info.properties.emplace_back(*key, *value);
  }
  return info;
}

//===----------------------------------------------------------------------===//
// ArtifactFile
//===----------------------------------------------------------------------===//

Expected<ArtifactFile> ArtifactFile::openPath(const std::string &path,
                                              const OpenOptions &options) {
  SSMRT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::openReadOnly(path));
  Expected<ArtifactView> view =
      ArtifactView::open(file.data(), file.size(), options);
  if (!view.ok())
    return view.status().withContext(strCat("'", path, "'"));
  return ArtifactFile(std::move(file), *view);
}

} // namespace ssmrt::format
