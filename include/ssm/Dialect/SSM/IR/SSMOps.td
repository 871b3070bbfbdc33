//===- SSMOps.td - ssm dialect operations ------------------*- tablegen -*-===//
//
// Shapes use the names of docs/semantics.md §1: b batch, d channels, l length,
// n state size, g B/C groups, k conv width or number of scan directions.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_DIALECT_SSM_IR_SSMOPS_TD
#define SSM_DIALECT_SSM_IR_SSMOPS_TD

include "ssm/Dialect/SSM/IR/SSMBase.td"
include "ssm/Dialect/SSM/IR/SSMEnums.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Activations: f32, f16 or bf16 (16-bit values accumulate in f32).
def SSM_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
// Parameters that the official kernels always keep in f32 (A, D, delta_bias).
def SSM_F32Tensor : RankedTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Selective scan
//===----------------------------------------------------------------------===//

def SSM_SelectiveScanOp : SSM_Op<"selective_scan", [Pure,
    AttrSizedOperandSegments, InferTypeOpAdaptor]> {
  let summary = "Mamba-1 selective scan (S6), forward";
  let description = [{
    Per batch `b`, channel `d` (in group `g = d / (d_total / G)`), state `n` and
    time `t`, with all arithmetic in f32:

    ```
    dt      = delta[b,d,t] + delta_bias[d]
    dt      = delta_softplus ? (dt <= 20 ? log1p(exp(dt)) : dt) : dt
    h[t,n]  = exp(dt * A[d,n]) * h[t-1,n] + dt * B[b,g,n,t] * u[b,d,t]   (h[-1] = 0)
    y[t]    = sum_n C[b,g,n,t] * h[t,n] + D[d] * u[b,d,t]
    out[t]  = z ? y[t] * silu(z[b,d,t]) : y[t]
    ```

    With `reverse` the recurrence runs from `t = l-1` down to `0` (equal to
    flipping every sequence operand along `l`, scanning, and flipping back).
    `B`/`C` are `(b, n, l)` (one group) or `(b, g, n, l)` with `d % g == 0`.
    The sequences `u`, `delta`, `B`, `C` and `z` may each be f32, f16 or bf16
    (a bf16 model reads bf16 `u` from its convolution next to the f32 outputs
    of its projections); `A`, `D` and `delta_bias` are f32.
    `out` has `u`'s element type unless `out_type` says otherwise (VMamba's
    "oflex": f32 output from 16-bit inputs). With `return_last_state` the op
    also returns `h[l-1]` (in scan order) as a `(b, d, n)` f32 tensor.

    Example (Vim forward direction, d = 384, n = 16):

    ```mlir
    %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<384xf32>)
           z(%z : tensor<1x384x197xf32>) delta_bias(%bias : tensor<384xf32>)
           delta_softplus
         : tensor<1x384x197xf32>, tensor<1x384x197xf32>, tensor<384x16xf32>,
           tensor<1x16x197xf32>, tensor<1x16x197xf32>
    ```
  }];
  let arguments = (ins
    SSM_FloatTensor:$u,
    SSM_FloatTensor:$delta,
    SSM_F32Tensor:$A,
    SSM_FloatTensor:$B,
    SSM_FloatTensor:$C,
    Optional<SSM_F32Tensor>:$D,
    Optional<SSM_FloatTensor>:$z,
    Optional<SSM_F32Tensor>:$delta_bias,
    UnitAttr:$delta_softplus,
    UnitAttr:$reverse,
    UnitAttr:$return_last_state,
    OptionalAttr<TypeAttr>:$out_type
  );
  let results = (outs SSM_FloatTensor:$out, Optional<SSM_F32Tensor>:$last_state);
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`delta_bias` `(` $delta_bias^ `:` type($delta_bias) `)`)?
    (`delta_softplus` $delta_softplus^)? (`reverse` $reverse^)?
    (`return_last_state` $return_last_state^)?
    (`out_type` `(` $out_type^ `)`)?
    attr-dict `:` type($u) `,` type($delta) `,` type($A) `,` type($B) `,` type($C)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Number of B/C groups (1 for rank-3 B/C).
    int64_t getNumGroups();
  }];
}

def SSM_SelectiveScanGradOp : SSM_Op<"selective_scan_grad", [Pure,
    AttrSizedOperandSegments, InferTypeOpAdaptor]> {
  let summary = "adjoint of ssm.selective_scan";
  let description = [{
    Given the forward operands and `dout` (the gradient of `out`, in `out`'s
    type), returns the gradients of every forward operand (docs/semantics.md
    §2.2):
    `du`, `ddelta` (w.r.t. the raw, pre-softplus delta), `dA`, `dB`, `dC`, and
    `dD`, `dz`, `ddelta_bias` (in this order, as `optional_grads`) exactly
    when the forward op had `D`, `z`, `delta_bias`. Gradients have their operand's type; `dB`/`dC` sum over the
    channels of each group. Forward states are recomputed, not stored; the last
    state output has no gradient.

    ```mlir
    %du, %ddt, %dA, %dB, %dC, %dD = ssm.selective_scan_grad %dout, %u, %dt, %A,
           %B, %C D(%D : tensor<8xf32>) delta_softplus
         : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>,
           tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
    ```
  }];
  let arguments = (ins
    SSM_FloatTensor:$dout,
    SSM_FloatTensor:$u,
    SSM_FloatTensor:$delta,
    SSM_F32Tensor:$A,
    SSM_FloatTensor:$B,
    SSM_FloatTensor:$C,
    Optional<SSM_F32Tensor>:$D,
    Optional<SSM_FloatTensor>:$z,
    Optional<SSM_F32Tensor>:$delta_bias,
    UnitAttr:$delta_softplus,
    UnitAttr:$reverse
  );
  let results = (outs
    SSM_FloatTensor:$du,
    SSM_FloatTensor:$ddelta,
    SSM_F32Tensor:$dA,
    SSM_FloatTensor:$dB,
    SSM_FloatTensor:$dC,
    // dD, dz, ddelta_bias, in this order, each present iff its operand is.
    Variadic<SSM_FloatTensor>:$optional_grads
  );
  let assemblyFormat = [{
    $dout `,` $u `,` $delta `,` $A `,` $B `,` $C
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`delta_bias` `(` $delta_bias^ `:` type($delta_bias) `)`)?
    (`delta_softplus` $delta_softplus^)? (`reverse` $reverse^)?
    attr-dict `:` type($dout) `,` type($u) `,` type($delta) `,` type($A) `,`
    type($B) `,` type($C)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Gradients of the optional operands; null when the operand is absent.
    Value getDD();
    Value getDZ();
    Value getDDeltaBias();
  }];
}

//===----------------------------------------------------------------------===//
// Causal depthwise conv1d
//===----------------------------------------------------------------------===//

def SSM_CausalConv1dOp : SSM_Op<"causal_conv1d", [Pure, InferTypeOpAdaptor]> {
  let summary = "depthwise causal 1-D convolution with fused activation";
  let description = [{
    For `x : (b, d, l)` and `weight : (d, k)`, with `x[t < 0] = 0`:

    ```
    pre[b,d,t] = bias[d] + sum_{i<k} weight[d,i] * x[b,d,t - (k-1) + i]
    out        = activation(pre)          (none | silu)
    ```

    Equal to PyTorch `Conv1d(groups=d, padding=k-1)` truncated to the first `l`
    outputs. Accumulates in f32; `out` has `x`'s element type unless
    `out_type` says otherwise (a bf16 model stores the activation of an f32
    `x` as bf16, ssm-narrow-activations).

    ```mlir
    %xc = ssm.causal_conv1d silu %x, %w bias(%b : tensor<384xf32>)
        : tensor<1x384x197xf32>, tensor<384x4xf32>
    ```
  }];
  let arguments = (ins
    SSM_ActivationAttr:$activation,
    SSM_FloatTensor:$x,
    SSM_FloatTensor:$weight,
    Optional<SSM_FloatTensor>:$bias,
    OptionalAttr<TypeAttr>:$out_type
  );
  let results = (outs SSM_FloatTensor:$out);
  let assemblyFormat = [{
    custom<EnumKeyword>($activation) $x `,` $weight (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`out_type` `(` $out_type^ `)`)?
    attr-dict `:` type($x) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def SSM_CausalConv1dGradOp : SSM_Op<"causal_conv1d_grad", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "adjoint of ssm.causal_conv1d";
  let description = [{
    Given `dout` and the forward operands, returns `dx`, `dweight` and (when the
    forward op had a bias) `dbias` (docs/semantics.md §2.3); the
    pre-activation is recomputed. Gradients have their operand's type.

    ```mlir
    %dx, %dw, %db = ssm.causal_conv1d_grad silu %dout, %x, %w
        bias(%b : tensor<8xf32>)
        : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>
    ```
  }];
  let arguments = (ins
    SSM_ActivationAttr:$activation,
    SSM_FloatTensor:$dout,
    SSM_FloatTensor:$x,
    SSM_FloatTensor:$weight,
    Optional<SSM_FloatTensor>:$bias
  );
  let results = (outs
    SSM_FloatTensor:$dx,
    SSM_FloatTensor:$dweight,
    Optional<SSM_FloatTensor>:$dbias
  );
  let assemblyFormat = [{
    custom<EnumKeyword>($activation) $dout `,` $x `,` $weight
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    attr-dict `:` type($dout) `,` type($x) `,` type($weight)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Cross-scan / cross-merge and flip (index permutations)
//===----------------------------------------------------------------------===//

def SSM_CrossScanOp : SSM_Op<"cross_scan", [Pure, InferTypeOpAdaptor]> {
  let summary = "unfold an image into k directional sequences";
  let description = [{
    `(b, c, h, w) -> (b, k, c, h*w)`: for each listed direction `k`,
    `out[b,k,c,p_k(h,w)] = x[b,c,h,w]` with the index maps of
    docs/semantics.md §2.4 (`row`, `col`, `row_rev`, `col_rev`). VMamba uses
    all four; directions may repeat. Its adjoint is `ssm.cross_merge` with the
    same directions.

    ```mlir
    %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x96x56x56xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input,
                       SSM_ScanDirectionArrayAttr:$directions);
  let results = (outs SSM_FloatTensor:$out);
  let assemblyFormat = [{
    $input custom<DirectionList>($directions) attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def SSM_CrossMergeOp : SSM_Op<"cross_merge", [Pure, InferTypeOpAdaptor]> {
  let summary = "sum k directional sequences back onto an image";
  let description = [{
    `(b, k, c, h*w) -> (b, c, h, w)`:
    `out[b,c,h,w] = sum_k ys[b,k,c,p_k(h,w)]` (plain sum, docs/semantics.md
    §2.4), the adjoint of `ssm.cross_scan` with the same directions. `height`
    and `width` give the grid.

    ```mlir
    %y = ssm.cross_merge %ys [row, col, row_rev, col_rev] height 56 width 56
        : tensor<1x4x96x3136xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input,
                       SSM_ScanDirectionArrayAttr:$directions,
                       I64Attr:$height, I64Attr:$width);
  let results = (outs SSM_FloatTensor:$out);
  let assemblyFormat = [{
    $input custom<DirectionList>($directions) `height` $height `width` $width
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def SSM_FlipOp : SSM_Op<"flip", [Pure, InferTypeOpAdaptor]> {
  let summary = "reverse a tensor along one dimension";
  let description = [{
    `out[..., i, ...] = x[..., size-1-i, ...]` along `dim`: Vim's backward
    direction flips `(b, d, l)` sequences along `l`. Its own adjoint; two flips
    of the same dimension fold away.

    ```mlir
    %xr = ssm.flip %x along 2 : tensor<1x384x197xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, I64Attr:$dim);
  let results = (outs SSM_FloatTensor:$out);
  let assemblyFormat = "$input `along` $dim attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// FastVim axis pooling / broadcast
//===----------------------------------------------------------------------===//

def SSM_AxisPoolOp : SSM_Op<"axis_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "reduce each run of `cols` consecutive tokens (FastVim pool)";
  let description = [{
    `(b, e, rows*cols) -> (b, e, rows)`:
    `out[b,e,r] = scale * reduce_{c<cols} x[b,e,r*cols + c]` where `reduce` is
    the mean, the max or the sum (docs/semantics.md §2.6). Its adjoint is
    `ssm.axis_pool_grad` (for `sum`, `ssm.axis_broadcast`).

    ```mlir
    %p = ssm.axis_pool mean %xc cols 14 : tensor<1x384x196xf32>
    ```
  }];
  let arguments = (ins SSM_PoolKindAttr:$kind, SSM_FloatTensor:$input,
                       I64Attr:$cols,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs SSM_FloatTensor:$out);
  let assemblyFormat = [{
    custom<EnumKeyword>($kind) $input `cols` $cols attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def SSM_AxisBroadcastOp : SSM_Op<"axis_broadcast", [Pure, InferTypeOpAdaptor]> {
  let summary = "repeat each token `cols` times (FastVim broadcast)";
  let description = [{
    `(b, e, rows) -> (b, e, rows*cols)`: `out[b,e,r*cols + c] = x[b,e,r]`. The
    adjoint of a `sum` axis pool with the same `cols`.

    ```mlir
    %y = ssm.axis_broadcast %s cols 14 : tensor<1x384x14xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, I64Attr:$cols);
  let results = (outs SSM_FloatTensor:$out);
  let assemblyFormat = "$input `cols` $cols attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def SSM_AxisPoolGradOp : SSM_Op<"axis_pool_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "adjoint of ssm.axis_pool";
  let description = [{
    Given `dout : (b, e, rows)` and the forward input `x : (b, e, rows*cols)`,
    returns `dx` like `x`: `scale/cols * dout` (mean) or `scale * dout` (sum)
    spread over each run, or `scale * dout` routed to the first arg-max of each
    run (max).

    ```mlir
    %dx = ssm.axis_pool_grad max %dp, %xc cols 14
        : tensor<1x384x14xf32>, tensor<1x384x196xf32>
    ```
  }];
  let arguments = (ins SSM_PoolKindAttr:$kind, SSM_FloatTensor:$dout,
                       SSM_FloatTensor:$input, I64Attr:$cols,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs SSM_FloatTensor:$dx);
  let assemblyFormat = [{
    custom<EnumKeyword>($kind) $dout `,` $input `cols` $cols attr-dict `:` type($dout) `,`
    type($input)
  }];
  let hasVerifier = 1;
}

#endif // SSM_DIALECT_SSM_IR_SSMOPS_TD
