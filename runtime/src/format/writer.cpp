//===- writer.cpp - Builders for .ssmb artifacts --------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/format/writer.h"

#include "ssmrt/core/crc32.h"
#include "ssmrt/format/reader.h"

#include "../core/strings.h"

#include <cstring>

namespace ssmrt::format {

using ::ssmrt::detail::strCat;

namespace {

uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

template <typename T>
void writeAt(std::vector<uint8_t> &out, uint64_t offset, const T &value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

} // namespace

//===----------------------------------------------------------------------===//
// ArtifactWriter
//===----------------------------------------------------------------------===//

ArtifactWriter::ArtifactWriter(std::string_view compilerVersion) {
  setCompilerVersion(compilerVersion);
}

void ArtifactWriter::fail(Status status) {
  if (status_.ok())
    status_ = std::move(status);
}

void ArtifactWriter::setCompilerVersion(std::string_view compilerVersion) {
  if (compilerVersion.size() >= kCompilerVersionSize ||
      compilerVersion.find('\0') != std::string_view::npos) {
    fail(invalidArgumentError(
        strCat("compiler version '", compilerVersion, "' must be at most ",
               kCompilerVersionSize - 1, " bytes without NULs")));
    return;
  }
  compilerVersion_ = std::string(compilerVersion);
}

uint32_t ArtifactWriter::addSection(SectionKind kind, std::string_view name,
                                    const void *data, size_t size,
                                    uint32_t flags) {
  const auto *p = static_cast<const uint8_t *>(data);
  return addSection(
      kind, name,
      size ? std::vector<uint8_t>(p, p + size) : std::vector<uint8_t>(), flags);
}

uint32_t ArtifactWriter::addSection(SectionKind kind, std::string_view name,
                                    std::vector<uint8_t> bytes,
                                    uint32_t flags) {
  uint32_t index = static_cast<uint32_t>(sections_.size());
  uint32_t k = static_cast<uint32_t>(kind);
  if (!isValidSectionKind(k))
    fail(invalidArgumentError(strCat("section ", index, ": unknown kind ", k)));
  if (name.size() >= kSectionNameSize ||
      name.find('\0') != std::string_view::npos)
    fail(invalidArgumentError(strCat("section ", index, ": name '", name,
                                     "' must be at most ", kSectionNameSize - 1,
                                     " bytes without NULs")));
  if (isUniqueSectionKind(kind))
    for (const PendingSection &s : sections_)
      if (s.kind == kind)
        fail(invalidArgumentError(strCat("section ", index, ": a ",
                                         sectionKindName(kind),
                                         " section was already added")));
  if (sections_.size() >= UINT32_MAX)
    fail(invalidArgumentError("too many sections"));
  sections_.push_back({kind, std::string(name.substr(0, kSectionNameSize - 1)),
                       flags, std::move(bytes)});
  return index;
}

Expected<std::vector<uint8_t>> ArtifactWriter::finish() const {
  if (!status_.ok())
    return status_;

  const uint64_t tableOffset = kFileHeaderSize;
  const uint64_t tableSize = uint64_t(sections_.size()) * kSectionEntrySize;
  std::vector<uint64_t> offsets;
  offsets.reserve(sections_.size());
  uint64_t end = tableOffset + tableSize;
  for (const PendingSection &s : sections_) {
    uint64_t offset = alignUp(end, kSectionAlignment);
    offsets.push_back(offset);
    end = offset + s.bytes.size();
  }
  if (end > SIZE_MAX)
    return invalidArgumentError(
        strCat("artifact of ", end, " bytes does not fit in memory"));

  std::vector<uint8_t> out(static_cast<size_t>(end), 0);
  for (size_t i = 0; i < sections_.size(); ++i) {
    const PendingSection &s = sections_[i];
    if (!s.bytes.empty())
      std::memcpy(out.data() + offsets[i], s.bytes.data(), s.bytes.size());
    SectionEntry e = {};
    e.kind = static_cast<uint32_t>(s.kind);
    e.flags = s.flags;
    e.offset = offsets[i];
    e.size = s.bytes.size();
    e.checksum = crc32(s.bytes.data(), s.bytes.size());
    std::memcpy(e.name, s.name.data(), s.name.size());
    writeAt(out, tableOffset + i * kSectionEntrySize, e);
  }

  FileHeader h = {};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.format_version = kFormatVersion;
  h.header_size = kFileHeaderSize;
  h.file_size = end;
  h.section_count = static_cast<uint32_t>(sections_.size());
  h.flags = 0;
  std::memcpy(h.compiler_version, compilerVersion_.data(),
              compilerVersion_.size());
  h.section_table_offset = tableOffset;
  h.section_table_checksum =
      crc32(out.data() + tableOffset, static_cast<size_t>(tableSize));
  h.section_entry_size = kSectionEntrySize;
  h.header_checksum = 0;
  h.header_checksum = crc32(&h, sizeof(h));
  writeAt(out, 0, h);
  return out;
}

//===----------------------------------------------------------------------===//
// StringTableBuilder and record sections
//===----------------------------------------------------------------------===//

StringTableBuilder::StringTableBuilder() : bytes_(1, 0) { offsets_[""] = 0; }

uint32_t StringTableBuilder::add(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) {
    if (status_.ok())
      status_ = invalidArgumentError(
          strCat("string table entries must not contain NUL: '", s, "'"));
    return 0;
  }
  auto it = offsets_.find(std::string(s));
  if (it != offsets_.end())
    return it->second;
  if (bytes_.size() + s.size() + 1 > UINT32_MAX) {
    if (status_.ok())
      status_ = invalidArgumentError("string table exceeds 4 GiB");
    return 0;
  }
  uint32_t offset = static_cast<uint32_t>(bytes_.size());
  bytes_.insert(bytes_.end(), s.begin(), s.end());
  bytes_.push_back(0);
  offsets_.emplace(std::string(s), offset);
  return offset;
}

namespace detail {

uint64_t appendAligned(std::vector<uint8_t> &data, const void *bytes,
                       size_t size, size_t alignment) {
  if (size == 0)
    return 0;
  size_t offset = static_cast<size_t>(alignUp(data.size(), alignment));
  data.resize(offset + size, 0);
  std::memcpy(data.data() + offset, bytes, size);
  return offset;
}

std::vector<uint8_t> buildRecordSection(uint32_t recordCount,
                                        uint32_t recordSize,
                                        const std::vector<uint8_t> &records,
                                        const std::vector<uint8_t> &data) {
  RecordSectionHeader h = {};
  h.record_count = recordCount;
  h.record_size = recordSize;
  h.data_offset =
      alignUp(sizeof(RecordSectionHeader) + records.size(), kSectionAlignment);
  std::vector<uint8_t> out(static_cast<size_t>(h.data_offset) + data.size(), 0);
  std::memcpy(out.data(), &h, sizeof(h));
  if (!records.empty())
    std::memcpy(out.data() + sizeof(h), records.data(), records.size());
  if (!data.empty())
    std::memcpy(out.data() + h.data_offset, data.data(), data.size());
  return out;
}

} // namespace detail

//===----------------------------------------------------------------------===//
// ModuleBuilder
//===----------------------------------------------------------------------===//

ModuleBuilder::ModuleBuilder(std::string_view compilerVersion)
    : compilerVersion_(compilerVersion) {}

void ModuleBuilder::fail(Status status) {
  if (status_.ok())
    status_ = std::move(status);
}

Status ModuleBuilder::status() const {
  if (!status_.ok())
    return status_;
  return strings_.status();
}

uint32_t ModuleBuilder::addKernelObject(TargetKind target, BinaryFormat format,
                                        std::string_view chip, const void *data,
                                        size_t size) {
  KernelObjectRecord r = {};
  r.target = static_cast<uint32_t>(target);
  r.format = static_cast<uint32_t>(format);
  r.chip = strings_.add(chip);
  r.data_offset = objects_.addData(data, size);
  r.data_size = size;
  return objects_.addRecord(r);
}

uint32_t ModuleBuilder::addKernel(std::string_view name, uint32_t objectIndex,
                                  std::array<uint32_t, 3> blockDims,
                                  uint32_t dynamicSharedMemory,
                                  const std::vector<KernelArgRecord> &args) {
  KernelMetadataRecord r = {};
  r.name = strings_.add(name);
  r.object_index = objectIndex;
  for (int d = 0; d < 3; ++d)
    r.block_dims[d] = blockDims[d];
  r.dynamic_shared_memory = dynamicSharedMemory;
  r.arg_count = static_cast<uint32_t>(args.size());
  r.args_offset = kernels_.addArray(args);
  return kernels_.addRecord(r);
}

uint32_t ModuleBuilder::addConstant(std::string_view name, const void *data,
                                    size_t size) {
  ConstantRecord r = {};
  r.name = strings_.add(name);
  r.data_offset = constants_.addData(data, size);
  r.data_size = size;
  return constants_.addRecord(r);
}

uint32_t
ModuleBuilder::addCommand(const ScheduleCommandRecord &command,
                          const std::vector<LaunchArgRecord> &launchArgs) {
  ScheduleCommandRecord r = command;
  if (r.opcode == static_cast<uint32_t>(ScheduleOp::Launch)) {
    r.args_count = static_cast<uint32_t>(launchArgs.size());
    r.args_offset = commands_.addArray(launchArgs);
  } else if (!launchArgs.empty()) {
    fail(invalidArgumentError(
        strCat("command ", commands_.recordCount(),
               ": launch arguments given for a non-Launch command")));
  }
  return commands_.addRecord(r);
}

uint32_t ModuleBuilder::addAlloc(uint32_t buffer, uint64_t bytes) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::Alloc);
  r.buffer = buffer;
  r.bytes = bytes;
  return addCommand(r);
}

uint32_t ModuleBuilder::addUploadConstant(uint32_t buffer, uint32_t constant,
                                          uint64_t dstOffset) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::UploadConstant);
  r.buffer = buffer;
  r.index = constant;
  r.dst_offset = dstOffset;
  return addCommand(r);
}

uint32_t ModuleBuilder::addLaunch(uint32_t kernel, std::array<uint32_t, 3> grid,
                                  const std::vector<LaunchArgRecord> &args) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::Launch);
  r.index = kernel;
  for (int d = 0; d < 3; ++d)
    r.grid[d] = grid[d];
  return addCommand(r, args);
}

uint32_t ModuleBuilder::addCopy(uint32_t dstBuffer, uint64_t dstOffset,
                                uint32_t srcBuffer, uint64_t srcOffset,
                                uint64_t bytes) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::Copy);
  r.buffer = dstBuffer;
  r.dst_offset = dstOffset;
  r.src_buffer = srcBuffer;
  r.src_offset = srcOffset;
  r.bytes = bytes;
  return addCommand(r);
}

uint32_t ModuleBuilder::addFree(uint32_t buffer) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::Free);
  r.buffer = buffer;
  return addCommand(r);
}

uint32_t ModuleBuilder::addReturn(uint32_t buffer, uint32_t output) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::Return);
  r.buffer = buffer;
  r.index = output;
  return addCommand(r);
}

uint32_t ModuleBuilder::addBindInput(uint32_t buffer, uint32_t input) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::BindInput);
  r.buffer = buffer;
  r.index = input;
  return addCommand(r);
}

uint32_t ModuleBuilder::addBindConstant(uint32_t buffer, uint32_t constant) {
  ScheduleCommandRecord r = {};
  r.opcode = static_cast<uint32_t>(ScheduleOp::BindConstant);
  r.buffer = buffer;
  r.index = constant;
  return addCommand(r);
}

Expected<TensorDescRecord> ModuleBuilder::makeTensor(const TensorSpec &spec) {
  if (spec.dims.size() > kMaxRank)
    return invalidArgumentError(strCat("tensor '", spec.name, "' has rank ",
                                       spec.dims.size(), ", more than ",
                                       kMaxRank));
  TensorDescRecord r = {};
  r.name = strings_.add(spec.name);
  r.dtype = static_cast<uint32_t>(spec.dtype);
  r.rank = static_cast<uint32_t>(spec.dims.size());
  for (size_t d = 0; d < spec.dims.size(); ++d)
    r.dims[d] = spec.dims[d];
  return r;
}

uint32_t ModuleBuilder::addEntry(std::string_view name,
                                 const std::vector<TensorSpec> &inputs,
                                 const std::vector<TensorSpec> &outputs,
                                 uint32_t bufferCount, uint32_t firstCommand,
                                 uint32_t commandCount) {
  EntrySignatureRecord r = {};
  r.name = strings_.add(name);
  std::vector<TensorDescRecord> descs[2];
  const std::vector<TensorSpec> *specs[2] = {&inputs, &outputs};
  for (int list = 0; list < 2; ++list)
    for (const TensorSpec &spec : *specs[list]) {
      Expected<TensorDescRecord> t = makeTensor(spec);
      if (!t.ok()) {
        fail(t.status().withContext(strCat("entry '", name, "'")));
        descs[list].push_back(TensorDescRecord{});
        continue;
      }
      descs[list].push_back(*t);
    }
  r.input_count = static_cast<uint32_t>(descs[0].size());
  r.inputs_offset = entries_.addArray(descs[0]);
  r.output_count = static_cast<uint32_t>(descs[1].size());
  r.outputs_offset = entries_.addArray(descs[1]);
  r.buffer_count = bufferCount;
  r.first_command = firstCommand;
  r.command_count = commandCount;
  return entries_.addRecord(r);
}

uint32_t ModuleBuilder::addLibraryCall(const LibraryCallRecord &record) {
  return libraryCalls_.addRecord(record);
}

void ModuleBuilder::setModelInfo(const ModelInfoSpec &info) {
  ModelInfoRecord r = {};
  r.name = strings_.add(info.name);
  r.family = strings_.add(info.family);
  if (info.hasPreprocessing) {
    r.flags |= kModelInfoHasPreprocessing;
    r.resize = info.resize;
    r.crop = info.crop;
    r.resize_filter = static_cast<uint32_t>(info.resizeFilter);
    for (int c = 0; c < 3; ++c) {
      r.mean[c] = info.mean[size_t(c)];
      r.std[c] = info.std[size_t(c)];
    }
  }
  std::vector<ModelPropertyRecord> properties;
  for (const auto &[key, value] : info.properties)
    properties.push_back({strings_.add(key), strings_.add(value)});
  RecordSectionBuilder<ModelInfoRecord> section;
  r.property_count = static_cast<uint32_t>(properties.size());
  r.properties_offset = properties.empty() ? 0 : section.addArray(properties);
  section.addRecord(r);
  // The reader's checks (names, ranges, unique keys) run in finish().
  modelInfo_ = section.finish();
}

void ModuleBuilder::addDebugSection(std::string_view name,
                                    std::vector<uint8_t> bytes) {
  debug_.emplace_back(std::string(name), std::move(bytes));
}

Expected<std::vector<uint8_t>> ModuleBuilder::finish() const {
  SSMRT_RETURN_IF_ERROR(status());

  ArtifactWriter writer(compilerVersion_);
  writer.addSection(SectionKind::StringTable, "strings", strings_.bytes());
  if (entries_.recordCount())
    writer.addSection(SectionKind::Signatures, "signatures", entries_.finish());
  if (commands_.recordCount())
    writer.addSection(SectionKind::Schedule, "schedule", commands_.finish());
  if (kernels_.recordCount())
    writer.addSection(SectionKind::KernelMetadata, "kernel_metadata",
                      kernels_.finish());
  if (objects_.recordCount())
    writer.addSection(SectionKind::KernelObject, "kernel_objects",
                      objects_.finish());
  if (constants_.recordCount())
    writer.addSection(SectionKind::Constants, "constants", constants_.finish());
  if (libraryCalls_.recordCount())
    writer.addSection(SectionKind::LibraryCalls, "library_calls",
                      libraryCalls_.finish());
  if (!modelInfo_.empty())
    writer.addSection(SectionKind::ModelInfo, "model_info", modelInfo_);
  for (const auto &[name, bytes] : debug_)
    writer.addSection(SectionKind::Debug, name, bytes);
  SSMRT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, writer.finish());

  // Never hand out an artifact the runtime would reject.
  Expected<ArtifactView> view = ArtifactView::open(bytes.data(), bytes.size());
  if (!view.ok())
    return invalidArgumentError(strCat("generated artifact does not validate: ",
                                       view.status().message()));
  return bytes;
}

} // namespace ssmrt::format
