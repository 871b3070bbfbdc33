//===- corruption_test.cpp - Damaged artifacts fail cleanly --------------===//
//
// Part of the ssmc project. Truncations, bit flips and hand-made layout
// errors must give a clear error, never a crash or an out-of-bounds read (run
// under SSMRT_SANITIZE=ON to have ASan/UBSan check the latter).
//
//===----------------------------------------------------------------------===//

#include "ssmrt/format/reader.h"
#include "ssmrt/format/writer.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using test::Bytes;

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

#define EXPECT_OPEN_FAILS(bytes, expectedCode, substring)                      \
  do {                                                                         \
    Expected<ArtifactView> view_ = test::openBytes(bytes);                     \
    ASSERT_FALSE(view_.ok()) << "opened although corrupt";                     \
    EXPECT_EQ(view_.status().code(), expectedCode)                             \
        << view_.status().toString();                                          \
    EXPECT_TRUE(contains(view_.status().message(), substring))                 \
        << "message '" << view_.status().message() << "' lacks '"              \
        << (substring) << "'";                                                 \
  } while (false)

class CorruptionTest : public ::testing::Test {
protected:
  void SetUp() override {
    bytes = test::buildSampleModule();
    ASSERT_FALSE(bytes.empty());
    ASSERT_TRUE(test::openBytes(bytes).ok());
  }
  Bytes bytes;
};

TEST_F(CorruptionTest, TruncatedAtEveryByte) {
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Expected<ArtifactView> v = ArtifactView::open(bytes.data(), cut);
    ASSERT_FALSE(v.ok()) << "cut at " << cut;
    ASSERT_EQ(v.status().code(), StatusCode::DataLoss) << cut;
    std::string expected =
        cut < kFileHeaderSize
            ? "truncated: file is " + std::to_string(cut) +
                  " bytes, smaller than the 128-byte .ssmb header"
            : "truncated: file is " + std::to_string(cut) +
                  " bytes, header says " + std::to_string(bytes.size());
    ASSERT_EQ(v.status().message(), expected);
  }
  // A zero-length buffer with a null pointer is just "truncated".
  EXPECT_EQ(ArtifactView::open(nullptr, 0).status().code(),
            StatusCode::DataLoss);
}

TEST_F(CorruptionTest, TruncatedCopiesUnderAsan) {
  // Exact-size heap copies, so ASan flags any read past the cut.
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[cut ? cut : 1]);
    std::memcpy(copy.get(), bytes.data(), cut);
    ASSERT_FALSE(ArtifactView::open(copy.get(), cut).ok()) << cut;
    OpenOptions lax;
    lax.verifyChecksums = false;
    ASSERT_FALSE(ArtifactView::open(copy.get(), cut, lax).ok()) << cut;
  }
}

TEST_F(CorruptionTest, TrailingBytes) {
  bytes.push_back(0);
  EXPECT_OPEN_FAILS(bytes, StatusCode::DataLoss,
                    "size mismatch: file is " + std::to_string(bytes.size()) +
                        " bytes, header says " +
                        std::to_string(bytes.size() - 1));
}

/// Which part of the file a byte belongs to, and what the error must say.
std::string expectedErrorFor(const Bytes &bytes, size_t pos) {
  FileHeader h = test::readHeader(bytes);
  if (pos < kFileHeaderSize)
    return "<header>";
  uint64_t tableEnd =
      h.section_table_offset + uint64_t(h.section_count) * kSectionEntrySize;
  if (pos >= h.section_table_offset && pos < tableEnd)
    return "section table checksum mismatch";
  for (uint32_t i = 0; i < h.section_count; ++i) {
    SectionEntry e = test::readEntry(bytes, i);
    if (pos >= e.offset && pos < e.offset + e.size)
      return "section " + std::to_string(i) + " (" +
             sectionKindName(static_cast<SectionKind>(e.kind)) +
             ") checksum mismatch";
  }
  return "non-zero padding byte at offset";
}

TEST_F(CorruptionTest, FlipEveryByteIsDetectedAndNamed) {
  size_t padding = 0, sectionBytes = 0;
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    std::string expected = expectedErrorFor(bytes, pos);
    padding += expected == "non-zero padding byte at offset";
    sectionBytes += contains(expected, ") checksum mismatch");
    for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
      Bytes copy = bytes;
      copy[pos] ^= mask;
      Expected<ArtifactView> v = test::openBytes(copy);
      ASSERT_FALSE(v.ok()) << "flip " << int(mask) << " at " << pos
                           << " went undetected";
      const std::string &m = v.status().message();
      if (expected == "<header>") {
        bool named = contains(m, "header checksum mismatch") ||
                     contains(m, "bad magic") ||
                     contains(m, "unsupported .ssmb format version") ||
                     contains(m, "bad header_size");
        ASSERT_TRUE(named) << "byte " << pos << ": " << m;
      } else {
        ASSERT_TRUE(contains(m, expected))
            << "byte " << pos << ": '" << m << "' should contain '" << expected
            << "'";
      }
    }
  }
  // The sample must actually exercise padding and every section.
  EXPECT_GT(padding, 100u);
  EXPECT_GT(sectionBytes, 3000u);
}

TEST_F(CorruptionTest, FlipEveryByteWithoutChecksumsNeverCrashes) {
  // With checksums off, the structural validators see the damage directly.
  OpenOptions lax;
  lax.verifyChecksums = false;
  size_t rejected = 0;
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    for (uint8_t mask : {uint8_t(0x01), uint8_t(0x10), uint8_t(0xFF)}) {
      Bytes copy = bytes;
      copy[pos] ^= mask;
      Expected<ArtifactView> v = test::openBytes(copy, lax);
      if (!v.ok()) {
        ++rejected;
        continue;
      }
      Status s = test::exerciseAllAccessors(*v);
      ASSERT_TRUE(s.ok()) << "byte " << pos << " mask " << int(mask)
                          << ": open() accepted but an accessor failed: "
                          << s.toString();
    }
  }
  EXPECT_GT(rejected, 1000u);
}

TEST_F(CorruptionTest, RandomMutationsWithValidChecksums) {
  // Mutate record/table bytes and re-checksum, so only the structural and
  // record validators stand between the damage and the accessors.
  std::mt19937 rng(2024);
  FileHeader h = test::readHeader(bytes);
  uint64_t tableBegin = h.section_table_offset;
  std::uniform_int_distribution<size_t> anyPos(tableBegin, bytes.size() - 1);
  std::uniform_int_distribution<int> byteValue(0, 255);
  std::uniform_int_distribution<int> howMany(1, 4);
  size_t accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    Bytes copy = bytes;
    int n = howMany(rng);
    for (int k = 0; k < n; ++k) {
      size_t pos = anyPos(rng);
      // Half the time, write an "interesting" value.
      static const uint8_t kInteresting[] = {0x00, 0xFF, 0x7F, 0x80, 0x01,
                                             0x40, 0x3F, 0x09, 0x08};
      copy[pos] =
          (iter & 1)
              ? kInteresting[size_t(byteValue(rng)) % sizeof(kInteresting)]
              : static_cast<uint8_t>(byteValue(rng));
    }
    test::refreshChecksums(copy);
    Expected<ArtifactView> v = test::openBytes(copy);
    if (!v.ok()) {
      ASSERT_NE(v.status().code(), StatusCode::Internal)
          << v.status().toString();
      continue;
    }
    ++accepted;
    Status s = test::exerciseAllAccessors(*v);
    ASSERT_TRUE(s.ok()) << "iteration " << iter << ": " << s.toString();
  }
  // Payload bytes (constants, binaries) are opaque, so some mutations are
  // legitimately accepted.
  EXPECT_GT(accepted, 0u);
}

TEST_F(CorruptionTest, WrongMagic) {
  Bytes copy = bytes;
  copy[3] = 'X';
  EXPECT_OPEN_FAILS(copy, StatusCode::InvalidArgument,
                    "not a .ssmb artifact: bad magic \"SSMX\\x00\\x0d\\x0a"
                    "\\x1a\"");
  const Bytes elf = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
  EXPECT_OPEN_FAILS(elf, StatusCode::InvalidArgument, "bad magic");
  // CR/LF translation (text-mode transfer) breaks the magic.
  Bytes crlf = bytes;
  crlf.insert(crlf.begin() + 6, '\r');
  EXPECT_OPEN_FAILS(crlf, StatusCode::InvalidArgument, "bad magic");
}

TEST_F(CorruptionTest, WrongVersion) {
  for (uint32_t version :
       {0u, 1u, kMinFormatVersion - 1, kFormatVersion + 1, 0xFFFFFFFFu}) {
    Bytes copy = bytes;
    FileHeader h = test::readHeader(copy);
    h.format_version = version;
    test::writeHeader(copy, h);
    test::refreshChecksums(copy);
    Expected<ArtifactView> v = test::openBytes(copy);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), StatusCode::FailedPrecondition);
    EXPECT_TRUE(contains(v.status().message(),
                         "unsupported .ssmb format version " +
                             std::to_string(version) +
                             " (this runtime reads versions " +
                             std::to_string(kMinFormatVersion) + " to " +
                             std::to_string(kFormatVersion)))
        << v.status().message();
  }
}

/// Applies `edit` to the header, refreshes checksums, expects a DataLoss
/// error containing `substring`.
void expectHeaderEditFails(Bytes bytes,
                           const std::function<void(FileHeader &)> &edit,
                           const std::string &substring) {
  FileHeader h = test::readHeader(bytes);
  edit(h);
  test::writeHeader(bytes, h);
  test::refreshChecksums(bytes);
  EXPECT_OPEN_FAILS(bytes, StatusCode::DataLoss, substring);
}

TEST_F(CorruptionTest, HeaderFields) {
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.header_size = 64; },
      "bad header_size 64 (expected 128)");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.flags = 1; }, "unknown header flags 0x1");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { std::memset(h.compiler_version, 'v', 32); },
      "compiler_version is not NUL-terminated");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.compiler_version[30] = 'x'; },
      "compiler_version is not NUL-padded");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.reserved[39] = 1; },
      "reserved header fields are not zero");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.section_entry_size = 72; },
      "bad section_entry_size 72");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.file_size += 64; }, "truncated");
}

TEST_F(CorruptionTest, SectionTableBounds) {
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.section_table_offset = 0; },
      "section table offset 0x0 overlaps the file header");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.section_table_offset = 100; },
      "is not 64-byte aligned");
  expectHeaderEditFails(
      bytes,
      [](FileHeader &h) { h.section_table_offset = 0xFFFFFFFFFFFFFFC0ull; },
      "section table (offset 0xffffffffffffffc0, 8 entries) extends past the "
      "end of the file");
  expectHeaderEditFails(
      bytes, [](FileHeader &h) { h.section_count = 0xFFFFFFFFu; },
      "extends past the end of the file");
}

/// Applies `edit` to section entry `index`, refreshes checksums, expects a
/// DataLoss error containing `substring`.
void expectEntryEditFails(Bytes bytes, uint32_t index,
                          const std::function<void(SectionEntry &)> &edit,
                          const std::string &substring) {
  SectionEntry e = test::readEntry(bytes, index);
  edit(e);
  test::writeEntry(bytes, index, e);
  test::refreshChecksums(bytes);
  EXPECT_OPEN_FAILS(bytes, StatusCode::DataLoss, substring);
}

TEST_F(CorruptionTest, MisalignedSectionOffsets) {
  for (uint64_t delta : {1u, 8u, 32u, 63u})
    expectEntryEditFails(
        bytes, 5, [&](SectionEntry &e) { e.offset += delta; },
        "section 5 (Constants) offset 0x");
  expectEntryEditFails(
      bytes, 5, [&](SectionEntry &e) { e.offset += 1; },
      "is not 64-byte aligned");
}

TEST_F(CorruptionTest, OversizedAndOverflowingSections) {
  uint64_t fileSize = bytes.size();
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.size += 1000000; },
      "section 2 (Schedule) (offset 0x");
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.size += 1000000; },
      "extends past the end of the file (" + std::to_string(fileSize) +
          " bytes)");
  // offset + size wraps around 2^64.
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.size = 0xFFFFFFFFFFFFFFF0ull; },
      "extends past the end of the file");
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.offset = 0xFFFFFFFFFFFFFFC0ull; },
      "extends past the end of the file");
  expectEntryEditFails(
      bytes, 2,
      [](SectionEntry &e) {
        e.offset = 0xFFFFFFFFFFFFFFC0ull;
        e.size = 0x80;
      },
      "extends past the end of the file");
  // Not 64-aligned, so alignment is reported first.
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.offset = 0xFFFFFFFFFFFFFFF0ull; },
      "offset 0xfffffffffffffff0 is not 64-byte aligned");
  // Ends exactly at the end of the file: fine layout-wise (checksum and
  // overlap decide).
  Bytes copy = bytes;
  SectionEntry last = test::readEntry(copy, 7);
  EXPECT_EQ(last.offset + last.size <= copy.size(), true);
}

TEST_F(CorruptionTest, OverlappingSections) {
  SectionEntry schedule = test::readEntry(bytes, 2);
  expectEntryEditFails(
      bytes, 3, [&](SectionEntry &e) { e.offset = schedule.offset; },
      "section 3 (KernelMetadata) overlaps section 2 (Schedule)");
  // Partial overlap: grow section 2 into section 3.
  SectionEntry metadata = test::readEntry(bytes, 3);
  expectEntryEditFails(
      bytes, 2,
      [&](SectionEntry &e) { e.size = metadata.offset - e.offset + 1; },
      "section 3 (KernelMetadata) overlaps section 2 (Schedule)");
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.offset = 0; },
      "section 2 (Schedule) overlaps the file header");
  expectEntryEditFails(
      bytes, 2, [](SectionEntry &e) { e.offset = 128; },
      "section 2 (Schedule) overlaps the section table");
}

TEST_F(CorruptionTest, SectionEntryFields) {
  expectEntryEditFails(
      bytes, 1, [](SectionEntry &e) { e.kind = 99; },
      "section 1 has unknown kind 99");
  expectEntryEditFails(
      bytes, 1, [](SectionEntry &e) { e.kind = 0; },
      "section 1 has unknown kind 0");
  expectEntryEditFails(
      bytes, 1,
      [](SectionEntry &e) { e.kind = uint32_t(SectionKind::Constants); },
      "duplicate Constants section (sections 1 and 5)");
  expectEntryEditFails(
      bytes, 6, [](SectionEntry &e) { std::memset(e.name, 'n', 24); },
      "section 6 (Debug) name is not NUL-terminated");
  expectEntryEditFails(
      bytes, 6, [](SectionEntry &e) { e.reserved1 = 7; },
      "section 6 (Debug) reserved fields are not zero");
}

TEST_F(CorruptionTest, PayloadChecksumNamesTheSection) {
  SectionEntry e = test::readEntry(bytes, 5);
  Bytes copy = bytes;
  copy[e.offset + e.size - 1] ^= 0x20;
  Expected<ArtifactView> v = test::openBytes(copy);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::DataLoss);
  EXPECT_EQ(v.status().message().rfind(
                "section 5 (Constants) checksum mismatch (stored 0x", 0),
            0u)
      << v.status().message();
  OpenOptions lax;
  lax.verifyChecksums = false;
  EXPECT_TRUE(test::openBytes(copy, lax).ok())
      << "constant bytes are opaque once checksums are off";
}

TEST_F(CorruptionTest, NonZeroPadding) {
  // Between the table and the first section there is padding only if the
  // table does not end on a 64-byte boundary; between sections there is.
  SectionEntry e = test::readEntry(bytes, 0);
  uint64_t gap = e.offset + e.size;
  ASSERT_NE(gap % 64, 0u);
  Bytes copy = bytes;
  copy[gap] = 1;
  EXPECT_OPEN_FAILS(
      copy, StatusCode::DataLoss, "non-zero padding byte at offset " + [&] {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)gap);
        return std::string(buf);
      }());
}

} // namespace
} // namespace ssmrt
