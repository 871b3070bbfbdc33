//===- roundtrip_test.cpp - Writer -> reader round trips ------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/format/reader.h"
#include "ssmrt/format/writer.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using test::Bytes;

TEST(WriterTest, EmptyArtifact) {
  Expected<Bytes> bytes = ArtifactWriter("ssmc 0.1").finish();
  ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
  EXPECT_EQ(bytes->size(), kFileHeaderSize);
  Expected<ArtifactView> view = test::openBytes(*bytes);
  ASSERT_TRUE(view.ok()) << view.status().toString();
  EXPECT_EQ(view->sectionCount(), 0u);
  EXPECT_EQ(view->formatVersion(), kFormatVersion);
  EXPECT_EQ(view->compilerVersion(), "ssmc 0.1");
  EXPECT_EQ(view->kernelObjectCount(), 0u);
  EXPECT_EQ(view->entryCount(), 0u);
  // Absent string table reads as "".
  Expected<std::string_view> s = view->string(0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "");
  EXPECT_EQ(view->string(1).status().code(), StatusCode::DataLoss);
  EXPECT_EQ(view->findSection(SectionKind::Constants).status().code(),
            StatusCode::NotFound);
}

TEST(WriterTest, HeaderFieldsAndLayout) {
  ArtifactWriter w("v");
  std::vector<uint8_t> a(10, 1), b(64, 2), c(65, 3);
  w.addSection(SectionKind::Debug, "a", a);
  w.addSection(SectionKind::Debug, "b", b, 0x5);
  w.addSection(SectionKind::Constants, "c", c);
  Expected<Bytes> bytes = w.finish();
  ASSERT_TRUE(bytes.ok());
  FileHeader h = test::readHeader(*bytes);
  EXPECT_EQ(std::memcmp(h.magic, "SSMB\0\r\n\x1a", 8), 0);
  EXPECT_EQ(h.format_version, kFormatVersion);
  EXPECT_EQ(h.header_size, 128u);
  EXPECT_EQ(h.section_count, 3u);
  EXPECT_EQ(h.section_table_offset, 128u);
  EXPECT_EQ(h.section_entry_size, 64u);
  EXPECT_EQ(h.file_size, bytes->size());
  // Table: 128..320; sections at 320, 384, 448; file ends at 448 + 65.
  uint64_t expected[] = {320, 384, 448};
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(test::readEntry(*bytes, i).offset, expected[i]);
  EXPECT_EQ(bytes->size(), 448u + 65u);
  EXPECT_EQ(test::readEntry(*bytes, 1).flags, 5u);
}

TEST(WriterTest, RawSectionsRoundTripRandomPayloads) {
  std::mt19937 rng(42);
  const size_t sizes[] = {0, 1, 7, 63, 64, 65, 128, 1000, 4097};
  for (int trial = 0; trial < 20; ++trial) {
    ArtifactWriter w("trial " + std::to_string(trial));
    std::vector<Bytes> payloads;
    std::vector<std::string> names;
    std::uniform_int_distribution<size_t> pick(0, std::size(sizes) - 1);
    const size_t count = 1 + static_cast<size_t>(trial % 6);
    for (size_t i = 0; i < count; ++i) {
      payloads.push_back(test::randomBytes(rng, sizes[pick(rng)]));
      names.push_back("debug_" + std::to_string(i));
      EXPECT_EQ(w.addSection(SectionKind::Debug, names.back(), payloads.back(),
                             static_cast<uint32_t>(i)),
                i);
    }
    Expected<Bytes> bytes = w.finish();
    ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
    Expected<ArtifactView> view = test::openBytes(*bytes);
    ASSERT_TRUE(view.ok()) << view.status().toString();
    ASSERT_EQ(view->sectionCount(), count);
    for (uint32_t i = 0; i < count; ++i) {
      Expected<SectionInfo> s = view->section(i);
      ASSERT_TRUE(s.ok());
      EXPECT_EQ(s->index, i);
      EXPECT_EQ(s->kind, SectionKind::Debug);
      EXPECT_EQ(s->flags, i);
      EXPECT_EQ(s->name, names[i]);
      ASSERT_EQ(s->size, payloads[i].size());
      EXPECT_EQ((s->data - bytes->data()) % 64, 0);
      EXPECT_TRUE(payloads[i].empty() ||
                  std::memcmp(s->data, payloads[i].data(), s->size) == 0);
    }
    EXPECT_EQ(view->section(static_cast<uint32_t>(count)).status().code(),
              StatusCode::OutOfRange);
  }
}

TEST(WriterTest, Deterministic) {
  EXPECT_EQ(test::buildSampleModule(), test::buildSampleModule());
}

TEST(WriterTest, RejectsBadInput) {
  {
    ArtifactWriter w(std::string(32, 'x'));
    EXPECT_EQ(w.finish().status().code(), StatusCode::InvalidArgument);
  }
  {
    ArtifactWriter w(std::string(31, 'x'));
    EXPECT_TRUE(w.finish().ok());
  }
  {
    ArtifactWriter w;
    w.addSection(SectionKind::Debug, std::string(24, 'n'), Bytes{});
    Status s = w.finish().status();
    EXPECT_EQ(s.code(), StatusCode::InvalidArgument);
    EXPECT_NE(s.message().find("at most 23 bytes"), std::string::npos);
  }
  {
    ArtifactWriter w;
    w.addSection(SectionKind::Debug, std::string("a\0b", 3), Bytes{});
    EXPECT_FALSE(w.finish().ok());
  }
  {
    ArtifactWriter w;
    w.addSection(static_cast<SectionKind>(0), "zero", Bytes{});
    EXPECT_NE(w.finish().status().message().find("unknown kind 0"),
              std::string::npos);
  }
  {
    ArtifactWriter w;
    w.addSection(SectionKind::Constants, "c1", Bytes{});
    w.addSection(SectionKind::Constants, "c2", Bytes{});
    EXPECT_NE(w.finish().status().message().find("already added"),
              std::string::npos);
  }
  {
    ArtifactWriter w;
    w.addSection(SectionKind::Debug, "d1", Bytes{1});
    w.addSection(SectionKind::Debug, "d1", Bytes{2});
    EXPECT_TRUE(w.finish().ok()) << "Debug sections may repeat";
  }
}

TEST(StringTableBuilderTest, DedupsAndTerminates) {
  StringTableBuilder b;
  EXPECT_EQ(b.add(""), 0u);
  uint32_t a = b.add("abc");
  uint32_t c = b.add("xy");
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(c, 5u);
  EXPECT_EQ(b.add("abc"), a);
  EXPECT_EQ(b.bytes(), (Bytes{0, 'a', 'b', 'c', 0, 'x', 'y', 0}));
  EXPECT_TRUE(b.status().ok());
  EXPECT_EQ(b.add(std::string_view("a\0b", 3)), 0u);
  EXPECT_EQ(b.status().code(), StatusCode::InvalidArgument);
}

TEST(RecordSectionBuilderTest, Layout) {
  RecordSectionBuilder<ConstantRecord> b;
  uint8_t blob[3] = {1, 2, 3};
  uint64_t first = b.addData(blob, 3);
  uint64_t second = b.addData(blob, 3);
  uint64_t empty = b.addData(nullptr, 0);
  KernelArgRecord args[2] = {bufferArg(), scalarArg(4)};
  uint64_t array = b.addArray(args, 2);
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(second, 64u);
  EXPECT_EQ(empty, 0u);
  EXPECT_EQ(array, 72u);
  ConstantRecord r = {};
  r.data_size = 3;
  EXPECT_EQ(b.addRecord(r), 0u);
  r.data_offset = second;
  EXPECT_EQ(b.addRecord(r), 1u);
  ConstantRecord back = b.getRecord(1);
  EXPECT_EQ(back.data_offset, 64u);
  back.name = 9;
  b.setRecord(1, back);
  Bytes out = b.finish();
  auto h = test::readAt<RecordSectionHeader>(out, 0);
  EXPECT_EQ(h.record_count, 2u);
  EXPECT_EQ(h.record_size, 32u);
  EXPECT_EQ(h.data_offset, 128u); // 16 + 2 * 32 = 80 -> 128
  EXPECT_EQ(out.size(), 128u + 72u + 16u);
  EXPECT_EQ(test::readAt<ConstantRecord>(out, 16 + 32).name, 9u);
  EXPECT_EQ(out[128 + 64 + 2], 3);
}

class SampleModuleTest : public ::testing::Test {
protected:
  void SetUp() override {
    bytes = test::buildSampleModule();
    ASSERT_FALSE(bytes.empty());
    Expected<ArtifactView> v = test::openBytes(bytes);
    ASSERT_TRUE(v.ok()) << v.status().toString();
    view.emplace(*v);
  }
  Bytes bytes;
  std::optional<ArtifactView> view;
};

TEST_F(SampleModuleTest, Sections) {
  EXPECT_EQ(view->compilerVersion(), "ssmc-test 1.2.3");
  EXPECT_EQ(view->sectionCount(), 8u);
  const char *names[] = {"strings",         "signatures",     "schedule",
                         "kernel_metadata", "kernel_objects", "constants",
                         "source_map",      "empty_debug"};
  for (uint32_t i = 0; i < view->sectionCount(); ++i)
    EXPECT_EQ(view->section(i)->name, names[i]);
  Expected<SectionInfo> c = view->findSection(SectionKind::Constants);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->index, 5u);
  EXPECT_EQ(view->findSection(SectionKind::Debug).status().code(),
            StatusCode::InvalidArgument);
  EXPECT_TRUE(test::exerciseAllAccessors(*view).ok());
}

TEST_F(SampleModuleTest, KernelObjects) {
  std::mt19937 rng(1234);
  Bytes ptx = test::randomBytes(rng, 300);
  ptx.back() = 0;
  Bytes cubin = test::randomBytes(rng, 777);
  ASSERT_EQ(view->kernelObjectCount(), 2u);
  Expected<KernelObject> o0 = view->kernelObject(0);
  ASSERT_TRUE(o0.ok()) << o0.status().toString();
  EXPECT_EQ(o0->target, TargetKind::Nvptx);
  EXPECT_EQ(o0->format, BinaryFormat::Ptx);
  EXPECT_EQ(o0->chip, "sm_90");
  ASSERT_EQ(o0->size, ptx.size());
  EXPECT_EQ(std::memcmp(o0->data, ptx.data(), ptx.size()), 0);
  EXPECT_EQ((o0->data - bytes.data()) % 64, 0);
  Expected<KernelObject> o1 = view->kernelObject(1);
  ASSERT_TRUE(o1.ok());
  EXPECT_EQ(o1->format, BinaryFormat::Cubin);
  ASSERT_EQ(o1->size, cubin.size());
  EXPECT_EQ(std::memcmp(o1->data, cubin.data(), cubin.size()), 0);
  EXPECT_EQ((o1->data - bytes.data()) % 64, 0);
  EXPECT_EQ(view->kernelObject(2).status().code(), StatusCode::OutOfRange);
}

TEST_F(SampleModuleTest, Kernels) {
  ASSERT_EQ(view->kernelCount(), 3u);
  Expected<KernelInfo> k = view->kernel(0);
  ASSERT_TRUE(k.ok()) << k.status().toString();
  EXPECT_EQ(k->name, "selective_scan");
  EXPECT_EQ(k->objectIndex, 1u);
  EXPECT_EQ(k->blockDims, (std::array<uint32_t, 3>{128, 1, 1}));
  EXPECT_EQ(k->dynamicSharedMemory, 4096u);
  ASSERT_EQ(k->args.size(), 5u);
  EXPECT_EQ(k->args[0].kind, uint32_t(KernelArgKind::Buffer));
  EXPECT_EQ(k->args[0].size, 8u);
  EXPECT_EQ(k->args[3].kind, uint32_t(KernelArgKind::Scalar));
  EXPECT_EQ(k->args[3].size, 4u);
  EXPECT_EQ(k->args[4].size, 8u);
  Expected<KernelInfo> k2 = view->kernel(2);
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(k2->name, "barrier_only");
  EXPECT_EQ(k2->blockDims, (std::array<uint32_t, 3>{32, 2, 1}));
  EXPECT_TRUE(k2->args.empty());
  EXPECT_EQ(view->kernel(3).status().code(), StatusCode::OutOfRange);
}

TEST_F(SampleModuleTest, Constants) {
  std::mt19937 rng(1234);
  (void)test::randomBytes(rng, 300);
  (void)test::randomBytes(rng, 777);
  Bytes weight = test::randomBytes(rng, 1000);
  Bytes bias = test::randomBytes(rng, 64);
  ASSERT_EQ(view->constantCount(), 2u);
  Expected<ConstantInfo> w = view->constant(0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->name, "blocks.0.weight");
  ASSERT_EQ(w->size, weight.size());
  EXPECT_EQ(std::memcmp(w->data, weight.data(), weight.size()), 0);
  EXPECT_EQ((w->data - bytes.data()) % 64, 0);
  Expected<ConstantInfo> b = view->constant(1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name, "blocks.0.bias");
  ASSERT_EQ(b->size, bias.size());
  EXPECT_EQ(std::memcmp(b->data, bias.data(), bias.size()), 0);
}

TEST_F(SampleModuleTest, EntriesAndSchedule) {
  ASSERT_EQ(view->entryCount(), 3u);
  Expected<uint32_t> idx = view->findEntry("forward");
  ASSERT_TRUE(idx.ok());
  Expected<EntryInfo> e = view->entry(*idx);
  ASSERT_TRUE(e.ok()) << e.status().toString();
  EXPECT_EQ(e->name, "forward");
  EXPECT_EQ(e->bufferCount, 4u);
  ASSERT_EQ(e->inputs.size(), 1u);
  EXPECT_EQ(e->inputs[0].name, "pixels");
  EXPECT_EQ(e->inputs[0].dtype, DType::F32);
  EXPECT_EQ(e->inputs[0].rank, 4u);
  EXPECT_EQ(e->inputs[0].dims,
            (std::array<int64_t, 8>{1, 3, 224, 224, 0, 0, 0, 0}));
  EXPECT_EQ(e->inputs[0].elementCount, 3u * 224 * 224);
  EXPECT_EQ(e->inputs[0].byteSize, 4u * 3 * 224 * 224);
  ASSERT_EQ(e->outputs.size(), 1u);
  EXPECT_EQ(e->outputs[0].byteSize, 4000u);
  EXPECT_EQ(e->firstCommand, 0u);
  ASSERT_EQ(e->commandCount, 13u);

  const ScheduleOp ops[] = {ScheduleOp::BindInput,      ScheduleOp::Alloc,
                            ScheduleOp::UploadConstant, ScheduleOp::Alloc,
                            ScheduleOp::UploadConstant, ScheduleOp::Alloc,
                            ScheduleOp::Launch,         ScheduleOp::Launch,
                            ScheduleOp::Launch,         ScheduleOp::Copy,
                            ScheduleOp::Free,           ScheduleOp::Free,
                            ScheduleOp::Return};
  for (uint32_t i = 0; i < e->commandCount; ++i) {
    Expected<Command> c = view->command(e->firstCommand + i);
    ASSERT_TRUE(c.ok()) << c.status().toString();
    EXPECT_EQ(c->op, ops[i]) << "command " << i;
  }
  Expected<Command> upload = view->command(4);
  EXPECT_EQ(upload->buffer, 2u);
  EXPECT_EQ(upload->operandIndex, 1u);
  EXPECT_EQ(upload->dstOffset, 64u);
  Expected<Command> launch = view->command(6);
  EXPECT_EQ(launch->operandIndex, 0u);
  EXPECT_EQ(launch->grid, (std::array<uint32_t, 3>{8, 4, 1}));
  ASSERT_EQ(launch->args.size(), 5u);
  EXPECT_EQ(launch->args[2].buffer, 3u);
  EXPECT_EQ(launch->args[2].value, 256u);
  EXPECT_EQ(launch->args[3].value, 0xDEADBEEFu);
  EXPECT_EQ(launch->args[4].value, 0x0123456789ABCDEFull);
  Expected<Command> copy = view->command(9);
  EXPECT_EQ(copy->buffer, 3u);
  EXPECT_EQ(copy->srcBuffer, 2u);
  EXPECT_EQ(copy->srcOffset, 64u);
  EXPECT_EQ(copy->bytes, 64u);

  Expected<EntryInfo> e2 = view->entry(1);
  ASSERT_TRUE(e2.ok());
  EXPECT_EQ(e2->name, "copy_second");
  ASSERT_EQ(e2->outputs.size(), 2u);
  EXPECT_EQ(e2->outputs[0].name, "");
  EXPECT_EQ(e2->outputs[1].dtype, DType::Bool);
  EXPECT_EQ(e2->outputs[1].rank, 0u);
  EXPECT_EQ(e2->outputs[1].elementCount, 1u);
  EXPECT_EQ(e2->inputs[0].byteSize, 16u);

  Expected<EntryInfo> e3 = view->entry(2);
  ASSERT_TRUE(e3.ok());
  EXPECT_EQ(e3->commandCount, 0u);
  EXPECT_TRUE(e3->inputs.empty());

  EXPECT_EQ(view->findEntry("missing").status().code(), StatusCode::NotFound);
  EXPECT_EQ(view->entry(3).status().code(), StatusCode::OutOfRange);
  EXPECT_EQ(view->command(view->commandCount()).status().code(),
            StatusCode::OutOfRange);
}

TEST_F(SampleModuleTest, UnalignedBufferStillReads) {
  // The reader copies records out, so the caller's buffer needs no alignment.
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  Expected<ArtifactView> v =
      ArtifactView::open(shifted.data() + 1, bytes.size());
  ASSERT_TRUE(v.ok()) << v.status().toString();
  EXPECT_TRUE(test::exerciseAllAccessors(*v).ok());
}

TEST(ModuleBuilderTest, RejectsRankAboveEight) {
  ModuleBuilder b;
  b.addEntry("f", {{"x", DType::F32, {1, 1, 1, 1, 1, 1, 1, 1, 1}}}, {}, 0, 0,
             0);
  Status s = b.finish().status();
  EXPECT_EQ(s.code(), StatusCode::InvalidArgument);
  EXPECT_NE(s.message().find("rank 9"), std::string::npos) << s.toString();
}

TEST(ModuleBuilderTest, RejectsWhatTheReaderWouldReject) {
  {
    ModuleBuilder b;
    b.addLaunch(/*kernel=*/0, {1, 1, 1}, {}); // no kernel 0
    b.addEntry("f", {}, {}, 0, 0, 1);
    Status s = b.finish().status();
    EXPECT_EQ(s.code(), StatusCode::InvalidArgument);
    EXPECT_NE(s.message().find("does not validate"), std::string::npos);
    EXPECT_NE(s.message().find("kernel index 0 out of range"),
              std::string::npos)
        << s.toString();
  }
  {
    ModuleBuilder b;
    b.addKernelObject(TargetKind::Cpu, BinaryFormat::Ptx, "x86_64", "x", 1);
    EXPECT_NE(b.finish().status().message().find("not valid for target Cpu"),
              std::string::npos);
  }
  {
    ModuleBuilder b;
    b.addEntry("f", {}, {}, 0, 0, 0);
    b.addEntry("f", {}, {}, 0, 0, 0);
    EXPECT_NE(b.finish().status().message().find("duplicate entry name 'f'"),
              std::string::npos);
  }
  {
    ModuleBuilder b;
    b.addAlloc(0, 16);
    b.addCommand(
        ScheduleCommandRecord{
            uint32_t(ScheduleOp::Free), 0, 0, 0, 0, 0, 0, {0, 0, 0}, 0, 0},
        {launchScalar(1)});
    EXPECT_NE(b.finish().status().message().find("non-Launch"),
              std::string::npos);
  }
  {
    ModuleBuilder b;
    b.addString(std::string("a\0", 2));
    EXPECT_EQ(b.finish().status().code(), StatusCode::InvalidArgument);
  }
}

TEST(ModuleBuilderTest, CpuModuleWithoutGpuFields) {
  ModuleBuilder b("ssmc");
  const char so[] = "\x7f"
                    "ELF fake shared object";
  uint32_t obj = b.addKernelObject(TargetKind::Cpu, BinaryFormat::So, "x86_64",
                                   so, sizeof(so));
  uint32_t k = b.addKernel("forward_impl", obj, {1, 1, 1}, 0,
                           {bufferArg(), bufferArg(), scalarArg(8)});
  uint32_t first = b.addBindInput(0, 0);
  b.addAlloc(1, 64);
  b.addLaunch(k, {1, 1, 1},
              {launchBuffer(0), launchBuffer(1), launchScalar(~0ull)});
  uint32_t last = b.addReturn(1, 0);
  b.addEntry("forward", {{"x", DType::I8, {64}}}, {{"y", DType::U8, {64}}}, 2,
             first, last - first + 1);
  Expected<Bytes> bytes = b.finish();
  ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
  Expected<ArtifactView> v = test::openBytes(*bytes);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kernelObject(0)->target, TargetKind::Cpu);
  EXPECT_EQ(v->findSection(SectionKind::Constants).status().code(),
            StatusCode::NotFound);
  EXPECT_EQ(v->constantCount(), 0u);
}

TEST(ArtifactEnumsTest, NamesAndSizes) {
  EXPECT_STREQ(sectionKindName(SectionKind::Constants), "Constants");
  EXPECT_STREQ(sectionKindName(SectionKind::LibraryCalls), "LibraryCalls");
  EXPECT_STREQ(sectionKindName(SectionKind::ModelInfo), "ModelInfo");
  EXPECT_STREQ(sectionKindName(static_cast<SectionKind>(10)), "<invalid>");
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::Bool), 1u);
  EXPECT_EQ(dtypeSize(static_cast<DType>(0)), 0u);
  EXPECT_TRUE(isFormatForTarget(TargetKind::Amdgpu, BinaryFormat::Hsaco));
  EXPECT_FALSE(isFormatForTarget(TargetKind::Amdgpu, BinaryFormat::Cubin));
  EXPECT_EQ(recordSizeForKind(SectionKind::Schedule), 64u);
  EXPECT_EQ(recordSizeForKind(SectionKind::StringTable), 0u);
  EXPECT_EQ(recordSizeForKind(SectionKind::ModelInfo), 64u);
  EXPECT_TRUE(isUniqueSectionKind(SectionKind::ModelInfo));
  EXPECT_TRUE(isValidResizeFilter(1));
  EXPECT_FALSE(isValidResizeFilter(0));
  EXPECT_FALSE(isUniqueSectionKind(SectionKind::Debug));
  EXPECT_STREQ(scheduleOpName(ScheduleOp::BindInput), "BindInput");
}

} // namespace
} // namespace ssmrt
