//===- artifact.h - The .ssmb container contract ----------------*- C++ -*-===//
//
// Part of the ssmc project. The runtime owns this file: the compiler writes
// artifacts with these structs (see writer.h) and the runtime reads them (see
// reader.h). docs/ssmb-format.md is the prose version of this header.
//
// Layout rules:
//  - Everything is little-endian and stored exactly as these plain structs
//    (no pointers, no implicit padding: every size is static_asserted).
//  - A file is a FileHeader, a table of SectionEntry records and 64-byte
//    aligned section payloads. Every byte outside the header, the table and
//    the payloads is zero padding.
//  - Record sections (KernelObject, KernelMetadata, Constants, Schedule,
//    Signatures, LibraryCalls, ModelInfo) start with a RecordSectionHeader,
//    then a fixed-size record array, then a 64-byte aligned "data area". Every
//    offset stored in a record is relative to the start of that section's data
//    area.
//  - Strings are uint32 offsets into the StringTable section.
//  - Enum value 0 is never valid, so zeroed memory never decodes as data.
//  - Reserved fields must be zero.
//
// Versioning: bump kFormatVersion on EVERY layout or semantic change of
// anything in this file. Readers accept versions kMinFormatVersion ..
// kFormatVersion and reject the rest (FailedPrecondition, naming both).
// History: v3 added LibraryCalls; v4 added the ModelInfo section (a v3 file
// is a v4 file without one, so v3 files stay readable; a ModelInfo section
// in a v3 file is corrupt); v5 lets a LibraryCalls record's inputs have
// batch strides shorter than a matrix and its extents run past the launch's
// into padding (v3 / v4 records are v5 records, so both stay readable); v6
// lets a LibraryCalls record's C be bf16 or f16 (a GEMM of a 16-bit model
// that rounds its f32 result once, as it stores it; a v5 reader would take
// such a file for corrupt, so older readers must refuse it by version; v5
// records are v6 records); v7 appends per-operand element offsets to a
// LibraryCalls record (192 bytes; an operand that is a view into its buffer,
// e.g. one direction's slice of VMamba's grouped projections): v3..v6
// sections hold the 160-byte records without them (offsets 0), still read.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_FORMAT_ARTIFACT_H
#define SSMRT_FORMAT_ARTIFACT_H

#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .ssmb format is little-endian; big-endian hosts are unsupported"
#endif

namespace ssmrt::format {

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// "SSMB\0\r\n\x1a": the NUL, CR/LF and ^Z catch text-mode and 7-bit mangling.
inline constexpr uint8_t kMagic[8] = {'S',  'S',  'M',  'B',
                                      0x00, 0x0D, 0x0A, 0x1A};

/// The format version this runtime writes, and the newest it reads.
inline constexpr uint32_t kFormatVersion = 7;
/// The oldest format version this runtime reads.
inline constexpr uint32_t kMinFormatVersion = 3;
/// The first version with ModelInfo sections.
inline constexpr uint32_t kModelInfoFormatVersion = 4;
/// The first version whose LibraryCalls records may have a 16-bit C.
inline constexpr uint32_t kGemm16BitOutputFormatVersion = 6;
/// The first version whose LibraryCalls records carry operand offsets.
inline constexpr uint32_t kOperandOffsetsFormatVersion = 7;
/// The size of a LibraryCalls record before v7 (no operand offsets): also
/// the prefix a CPU kernel's gemm callback reads.
inline constexpr uint32_t kLibraryCallRecordV6Size = 160;

inline constexpr uint32_t kFileHeaderSize = 128;
inline constexpr uint32_t kSectionEntrySize = 64;
inline constexpr uint32_t kRecordSectionHeaderSize = 16;
/// Alignment of every section payload (in the file), of every record
/// section's data area (in its section) and of every blob in a data area
/// (kernel binaries, constants).
inline constexpr uint64_t kSectionAlignment = 64;
/// Alignment of arrays stored in a data area (kernel args, launch args,
/// tensor descriptors).
inline constexpr uint64_t kArrayAlignment = 8;
inline constexpr uint32_t kMaxRank = 8;
inline constexpr size_t kCompilerVersionSize = 32;
inline constexpr size_t kSectionNameSize = 24;

//===----------------------------------------------------------------------===//
// Enums (all stored as uint32_t)
//===----------------------------------------------------------------------===//

enum class SectionKind : uint32_t {
  KernelObject = 1,   // KernelObjectRecord[] + binaries
  KernelMetadata = 2, // KernelMetadataRecord[] + KernelArgRecord arrays
  Constants = 3,      // ConstantRecord[] + constant bytes
  Schedule = 4,       // ScheduleCommandRecord[] + LaunchArgRecord arrays
  Signatures = 5,     // EntrySignatureRecord[] + TensorDescRecord arrays
  StringTable = 6,    // NUL-terminated strings; byte 0 is NUL ("")
  Debug = 7,          // opaque bytes; may appear several times
  LibraryCalls = 8,   // LibraryCallRecord[] (no data area contents)
  ModelInfo = 9,      // one ModelInfoRecord + ModelPropertyRecord array (v4)
};
inline constexpr uint32_t kMinSectionKind = 1;
inline constexpr uint32_t kMaxSectionKind = 9;

enum class TargetKind : uint32_t {
  Cpu = 1,
  Nvptx = 2,
  Amdgpu = 3,
};

enum class BinaryFormat : uint32_t {
  So = 1,    // ELF shared object (Cpu)
  Ptx = 2,   // PTX text, NUL-terminated (Nvptx)
  Cubin = 3, // CUDA ELF (Nvptx)
  Hsaco = 4, // AMDGPU code object (Amdgpu)
};

enum class KernelArgKind : uint32_t {
  Buffer = 1, // a device pointer (size 8)
  Scalar = 2, // a by-value scalar of size 1, 2, 4 or 8 bytes
};

enum class DType : uint32_t {
  F32 = 1,
  F16 = 2,
  BF16 = 3,
  F64 = 4,
  I32 = 5,
  I64 = 6,
  I8 = 7,
  U8 = 8,
  Bool = 9, // one byte per element
};

enum class ScheduleOp : uint32_t {
  Alloc = 1,          // buffer, bytes
  UploadConstant = 2, // buffer, index = constant, dst_offset
  Launch = 3,         // index = kernel, grid, args_count, args_offset
  Copy = 4,           // buffer = dst, src_buffer, dst_offset, src_offset, bytes
  Free = 5,           // buffer
  Return = 6,         // buffer, index = output
  BindInput = 7,      // buffer, index = input
  BindConstant = 8,   // buffer, index = constant: bound read-only, no copy
};

/// What a LibraryCallRecord asks a vendor library to do.
enum class LibraryOp : uint32_t {
  Gemm = 1, // C[b] = act(A[b] * B[b] (+ bias)), f32 accumulation
};

/// Bias of a Gemm library call: a vector added to every row (along n) or to
/// every column (along m) of C.
enum class GemmBias : uint32_t {
  None = 1,
  AlongM = 2, // bias[m], C[b, m, n] += bias[m]
  AlongN = 3, // bias[n], C[b, m, n] += bias[n]
};

enum class GemmActivation : uint32_t {
  None = 1,
  Relu = 2, // max(x, 0) after the bias
};

/// Bits of ModelInfoRecord::flags.
enum ModelInfoFlags : uint32_t {
  /// The preprocessing fields (resize .. std) are set.
  kModelInfoHasPreprocessing = 1u << 0,
};
inline constexpr uint32_t kModelInfoKnownFlags = kModelInfoHasPreprocessing;

/// How an image is resized before the center crop.
enum class ResizeFilter : uint32_t {
  Bicubic = 1, // PIL's bicubic (a = -0.5), antialiased when downscaling
};

//===----------------------------------------------------------------------===//
// Container: header and section table
//===----------------------------------------------------------------------===//

/// At file offset 0.
struct FileHeader {
  uint8_t magic[8];                            // 0: kMagic
  uint32_t format_version;                     // 8: kFormatVersion
  uint32_t header_size;                        // 12: kFileHeaderSize
  uint64_t file_size;                          // 16: total file size
  uint32_t section_count;                      // 24
  uint32_t flags;                              // 28: none defined; 0
  char compiler_version[kCompilerVersionSize]; // 32: NUL-padded, <= 31 chars
  uint64_t section_table_offset;               // 64: 64-aligned, >= 128
  uint32_t header_checksum;                    // 72: crc32 of the 128 header
                                               //     bytes with this field 0
  uint32_t section_table_checksum;             // 76: crc32 of the table
  uint32_t section_entry_size;                 // 80: kSectionEntrySize
  uint32_t reserved0;                          // 84: 0
  uint8_t reserved[40];                        // 88: 0
};

/// One entry of the section table (section_count entries, contiguous).
struct SectionEntry {
  uint32_t kind;               // 0: SectionKind
  uint32_t flags;              // 4: kind-specific; none defined in v1
  uint64_t offset;             // 8: absolute file offset, 64-aligned
  uint64_t size;               // 16: payload bytes (no trailing padding)
  uint32_t checksum;           // 24: crc32 of the payload
  uint32_t reserved0;          // 28: 0
  char name[kSectionNameSize]; // 32: NUL-padded, <= 23 chars
  uint64_t reserved1;          // 56: 0
};

/// Prefix of every record section payload. The records follow immediately;
/// the data area starts at data_offset (64-aligned, at or after the end of the
/// records) and runs to the end of the section.
struct RecordSectionHeader {
  uint32_t record_count; // 0
  uint32_t record_size;  // 4: sizeof(the record struct) for this version
  uint64_t data_offset;  // 8: section-relative start of the data area
};

//===----------------------------------------------------------------------===//
// Section payload records. "data-area offset" = relative to the data area.
//===----------------------------------------------------------------------===//

/// KernelObject section: one per embedded binary.
struct KernelObjectRecord {
  uint32_t target;      // 0: TargetKind
  uint32_t format;      // 4: BinaryFormat (So<->Cpu, Ptx/Cubin<->Nvptx,
                        //    Hsaco<->Amdgpu)
  uint32_t chip;        // 8: string offset ("sm_90", "gfx942", "x86_64")
  uint32_t flags;       // 12: 0
  uint64_t data_offset; // 16: data-area offset, 64-aligned
  uint64_t data_size;   // 24: > 0
};

/// One kernel argument, in order (KernelMetadata data area).
struct KernelArgRecord {
  uint32_t kind; // 0: KernelArgKind
  uint32_t size; // 4: Buffer: 8; Scalar: 1, 2, 4 or 8
};

/// KernelMetadata section: one per launchable kernel.
struct KernelMetadataRecord {
  uint32_t name;                  // 0: string offset, entry symbol, non-empty
  uint32_t object_index;          // 4: KernelObject record holding it
  uint32_t block_dims[3];         // 8: x, y, z; each >= 1
  uint32_t dynamic_shared_memory; // 20: bytes
  uint32_t arg_count;             // 24
  uint32_t reserved0;             // 28: 0
  uint64_t args_offset;           // 32: data-area offset of
                                  //     KernelArgRecord[arg_count], 8-aligned
  uint64_t reserved1;             // 40: 0
};

/// Constants section: weights and other immutable data.
struct ConstantRecord {
  uint32_t name;        // 0: string offset (may be 0 = "")
  uint32_t reserved0;   // 4: 0
  uint64_t data_offset; // 8: data-area offset, 64-aligned
  uint64_t data_size;   // 16
  uint64_t reserved1;   // 24: 0
};

/// Tensor descriptor (Signatures data area).
struct TensorDescRecord {
  uint32_t name;          // 0: string offset (may be 0 = "")
  uint32_t dtype;         // 4: DType
  uint32_t rank;          // 8: <= kMaxRank
  uint32_t reserved0;     // 12: 0
  int64_t dims[kMaxRank]; // 16: dims[0, rank) >= 0; dims[rank, 8) == 0
};

/// Signatures section: one per public entry function.
struct EntrySignatureRecord {
  uint32_t name;           // 0: string offset, non-empty, unique
  uint32_t input_count;    // 4
  uint32_t output_count;   // 8
  uint32_t buffer_count;   // 12: buffer ids used by its commands are < this
  uint64_t inputs_offset;  // 16: data-area offset of TensorDescRecord[],
                           //     8-aligned
  uint64_t outputs_offset; // 24: same, for outputs
  uint32_t first_command;  // 32: index into the Schedule records
  uint32_t command_count;  // 36: commands [first, first + count)
  uint64_t reserved0;      // 40: 0
};

/// Schedule section: a flat array of commands; each entry executes its range
/// in order. Fields an opcode does not use (see ScheduleOp) must be zero.
struct ScheduleCommandRecord {
  uint32_t opcode;      // 0: ScheduleOp
  uint32_t buffer;      // 4: target buffer id (Copy: destination)
  uint32_t src_buffer;  // 8: Copy source buffer id
  uint32_t index;       // 12: kernel / constant / input / output index
  uint64_t bytes;       // 16: Alloc size, Copy size
  uint64_t dst_offset;  // 24: UploadConstant / Copy destination offset
  uint64_t src_offset;  // 32: Copy source offset
  uint32_t grid[3];     // 40: Launch grid x, y, z; each >= 1
  uint32_t args_count;  // 52: Launch: == kernel arg_count
  uint64_t args_offset; // 56: Launch: data-area offset of
                        //     LaunchArgRecord[args_count], 8-aligned
};

/// One actual launch argument (Schedule data area); matches the kernel's
/// KernelArgRecord of the same position.
struct LaunchArgRecord {
  uint32_t kind;   // 0: KernelArgKind
  uint32_t buffer; // 4: Buffer: buffer id; Scalar: 0
  uint64_t value;  // 8: Buffer: byte offset into the buffer; Scalar: the
                   //    value's little-endian bytes, unused high bytes zero
};

/// LibraryCalls section: a Launch command the runtime may replace by a vendor
/// library call computing the same result (the launch stays the fallback).
/// The extents may exceed the launch's (v5): the extra rows / columns of C
/// land in padding that nothing reads, computed from inputs' padding or next
/// rows, all inside each operand's own allocation (the compiler checks
/// this; the runtime checks every operand's bytes against its buffer).
/// Operands are the launch's Buffer arguments, each read from its launch
/// byte offset plus its record offset (v7, elements of its dtype: a view
/// starting inside the launch's buffer); strides are in elements,
/// "row" / "col" of A = (m, k), of B = (k, n), of C = (m, n). Every operand
/// has one unit stride (row- or column-major), the other at least the
/// extent of the contiguous dim; A / B batch strides are any (0: broadcast;
/// shorter than a matrix: batches overlap, only read), C's is 0 only with
/// batch == 1 and else covers a matrix.
struct LibraryCallRecord {
  uint32_t op;             // 0: LibraryOp
  uint32_t command;        // 4: Schedule index of a Launch command
  uint32_t a_arg;          // 8: launch arg index of A (a Buffer)
  uint32_t b_arg;          // 12: of B
  uint32_t c_arg;          // 16: of C (written)
  uint32_t bias_arg;       // 20: of the bias vector; 0 when bias == None
  uint32_t a_dtype;        // 24: DType: F32, BF16 or F16
  uint32_t b_dtype;        // 28: same
  uint32_t c_dtype;        // 32: F32; BF16 or F16 (v6) with A and B of
                           //     that type: f32 sums rounded once
  uint32_t bias_dtype;     // 36: F32, BF16 or F16; 0 when bias == None
  uint32_t bias;           // 40: GemmBias
  uint32_t activation;     // 44: GemmActivation
  uint64_t m, n, k, batch; // 48: each in [1, 2^31)
  uint64_t a_strides[3];   // 80: row, col, batch (elements)
  uint64_t b_strides[3];   // 104
  uint64_t c_strides[3];   // 128
  uint64_t reserved0;      // 152: 0
  // v7 (absent before: 0). Elements from the launch argument's byte offset
  // to the operand's first element.
  uint64_t a_offset;       // 160
  uint64_t b_offset;       // 168
  uint64_t c_offset;       // 176
  uint64_t bias_offset;    // 184: 0 when bias == None
};

/// ModelInfo section (v4; at most one, with exactly one record): what the
/// compiled model is and how images are prepared for its entries' first
/// input, (B, 3, H, W). Preprocessing, when flagged: resize the image so its
/// shorter side is `resize` pixels (with `resize_filter`), cut the centered
/// `crop` x `crop` square (the input's H x W; `crop` is the image size the
/// model was built for), then per RGB channel c compute
/// (pixel / 255 - mean[c]) / std[c]. Properties are the model's
/// hyper-parameters as text (img, batch, dtype, depth, ...), for display;
/// no tool interprets them.
struct ModelInfoRecord {
  uint32_t name;              // 0: string offset, non-empty ("vim-t")
  uint32_t family;            // 4: string offset (may be 0 = ""): "vim", ...
  uint32_t flags;             // 8: ModelInfoFlags bits; others 0
  uint32_t resize;            // 12: preprocessing: shorter side after the
                              //     resize, in [crop, 65536]; else 0
  uint32_t crop;              // 16: preprocessing: center crop side the
                              //     model was built for, in [1, 65536]; else 0
  uint32_t resize_filter;     // 20: preprocessing: ResizeFilter; else 0
  float mean[3];              // 24: preprocessing: finite; else 0
  float std[3];               // 36: preprocessing: finite, > 0; else 0
  uint32_t property_count;    // 48
  uint32_t reserved0;         // 52: 0
  uint64_t properties_offset; // 56: data-area offset of
                              //     ModelPropertyRecord[property_count],
                              //     8-aligned (0 when the count is 0)
};

/// One model property (ModelInfo data area): keys are non-empty and unique.
struct ModelPropertyRecord {
  uint32_t key;   // 0: string offset
  uint32_t value; // 4: string offset
};

//===----------------------------------------------------------------------===//
// Layout checks
//===----------------------------------------------------------------------===//

#define SSMRT_CHECK_WIRE_STRUCT(T, SIZE)                                       \
  static_assert(sizeof(T) == (SIZE), #T " size changed: bump kFormatVersion"); \
  static_assert(std::is_trivially_copyable_v<T> &&                             \
                    std::is_standard_layout_v<T>,                              \
                #T " must be a plain struct")

SSMRT_CHECK_WIRE_STRUCT(FileHeader, kFileHeaderSize);
SSMRT_CHECK_WIRE_STRUCT(SectionEntry, kSectionEntrySize);
SSMRT_CHECK_WIRE_STRUCT(RecordSectionHeader, kRecordSectionHeaderSize);
SSMRT_CHECK_WIRE_STRUCT(KernelObjectRecord, 32);
SSMRT_CHECK_WIRE_STRUCT(KernelArgRecord, 8);
SSMRT_CHECK_WIRE_STRUCT(KernelMetadataRecord, 48);
SSMRT_CHECK_WIRE_STRUCT(ConstantRecord, 32);
SSMRT_CHECK_WIRE_STRUCT(TensorDescRecord, 80);
SSMRT_CHECK_WIRE_STRUCT(EntrySignatureRecord, 48);
SSMRT_CHECK_WIRE_STRUCT(ScheduleCommandRecord, 64);
SSMRT_CHECK_WIRE_STRUCT(LaunchArgRecord, 16);
SSMRT_CHECK_WIRE_STRUCT(LibraryCallRecord, 192);
SSMRT_CHECK_WIRE_STRUCT(ModelInfoRecord, 64);
SSMRT_CHECK_WIRE_STRUCT(ModelPropertyRecord, 8);
static_assert(sizeof(float) == 4, "ModelInfoRecord stores IEEE binary32");

#undef SSMRT_CHECK_WIRE_STRUCT

static_assert(offsetof(FileHeader, compiler_version) == 32);
static_assert(offsetof(FileHeader, section_table_offset) == 64);
static_assert(offsetof(FileHeader, header_checksum) == 72);
static_assert(offsetof(FileHeader, section_table_checksum) == 76);
static_assert(offsetof(FileHeader, section_entry_size) == 80);
static_assert(offsetof(SectionEntry, checksum) == 24);
static_assert(offsetof(SectionEntry, name) == 32);
static_assert(offsetof(KernelMetadataRecord, args_offset) == 32);
static_assert(offsetof(TensorDescRecord, dims) == 16);
static_assert(offsetof(EntrySignatureRecord, first_command) == 32);
static_assert(offsetof(ScheduleCommandRecord, grid) == 40);
static_assert(offsetof(ScheduleCommandRecord, args_offset) == 56);
static_assert(offsetof(LibraryCallRecord, m) == 48);
static_assert(offsetof(LibraryCallRecord, a_strides) == 80);
static_assert(offsetof(LibraryCallRecord, reserved0) == 152);
static_assert(offsetof(LibraryCallRecord, a_offset) ==
              kLibraryCallRecordV6Size);
static_assert(offsetof(ModelInfoRecord, mean) == 24);
static_assert(offsetof(ModelInfoRecord, std) == 36);
static_assert(offsetof(ModelInfoRecord, properties_offset) == 56);

//===----------------------------------------------------------------------===//
// Enum helpers (names for messages; validity checks)
//===----------------------------------------------------------------------===//

/// True for kinds that may appear at most once (all but Debug).
bool isUniqueSectionKind(SectionKind kind);
/// True for kinds whose payload starts with a RecordSectionHeader.
bool isRecordSectionKind(SectionKind kind);
/// The record size of a record section kind in files of `version` (the
/// struct's size, but 160 for LibraryCalls before v7), else 0.
uint32_t recordSizeForKind(SectionKind kind,
                           uint32_t version = kFormatVersion);

bool isValidSectionKind(uint32_t value);
bool isValidTargetKind(uint32_t value);
bool isValidBinaryFormat(uint32_t value);
bool isValidKernelArgKind(uint32_t value);
bool isValidDType(uint32_t value);
bool isValidScheduleOp(uint32_t value);
bool isValidLibraryOp(uint32_t value);
bool isValidGemmBias(uint32_t value);
bool isValidGemmActivation(uint32_t value);
bool isValidResizeFilter(uint32_t value);
/// True if `format` is a binary format for `target`.
bool isFormatForTarget(TargetKind target, BinaryFormat format);

/// Name of the enumerator (e.g. "Constants", "Nvptx") or "<invalid>" for
/// values out of range.
const char *sectionKindName(SectionKind kind);
const char *targetKindName(TargetKind kind);
const char *binaryFormatName(BinaryFormat format);
const char *kernelArgKindName(KernelArgKind kind);
const char *scheduleOpName(ScheduleOp op);

/// Bytes per element (Bool: 1); 0 for invalid values.
uint32_t dtypeSize(DType dtype);

} // namespace ssmrt::format

#endif // SSMRT_FORMAT_ARTIFACT_H
