//===- SSMEnums.td - ssm dialect enums and enum attributes -*- tablegen -*-===//

#ifndef SSM_DIALECT_SSM_IR_SSMENUMS_TD
#define SSM_DIALECT_SSM_IR_SSMENUMS_TD

include "ssm/Dialect/SSM/IR/SSMBase.td"
include "mlir/IR/EnumAttr.td"

def SSM_ActivationKind : I32EnumAttr<"ActivationKind",
    "activation fused into an operator", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"silu", 1>,
    ]> {
  let cppNamespace = "::mlir::ssm";
  let genSpecializedAttr = 0;
}
def SSM_ActivationAttr : EnumAttr<SSM_Dialect, SSM_ActivationKind, "activation"> {
  let assemblyFormat = "$value";
}

def SSM_PoolKind : I32EnumAttr<"PoolKind", "reduction of an axis pool", [
      I32EnumAttrCase<"mean", 0>,
      I32EnumAttrCase<"max", 1>,
      I32EnumAttrCase<"sum", 2>,
    ]> {
  let cppNamespace = "::mlir::ssm";
  let genSpecializedAttr = 0;
}
def SSM_PoolKindAttr : EnumAttr<SSM_Dialect, SSM_PoolKind, "pool_kind"> {
  let assemblyFormat = "$value";
}

// VMamba's cross-scan index maps (docs/semantics.md §2.4): token (h, w) is at
//   row      h*W + w          col      w*H + h
//   row_rev  L-1-(h*W + w)    col_rev  L-1-(w*H + h)
def SSM_ScanDirection : I32EnumAttr<"ScanDirection",
    "traversal order of an image grid", [
      I32EnumAttrCase<"row", 0>,
      I32EnumAttrCase<"col", 1>,
      I32EnumAttrCase<"row_rev", 2>,
      I32EnumAttrCase<"col_rev", 3>,
    ]> {
  let cppNamespace = "::mlir::ssm";
  let genSpecializedAttr = 0;
}
def SSM_ScanDirectionAttr
    : EnumAttr<SSM_Dialect, SSM_ScanDirection, "direction"> {
  let assemblyFormat = "$value";
}
def SSM_ScanDirectionArrayAttr
    : TypedArrayAttrBase<SSM_ScanDirectionAttr, "list of scan directions">;

#endif // SSM_DIALECT_SSM_IR_SSMENUMS_TD
