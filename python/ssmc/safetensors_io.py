"""Read and write the safetensors format with NumPy only.

File layout (https://github.com/huggingface/safetensors, "Format"):

* 8 bytes: ``N``, the header length, unsigned little-endian 64-bit;
* ``N`` bytes: a UTF-8 JSON object ``{name: {"dtype": "F32", "shape": [..],
  "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}`` (the
  metadata entry is optional), padded with spaces so that the data starts at
  a multiple of 8 bytes;
* the data: every tensor's bytes, little-endian, C order, at
  ``[begin, end)`` relative to the start of the data.  The tensors must
  cover the data exactly, without holes or overlaps.

NumPy has no bfloat16: BF16 tensors are handled as their uint16 bit
patterns in a :class:`BF16Array` (an ``ndarray`` subclass that tags them).
:func:`load_file` returns BF16Array for BF16 tensors (or float32 with
``bf16="float32"``); :func:`save_file` writes a BF16Array as BF16.
:func:`float32_to_bf16` rounds to nearest even, like PyTorch's
``.to(torch.bfloat16)``.

Errors in a file (bad header length, truncated file, invalid JSON, unknown
dtype, inconsistent shape/offsets) raise :class:`SafetensorsError`
(a ``ValueError``) with a message naming the problem.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
from typing import Dict, Mapping, Optional, Tuple, Union

import numpy as np

__all__ = [
    "SafetensorsError", "BF16Array", "float32_to_bf16", "bf16_to_float32", "save_file",
    "load_file", "read_header", "DTYPES",
]

#: Largest header accepted when reading (the reference implementation's limit).
MAX_HEADER_BYTES = 100_000_000

#: safetensors dtype name -> little-endian NumPy dtype (BF16: its uint16 bits).
DTYPES: Dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}

_NUMPY_TO_NAME = {
    np.dtype("f8"): "F64", np.dtype("f4"): "F32", np.dtype("f2"): "F16",
    np.dtype("i8"): "I64", np.dtype("i4"): "I32", np.dtype("i2"): "I16", np.dtype("i1"): "I8",
    np.dtype("u8"): "U64", np.dtype("u4"): "U32", np.dtype("u2"): "U16", np.dtype("u1"): "U8",
    np.dtype("?"): "BOOL",
}


class SafetensorsError(ValueError):
    """A safetensors file (or a tensor to write) is malformed."""


class BF16Array(np.ndarray):
    """bfloat16 values stored as their uint16 bit patterns.

    ``BF16Array(bits)`` views a uint16 array; :meth:`to_float32` decodes it
    exactly.  Shape operations (reshape, slicing, copy) keep the tag;
    arithmetic on the bits is meaningless."""

    def __new__(cls, bits) -> "BF16Array":
        a = np.asarray(bits)
        if a.dtype != np.uint16:
            raise TypeError(f"BF16Array holds uint16 bit patterns, got {a.dtype}")
        return a.astype("<u2", copy=False).view(cls)

    def to_float32(self) -> np.ndarray:
        """The exact float32 values."""
        return bf16_to_float32(np.asarray(self))


def float32_to_bf16(x) -> BF16Array:
    """Rounds to bfloat16, nearest-even (finite values that round past the
    largest bf16 become +-inf, NaN stays a quiet NaN with its sign).
    Non-float32 input is first converted to float32, as PyTorch does."""
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    u = a.view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    nan = np.isnan(a)
    if nan.any():
        rounded = np.where(nan, (u >> 16) | 0x0040, rounded)
    return BF16Array(rounded.astype(np.uint16))


def bf16_to_float32(bits) -> np.ndarray:
    """Decodes bfloat16 bit patterns (uint16) to float32 exactly."""
    b = np.ascontiguousarray(np.asarray(bits, dtype=np.uint16))
    return (b.astype(np.uint32) << 16).view(np.float32)


def _dtype_name(a: np.ndarray, name: str) -> str:
    if isinstance(a, BF16Array):
        return "BF16"
    dt = a.dtype.newbyteorder("=")
    if dt not in _NUMPY_TO_NAME:
        raise SafetensorsError(f"{name}: dtype {a.dtype} has no safetensors equivalent")
    return _NUMPY_TO_NAME[dt]


def save_file(tensors: Mapping[str, np.ndarray], path: Union[str, os.PathLike],
              metadata: Optional[Mapping[str, str]] = None) -> None:
    """Writes ``tensors`` (name -> ndarray or :class:`BF16Array`) to ``path``.

    Tensors are laid out in the given order, stably grouped by descending
    element size so every tensor stays aligned to its element size; the
    header keeps the given order.  ``metadata`` (str -> str) becomes
    ``__metadata__``.  The file is written to a temporary name and renamed,
    so a failure leaves no partial file.
    """
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("__metadata__ must map str to str")
    entries = []
    for name, a in tensors.items():
        if not isinstance(name, str) or not name or name == "__metadata__":
            raise SafetensorsError(f"invalid tensor name {name!r}")
        if not isinstance(a, np.ndarray):
            a = np.asarray(a)
        dname = _dtype_name(a, name)
        data = np.ascontiguousarray(a).astype(DTYPES[dname], copy=False)
        entries.append((name, dname, tuple(int(s) for s in a.shape), data))
    order = sorted(range(len(entries)), key=lambda i: -entries[i][3].dtype.itemsize)
    offsets: Dict[str, Tuple[int, int]] = {}
    pos = 0
    for i in order:
        name, _, _, data = entries[i]
        offsets[name] = (pos, pos + data.nbytes)
        pos += data.nbytes
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, dname, shape, _ in entries:
        header[name] = {"dtype": dname, "shape": list(shape),
                        "data_offsets": list(offsets[name])}
    hbytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hbytes += b" " * (-len(hbytes) % 8)

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(hbytes)))
            f.write(hbytes)
            for i in order:
                f.write(entries[i][3].tobytes(order="C"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _parse_header(raw: bytes, data_size: int, path: str):
    """Validates the JSON header; returns (entries {name: (dtype, shape, (b, e))}, metadata)."""
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: corrupt header (not valid UTF-8 JSON: {e})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: corrupt header (JSON is not an object)")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (
            isinstance(metadata, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise SafetensorsError(f"{path}: __metadata__ must map str to str")
    entries: Dict[str, Tuple[str, Tuple[int, ...], Tuple[int, int]]] = {}
    for name, info in header.items():
        if not isinstance(info, dict):
            raise SafetensorsError(f"{path}: tensor {name!r}: entry is not an object")
        dname, shape, offs = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dname not in DTYPES:
            raise SafetensorsError(f"{path}: tensor {name!r}: unsupported dtype {dname!r} "
                                   f"(supported: {', '.join(DTYPES)})")
        if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
            raise SafetensorsError(f"{path}: tensor {name!r}: bad shape {shape!r}")
        if not (isinstance(offs, list) and len(offs) == 2
                and all(type(o) is int and o >= 0 for o in offs) and offs[0] <= offs[1]):
            raise SafetensorsError(f"{path}: tensor {name!r}: bad data_offsets {offs!r}")
        nbytes = math.prod(shape) * DTYPES[dname].itemsize
        if offs[1] - offs[0] != nbytes:
            raise SafetensorsError(
                f"{path}: tensor {name!r}: data_offsets {offs} hold {offs[1] - offs[0]} bytes, "
                f"dtype {dname} shape {shape} needs {nbytes}")
        entries[name] = (dname, tuple(shape), (offs[0], offs[1]))
    # The tensors must tile [0, data_size) exactly.
    pos = 0
    for name, (_, _, (b, e)) in sorted(entries.items(), key=lambda kv: kv[1][2]):
        if b != pos:
            what = "overlaps the previous tensor" if b < pos else "leaves a hole before it"
            raise SafetensorsError(f"{path}: tensor {name!r} at bytes [{b}, {e}) {what}")
        pos = e
    if pos > data_size:
        raise SafetensorsError(f"{path}: truncated file: the header describes {pos} data bytes, "
                               f"the file holds {data_size}")
    if pos < data_size:
        raise SafetensorsError(f"{path}: {data_size - pos} trailing bytes after the last tensor")
    return entries, metadata


def _read_prefix(f, path: str, file_size: int):
    if file_size < 8:
        raise SafetensorsError(f"{path}: truncated file: {file_size} bytes, no header length")
    (n,) = struct.unpack("<Q", f.read(8))
    if n > MAX_HEADER_BYTES:
        raise SafetensorsError(f"{path}: corrupt header: header length {n} exceeds "
                               f"{MAX_HEADER_BYTES} bytes")
    if 8 + n > file_size:
        raise SafetensorsError(f"{path}: truncated file: header length {n} but only "
                               f"{file_size - 8} bytes follow")
    raw = f.read(n)
    return _parse_header(raw, file_size - 8 - n, path) + (8 + n,)


def read_header(path: Union[str, os.PathLike]):
    """Returns ``(tensors, metadata)`` of a file without reading the data:
    ``tensors`` maps name -> ``(dtype name, shape)`` in header order;
    ``metadata`` is the ``__metadata__`` dict or None."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        entries, metadata, _ = _read_prefix(f, path, os.fstat(f.fileno()).st_size)
    return {k: (d, s) for k, (d, s, _) in entries.items()}, metadata


def load_file(path: Union[str, os.PathLike], bf16: str = "bits",
              with_metadata: bool = False):
    """Reads every tensor of ``path`` into a dict name -> ndarray (header order).

    ``bf16="bits"`` returns BF16 tensors as :class:`BF16Array` (uint16 bit
    patterns); ``bf16="float32"`` decodes them to float32.  With
    ``with_metadata`` returns ``(tensors, metadata)``.  Arrays are native
    byte order, writable and C-contiguous.
    """
    if bf16 not in ("bits", "float32"):
        raise ValueError("bf16 must be 'bits' or 'float32'")
    path = os.fspath(path)
    out: Dict[str, np.ndarray] = {}
    with open(path, "rb") as f:
        entries, metadata, start = _read_prefix(f, path, os.fstat(f.fileno()).st_size)
        for name, (dname, shape, (b, e)) in entries.items():
            dt = DTYPES[dname]
            arr = np.empty(shape, dtype=dt)                  # little-endian, as stored
            if e > b:
                f.seek(start + b)
                buf = memoryview(arr.reshape(-1).view(np.uint8))
                if f.readinto(buf) != e - b:
                    raise SafetensorsError(f"{path}: truncated file while reading {name!r}")
            arr = arr.astype(dt.newbyteorder("="), copy=False)  # no-op on little-endian hosts
            if dname == "BF16":
                arr = BF16Array(arr) if bf16 == "bits" else bf16_to_float32(arr)
            out[name] = arr
    return (out, metadata) if with_metadata else out
