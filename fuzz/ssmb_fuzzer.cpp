//===- ssmb_fuzzer.cpp - libFuzzer target: .ssmb reader and Module::load --===//
//
// Part of the ssmc project. Each input is an .ssmb file. Two passes:
//
//  1. format::ArtifactView::open with checksums off (so mutations are not
//     all stopped by a CRC), then every accessor on every record, each
//     returning a value or an error.
//  2. The same bytes with the header, section table and every section
//     checksum recomputed, except the kernel objects' (so the only shared
//     object the runtime can dlopen is a seed's own, unmutated one):
//     ModuleInfo::fromMemory (the device-free inspection), then written to
//     a memfd and loaded by Module::load on the CPU device: full
//     validation, kernel loading, schedule planning, then the module's
//     functions, signatures, memory plans and model description.
//
// Nothing is invoked: running mutated schedules would run the seed's
// uninstrumented kernels on buffers they were not compiled for.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/core/crc32.h"
#include "ssmrt/format/reader.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace ssmrt;
using namespace ssmrt::format;

namespace {

/// Consumes a value so the accessors' work is not optimized away.
volatile uint64_t gSink;

void touch(const uint8_t *data, uint64_t size) {
  if (data && size)
    gSink = gSink + data[0] + data[size - 1];
}

void walkView(const ArtifactView &view) {
  gSink = gSink + view.compilerVersion().size() + view.formatVersion();
  for (uint32_t i = 0; i < view.sectionCount(); ++i)
    if (Expected<SectionInfo> s = view.section(i); s.ok())
      touch(s->data, s->size);
  for (uint32_t k = kMinSectionKind; k <= kMaxSectionKind; ++k)
    if (isUniqueSectionKind(static_cast<SectionKind>(k)))
      view.findSection(static_cast<SectionKind>(k)).status().ignoreError();
  for (uint32_t i = 0; i < view.kernelObjectCount(); ++i)
    if (Expected<KernelObject> o = view.kernelObject(i); o.ok())
      touch(o->data, o->size);
  for (uint32_t i = 0; i < view.kernelCount(); ++i)
    view.kernel(i).status().ignoreError();
  for (uint32_t i = 0; i < view.constantCount(); ++i)
    if (Expected<ConstantInfo> c = view.constant(i); c.ok())
      touch(c->data, c->size);
  for (uint32_t i = 0; i < view.commandCount(); ++i)
    view.command(i).status().ignoreError();
  for (uint32_t i = 0; i < view.libraryCallCount(); ++i)
    view.libraryCall(i).status().ignoreError();
  for (uint32_t i = 0; i < view.entryCount(); ++i)
    if (Expected<EntryInfo> e = view.entry(i); e.ok())
      view.findEntry(e->name).status().ignoreError();
  view.findEntry("forward").status().ignoreError();
  if (view.hasModelInfo())
    if (Expected<format::ModelInfo> m = view.modelInfo(); m.ok())
      gSink = gSink + m->name.size() + m->family.size() + m->properties.size();
  view.validateContents().ignoreError();
  // Past the end: OutOfRange, never a read.
  view.section(view.sectionCount()).status().ignoreError();
  view.kernelObject(view.kernelObjectCount()).status().ignoreError();
  view.entry(view.entryCount()).status().ignoreError();
  view.string(UINT32_MAX).status().ignoreError();
}

bool fits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

/// Recomputes the header, section table and section checksums in place,
/// except for KernelObject sections. False if the bytes have no header or
/// table to fix.
bool repairChecksums(std::vector<uint8_t> &bytes) {
  if (bytes.size() < kFileHeaderSize ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return false;
  FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  const uint64_t tableSize = uint64_t(h.section_count) * kSectionEntrySize;
  if (!fits(h.section_table_offset, tableSize, bytes.size()))
    return false;
  uint8_t *table = bytes.data() + h.section_table_offset;
  for (uint32_t i = 0; i < h.section_count; ++i) {
    SectionEntry e;
    std::memcpy(&e, table + uint64_t(i) * kSectionEntrySize, sizeof(e));
    if (e.kind == uint32_t(SectionKind::KernelObject) ||
        !fits(e.offset, e.size, bytes.size()))
      continue;
    e.checksum = crc32(bytes.data() + e.offset, static_cast<size_t>(e.size));
    std::memcpy(table + uint64_t(i) * kSectionEntrySize, &e, sizeof(e));
  }
  h.section_table_checksum = crc32(table, static_cast<size_t>(tableSize));
  h.header_checksum = 0;
  h.header_checksum = crc32(&h, sizeof(h));
  std::memcpy(bytes.data(), &h, sizeof(h));
  return true;
}

const Device &cpuDevice() {
  static Instance *instance = [] {
    InstanceOptions options;
    options.numThreads = 1;
    return new Instance(std::move(*Instance::create(options)));
  }();
  static Device *device = new Device(*instance->openDevice("cpu"));
  return *device;
}

void loadModule(const std::vector<uint8_t> &bytes) {
  // Module::load maps a path: a memfd gives one without touching the disk.
  int fd = memfd_create("ssmb-fuzz", MFD_CLOEXEC);
  if (fd < 0)
    return;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0)
      break;
    done += static_cast<size_t>(n);
  }
  if (done == bytes.size()) {
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (Expected<Module> module = Module::load(cpuDevice(), path);
        module.ok()) {
      gSink = gSink + module->compilerVersion().size() +
              module->info().kernelObjects.size();
      if (const std::optional<ssmrt::ModelInfo> &m = module->modelInfo())
        gSink = gSink + m->name.size() + m->properties.size() +
                (m->preprocessing ? uint64_t(m->preprocessing->crop) : 0);
      for (const std::string &name : module->functions()) {
        if (Expected<FunctionSignature> sig = module->signature(name); sig.ok())
          gSink = gSink + sig->toString().size();
        module->memoryPlan(name).status().ignoreError();
      }
      module->signature("").status().ignoreError();
    }
  }
  close(fd);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  OpenOptions lax;
  lax.verifyChecksums = false;
  lax.verifyContents = false;
  if (Expected<ArtifactView> view = ArtifactView::open(data, size, lax);
      view.ok())
    walkView(*view);

  std::vector<uint8_t> bytes(data, data + size);
  if (!repairChecksums(bytes))
    return 0;
  // Only well-formed artifacts reach the loader (it would reject the rest
  // the same way, after a memfd and a mapping).
  if (!ArtifactView::open(bytes.data(), bytes.size()).ok())
    return 0;
  if (Expected<ModuleInfo> info =
          ModuleInfo::fromMemory(bytes.data(), bytes.size());
      info.ok())
    for (const std::string &name : info->functionNames())
      info->signature(name).status().ignoreError();
  loadModule(bytes);
  return 0;
}
