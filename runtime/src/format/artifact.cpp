//===- artifact.cpp - .ssmb enum helpers ---------------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/format/artifact.h"

namespace ssmrt::format {

bool isValidSectionKind(uint32_t value) {
  return value >= kMinSectionKind && value <= kMaxSectionKind;
}
bool isValidTargetKind(uint32_t value) { return value >= 1 && value <= 3; }
bool isValidBinaryFormat(uint32_t value) { return value >= 1 && value <= 4; }
bool isValidKernelArgKind(uint32_t value) { return value >= 1 && value <= 2; }
bool isValidDType(uint32_t value) { return value >= 1 && value <= 9; }
bool isValidScheduleOp(uint32_t value) { return value >= 1 && value <= 8; }
bool isValidLibraryOp(uint32_t value) { return value == 1; }
bool isValidGemmBias(uint32_t value) { return value >= 1 && value <= 3; }
bool isValidGemmActivation(uint32_t value) { return value >= 1 && value <= 2; }
bool isValidResizeFilter(uint32_t value) { return value == 1; }

bool isUniqueSectionKind(SectionKind kind) {
  return isValidSectionKind(static_cast<uint32_t>(kind)) &&
         kind != SectionKind::Debug;
}

bool isRecordSectionKind(SectionKind kind) {
  return recordSizeForKind(kind) != 0;
}

uint32_t recordSizeForKind(SectionKind kind, uint32_t version) {
  switch (kind) {
  case SectionKind::KernelObject:
    return sizeof(KernelObjectRecord);
  case SectionKind::KernelMetadata:
    return sizeof(KernelMetadataRecord);
  case SectionKind::Constants:
    return sizeof(ConstantRecord);
  case SectionKind::Schedule:
    return sizeof(ScheduleCommandRecord);
  case SectionKind::Signatures:
    return sizeof(EntrySignatureRecord);
  case SectionKind::LibraryCalls:
    return version >= kOperandOffsetsFormatVersion ? sizeof(LibraryCallRecord)
                                                   : kLibraryCallRecordV6Size;
  case SectionKind::ModelInfo:
    return sizeof(ModelInfoRecord);
  case SectionKind::StringTable:
  case SectionKind::Debug:
    return 0;
  }
  return 0;
}

bool isFormatForTarget(TargetKind target, BinaryFormat format) {
  switch (target) {
  case TargetKind::Cpu:
    return format == BinaryFormat::So;
  case TargetKind::Nvptx:
    return format == BinaryFormat::Ptx || format == BinaryFormat::Cubin;
  case TargetKind::Amdgpu:
    return format == BinaryFormat::Hsaco;
  }
  return false;
}

const char *sectionKindName(SectionKind kind) {
  switch (kind) {
  case SectionKind::KernelObject:
    return "KernelObject";
  case SectionKind::KernelMetadata:
    return "KernelMetadata";
  case SectionKind::Constants:
    return "Constants";
  case SectionKind::Schedule:
    return "Schedule";
  case SectionKind::Signatures:
    return "Signatures";
  case SectionKind::StringTable:
    return "StringTable";
  case SectionKind::Debug:
    return "Debug";
  case SectionKind::LibraryCalls:
    return "LibraryCalls";
  case SectionKind::ModelInfo:
    return "ModelInfo";
  }
  return "<invalid>";
}

const char *targetKindName(TargetKind kind) {
  switch (kind) {
  case TargetKind::Cpu:
    return "Cpu";
  case TargetKind::Nvptx:
    return "Nvptx";
  case TargetKind::Amdgpu:
    return "Amdgpu";
  }
  return "<invalid>";
}

const char *binaryFormatName(BinaryFormat format) {
  switch (format) {
  case BinaryFormat::So:
    return "So";
  case BinaryFormat::Ptx:
    return "Ptx";
  case BinaryFormat::Cubin:
    return "Cubin";
  case BinaryFormat::Hsaco:
    return "Hsaco";
  }
  return "<invalid>";
}

const char *kernelArgKindName(KernelArgKind kind) {
  switch (kind) {
  case KernelArgKind::Buffer:
    return "Buffer";
  case KernelArgKind::Scalar:
    return "Scalar";
  }
  return "<invalid>";
}

const char *scheduleOpName(ScheduleOp op) {
  switch (op) {
  case ScheduleOp::Alloc:
    return "Alloc";
  case ScheduleOp::UploadConstant:
    return "UploadConstant";
  case ScheduleOp::Launch:
    return "Launch";
  case ScheduleOp::Copy:
    return "Copy";
  case ScheduleOp::Free:
    return "Free";
  case ScheduleOp::Return:
    return "Return";
  case ScheduleOp::BindInput:
    return "BindInput";
  case ScheduleOp::BindConstant:
    return "BindConstant";
  }
  return "<invalid>";
}

uint32_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 0;
}

} // namespace ssmrt::format
