//===- executor.h - Schedule planning and execution (private) ---*- C++ -*-===//
//
// Part of the ssmc project. An entry's schedule is checked and planned once,
// when the module is loaded (planEntry): every buffer use is validated
// against a simulation of the slot states (allocated, bound to an input,
// freed, returned), with all sizes known statically from the signature and
// the commands, and Alloc/Free are turned into a static memory plan:
// intermediates get offsets in one per-invocation arena (first-fit reuse of
// freed ranges), outputs get their own storage that is handed to the caller.
// executeEntry then runs the commands against real memory; it re-checks every
// slot access, so even a plan bug cannot turn into an out-of-bounds access.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_CORE_EXECUTOR_H
#define SSMRT_SRC_CORE_EXECUTOR_H

#include "ssmrt/api.h"
#include "ssmrt/format/reader.h"
#include "ssmrt/status.h"
#include "ssmrt/tensor.h"
#include "ssmrt/thread_pool.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ssmrt::detail {

/// The CPU kernel ABI (fixed by the compiler): args[i] points at argument i
/// (a buffer's data, or a scalar's 8-byte storage); the kernel runs tiles
/// [tileBegin, tileEnd).
using KernelFn = void (*)(void *const *args, int64_t tileBegin,
                          int64_t tileEnd);

inline constexpr uint32_t kNoAllocation = std::numeric_limits<uint32_t>::max();

/// One Alloc command of an entry.
struct PlannedAllocation {
  uint32_t command = 0; // entry-relative index of the Alloc
  uint64_t bytes = 0;
  /// Output index whose storage this allocation is (handed to the caller),
  /// or -1 for an arena allocation.
  int32_t output = -1;
  uint64_t arenaOffset = 0; // arena allocations only; 64-byte aligned
};

/// Where an output's bytes come from when the entry returns.
struct OutputSource {
  enum class Kind { Allocation, Input };
  Kind kind = Kind::Allocation;
  uint32_t id = 0; // allocation or input index
  /// Copied out (an input, or an allocation already given to another
  /// output) rather than handed over.
  bool copy = false;
};

/// A validated, planned entry function.
struct EntryPlan {
  FunctionSignature signature;
  uint32_t bufferCount = 0;
  std::vector<format::Command> commands;
  /// Per command: the allocation index of an Alloc, else kNoAllocation.
  std::vector<uint32_t> allocationOfCommand;
  std::vector<PlannedAllocation> allocations;
  std::vector<OutputSource> outputs; // per output index
  MemoryPlan memory;
  /// Ok, or why this entry cannot run (a schedule that misuses buffers).
  Status status;
};

/// What planEntry needs to know about the module.
struct PlanContext {
  std::vector<uint64_t> constantSizes; // per constant index
  std::vector<std::string> kernelNames;
  std::vector<uint32_t> kernelArgCounts;
};

/// Checks the schedule of `plan` (commands, signature and bufferCount filled
/// in) and computes allocations, outputs and memory. Errors are
/// FailedPrecondition "function 'f': invalid schedule: command N (Op): ...".
Status planEntry(const PlanContext &context, EntryPlan &plan);

/// What executeEntry needs to run commands.
struct ExecutionContext {
  const std::vector<format::ConstantInfo> *constants = nullptr;
  const std::vector<KernelFn> *kernels = nullptr;
  ThreadPool *pool = nullptr;
  /// Output allocations start as 0xFF bytes instead of zeros.
  bool poisonOutputs = false;
};

/// Checks `inputs` against the signature: count, dtype, rank, dims, non-null
/// data. InvalidArgument errors naming the input, expected vs got.
Status validateInputs(const FunctionSignature &signature,
                      const std::vector<TensorView> &inputs);

/// validateInputs, the same checks of `outputs` against the signature's
/// outputs, and no output overlapping another output or an input (for
/// Module::invokeWithBuffers).
Status validateBuffers(const FunctionSignature &signature,
                       const std::vector<TensorView> &inputs,
                       const std::vector<TensorView> &outputs);

/// One buffer slot while a schedule runs: an address range (a host pointer
/// or a device address, as an integer).
struct RunSlot {
  uint64_t base = 0;
  uint64_t size = 0;
  bool live = false;
  bool writable = false;
};

/// The walk over a planned entry's commands, shared by the host executor and
/// the GPU executor: it keeps the slot table, checks every access against the
/// slot's range (a backstop behind planEntry), resolves launch arguments and
/// handles BindInput, BindConstant, UploadConstant, Copy, Free and Return
/// itself. A backend supplies memory (allocate, inputAddress, constantRange)
/// and actions (copy, launch).
class ScheduleWalker {
public:
  /// `executorName` prefixes internal errors ("executor", "CUDA executor").
  ScheduleWalker(const EntryPlan &plan, std::string executorName);
  virtual ~ScheduleWalker();

  /// Clears the slots and runs every command once.
  Status walk();
  /// The address of output `index` as returned by the schedule (0 for an
  /// empty input passed as null).
  uint64_t returned(size_t index) const { return returned_[index]; }

protected:
  /// Storage for allocation `allocation` (Alloc command `command`).
  virtual Expected<uint64_t> allocate(uint32_t command,
                                      uint32_t allocation) = 0;
  /// Where input `input` is.
  virtual Expected<uint64_t> inputAddress(uint32_t input) = 0;
  /// Where constant `constant` is and its size.
  virtual Expected<RunSlot> constantRange(uint32_t constant) = 0;
  /// Copies `bytes` (> 0) between two checked ranges (may overlap only if
  /// they are the same range).
  virtual Status copy(uint64_t dst, uint64_t src, uint64_t bytes) = 0;
  /// Runs `c` (a Launch). `values[a]` is argument a: a buffer's address or a
  /// scalar's 8 bytes (little-endian; the scalar is its first bytes).
  virtual Status launch(uint32_t command, const format::Command &c,
                        std::vector<uint64_t> &values) = 0;

  Status internal(uint32_t i, const std::string &message) const;
  /// The checked address of Buffer argument `arg` of Launch `c` (command
  /// `i`) plus `offset` bytes: `bytes` from there inside its buffer, which
  /// must be writable when `write` (a library call replacing the launch).
  Expected<uint64_t> argumentRange(uint32_t i, const format::Command &c,
                                   uint32_t arg, uint64_t offset,
                                   uint64_t bytes, bool write) const;
  const EntryPlan &plan_;

private:
  Status step(uint32_t i, const format::Command &c);
  Expected<uint64_t> range(uint32_t i, uint32_t buffer, uint64_t offset,
                           uint64_t bytes, bool write) const;

  std::string executorName_;
  std::vector<RunSlot> slots_;
  std::vector<uint64_t> returned_; // per output
  std::vector<uint64_t> values_;   // launch arguments
};

/// Runs a planned entry (plan.status must be Ok) on validated inputs.
/// `arena` must hold at least plan.memory.arenaBytes bytes, 64-byte aligned.
Expected<std::vector<HostTensor>>
executeEntry(const EntryPlan &plan, const ExecutionContext &context,
             const std::vector<TensorView> &inputs, Buffer &arena);

/// executeEntry writing output i into outputs[i] (validateBuffers'd host
/// memory) instead of returning owned tensors.
Status executeEntryInto(const EntryPlan &plan, const ExecutionContext &context,
                        const std::vector<TensorView> &inputs,
                        const std::vector<TensorView> &outputs, Buffer &arena);

} // namespace ssmrt::detail

#endif // SSMRT_SRC_CORE_EXECUTOR_H
