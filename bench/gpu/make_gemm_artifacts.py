#!/usr/bin/env python3
"""Compiles the GEMM benchmark and check modules for --target=nvptx.

Writes one .mlir and one .ssmb per case into artifacts/gemm/ (ignored by git)
plus manifest.json, which bench_gemm.py reads on the GPU machine. Run here
(needs build/bin/ssm-compile):

  python3 bench/gpu/make_gemm_artifacts.py

Every module has one function `linear(x, w[, bias]) -> y` holding one
linalg.generic contraction in one of the forms the model builders emit
(lib/Models), which convert-linalg-to-gpu-gemm turns into its tiled kernel
plus a LibraryCalls record:
  tok:  y[t, n]    = sum_k x[t, k] w[n, k]   (+ bias[n])   token-major linear
  chan: y[b, m, n] = sum_k w[m, k] x[b, n, k] (+ bias[m])  Vim's in_proj form
  conv: y[b, m, n] = sum_k w[m, k] x[b, k, n] (+ bias[m])  im2col convolution
  colA: y[b, m, n] = sum_k x[b, k, m] w[n, k] (+ bias[n])  transposed input
optionally followed by a ReLU, with bf16 x / w widened either in the body
(`arith.extf`) or by an elementwise producer (as the bf16 models do).
"""
import argparse
import json
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (name, form, batch, m, n, k, dtype, bias, relu, widen, timed)
# Vim-S: d_model 384, d_inner 768 (in_proj 384 -> 2 * 768), 197 tokens,
# batch 128; VMamba-T stage 1 MLP fc1: 96 -> 384 over 56 * 56 tokens.
PERF = [
    ("inproj_tok_f32", "tok", 1, 128 * 197, 1536, 384, "f32", False, False, "", True),
    ("inproj_tok_bf16", "tok", 1, 128 * 197, 1536, 384, "bf16", False, False, "producer", True),
    ("inproj_chan_f32", "chan", 128, 1536, 197, 384, "f32", False, False, "", True),
    ("outproj_tok_f32", "tok", 1, 128 * 197, 384, 768, "f32", False, False, "", True),
    ("outproj_tok_bf16", "tok", 1, 128 * 197, 384, 768, "bf16", False, False, "producer", True),
    ("outproj_bias_f32", "tok", 1, 128 * 197, 384, 768, "f32", True, False, "", True),
    ("fc1_bias_relu_f32", "tok", 1, 32 * 3136, 384, 96, "f32", True, True, "", True),
]
# Awkward shapes, checked only: m = 1, odd k, n not a multiple of the tile
# or of 4, batch 1, n = 1, k < 16, bias along m (no library epilogue: the
# compiler's kernel runs), the transposed input, bf16 in the body.
CHECK = [
    ("m1_bias", "tok", 1, 1, 100, 384, "f32", True, False, "", False),
    ("oddk_bias_relu", "tok", 1, 70, 45, 37, "f32", True, True, "", False),
    ("chan_b1_biasm", "chan", 1, 70, 197, 33, "f32", True, False, "", False),
    ("chan_b3_biasm_relu", "chan", 3, 130, 67, 20, "f32", True, True, "", False),
    ("conv_b2", "conv", 2, 48, 75, 27, "f32", False, False, "", False),
    ("conv_b1_biasm", "conv", 1, 96, 64, 432, "f32", True, False, "", False),
    ("colA_b2_bias", "colA", 2, 23, 50, 40, "f32", True, False, "", False),
    ("n1", "tok", 1, 65, 1, 17, "f32", False, False, "", False),
    ("k3_relu", "tok", 1, 129, 66, 3, "f32", False, True, "", False),
    ("bf16_body_odd", "tok", 1, 5, 7, 19, "bf16", True, False, "body", False),
    ("bf16_producer_chan", "chan", 2, 67, 33, 45, "bf16", False, True, "producer", False),
    # MambaOut's NHWC linear: 2 x 7 x 9 tokens collapsed into m = 126.
    ("nhwc_bias_relu", "nhwc", 2, 126, 90, 52, "f32", True, True, "", False),
]


def shapes(form, batch, m, n, k):
    """(x shape, w shape, y shape, maps x, w, y, bias dim) of a form."""
    if form == "tok":
        return ((m, k), (n, k), (m, n),
                "(d0, d1, d2) -> (d0, d2)", "(d0, d1, d2) -> (d1, d2)",
                "(d0, d1, d2) -> (d0, d1)", "d1")
    if form == "chan":
        return ((batch, n, k), (m, k), (batch, m, n),
                "(d0, d1, d2, d3) -> (d0, d2, d3)", "(d0, d1, d2, d3) -> (d1, d3)",
                "(d0, d1, d2, d3) -> (d0, d1, d2)", "d1")
    if form == "conv":
        return ((batch, k, n), (m, k), (batch, m, n),
                "(d0, d1, d2, d3) -> (d0, d3, d2)", "(d0, d1, d2, d3) -> (d1, d3)",
                "(d0, d1, d2, d3) -> (d0, d1, d2)", "d1")
    if form == "nhwc":  # m = batch * 7 * (m / batch / 7) tokens, one GEMM
        h, w = 7, m // batch // 7
        return ((batch, h, w, k), (n, k), (batch, h, w, n),
                "(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)",
                "(d0, d1, d2, d3, d4) -> (d3, d4)",
                "(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)", "d3")
    if form == "colA":
        return ((batch, k, m), (n, k), (batch, m, n),
                "(d0, d1, d2, d3) -> (d0, d3, d1)", "(d0, d1, d2, d3) -> (d2, d3)",
                "(d0, d1, d2, d3) -> (d0, d1, d2)", "d2")
    raise ValueError(form)


def tensor(shape, t):
    return "tensor<" + "x".join(map(str, shape)) + "x" + t + ">"


def module_text(form, batch, m, n, k, dtype, bias, relu, widen):
    xs, ws, ys, mx, mw, my, bdim = shapes(form, batch, m, n, k)
    t = "f32" if dtype == "f32" else "bf16"
    rank = len(ys)
    dims = ", ".join(f"d{i}" for i in range(rank))
    ident = f"affine_map<({dims}) -> ({dims})>"
    par = ", ".join(['"parallel"'] * rank)
    args = [f"%x: {tensor(xs, t)}", f"%w: {tensor(ws, t)}"]
    if bias:
        # tok: bias along n (d1 is n there); chan / conv: along m; colA: n.
        blen = n if form in ("tok", "colA", "nhwc") else m
        args.append(f"%bias: {tensor((blen,), 'f32')}")
    y = tensor(ys, "f32")
    lines = [f"func.func @linear({', '.join(args)}) -> {y} {{",
             f"  %empty = tensor.empty() : {y}"]
    if bias:
        lines += [
            f"  %init = linalg.generic {{indexing_maps = [affine_map<({dims}) -> ({bdim})>, {ident}], "
            f"iterator_types = [{par}]}} ins(%bias : {tensor((blen,), 'f32')}) outs(%empty : {y}) {{",
            "  ^bb0(%in: f32, %out: f32):", "    linalg.yield %in : f32", f"  }} -> {y}"]
    else:
        lines += ["  %zero = arith.constant 0.0 : f32",
                  f"  %init = linalg.fill ins(%zero : f32) outs(%empty : {y}) -> {y}"]
    xv, wv, xt, wt = "%x", "%w", t, t
    if dtype == "bf16" and widen == "producer":
        for name, shape in (("x", xs), ("w", ws)):
            r = len(shape)
            d = ", ".join(f"d{i}" for i in range(r))
            idm = f"affine_map<({d}) -> ({d})>"
            pr = ", ".join(['"parallel"'] * r)
            lines += [
                f"  %{name}e = tensor.empty() : {tensor(shape, 'f32')}",
                f"  %{name}f = linalg.generic {{indexing_maps = [{idm}, {idm}], iterator_types = "
                f"[{pr}]}} ins(%{name} : {tensor(shape, t)}) "
                f"outs(%{name}e : {tensor(shape, 'f32')}) {{",
                "  ^bb0(%in: bf16, %out: f32):", "    %e = arith.extf %in : bf16 to f32",
                "    linalg.yield %e : f32", f"  }} -> {tensor(shape, 'f32')}"]
        xv, wv, xt, wt = "%xf", "%wf", "f32", "f32"
    red = ", ".join(['"parallel"'] * rank + ['"reduction"'])
    # Operand order as the builders emit it: the input holding m first.
    if form in ("tok", "colA", "nhwc"):
        ins = [(xv, xs, xt, mx), (wv, ws, wt, mw)]
    else:
        ins = [(wv, ws, wt, mw), (xv, xs, xt, mx)]
    maps = ", ".join(f"affine_map<{mp}>" for _, _, _, mp in ins) + f", affine_map<{my}>"
    body_t = [tt for _, _, tt, _ in ins]
    lines.append(
        f"  %r = linalg.generic {{indexing_maps = [{maps}], iterator_types = [{red}]}} "
        f"ins({ins[0][0]}, {ins[1][0]} : {tensor(ins[0][1], ins[0][2])}, {tensor(ins[1][1], ins[1][2])}) "
        f"outs(%init : {y}) {{")
    lines.append(f"  ^bb0(%a: {body_t[0]}, %b: {body_t[1]}, %o: f32):")
    a, b = "%a", "%b"
    if body_t[0] == "bf16":
        lines.append("    %af = arith.extf %a : bf16 to f32")
        a = "%af"
    if body_t[1] == "bf16":
        lines.append("    %bf = arith.extf %b : bf16 to f32")
        b = "%bf"
    lines += [f"    %p = arith.mulf {a}, {b} : f32", "    %s = arith.addf %o, %p : f32",
              "    linalg.yield %s : f32", f"  }} -> {y}"]
    result = "%r"
    if relu:
        lines += [
            f"  %e2 = tensor.empty() : {y}",
            f"  %relu = linalg.generic {{indexing_maps = [{ident}, {ident}], iterator_types = [{par}]}} "
            f"ins(%r : {y}) outs(%e2 : {y}) {{",
            "  ^bb0(%in: f32, %out: f32):", "    %c0 = arith.constant 0.0 : f32",
            "    %v = arith.maximumf %in, %c0 : f32", "    linalg.yield %v : f32", f"  }} -> {y}"]
        result = "%relu"
    lines += [f"  return {result} : {y}", "}"]
    return "\n".join(lines) + "\n", xs, ws, ys, (blen if bias else 0)


def library_calls(path):
    """The LibraryCalls records of an .ssmb (artifact.h), as dicts."""
    data = open(path, "rb").read()
    count = struct.unpack_from("<I", data, 24)[0]
    table = struct.unpack_from("<Q", data, 64)[0]
    for i in range(count):
        kind, _, off, size = struct.unpack_from("<IIQQ", data, table + 64 * i)
        if kind != 8:
            continue
        n, rsize, _ = struct.unpack_from("<IIQ", data, off)
        out = []
        for r in range(n):
            f = struct.unpack_from("<12I4Q9QQ", data, off + 16 + r * rsize)
            out.append(dict(bias=f[10], activation=f[11], m=f[12], n=f[13], k=f[14],
                            batch=f[15], a_strides=f[16:19], b_strides=f[19:22],
                            c_strides=f[22:25], a_dtype=f[6], b_dtype=f[7]))
        return out
    return []


def signature(path):
    """(inputs, outputs) of the first entry of an .ssmb: [(dtype, dims)]."""
    data = open(path, "rb").read()
    count = struct.unpack_from("<I", data, 24)[0]
    table = struct.unpack_from("<Q", data, 64)[0]
    for i in range(count):
        kind, _, off, size = struct.unpack_from("<IIQQ", data, table + 64 * i)
        if kind != 5:
            continue
        n, rsize, data_off = struct.unpack_from("<IIQ", data, off)
        _, ins, outs, _, in_off, out_off = struct.unpack_from("<4I2Q", data, off + 16)
        def descs(at, count):
            out = []
            for j in range(count):
                _, dtype, rank, _ = struct.unpack_from("<4I", data, off + data_off + at + 80 * j)
                dims = struct.unpack_from("<8q", data, off + data_off + at + 80 * j + 16)
                out.append((dtype, list(dims[:rank])))
            return out
        return descs(in_off, ins), descs(out_off, outs)
    raise ValueError("no Signatures section")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(ROOT, "artifacts", "gemm"))
    p.add_argument("--compiler", default=os.path.join(ROOT, "build", "bin", "ssm-compile"))
    p.add_argument("--model", default="vim-t",
                   help="also compile this model end to end ('' for none)")
    p.add_argument("--batch", type=int, default=32)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for (name, form, batch, m, n, k, dtype, bias, relu, widen, timed) in PERF + CHECK:
        text, xs, ws, ys, blen = module_text(form, batch, m, n, k, dtype, bias, relu, widen)
        mlir = os.path.join(args.out, name + ".mlir")
        ssmb = os.path.join(args.out, name + ".ssmb")
        with open(mlir, "w") as f:
            f.write(text)
        subprocess.run([args.compiler, mlir, "--target=nvptx", "--chip=sm_90", "-o", ssmb],
                       check=True)
        calls = library_calls(ssmb)
        if len(calls) != 1:
            sys.exit(f"{name}: expected one LibraryCalls record, found {len(calls)}")
        c = calls[0]
        if form == "nhwc":  # the tokens are one m dim: one GEMM
            batch_desc = 1
        else:
            batch_desc = batch
        if (c["m"], c["n"], c["k"], c["batch"]) != (m, n, k, batch_desc):
            sys.exit(f"{name}: descriptor {c} does not match m={m} n={n} k={k} batch={batch}")
        manifest.append(dict(name=name, file=name + ".ssmb", form=form, batch=batch, m=m, n=n,
                             k=k, dtype=dtype, bias=bias, bias_len=blen, relu=relu,
                             widen=widen, timed=timed, x=list(xs), w=list(ws), y=list(ys),
                             library_bias=c["bias"]))
        print(f"{name}: {form} b={batch} m={m} n={n} k={k} {dtype} bias={bias} relu={relu} "
              f"-> descriptor bias kind {c['bias']} act {c['activation']} "
              f"A strides {c['a_strides']} B strides {c['b_strides']}")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    if args.model:
        # Vim-T end to end (weights as inputs), for bench_gemm.py --model.
        ssmb = os.path.join(args.out, "model.ssmb")
        subprocess.run([args.compiler, f"--model={args.model}", "--target=nvptx",
                        "--chip=sm_90", f"--batch={args.batch}", "-o", ssmb], check=True)
        ins, outs = signature(ssmb)
        with open(os.path.join(args.out, "model.json"), "w") as f:
            json.dump(dict(model=args.model, batch=args.batch, file="model.ssmb",
                           inputs=ins, outputs=outs,
                           library_calls=len(library_calls(ssmb))), f, indent=1)
        print(f"{args.model} batch {args.batch}: {len(ins)} inputs, "
              f"{len(library_calls(ssmb))} library GEMM launches")


if __name__ == "__main__":
    main()
