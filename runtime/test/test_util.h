//===- test_util.h - Helpers for the ssmrt tests ----------------*- C++ -*-===//
//
// Part of the ssmc project. Builds sample artifacts and edits artifact bytes
// in place (with checksums recomputed, so validation reaches deeper checks).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_TEST_TEST_UTIL_H
#define SSMRT_TEST_TEST_UTIL_H

#include "ssmrt/format/artifact.h"
#include "ssmrt/format/reader.h"
#include "ssmrt/status.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ssmrt::test {

using Bytes = std::vector<uint8_t>;

/// A complete module: 2 kernel objects (ptx, cubin), 3 kernels, 2 constants,
/// 2 entries with schedules, a Debug section. Aborts the test on failure.
Bytes buildSampleModule();

/// Deterministic pseudo-random bytes.
Bytes randomBytes(std::mt19937 &rng, size_t size);

format::FileHeader readHeader(const Bytes &bytes);
void writeHeader(Bytes &bytes, const format::FileHeader &header);
format::SectionEntry readEntry(const Bytes &bytes, uint32_t index);
void writeEntry(Bytes &bytes, uint32_t index, const format::SectionEntry &e);

/// Table index of the first section of `kind`, or -1.
int findSectionIndex(const Bytes &bytes, format::SectionKind kind);

/// Recomputes every section checksum (for entries that are in bounds), the
/// table checksum and the header checksum. Tolerates corrupt layouts.
void refreshChecksums(Bytes &bytes);

/// File offset of the data area of the (first) section of `kind`.
uint64_t dataAreaOffset(const Bytes &bytes, format::SectionKind kind);

/// Opens with default options (full validation).
Expected<format::ArtifactView> openBytes(const Bytes &bytes,
                                         format::OpenOptions options = {});

template <typename T> T readAt(const Bytes &bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}
template <typename T>
void writeAt(Bytes &bytes, uint64_t offset, const T &value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

/// Edits record `index` of the section of `kind`, then refreshes checksums.
template <typename Record>
void patchRecord(Bytes &bytes, format::SectionKind kind, uint32_t index,
                 const std::function<void(Record &)> &edit) {
  int s = findSectionIndex(bytes, kind);
  format::SectionEntry e = readEntry(bytes, static_cast<uint32_t>(s));
  uint64_t at = e.offset + sizeof(format::RecordSectionHeader) +
                uint64_t(index) * sizeof(Record);
  Record r = readAt<Record>(bytes, at);
  edit(r);
  writeAt(bytes, at, r);
  refreshChecksums(bytes);
}

/// Edits an item at data-area offset `offset` of the section of `kind`, then
/// refreshes checksums.
template <typename Item>
void patchData(Bytes &bytes, format::SectionKind kind, uint64_t offset,
               const std::function<void(Item &)> &edit) {
  uint64_t at = dataAreaOffset(bytes, kind) + offset;
  Item item = readAt<Item>(bytes, at);
  edit(item);
  writeAt(bytes, at, item);
  refreshChecksums(bytes);
}

/// Reads record `index` of the section of `kind`.
template <typename Record>
Record getRecord(const Bytes &bytes, format::SectionKind kind, uint32_t index) {
  int s = findSectionIndex(bytes, kind);
  format::SectionEntry e = readEntry(bytes, static_cast<uint32_t>(s));
  return readAt<Record>(bytes, e.offset + sizeof(format::RecordSectionHeader) +
                                   uint64_t(index) * sizeof(Record));
}

/// Every accessor of a view, all of which must succeed on a view that open()
/// validated; returns the first failure.
Status exerciseAllAccessors(const format::ArtifactView &view);

} // namespace ssmrt::test

#endif // SSMRT_TEST_TEST_UTIL_H
