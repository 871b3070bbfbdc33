//===- status.cpp - Status and Expected<T> for the ssm runtime -----------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/status.h"

#include <cstdio>
#include <cstdlib>

namespace ssmrt {

const char *statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::Ok:
    return "Ok";
  case StatusCode::InvalidArgument:
    return "InvalidArgument";
  case StatusCode::NotFound:
    return "NotFound";
  case StatusCode::Unavailable:
    return "Unavailable";
  case StatusCode::DataLoss:
    return "DataLoss";
  case StatusCode::FailedPrecondition:
    return "FailedPrecondition";
  case StatusCode::OutOfRange:
    return "OutOfRange";
  case StatusCode::Unimplemented:
    return "Unimplemented";
  case StatusCode::Internal:
    return "Internal";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message) : code_(code) {
  if (code_ != StatusCode::Ok)
    message_ = std::move(message);
}

std::string Status::toString() const {
  if (ok())
    return "Ok";
  std::string out = statusCodeName(code_);
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status Status::withContext(std::string_view context) const {
  if (ok())
    return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, std::move(message));
}

Status invalidArgumentError(std::string message) {
  return Status(StatusCode::InvalidArgument, std::move(message));
}
Status notFoundError(std::string message) {
  return Status(StatusCode::NotFound, std::move(message));
}
Status unavailableError(std::string message) {
  return Status(StatusCode::Unavailable, std::move(message));
}
Status dataLossError(std::string message) {
  return Status(StatusCode::DataLoss, std::move(message));
}
Status failedPreconditionError(std::string message) {
  return Status(StatusCode::FailedPrecondition, std::move(message));
}
Status outOfRangeError(std::string message) {
  return Status(StatusCode::OutOfRange, std::move(message));
}
Status unimplementedError(std::string message) {
  return Status(StatusCode::Unimplemented, std::move(message));
}
Status internalError(std::string message) {
  return Status(StatusCode::Internal, std::move(message));
}

namespace detail {
void dieOnBadExpectedAccess(const Status &status) {
  std::fprintf(stderr, "ssmrt: value() called on an Expected holding %s\n",
               status.toString().c_str());
  std::fflush(stderr);
  std::abort();
}
} // namespace detail

} // namespace ssmrt
