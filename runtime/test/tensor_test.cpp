//===- tensor_test.cpp - DType, Buffer, HostTensor, float16 tests ---------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/core/float16.h"
#include "ssmrt/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace ssmrt {
namespace {

TEST(DTypeTest, NamesRoundTrip) {
  for (uint32_t v = 1; v <= 9; ++v) {
    DType d = static_cast<DType>(v);
    Expected<DType> parsed = parseDType(dtypeString(d));
    ASSERT_TRUE(parsed.ok()) << dtypeString(d);
    EXPECT_EQ(*parsed, d);
  }
  EXPECT_STREQ(dtypeString(DType::Bool), "i1");
  EXPECT_STREQ(dtypeString(DType::BF16), "bf16");
  EXPECT_EQ(*parseDType("bool"), DType::Bool);
  EXPECT_EQ(*parseDType("u8"), DType::U8);
  Expected<DType> bad = parseDType("f128");
  EXPECT_EQ(bad.status().code(), StatusCode::InvalidArgument);
  EXPECT_NE(bad.status().message().find("'f128'"), std::string::npos);
}

TEST(DTypeTest, SizesAndTypeStrings) {
  EXPECT_EQ(*checkedByteSize(DType::F32, {2, 3}), 24u);
  EXPECT_EQ(*checkedByteSize(DType::BF16, {}), 2u);
  EXPECT_EQ(*checkedByteSize(DType::F64, {4, 0, 5}), 0u);
  EXPECT_EQ(typeString(DType::F32, {2, 3}), "2x3xf32");
  EXPECT_EQ(typeString(DType::I64, {}), "i64");
  EXPECT_FALSE(checkedByteSize(DType::F32, {-1}).ok());
  EXPECT_FALSE(checkedByteSize(DType::F32, {int64_t(1) << 62, 4}).ok());
  EXPECT_FALSE(checkedByteSize(static_cast<DType>(99), {1}).ok());
  // A zero dim anywhere gives 0 even when the other dims overflow.
  EXPECT_EQ(*checkedElementCount({int64_t(1) << 62, int64_t(1) << 62, 0}), 0u);
  EXPECT_FALSE(checkedElementCount(std::vector<int64_t>(9, 1)).ok());
}

TEST(BufferTest, AlignedZeroedAndOwned) {
  for (uint64_t size : {0u, 1u, 63u, 64u, 65u, 4096u}) {
    Expected<Buffer> b = Buffer::allocate(size);
    ASSERT_TRUE(b.ok());
    EXPECT_NE(b->data(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data()) % 64, 0u);
    EXPECT_EQ(b->size(), size);
    EXPECT_TRUE(b->ownsData());
    for (uint64_t i = 0; i < size; ++i)
      ASSERT_EQ(b->data()[i], 0);
  }
  EXPECT_EQ(Buffer::allocate(Buffer::kMaxBytes + 1).status().code(),
            StatusCode::InvalidArgument);
}

TEST(BufferTest, WrapMoveClone) {
  uint8_t bytes[5] = {1, 2, 3, 4, 5};
  Expected<Buffer> view = Buffer::wrap(bytes, 5);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->ownsData());
  EXPECT_EQ(view->data(), bytes);
  Buffer moved = std::move(*view);
  EXPECT_EQ(moved.data(), bytes);
  Expected<Buffer> copy = moved.clone();
  ASSERT_TRUE(copy.ok());
  EXPECT_TRUE(copy->ownsData());
  EXPECT_NE(copy->data(), bytes);
  EXPECT_EQ(copy->data()[4], 5);
  EXPECT_FALSE(Buffer::wrap(nullptr, 4).ok());
  EXPECT_TRUE(Buffer::wrap(nullptr, 0).ok());
}

TEST(HostTensorTest, AllocateWrapCopy) {
  Expected<HostTensor> t = HostTensor::allocate(DType::F32, {2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->elementCount(), 6u);
  EXPECT_EQ(t->byteSize(), 24u);
  EXPECT_EQ(t->rank(), 2u);
  EXPECT_EQ(t->typeString(), "2x3xf32");
  t->dataAs<float>()[5] = 7.5f;
  Expected<HostTensor> c = t->clone();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->dataAs<float>()[5], 7.5f);

  float raw[4] = {1, 2, 3, 4};
  Expected<HostTensor> w = HostTensor::wrap(DType::F32, {4}, raw);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->ownsData());
  EXPECT_EQ(w->data(), raw);
  Expected<HostTensor> copy = HostTensor::copyOf(w->view());
  ASSERT_TRUE(copy.ok());
  EXPECT_TRUE(copy->ownsData());
  EXPECT_EQ(copy->dataAs<float>()[3], 4.0f);

  Expected<HostTensor> scalar = HostTensor::allocate(DType::I64, {});
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->elementCount(), 1u);
  EXPECT_EQ(scalar->byteSize(), 8u);

  EXPECT_FALSE(HostTensor::allocate(DType::F32, {-2}).ok());
  EXPECT_FALSE(HostTensor::wrap(DType::F32, {4}, nullptr).ok());
  Expected<Buffer> small = Buffer::allocate(8);
  ASSERT_TRUE(small.ok());
  Expected<HostTensor> mismatch =
      HostTensor::fromBuffer(DType::F32, {4}, std::move(*small));
  EXPECT_EQ(mismatch.status().code(), StatusCode::InvalidArgument);
}

TEST(Float16Test, HalfRoundTripsEveryValue) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    float f = f16ToFloat(static_cast<uint16_t>(h));
    uint16_t back = floatToF16(f);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16ToFloat(back)));
      continue;
    }
    ASSERT_EQ(back, h) << "h=" << h << " f=" << f;
  }
}

TEST(Float16Test, HalfKnownValuesAndRounding) {
  EXPECT_EQ(floatToF16(1.0f), 0x3C00);
  EXPECT_EQ(floatToF16(-2.0f), 0xC000);
  EXPECT_EQ(floatToF16(65504.0f), 0x7BFF);
  EXPECT_EQ(floatToF16(65520.0f), 0x7C00);              // rounds to inf
  EXPECT_EQ(floatToF16(std::ldexp(1.0f, -24)), 0x0001); // smallest subnormal
  EXPECT_EQ(floatToF16(std::ldexp(1.0f, -25)), 0x0000); // tie to even: 0
  EXPECT_EQ(floatToF16(std::ldexp(1.5f, -25)), 0x0001);
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: rounds to even (1).
  EXPECT_EQ(floatToF16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(floatToF16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_FLOAT_EQ(f16ToFloat(0x3555), 0.333251953125f);
}

TEST(Float16Test, BFloat16) {
  EXPECT_EQ(floatToBf16(1.0f), 0x3F80);
  EXPECT_EQ(bf16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(bf16ToFloat(floatToBf16(3.140625f)), 3.140625f);
  // Round to nearest even on the dropped 16 bits.
  EXPECT_EQ(floatToBf16(floatFromBits(0x3F808000u)), 0x3F80);
  EXPECT_EQ(floatToBf16(floatFromBits(0x3F818000u)), 0x3F82);
  EXPECT_EQ(floatToBf16(floatFromBits(0x3F808001u)), 0x3F81);
  EXPECT_TRUE(std::isnan(
      bf16ToFloat(floatToBf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(floatFromBits(0x7F800001u)))));
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    float f = bf16ToFloat(static_cast<uint16_t>(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(floatToBf16(f), h);
    }
  }
}

} // namespace
} // namespace ssmrt
