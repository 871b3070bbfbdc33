//===- status_test.cpp - Tests for Status and Expected<T> -----------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace ssmrt {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::Ok);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.toString(), "Ok");
  EXPECT_TRUE(okStatus().ok());
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = dataLossError("truncated: file is 3 bytes");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::DataLoss);
  EXPECT_EQ(s.message(), "truncated: file is 3 bytes");
  EXPECT_EQ(s.toString(), "DataLoss: truncated: file is 3 bytes");
}

TEST(StatusTest, OkDropsMessage) {
  Status s(StatusCode::Ok, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, FactoriesAndCodeNames) {
  struct {
    Status status;
    StatusCode code;
    const char *name;
  } const cases[] = {
      {invalidArgumentError("m"), StatusCode::InvalidArgument,
       "InvalidArgument"},
      {notFoundError("m"), StatusCode::NotFound, "NotFound"},
      {unavailableError("m"), StatusCode::Unavailable, "Unavailable"},
      {dataLossError("m"), StatusCode::DataLoss, "DataLoss"},
      {failedPreconditionError("m"), StatusCode::FailedPrecondition,
       "FailedPrecondition"},
      {outOfRangeError("m"), StatusCode::OutOfRange, "OutOfRange"},
      {unimplementedError("m"), StatusCode::Unimplemented, "Unimplemented"},
      {internalError("m"), StatusCode::Internal, "Internal"},
  };
  for (const auto &c : cases) {
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_STREQ(statusCodeName(c.code), c.name);
    EXPECT_EQ(c.status.toString(), std::string(c.name) + ": m");
  }
  EXPECT_STREQ(statusCodeName(static_cast<StatusCode>(99)), "Unknown");
}

TEST(StatusTest, WithContext) {
  Status s = notFoundError("no entry").withContext("'model.ssmb'");
  EXPECT_EQ(s.code(), StatusCode::NotFound);
  EXPECT_EQ(s.message(), "'model.ssmb': no entry");
  EXPECT_TRUE(okStatus().withContext("ctx").ok());
}

TEST(StatusTest, Equality) {
  EXPECT_EQ(internalError("a"), internalError("a"));
  EXPECT_NE(internalError("a"), internalError("b"));
  EXPECT_NE(internalError("a"), dataLossError("a"));
}

TEST(ExpectedTest, HoldsValue) {
  Expected<int> e = 42;
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(static_cast<bool>(e));
  EXPECT_EQ(*e, 42);
  EXPECT_EQ(e.value(), 42);
  EXPECT_TRUE(e.status().ok());
  EXPECT_EQ(e.valueOr(7), 42);
}

TEST(ExpectedTest, HoldsError) {
  Expected<int> e = outOfRangeError("index 3");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::OutOfRange);
  EXPECT_EQ(e.valueOr(7), 7);
  Status taken = std::move(e).takeStatus();
  EXPECT_EQ(taken.message(), "index 3");
}

TEST(ExpectedTest, OkStatusBecomesInternalError) {
  Expected<int> e = okStatus();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::Internal);
}

TEST(ExpectedTest, MoveOnlyValue) {
  Expected<std::unique_ptr<int>> e = std::make_unique<int>(5);
  ASSERT_TRUE(e.ok());
  std::unique_ptr<int> p = std::move(e).value();
  EXPECT_EQ(*p, 5);
}

TEST(ExpectedTest, ConvertingConstructorAndArrow) {
  Expected<std::string> e = "hello";
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->size(), 5u);
}

TEST(ExpectedDeathTest, ValueOnErrorAborts) {
  Expected<int> e = dataLossError("boom");
  EXPECT_DEATH((void)e.value(), "DataLoss: boom");
}

Status failsIfNegative(int x) {
  if (x < 0)
    return invalidArgumentError("negative");
  return okStatus();
}

Expected<int> doubled(int x) {
  SSMRT_RETURN_IF_ERROR(failsIfNegative(x));
  return 2 * x;
}

Status chain(int x, int &out) {
  SSMRT_ASSIGN_OR_RETURN(int y, doubled(x));
  SSMRT_ASSIGN_OR_RETURN(out, doubled(y));
  return okStatus();
}

TEST(StatusMacrosTest, ReturnIfErrorAndAssignOrReturn) {
  int out = 0;
  EXPECT_TRUE(chain(3, out).ok());
  EXPECT_EQ(out, 12);
  Status s = chain(-1, out);
  EXPECT_EQ(s.code(), StatusCode::InvalidArgument);
  EXPECT_EQ(s.message(), "negative");
  EXPECT_EQ(doubled(-5).status().code(), StatusCode::InvalidArgument);
}

} // namespace
} // namespace ssmrt
