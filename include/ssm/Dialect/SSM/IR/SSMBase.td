//===- SSMBase.td - ssm dialect definition -----------------*- tablegen -*-===//
//
// The `ssm` dialect: the state-space-model operators of vision Mamba models
// (selective scan, causal conv1d, cross-scan/merge, flip, axis pooling) and their
// gradients. Dense math stays in upstream dialects.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_DIALECT_SSM_IR_SSMBASE_TD
#define SSM_DIALECT_SSM_IR_SSMBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def SSM_Dialect : Dialect {
  let name = "ssm";
  let cppNamespace = "::mlir::ssm";
  let summary = "Operators of vision state-space models";
  let description = [{
    The `ssm` dialect holds the operators that vision SSMs (Vim, VMamba, FastVim)
    need beyond dense linear algebra: the selective scan and its adjoint, the
    depthwise causal conv1d, VMamba's cross-scan / cross-merge, the sequence flip
    of Vim's backward direction and FastVim's axis pooling / broadcast. Every
    operator works on ranked tensors and has an adjoint (a `*_grad` op or another
    op of the dialect), so whole graphs can be differentiated. Semantics follow
    `docs/semantics.md` §2 exactly.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 0;
}

class SSM_Op<string mnemonic, list<Trait> traits = []>
    : Op<SSM_Dialect, mnemonic, traits>;

class SSM_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<SSM_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // SSM_DIALECT_SSM_IR_SSMBASE_TD
