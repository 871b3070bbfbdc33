//===- status.h - Status and Expected<T> for the ssm runtime ----*- C++ -*-===//
//
// Part of the ssmc project. The runtime is built without exceptions: every
// fallible function returns a Status or an Expected<T> (a value or an error
// Status), and the caller checks it, usually with the macros below.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_STATUS_H
#define SSMRT_STATUS_H

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ssmrt {

enum class StatusCode : int {
  Ok = 0,
  InvalidArgument = 1,    // the caller passed something wrong
  NotFound = 2,           // a file, entry or symbol does not exist
  Unavailable = 3,        // a device or driver library is not present
  DataLoss = 4,           // a file is corrupt or truncated
  FailedPrecondition = 5, // the system is not in a state to do this (e.g.
                          // an artifact of an unsupported format version)
  OutOfRange = 6,         // an index or offset past the end
  Unimplemented = 7,      // not supported by this build
  Internal = 8,           // a bug
};

/// "Ok", "InvalidArgument", ...; "Unknown" for values out of range.
const char *statusCodeName(StatusCode code);

/// A code plus a message. The default-constructed Status is Ok; an Ok status
/// never carries a message.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(StatusCode code, std::string message);

  bool ok() const { return code_ == StatusCode::Ok; }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

  /// "Ok" or "<CodeName>: <message>".
  std::string toString() const;

  /// Returns this status with "<context>: " prepended to the message; Ok
  /// stays Ok.
  Status withContext(std::string_view context) const;

  /// Explicitly drops an error (documents intent at the call site).
  void ignoreError() const {}

  friend bool operator==(const Status &a, const Status &b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }
  friend bool operator!=(const Status &a, const Status &b) { return !(a == b); }

private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
};

inline Status okStatus() { return Status(); }
Status invalidArgumentError(std::string message);
Status notFoundError(std::string message);
Status unavailableError(std::string message);
Status dataLossError(std::string message);
Status failedPreconditionError(std::string message);
Status outOfRangeError(std::string message);
Status unimplementedError(std::string message);
Status internalError(std::string message);

namespace detail {
/// Prints the status to stderr and aborts; used when value() is called on an
/// Expected that holds an error.
[[noreturn]] void dieOnBadExpectedAccess(const Status &status);
} // namespace detail

/// Either a T or a non-Ok Status (like absl::StatusOr / llvm::ErrorOr).
template <typename T> class [[nodiscard]] Expected {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>,
                "Expected<Status> is not meaningful; return Status");
  static_assert(!std::is_reference_v<T>, "Expected<T&> is not supported");

public:
  /// Holds an error. An Ok status is turned into an Internal error, because
  /// an Expected without a value must explain why.
  Expected(Status status) : status_(std::move(status)) {
    if (status_.ok())
      status_ = Status(StatusCode::Internal,
                       "Expected<T> constructed from an Ok status");
  }

  /// Holds a value (anything T can be constructed from).
  template <typename U = T, typename = std::enable_if_t<
                                std::is_constructible_v<T, U &&> &&
                                !std::is_same_v<std::decay_t<U>, Status> &&
                                !std::is_same_v<std::decay_t<U>, Expected<T>>>>
  Expected(U &&value) : value_(std::forward<U>(value)) {}

  bool ok() const { return status_.ok(); }
  explicit operator bool() const { return ok(); }

  /// Ok when a value is held.
  const Status &status() const & { return status_; }
  Status takeStatus() && { return std::move(status_); }

  T &value() & {
    check();
    return *value_;
  }
  const T &value() const & {
    check();
    return *value_;
  }
  T &&value() && {
    check();
    return std::move(*value_);
  }

  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  /// The value, or `fallback` on error.
  template <typename U> T valueOr(U &&fallback) const & {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

private:
  void check() const {
    if (!status_.ok())
      detail::dieOnBadExpectedAccess(status_);
  }

  Status status_;
  std::optional<T> value_;
};

} // namespace ssmrt

#define SSMRT_STATUS_CONCAT_INNER_(a, b) a##b
#define SSMRT_STATUS_CONCAT_(a, b) SSMRT_STATUS_CONCAT_INNER_(a, b)

/// Evaluates `expr` (a Status) and returns it from the enclosing function if
/// it is an error. The enclosing function returns Status or Expected<U>.
#define SSMRT_RETURN_IF_ERROR(expr)                                            \
  do {                                                                         \
    ::ssmrt::Status ssmrt_status_tmp_ = (expr);                                \
    if (!ssmrt_status_tmp_.ok())                                               \
      return ssmrt_status_tmp_;                                                \
  } while (false)

/// Evaluates `expr` (an Expected<T>); on error returns its status from the
/// enclosing function, else assigns the value to `lhs` (which may be a
/// declaration, e.g. `auto x`). Expands to several statements: do not use it
/// as the body of an unbraced if/else.
#define SSMRT_ASSIGN_OR_RETURN(lhs, expr)                                      \
  SSMRT_ASSIGN_OR_RETURN_IMPL_(                                                \
      SSMRT_STATUS_CONCAT_(ssmrt_expected_tmp_, __LINE__), lhs, expr)

#define SSMRT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                           \
  auto tmp = (expr);                                                           \
  if (!tmp.ok())                                                               \
    return std::move(tmp).takeStatus();                                        \
  lhs = std::move(tmp).value()

#endif // SSMRT_STATUS_H
