"""A small builder for custom SSM graphs, emitted as MLIR text for
:func:`ssmc.compile`.

Values are static-shaped tensors; every op checks its operand shapes and
computes its result type in Python, so mistakes surface here with a clear
message (the compiler's verifier checks again)::

    import numpy as np, ssmc
    from ssmc.graph import Graph

    g = Graph("scan")
    u = g.input("u", (1, 64, 33))
    dt = g.input("dt", (1, 64, 33))
    A = g.input("A", (64, 16))
    B = g.input("B", (1, 16, 33))
    C = g.input("C", (1, 16, 33))
    z = g.input("z", (1, 64, 33))
    y = g.selective_scan(u, dt, A, B, C, z=z, delta_softplus=True)
    g.output(g.flip(y, 2), name="y")
    module = ssmc.load(ssmc.compile(g.to_mlir()))

Ops: the ssm dialect (selective_scan, causal_conv1d, flip, cross_scan,
cross_merge, axis_pool, axis_broadcast) and dense helpers written as
linalg.generic (add, mul, scale, silu, gelu, neg_exp, linear_cf).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

__all__ = ["Graph", "Value"]

_DTYPES = ("f32", "f16", "bf16")
_DIRECTIONS = ("row", "col", "row_rev", "col_rev")


@dataclass(frozen=True)
class Value:
    """An SSA tensor value of a :class:`Graph`."""
    name: str
    shape: Tuple[int, ...]
    dtype: str = "f32"

    @property
    def type(self) -> str:
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.dtype + ">"


class Graph:
    """One public function, built op by op."""

    def __init__(self, name: str = "forward", activation_dtype: str = "f32"):
        """`activation_dtype` "bf16" or "f16": the intermediates that cross
        kernel boundaries are stored in that type, every kernel still
        computing in f32 (ssm-narrow-activations, as for the bf16 models)."""
        if not name.isidentifier():
            raise ValueError(f"function name {name!r} is not an identifier")
        if activation_dtype not in _DTYPES:
            raise ValueError(f"activation_dtype must be one of {_DTYPES}, "
                             f"got {activation_dtype!r}")
        self.name = name
        self.activation_dtype = activation_dtype
        self._inputs: List[Tuple[Value, str]] = []
        self._outputs: List[Tuple[Value, str]] = []
        self._body: List[str] = []
        self._counter = 0

    # ---- structure -------------------------------------------------------
    def _fresh(self, shape: Sequence[int], dtype: str = "f32") -> Value:
        self._counter += 1
        return Value(f"%v{self._counter}", tuple(int(d) for d in shape), dtype)

    def input(self, name: str, shape: Sequence[int], dtype: str = "f32") -> Value:
        """Declares input `name` (its name in the compiled signature)."""
        if dtype not in _DTYPES:
            raise ValueError(f"input {name!r}: dtype must be one of {_DTYPES}, got {dtype!r}")
        if any(int(d) < 1 for d in shape):
            raise ValueError(f"input {name!r}: dimensions must be positive, got {tuple(shape)}")
        if self._outputs:
            raise ValueError("inputs must be declared before outputs")
        value = Value(f"%in{len(self._inputs)}", tuple(int(d) for d in shape), dtype)
        self._inputs.append((value, name))
        return value

    def output(self, value: Value, name: Optional[str] = None) -> None:
        """Returns `value` (named `name` in the signature)."""
        self._outputs.append((value, name or f"output{len(self._outputs)}"))

    def to_mlir(self) -> str:
        """The module text."""
        if not self._outputs:
            raise ValueError(f"graph {self.name!r} has no outputs")
        args = ", ".join(f'{v.name}: {v.type} {{ssm.name = "{n}"}}' for v, n in self._inputs)
        results = ", ".join(f'{v.type} {{ssm.name = "{n}"}}' for v, n in self._outputs)
        ret = ", ".join(v.name for v, _ in self._outputs)
        types = ", ".join(v.type for v, _ in self._outputs)
        body = "\n".join("    " + line for line in self._body)
        attrs = ("" if self.activation_dtype == "f32" else
                 f" attributes {{ssm.activation_type = {self.activation_dtype}}}")
        return (f"func.func @{self.name}({args}) -> ({results}){attrs} {{\n{body}\n"
                f"    return {ret} : {types}\n}}\n")

    # ---- checks ----------------------------------------------------------
    @staticmethod
    def _expect(cond: bool, message: str) -> None:
        if not cond:
            raise ValueError(message)

    # ---- ssm ops ---------------------------------------------------------
    def selective_scan(self, u: Value, delta: Value, A: Value, B: Value, C: Value, *,
                       D: Optional[Value] = None, z: Optional[Value] = None,
                       delta_bias: Optional[Value] = None, delta_softplus: bool = False,
                       reverse: bool = False, out_dtype: Optional[str] = None) -> Value:
        """Mamba-1 selective scan (docs/semantics.md §2.1): u, delta, z (b, d, l);
        A (d, n) f32; B, C (b, n, l) or (b, g, n, l); D, delta_bias (d) f32."""
        self._expect(len(u.shape) == 3, f"selective_scan: u must be (b, d, l), got {u.shape}")
        b, d, l = u.shape
        self._expect(delta.shape == u.shape, f"selective_scan: delta {delta.shape} != u {u.shape}")
        self._expect(len(A.shape) == 2 and A.shape[0] == d and A.dtype == "f32",
                     f"selective_scan: A must be ({d}, n) f32, got {A.shape} {A.dtype}")
        n = A.shape[1]
        for label, m in (("B", B), ("C", C)):
            ok = (m.shape == (b, n, l) or
                  (len(m.shape) == 4 and m.shape[0] == b and m.shape[2:] == (n, l)
                   and d % m.shape[1] == 0))
            self._expect(ok, f"selective_scan: {label} must be ({b}, {n}, {l}) or "
                             f"({b}, g, {n}, {l}) with g dividing {d}, got {m.shape}")
        for label, v in (("D", D), ("delta_bias", delta_bias)):
            if v is not None:
                self._expect(v.shape == (d,) and v.dtype == "f32",
                             f"selective_scan: {label} must be ({d},) f32, got {v.shape} {v.dtype}")
        if z is not None:
            self._expect(z.shape == u.shape, f"selective_scan: z {z.shape} != u {u.shape}")
        out = self._fresh(u.shape, out_dtype or u.dtype)
        text = f"{out.name} = ssm.selective_scan {u.name}, {delta.name}, {A.name}, {B.name}, {C.name}"
        for key, v in (("D", D), ("z", z), ("delta_bias", delta_bias)):
            if v is not None:
                text += f" {key}({v.name} : {v.type})"
        if delta_softplus:
            text += " delta_softplus"
        if reverse:
            text += " reverse"
        if out_dtype and out_dtype != u.dtype:
            text += f" out_type({out_dtype})"
        text += f" : {u.type}, {delta.type}, {A.type}, {B.type}, {C.type}"
        self._body.append(text)
        return out

    def causal_conv1d(self, x: Value, weight: Value, bias: Optional[Value] = None,
                      activation: str = "silu") -> Value:
        """Depthwise causal conv1d: x (b, d, l), weight (d, k), bias (d)."""
        self._expect(len(x.shape) == 3 and len(weight.shape) == 2 and
                     weight.shape[0] == x.shape[1],
                     f"causal_conv1d: x (b, d, l) and weight (d, k), got {x.shape}, {weight.shape}")
        self._expect(activation in ("silu", "none"), "causal_conv1d: activation silu|none")
        out = self._fresh(x.shape, x.dtype)
        bias_text = f" bias({bias.name} : {bias.type})" if bias is not None else ""
        self._body.append(f"{out.name} = ssm.causal_conv1d {activation} {x.name}, {weight.name}"
                          f"{bias_text} : {x.type}, {weight.type}")
        return out

    def flip(self, x: Value, dim: int) -> Value:
        """Reverses `x` along `dim`."""
        self._expect(0 <= dim < len(x.shape), f"flip: dim {dim} out of range for {x.shape}")
        out = self._fresh(x.shape, x.dtype)
        self._body.append(f"{out.name} = ssm.flip {x.name} along {dim} : {x.type}")
        return out

    def cross_scan(self, x: Value, directions: Sequence[str] = _DIRECTIONS) -> Value:
        """(b, c, h, w) -> (b, k, c, h*w) (VMamba, docs/semantics.md §2.4)."""
        self._expect(len(x.shape) == 4, f"cross_scan: x must be (b, c, h, w), got {x.shape}")
        self._expect(all(d in _DIRECTIONS for d in directions) and directions,
                     f"cross_scan: directions from {_DIRECTIONS}")
        b, c, h, w = x.shape
        out = self._fresh((b, len(directions), c, h * w), x.dtype)
        self._body.append(f"{out.name} = ssm.cross_scan {x.name} [{', '.join(directions)}] : {x.type}")
        return out

    def cross_merge(self, ys: Value, height: int, width: int,
                    directions: Sequence[str] = _DIRECTIONS) -> Value:
        """(b, k, c, h*w) -> (b, c, h, w): the sum of the directions."""
        self._expect(len(ys.shape) == 4 and ys.shape[1] == len(directions) and
                     ys.shape[3] == height * width,
                     f"cross_merge: ys must be (b, {len(directions)}, c, {height * width}), got {ys.shape}")
        b, _, c, _ = ys.shape
        out = self._fresh((b, c, height, width), ys.dtype)
        self._body.append(f"{out.name} = ssm.cross_merge {ys.name} [{', '.join(directions)}] "
                          f"height {height} width {width} : {ys.type}")
        return out

    def axis_pool(self, x: Value, cols: int, kind: str = "mean", scale: float = 1.0) -> Value:
        """(b, e, rows*cols) -> (b, e, rows) (FastVim)."""
        self._expect(len(x.shape) == 3 and x.shape[2] % cols == 0,
                     f"axis_pool: last dim of {x.shape} must be a multiple of cols {cols}")
        self._expect(kind in ("mean", "max", "sum"), "axis_pool: kind mean|max|sum")
        out = self._fresh((x.shape[0], x.shape[1], x.shape[2] // cols), x.dtype)
        attr = f" {{scale = {float(scale)!r} : f64}}" if scale != 1.0 else ""
        self._body.append(f"{out.name} = ssm.axis_pool {kind} {x.name} cols {cols}{attr} : {x.type}")
        return out

    def axis_broadcast(self, x: Value, cols: int) -> Value:
        """(b, e, rows) -> (b, e, rows*cols)."""
        self._expect(len(x.shape) == 3, f"axis_broadcast: x must be (b, e, rows), got {x.shape}")
        out = self._fresh((x.shape[0], x.shape[1], x.shape[2] * cols), x.dtype)
        self._body.append(f"{out.name} = ssm.axis_broadcast {x.name} cols {cols} : {x.type}")
        return out

    # ---- dense helpers (linalg.generic) ------------------------------------
    def _map(self, inputs: Sequence[Value], body: Sequence[str], result: str) -> Value:
        shape = inputs[0].shape
        for v in inputs:
            self._expect(v.shape == shape and v.dtype == "f32",
                         f"elementwise ops need equal f32 shapes, got {[x.shape for x in inputs]}")
        rank = len(shape)
        dims = ", ".join(f"d{i}" for i in range(rank))
        ident = f"affine_map<({dims}) -> ({dims})>"
        out = self._fresh(shape)
        empty = self._fresh(shape)
        args = ", ".join(f"%a{i}: f32" for i in range(len(inputs)))
        iterators = ", ".join(['"parallel"'] * rank)
        self._body.append(f"{empty.name} = tensor.empty() : {out.type}")
        self._body.append(
            f"{out.name} = linalg.generic {{indexing_maps = [{', '.join([ident] * (len(inputs) + 1))}], "
            f"iterator_types = [{iterators}]}} "
            f"ins({', '.join(v.name for v in inputs)} : {', '.join(v.type for v in inputs)}) "
            f"outs({empty.name} : {out.type}) {{")
        self._body.append(f"^bb0({args}, %o: f32):")
        self._body.extend("  " + line for line in body)
        self._body.append(f"  linalg.yield {result} : f32")
        self._body.append(f"}} -> {out.type}")
        return out

    def add(self, a: Value, b: Value) -> Value:
        return self._map([a, b], ["%r = arith.addf %a0, %a1 : f32"], "%r")

    def mul(self, a: Value, b: Value) -> Value:
        return self._map([a, b], ["%r = arith.mulf %a0, %a1 : f32"], "%r")

    def scale(self, x: Value, s: float) -> Value:
        return self._map([x], [f"%s = arith.constant {float(s)!r} : f32",
                               "%r = arith.mulf %a0, %s : f32"], "%r")

    def silu(self, x: Value) -> Value:
        return self._map([x], ["%one = arith.constant 1.0 : f32", "%n = arith.negf %a0 : f32",
                               "%e = math.exp %n : f32", "%d = arith.addf %e, %one : f32",
                               "%r = arith.divf %a0, %d : f32"], "%r")

    def gelu(self, x: Value) -> Value:
        """Exact (erf) GELU."""
        return self._map([x], ["%half = arith.constant 0.5 : f32",
                               "%one = arith.constant 1.0 : f32",
                               "%k = arith.constant 0.70710678118654752 : f32",
                               "%t = arith.mulf %a0, %k : f32", "%e = math.erf %t : f32",
                               "%p = arith.addf %e, %one : f32", "%h = arith.mulf %a0, %half : f32",
                               "%r = arith.mulf %h, %p : f32"], "%r")

    def neg_exp(self, x: Value) -> Value:
        """-exp(x): A from A_log."""
        return self._map([x], ["%e = math.exp %a0 : f32", "%r = arith.negf %e : f32"], "%r")

    def linear_cf(self, W: Value, x: Value) -> Value:
        """Channel-first linear: y[b, o, l] = sum_k W[o, k] x[b, k, l]."""
        self._expect(len(W.shape) == 2 and len(x.shape) == 3 and W.shape[1] == x.shape[1],
                     f"linear_cf: W (o, k) and x (b, k, l), got {W.shape}, {x.shape}")
        b, _, l = x.shape
        out = self._fresh((b, W.shape[0], l))
        zero, empty, init = self._fresh(()), self._fresh(out.shape), self._fresh(out.shape)
        self._body.append(f"{zero.name} = arith.constant 0.0 : f32")
        self._body.append(f"{empty.name} = tensor.empty() : {out.type}")
        self._body.append(f"{init.name} = linalg.fill ins({zero.name} : f32) "
                          f"outs({empty.name} : {out.type}) -> {out.type}")
        maps = ("affine_map<(b, o, l, k) -> (o, k)>, affine_map<(b, o, l, k) -> (b, k, l)>, "
                "affine_map<(b, o, l, k) -> (b, o, l)>")
        self._body.append(
            f"{out.name} = linalg.generic {{indexing_maps = [{maps}], iterator_types = "
            f"[\"parallel\", \"parallel\", \"parallel\", \"reduction\"]}} "
            f"ins({W.name}, {x.name} : {W.type}, {x.type}) outs({init.name} : {out.type}) {{")
        self._body.append("^bb0(%w: f32, %a: f32, %acc: f32):")
        self._body.append("  %p = arith.mulf %w, %a : f32")
        self._body.append("  %s = arith.addf %acc, %p : f32")
        self._body.append("  linalg.yield %s : f32")
        self._body.append(f"}} -> {out.type}")
        return out
