#!/usr/bin/env python3
"""The byte alignment of every library GEMM operand in a compiled module.

cuBLASLt / hipBLASLt fall back to slow alignment-1/2 kernels when an
operand's base pointer, leading dim or batch stride (in bytes) is not a
multiple of 16, and want the vector width to divide the extent along each
operand's contiguous dim. This reads the textual MLIR that
`ssm-compile --compile-to=llvm` (or any bufferized stage) writes and prints,
for each `gpu.launch_func` with an `ssm.library_call` record, m, n, k, batch
and for A, B, C the alignment (largest power of two up to 256 dividing the
byte value) of the base offset, the leading dim and the batch stride, with
`!` on those below 16 bytes.

The base offset is the operand's layout offset plus the byte shifts of the
`memref.view`s it is cut from (function arguments and allocations count as
256-byte aligned: the runtime's buffers and workspace are).

Usage: library_call_alignment.py FILE.mlir [--summary] [--types] [--min-bytes 16]
(--types: also each operand's memref type: element type, shape, strides,
offset.)
"""

import argparse
import re
import sys

MEMREF = r"memref<(?:[^<>]|<[^<>]*>)*>"
DEF = re.compile(r"^\s*(%[\w.$-]+) = memref\.(\w+) (%[\w.$-]+)(.*)$")
CONST = re.compile(r"^\s*(%[\w.$-]+) = arith\.constant (-?\d+) : index")
VIEW_SHIFT = re.compile(r"^\[(%[\w.$-]+)\]")
ARG = re.compile(r"(%[\w.$-]+) : (" + MEMREF + ")")
ENTRY = re.compile(r'(\w+) = (array<i64(?::[^>]*)?>|"[^"]*"|-?\d+ : i64)')
ELEM_BYTES = {"f64": 8, "i64": 8, "f32": 4, "i32": 4, "bf16": 2, "f16": 2,
              "i16": 2, "i8": 1}


def parse_type(t):
    """(shape, element bytes, layout offset) of a memref type string."""
    body = t[len("memref<"):-1]
    layout_at = body.find(", strided<")
    layout = body[layout_at:] if layout_at >= 0 else ""
    dims = (body[:layout_at] if layout_at >= 0 else body).split(",")[0]
    parts = dims.split("x")
    elem = parts[-1].strip()
    offset = 0
    m = re.search(r"offset: (-?\d+|\?)", layout)
    if m:
        offset = None if m.group(1) == "?" else int(m.group(1))
    return parts[:-1], ELEM_BYTES.get(elem, 0), offset


def align_of(value, cap=256):
    """The largest power of two up to `cap` dividing `value` (cap for 0)."""
    if value is None:
        return 0
    value = abs(value)
    if value == 0:
        return cap
    a = 1
    while a < cap and value % (2 * a) == 0:
        a *= 2
    return a


def parse_record(text):
    rec = {}
    for key, value in ENTRY.findall(text):
        if value.startswith("array"):
            inner = value[len("array<i64"):-1].lstrip(":").strip()
            rec[key] = [int(v) for v in inner.split(",")] if inner else []
        elif value.startswith('"'):
            rec[key] = value.strip('"')
        else:
            rec[key] = int(value.split(":")[0])
    return rec


def scan(lines):
    """Yields (kernel, record, {arg index: (name, type)}, shift of name)."""
    consts, shifts = {}, {}
    depth, skipping = 0, False
    for line in lines:
        stripped = line.strip()
        if skipping:
            depth += line.count("{") - line.count("}")
            if depth <= 0:
                skipping = False
            continue
        if stripped.startswith("gpu.module") or stripped.startswith("gpu.binary"):
            depth = line.count("{") - line.count("}")
            skipping = depth > 0
            continue
        if stripped.startswith("func.func"):
            consts, shifts = {}, {}
        m = CONST.match(line)
        if m:
            consts[m.group(1)] = int(m.group(2))
            continue
        m = DEF.match(line)
        if m:
            name, op, source, rest = m.groups()
            base = shifts.get(source, 0)
            if op == "view":
                s = VIEW_SHIFT.match(rest.strip())
                shift = consts.get(s.group(1)) if s else None
                shifts[name] = None if base is None or shift is None else base + shift
            elif op in ("subview", "collapse_shape", "expand_shape", "cast",
                        "reinterpret_cast", "memory_space_cast"):
                shifts[name] = base
            continue
        if "gpu.launch_func" in line and "ssm.library_call" in line:
            kernel = re.search(r"gpu\.launch_func\s+(@[\w:@.$-]+)", line)
            args_at = line.find("args(")
            record_at = line.find("ssm.library_call")
            args = ARG.findall(line[args_at:record_at]) if args_at >= 0 else []
            yield (kernel.group(1) if kernel else "?", parse_record(line[record_at:]),
                   args, shifts)


def operand_info(rec, args, shifts, which):
    idx = rec.get(which + "_arg", -1)
    if idx < 0 or idx >= len(args):
        return None
    name, t = args[idx]
    _, elem, offset = parse_type(t)
    shift = shifts.get(name, 0)
    base = None if offset is None or shift is None else shift + offset * elem
    rs, cs, bs = (rec.get(which + "_strides") or [0, 0, 0])[:3]
    ld = rs if cs == 1 else cs if rs == 1 else None
    batched = rec.get("batch", 1) > 1
    info = {
        "base": align_of(base),
        "ld": align_of(None if ld is None else ld * elem),
        "bs": align_of(bs * elem) if batched else 256,
        "elem": elem,
        # The extent along the contiguous dim, as the record indexes it.
        "contiguous": {"a": ("m", "k"), "b": ("k", "n"), "c": ("m", "n")}[which]
        [0 if rs == 1 and cs != 1 else 1],
    }
    return info


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("file")
    p.add_argument("--summary", action="store_true", help="only the counts")
    p.add_argument("--types", action="store_true",
                   help="also print each operand's memref type")
    p.add_argument("--min-bytes", type=int, default=16)
    a = p.parse_args()
    with open(a.file) as f:
        calls = list(scan(f))
    low = unaligned_extent = 0
    if not a.summary:
        print(f"{'#':>3} {'kernel':<40} {'m':>6} {'n':>6} {'k':>6} {'batch':>5}  "
              "A base/ld/bs    B base/ld/bs    C base/ld/bs")
    for i, (kernel, rec, args, shifts) in enumerate(calls):
        cells, bad, bad_extent = [], False, False
        for which in "abc":
            x = operand_info(rec, args, shifts, which)
            if x is None:
                cells.append(f"{'?':<15}")
                bad = True
                continue
            vals = []
            for key in ("base", "ld", "bs"):
                flag = "!" if x[key] < a.min_bytes else ""
                bad |= bool(flag)
                vals.append(f"{x[key]}{flag}")
            width = a.min_bytes // x["elem"] if x["elem"] else 1
            if width > 1 and rec.get(x["contiguous"], 0) % width:
                bad_extent = True
            cells.append(f"{'/'.join(vals):<15}")
        low += bad
        unaligned_extent += bad_extent
        if not a.summary:
            print(f"{i:>3} {kernel.split('::')[-1]:<40} {rec.get('m', 0):>6} "
                  f"{rec.get('n', 0):>6} {rec.get('k', 0):>6} {rec.get('batch', 0):>5}  "
                  + " ".join(cells) + ("  extent" if bad_extent else ""))
            if a.types:
                for which in "abc":
                    idx = rec.get(which + "_arg", -1)
                    if 0 <= idx < len(args):
                        print(f"      {which.upper()}: {args[idx][1]}  strides "
                              f"{rec.get(which + '_strides')}")
    print(f"{a.file}: {len(calls)} library calls, {low} with an operand below "
          f"{a.min_bytes}-byte alignment (base, leading dim or batch stride), "
          f"{unaligned_extent} with a contiguous extent not a multiple of the "
          f"{a.min_bytes}-byte vector")
    return 0


if __name__ == "__main__":
    sys.exit(main())
