//===- SSMOpsTest.cpp - C++ API of the ssm ops ------------------------===//
//
// Builds ops through the generated C++ API (as the model builders will) and
// checks type inference, the optional-gradient accessors, folds and the
// diagnostics a malformed op produces.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/IR/SSMOps.h"
#include "ssm/InitAll.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

class SSMOpsTest : public ::testing::Test {
protected:
  SSMOpsTest() : builder(&ctx) {
    DialectRegistry registry;
    registerAllSSMDialects(registry);
    registry.insert<func::FuncDialect>();
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A placeholder value of the given type (an unrealized cast of nothing).
  Value value(ArrayRef<int64_t> shape, Type elem) {
    auto type = RankedTensorType::get(shape, elem);
    return UnrealizedConversionCastOp::create(builder, loc(), TypeRange{type},
                                              ValueRange{})
        .getResult(0);
  }
  Location loc() { return builder.getUnknownLoc(); }

  MLIRContext ctx;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(SSMOpsTest, GroupedScanInfersOutputAndLastState) {
  Type f32 = builder.getF32Type(), bf16 = builder.getBF16Type();
  // VMamba: b=2, 4 directions x E=3 channels, L=7, N=1, 16-bit in, f32 out.
  Value u = value({2, 12, 7}, bf16), dt = value({2, 12, 7}, bf16);
  Value A = value({12, 1}, f32), B = value({2, 4, 1, 7}, bf16),
        C = value({2, 4, 1, 7}, bf16), D = value({12}, f32);
  auto scan =
      SelectiveScanOp::create(builder, loc(), u, dt, A, B, C, D,
                              /*z=*/Value(), /*delta_bias=*/Value(),
                              /*delta_softplus=*/true, /*reverse=*/false,
                              /*return_last_state=*/true, TypeAttr::get(f32));
  EXPECT_TRUE(succeeded(mlir::verify(scan)));
  EXPECT_EQ(scan.getNumGroups(), 4);
  EXPECT_EQ(scan.getOut().getType(), RankedTensorType::get({2, 12, 7}, f32));
  ASSERT_TRUE(scan.getLastState());
  EXPECT_EQ(scan.getLastState().getType(),
            RankedTensorType::get({2, 12, 1}, f32));
}

TEST_F(SSMOpsTest, GradientAccessorsFollowPresentOperands) {
  Type f32 = builder.getF32Type();
  Value u = value({1, 8, 5}, f32), A = value({8, 4}, f32),
        B = value({1, 4, 5}, f32), D = value({8}, f32), bias = value({8}, f32);
  auto grad = SelectiveScanGradOp::create(
      builder, loc(), /*dout=*/u, u, /*delta=*/u, A, B, /*C=*/B, D,
      /*z=*/Value(), bias, /*delta_softplus=*/true, /*reverse=*/true);
  EXPECT_TRUE(succeeded(mlir::verify(grad)));
  ASSERT_EQ(grad.getOptionalGrads().size(), 2u);
  EXPECT_EQ(grad.getDD(), grad.getOptionalGrads()[0]);
  EXPECT_FALSE(grad.getDZ());
  EXPECT_EQ(grad.getDDeltaBias(), grad.getOptionalGrads()[1]);
  EXPECT_EQ(grad.getDA().getType(), A.getType());
  EXPECT_EQ(grad.getDDeltaBias().getType(), bias.getType());
}

TEST_F(SSMOpsTest, FlipOfFlipFolds) {
  Value x = value({1, 3, 9}, builder.getF16Type());
  Value once = builder.createOrFold<FlipOp>(loc(), x, 2);
  Value twice = builder.createOrFold<FlipOp>(loc(), once, 2);
  EXPECT_NE(once, x);
  EXPECT_EQ(twice, x);
  // A different dimension is a different permutation: no fold.
  Value other = builder.createOrFold<FlipOp>(loc(), once, 1);
  EXPECT_NE(other, x);
}

TEST_F(SSMOpsTest, DirectionKeywordsRoundTrip) {
  for (ScanDirection dir : {ScanDirection::row, ScanDirection::col,
                            ScanDirection::row_rev, ScanDirection::col_rev})
    EXPECT_EQ(symbolizeScanDirection(stringifyScanDirection(dir)), dir);
  EXPECT_FALSE(symbolizeScanDirection("diagonal").has_value());
}

TEST_F(SSMOpsTest, MalformedScanReportsTheBrokenRule) {
  const char *ir = R"mlir(
    func.func @f(%u: tensor<2x6x5xf32>, %A: tensor<6x4xf32>,
                 %B: tensor<2x4x4x5xf32>) -> tensor<2x6x5xf32> {
      %y = ssm.selective_scan %u, %u, %A, %B, %B
          : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x4xf32>,
            tensor<2x4x4x5xf32>, tensor<2x4x4x5xf32>
      return %y : tensor<2x6x5xf32>
    })mlir";
  std::string message;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(ir, &ctx);
  EXPECT_FALSE(parsed);
  EXPECT_NE(
      message.find("channels d = 6 to be divisible by the group count g = 4"),
      std::string::npos)
      << message;
}

} // namespace
