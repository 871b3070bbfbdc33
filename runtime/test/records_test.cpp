//===- records_test.cpp - Validation of section payload records ----------===//
//
// Part of the ssmc project. Each test damages one record of a valid module
// (checksums recomputed) and checks the error names the record and problem.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/format/reader.h"

#include "test_util.h"

#include <gtest/gtest.h>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using test::Bytes;

class RecordsTest : public ::testing::Test {
protected:
  void SetUp() override {
    bytes = test::buildSampleModule();
    ASSERT_FALSE(bytes.empty());
  }

  /// open() must fail with DataLoss and a message containing `substring`.
  void expectRejected(const Bytes &b, const std::string &substring) {
    Expected<ArtifactView> v = test::openBytes(b);
    ASSERT_FALSE(v.ok()) << "accepted, expected '" << substring << "'";
    EXPECT_EQ(v.status().code(), StatusCode::DataLoss) << v.status().toString();
    EXPECT_NE(v.status().message().find(substring), std::string::npos)
        << "message '" << v.status().message() << "' lacks '" << substring
        << "'";
  }

  template <typename Record>
  void expectRecordEditRejected(SectionKind kind, uint32_t index,
                                const std::function<void(Record &)> &edit,
                                const std::string &substring) {
    Bytes copy = bytes;
    test::patchRecord<Record>(copy, kind, index, edit);
    expectRejected(copy, substring);
  }

  template <typename Item>
  void expectDataEditRejected(SectionKind kind, uint64_t offset,
                              const std::function<void(Item &)> &edit,
                              const std::string &substring) {
    Bytes copy = bytes;
    test::patchData<Item>(copy, kind, offset, edit);
    expectRejected(copy, substring);
  }

  void expectSectionHeaderEditRejected(
      SectionKind kind, const std::function<void(RecordSectionHeader &)> &edit,
      const std::string &substring) {
    Bytes copy = bytes;
    int s = test::findSectionIndex(copy, kind);
    uint64_t at = test::readEntry(copy, uint32_t(s)).offset;
    auto h = test::readAt<RecordSectionHeader>(copy, at);
    edit(h);
    test::writeAt(copy, at, h);
    test::refreshChecksums(copy);
    expectRejected(copy, substring);
  }

  EntrySignatureRecord entryRecord(uint32_t i) {
    return test::getRecord<EntrySignatureRecord>(bytes, SectionKind::Signatures,
                                                 i);
  }
  ScheduleCommandRecord commandRecord(uint32_t i) {
    return test::getRecord<ScheduleCommandRecord>(bytes, SectionKind::Schedule,
                                                  i);
  }
  KernelMetadataRecord kernelRecord(uint32_t i) {
    return test::getRecord<KernelMetadataRecord>(
        bytes, SectionKind::KernelMetadata, i);
  }

  Bytes bytes;
};

//===----------------------------------------------------------------------===//
// Strings
//===----------------------------------------------------------------------===//

TEST_F(RecordsTest, BadStringOffset) {
  Bytes copy = bytes;
  test::patchRecord<KernelMetadataRecord>(
      copy, SectionKind::KernelMetadata, 0,
      [](KernelMetadataRecord &r) { r.name = 100000; });
  expectRejected(copy, "KernelMetadata record 0 name: string offset 100000 "
                       "out of range (string table is ");

  // Without content verification open() succeeds, but the accessor for the
  // damaged record still refuses, and the others work.
  OpenOptions lazy;
  lazy.verifyContents = false;
  Expected<ArtifactView> v = test::openBytes(copy, lazy);
  ASSERT_TRUE(v.ok()) << v.status().toString();
  Expected<KernelInfo> k = v->kernel(0);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::DataLoss);
  EXPECT_NE(k.status().message().find("string offset 100000"),
            std::string::npos);
  EXPECT_TRUE(v->kernel(1).ok());
  EXPECT_FALSE(v->validateContents().ok());
  // Launches of kernel 0 fail too; the entry using them as well.
  EXPECT_FALSE(v->command(6).ok());
  EXPECT_FALSE(v->entry(0).ok());
  EXPECT_TRUE(v->entry(1).ok());
  EXPECT_EQ(v->string(0xFFFFFFFFu).status().code(), StatusCode::DataLoss);
}

TEST_F(RecordsTest, StringOffsetIntoTheMiddleOfAStringIsASuffix) {
  Bytes copy = bytes;
  uint32_t name = kernelRecord(0).name;
  test::patchRecord<KernelMetadataRecord>(
      copy, SectionKind::KernelMetadata, 0,
      [&](KernelMetadataRecord &r) { r.name = name + 1; });
  Expected<ArtifactView> v = test::openBytes(copy);
  ASSERT_TRUE(v.ok()) << v.status().toString();
  EXPECT_EQ(v->kernel(0)->name, "elective_scan");
}

TEST_F(RecordsTest, StringTableMustBeNulDelimited) {
  int s = test::findSectionIndex(bytes, SectionKind::StringTable);
  SectionEntry e = test::readEntry(bytes, uint32_t(s));
  {
    Bytes copy = bytes;
    copy[e.offset + e.size - 1] = 'x';
    test::refreshChecksums(copy);
    expectRejected(copy, "section 0 (StringTable) does not end with a NUL");
  }
  {
    Bytes copy = bytes;
    copy[e.offset] = 'x';
    test::refreshChecksums(copy);
    expectRejected(copy,
                   "section 0 (StringTable) does not start with the empty "
                   "string");
  }
  {
    Bytes copy = bytes;
    e.size = 0;
    test::writeEntry(copy, uint32_t(s), e);
    test::refreshChecksums(copy);
    // The payload bytes become (non-zero) padding first; with checksums off
    // the empty table itself is reported.
    OpenOptions lax;
    lax.verifyChecksums = false;
    Expected<ArtifactView> v = test::openBytes(copy, lax);
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.status().message().find("StringTable) is empty"),
              std::string::npos)
        << v.status().message();
  }
}

//===----------------------------------------------------------------------===//
// Record section prefixes
//===----------------------------------------------------------------------===//

TEST_F(RecordsTest, RecordSectionHeader) {
  expectSectionHeaderEditRejected(
      SectionKind::KernelObject,
      [](RecordSectionHeader &h) { h.record_size = 40; },
      "section 4 (KernelObject): record size 40, expected 32");
  expectSectionHeaderEditRejected(
      SectionKind::KernelObject,
      [](RecordSectionHeader &h) { h.record_count = 0xFFFFFFFFu; },
      "section 4 (KernelObject): 4294967295 records of 32 bytes exceed the "
      "section");
  expectSectionHeaderEditRejected(
      SectionKind::Schedule, [](RecordSectionHeader &h) { h.data_offset += 8; },
      "section 2 (Schedule): data area offset 0x");
  expectSectionHeaderEditRejected(
      SectionKind::Schedule, [](RecordSectionHeader &h) { h.data_offset = 0; },
      "overlaps the record array");
  expectSectionHeaderEditRejected(
      SectionKind::Schedule,
      [](RecordSectionHeader &h) { h.data_offset = 0xFFFFFFFFFFFFFFC0ull; },
      "is past the section end");
  // A record section smaller than its prefix.
  Bytes copy = bytes;
  int s = test::findSectionIndex(copy, SectionKind::Constants);
  SectionEntry e = test::readEntry(copy, uint32_t(s));
  e.size = 8;
  test::writeEntry(copy, uint32_t(s), e);
  test::refreshChecksums(copy);
  OpenOptions lax;
  lax.verifyChecksums = false;
  Expected<ArtifactView> v = test::openBytes(copy, lax);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find(
                "section 5 (Constants) is 8 bytes, too small for its 16-byte "
                "record header"),
            std::string::npos)
      << v.status().message();
}

//===----------------------------------------------------------------------===//
// Kernel objects and metadata
//===----------------------------------------------------------------------===//

TEST_F(RecordsTest, KernelObjectEnums) {
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 0, [](auto &r) { r.target = 4; },
      "KernelObject record 0: unknown target 4");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 0, [](auto &r) { r.target = 0; },
      "unknown target 0");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1, [](auto &r) { r.format = 9; },
      "KernelObject record 1: unknown binary format 9");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1,
      [](auto &r) { r.target = uint32_t(TargetKind::Amdgpu); },
      "binary format Cubin is not valid for target Amdgpu");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1, [](auto &r) { r.flags = 2; },
      "flags must be zero");
}

TEST_F(RecordsTest, KernelObjectDataRange) {
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1, [](auto &r) { r.data_size += 100000; },
      "KernelObject record 1: data (offset 0x");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 0, [](auto &r) { r.data_offset += 8; },
      "is not 64-byte aligned");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1,
      [](auto &r) { r.data_offset = 0xFFFFFFFFFFFFFFC0ull; },
      "exceeds the data area");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1,
      [](auto &r) { r.data_size = 0xFFFFFFFFFFFFFFF0ull; },
      "exceeds the data area");
  expectRecordEditRejected<KernelObjectRecord>(
      SectionKind::KernelObject, 1, [](auto &r) { r.data_size = 0; },
      "KernelObject record 1: empty binary");
}

TEST_F(RecordsTest, KernelMetadata) {
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 0, [](auto &r) { r.object_index = 2; },
      "KernelMetadata record 0: object index 2 out of range (2 kernel "
      "objects)");
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 0, [](auto &r) { r.block_dims[1] = 0; },
      "KernelMetadata record 0: block dimension 1 is 0");
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 0, [](auto &r) { r.name = 0; },
      "KernelMetadata record 0: empty kernel name");
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 1, [](auto &r) { r.reserved1 = 1; },
      "KernelMetadata record 1: reserved fields are not zero");
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 0, [](auto &r) { r.arg_count = 1u << 30; },
      "KernelMetadata record 0 args: array of 1073741824 x 8 bytes");
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 0, [](auto &r) { r.args_offset += 4; },
      "is not 8-byte aligned");
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 0,
      [](auto &r) { r.args_offset = 0xFFFFFFFFFFFFFFF8ull; },
      "exceeds the data area");
}

TEST_F(RecordsTest, KernelArgs) {
  uint64_t args = kernelRecord(0).args_offset;
  expectDataEditRejected<KernelArgRecord>(
      SectionKind::KernelMetadata, args + 8, [](auto &a) { a.kind = 3; },
      "KernelMetadata record 0: arg 1 has unknown kind 3");
  expectDataEditRejected<KernelArgRecord>(
      SectionKind::KernelMetadata, args + 3 * 8, [](auto &a) { a.size = 3; },
      "KernelMetadata record 0: arg 3 (Scalar) has invalid size 3");
  expectDataEditRejected<KernelArgRecord>(
      SectionKind::KernelMetadata, args, [](auto &a) { a.size = 4; },
      "arg 0 (Buffer) has invalid size 4");
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

TEST_F(RecordsTest, Constants) {
  expectRecordEditRejected<ConstantRecord>(
      SectionKind::Constants, 1, [](auto &r) { r.data_size = 1u << 20; },
      "Constants record 1: data (offset 0x");
  expectRecordEditRejected<ConstantRecord>(
      SectionKind::Constants, 1, [](auto &r) { r.data_offset = 1; },
      "Constants record 1: data offset 0x1 is not 64-byte aligned");
  expectRecordEditRejected<ConstantRecord>(
      SectionKind::Constants, 0, [](auto &r) { r.name = 0x7FFFFFFF; },
      "Constants record 0 name: string offset 2147483647 out of range");
  expectRecordEditRejected<ConstantRecord>(
      SectionKind::Constants, 0, [](auto &r) { r.reserved0 = 1; },
      "reserved fields are not zero");
}

//===----------------------------------------------------------------------===//
// Signatures and tensor descriptors
//===----------------------------------------------------------------------===//

TEST_F(RecordsTest, TensorDescriptors) {
  uint64_t in = entryRecord(0).inputs_offset;
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in, [](auto &t) { t.rank = 9; },
      "Signatures record 0 input 0: rank 9 exceeds the maximum of 8");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in, [](auto &t) { t.dims[1] = -5; },
      "Signatures record 0 input 0: dimension 1 is negative (-5)");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in, [](auto &t) { t.dims[5] = 7; },
      "dimension 5 is 7 beyond rank 4");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in, [](auto &t) { t.dtype = 10; },
      "Signatures record 0 input 0: unknown dtype 10");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in, [](auto &t) { t.dtype = 0; },
      "unknown dtype 0");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in,
      [](auto &t) {
        for (uint32_t d = 0; d < t.rank; ++d)
          t.dims[d] = int64_t(1) << 20;
      },
      "element count overflows 64 bits");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in,
      [](auto &t) {
        t.rank = 1;
        t.dims[0] = int64_t(1) << 62;
        for (int d = 1; d < 8; ++d)
          t.dims[d] = 0;
      },
      "byte size overflows 64 bits");
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, in, [](auto &t) { t.name = 999999; },
      "Signatures record 0 input 0: name: string offset 999999");
  uint64_t out = entryRecord(1).outputs_offset;
  expectDataEditRejected<TensorDescRecord>(
      SectionKind::Signatures, out + sizeof(TensorDescRecord),
      [](auto &t) { t.reserved0 = 1; },
      "Signatures record 1 output 1: reserved field is not zero");
}

TEST_F(RecordsTest, EntrySignatures) {
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 0, [](auto &r) { r.input_count = 1000; },
      "Signatures record 0 inputs: array of 1000 x 80 bytes");
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 0, [](auto &r) { r.outputs_offset += 4; },
      "Signatures record 0 outputs: array at data offset");
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 0,
      [](auto &r) {
        r.first_command = 0xFFFFFFFFu;
        r.command_count = 2;
      },
      "Signatures record 0: commands [4294967295, +2) out of range (");
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 0, [](auto &r) { r.command_count += 100; },
      "out of range");
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 0, [](auto &r) { r.name = 0; },
      "Signatures record 0: empty entry name");
  uint32_t forwardName = entryRecord(0).name;
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 1, [&](auto &r) { r.name = forwardName; },
      "Signatures record 1: duplicate entry name 'forward'");
  expectRecordEditRejected<EntrySignatureRecord>(
      SectionKind::Signatures, 2, [](auto &r) { r.reserved0 = 5; },
      "Signatures record 2: reserved field is not zero");
}

TEST_F(RecordsTest, DeclaredBufferCountNeverSizesTables) {
  // The ssmb fuzzer found a 2^32 buffer_count sizing the executor's
  // per-buffer tables; EntryInfo::bufferCount comes from the ids in use.
  Expected<ArtifactView> plain = test::openBytes(bytes);
  ASSERT_TRUE(plain.ok()) << plain.status().toString();
  Expected<EntryInfo> before = plain->entry(0);
  ASSERT_TRUE(before.ok()) << before.status().toString();
  Bytes copy = bytes;
  test::patchRecord<EntrySignatureRecord>(
      copy, SectionKind::Signatures, 0,
      [](auto &r) { r.buffer_count = 0xFFFFFFFFu; });
  Expected<ArtifactView> hostile = test::openBytes(copy);
  ASSERT_TRUE(hostile.ok()) << hostile.status().toString();
  Expected<EntryInfo> after = hostile->entry(0);
  ASSERT_TRUE(after.ok()) << after.status().toString();
  EXPECT_EQ(after->bufferCount, before->bufferCount);
  EXPECT_LE(before->bufferCount, entryRecord(0).buffer_count);
  EXPECT_GT(before->bufferCount, 0u);
}

TEST_F(RecordsTest, EntryContextChecks) {
  // Alloc of buffer 4 in an entry with buffer_count 4.
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 1, [](auto &c) { c.buffer = 4; },
      "entry 'forward' command 1 (Alloc): buffer id 4 out of range "
      "(buffer_count 4)");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 9, [](auto &c) { c.src_buffer = 77; },
      "entry 'forward' command 9 (Copy): buffer id 77 out of range");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 12, [](auto &c) { c.index = 1; },
      "entry 'forward' command 12 (Return): output index 1 out of range (1 "
      "outputs)");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 0, [](auto &c) { c.index = 3; },
      "entry 'forward' command 0 (BindInput): input index 3 out of range (1 "
      "inputs)");
  uint64_t args = commandRecord(6).args_offset;
  expectDataEditRejected<LaunchArgRecord>(
      SectionKind::Schedule, args + 16, [](auto &a) { a.buffer = 9; },
      "entry 'forward' command 6 (Launch): buffer id 9 out of range");
}

//===----------------------------------------------------------------------===//
// Schedule commands
//===----------------------------------------------------------------------===//

TEST_F(RecordsTest, ScheduleCommands) {
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 3, [](auto &c) { c.opcode = 99; },
      "Schedule command 3: unknown opcode 99");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 3, [](auto &c) { c.opcode = 0; },
      "Schedule command 3: unknown opcode 0");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 1, [](auto &c) { c.src_offset = 1; },
      "Schedule command 1 (Alloc): field src_offset is unused and must be "
      "zero");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 10, [](auto &c) { c.grid[2] = 1; },
      "Schedule command 10 (Free): field grid is unused");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 2, [](auto &c) { c.index = 5; },
      "Schedule command 2 (UploadConstant): constant index 5 out of range (2 "
      "constants)");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 6, [](auto &c) { c.index = 7; },
      "Schedule command 6 (Launch): kernel index 7 out of range (3 kernels)");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 6, [](auto &c) { c.grid[1] = 0; },
      "Schedule command 6 (Launch): grid dimension 1 is 0");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 6, [](auto &c) { c.args_count = 4; },
      "Schedule command 6 (Launch): 4 arguments for kernel 'selective_scan' "
      "which takes 5");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 6, [](auto &c) { c.args_offset += 4; },
      "Schedule command 6 (Launch) args: array at data offset");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 6,
      [](auto &c) { c.args_offset = 0xFFFFFFFFFFFFFFF8ull; },
      "exceeds the data area");
  expectRecordEditRejected<ScheduleCommandRecord>(
      SectionKind::Schedule, 10, [](auto &c) { c.args_count = 1; },
      "Schedule command 10 (Free): field args is unused");
}

TEST_F(RecordsTest, LaunchArgs) {
  uint64_t args = commandRecord(6).args_offset;
  expectDataEditRejected<LaunchArgRecord>(
      SectionKind::Schedule, args, [](auto &a) { a.kind = 2; },
      "Schedule command 6 (Launch): arg 0 kind 2 does not match kernel "
      "'selective_scan' (Buffer)");
  expectDataEditRejected<LaunchArgRecord>(
      SectionKind::Schedule, args + 3 * 16,
      [](auto &a) { a.value = uint64_t(1) << 32; },
      "Schedule command 6 (Launch): scalar arg 3 does not fit in 4 bytes");
  expectDataEditRejected<LaunchArgRecord>(
      SectionKind::Schedule, args + 3 * 16, [](auto &a) { a.buffer = 1; },
      "scalar arg 3 has a buffer id");
  // A kernel that is itself broken makes its launches fail too.
  expectRecordEditRejected<KernelMetadataRecord>(
      SectionKind::KernelMetadata, 1, [](auto &r) { r.name = 424242; },
      "KernelMetadata record 1 name: string offset 424242");
}

} // namespace
} // namespace ssmrt
