"""PyTorch references for the model IR files in test/Models/.

Each public model function mirrors exactly one ``func.func`` of
``test/Models/*.mlir``: same arguments, same order, same shapes, same results
(a tuple when the MLIR function returns several values, a single tensor
otherwise).  The math follows docs/semantics.md:

* ``vim_tiny_block``          test/Models/vim-mixer.mlir      (§4.3, §2.1, §2.3, §3)
* ``vmamba_tiny_ss2d``        test/Models/vmamba-ss2d.mlir    (§5.3, §2.4, §2.1, §3)
* ``fastvim_tiny_mixer_even`` test/Models/fastvim-mixer.mlir  (§6.3, §2.1, §2.3, §2.6)

Everything is dtype-agnostic: the functions compute in the dtype of their
inputs (float64 for reference checks, float32 for CPU benchmarks).  Nothing is
forced to float32 (unlike mamba's ``selective_scan_ref``, docs/semantics.md §10 item 8).
The building blocks use the fast PyTorch ops (F.linear, einsum, F.conv1d,
F.conv2d, F.layer_norm) so the same code is the PyTorch side of benchmarks.

``random_args(fn_name, seed, dtype)`` produces realistic random arguments as
numpy arrays in argument order; ``run_torch`` runs a model on numpy arrays.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

Tensor = torch.Tensor

# --------------------------------------------------------------------------
# Core ops (docs/semantics.md §2)
# --------------------------------------------------------------------------


def selective_scan(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor,
                   D: Optional[Tensor] = None, z: Optional[Tensor] = None,
                   delta_bias: Optional[Tensor] = None,
                   delta_softplus: bool = False) -> Tensor:
    """Selective scan forward (docs/semantics.md §2.1), sequential over L.

    u, delta: (b, dc, l); A: (dc, n); B, C: (b, n, l) (G = 1) or (b, g, n, l)
    (channel d uses group d // (dc / g)); D, delta_bias: (dc,); z: (b, dc, l).
    Returns (b, dc, l) in u's dtype: (sum_n C h + D u) * silu(z).
    """
    dtype = u.dtype
    b, dc, l = u.shape
    n = A.shape[1]
    delta = delta.to(dtype)
    A = A.to(dtype)
    if delta_bias is not None:
        delta = delta + delta_bias.to(dtype)[:, None]
    if delta_softplus:
        # log1p(exp(x)) for x <= 20, x otherwise (F.softplus, beta 1, threshold 20).
        delta = F.softplus(delta, beta=1.0, threshold=20.0)

    def per_channel(M: Tensor) -> Tensor:  # -> (b, dc, n, l)
        M = M.to(dtype)
        if M.dim() == 3:
            M = M.unsqueeze(1)
        g = M.shape[1]
        assert dc % g == 0, (dc, g)
        if g == 1:
            return M.expand(b, dc, n, l)
        return M.repeat_interleave(dc // g, dim=1)

    Bd = per_channel(B)
    Cd = per_channel(C)
    # (b, dc, l, n) so that the per-step slice [:, :, t] is (b, dc, n).
    dA = torch.exp(delta.unsqueeze(-1) * A[:, None, :])
    dBu = (delta * u).unsqueeze(-1) * Bd.transpose(2, 3)
    hs = torch.empty_like(dA)
    h = torch.zeros(b, dc, n, dtype=dtype, device=u.device)
    for t in range(l):
        h = dA[:, :, t] * h + dBu[:, :, t]
        hs[:, :, t] = h
    y = (hs * Cd.transpose(2, 3)).sum(-1)
    if D is not None:
        y = y + u * D.to(dtype)[:, None]
    if z is not None:
        y = y * F.silu(z.to(dtype))
    return y


def causal_conv1d(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                  activation: Optional[str] = "silu") -> Tensor:
    """Causal depthwise conv1d (docs/semantics.md §2.3). x: (b, d, l), weight: (d, w)."""
    d, w = weight.shape
    l = x.shape[-1]
    y = F.conv1d(x, weight.unsqueeze(1), bias, padding=w - 1, groups=d)[..., :l]
    if activation == "silu":
        y = F.silu(y)
    elif activation is not None:
        raise ValueError(activation)
    return y


def rms_norm(x: Tensor, weight: Tensor, eps: float = 1e-5) -> Tensor:
    """x / sqrt(mean(x^2) + eps) * w over the last dim (docs/semantics.md §3)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def cross_scan(x: Tensor) -> Tensor:
    """CrossScan (docs/semantics.md §2.4): (b, c, h, w) -> (b, 4, c, h*w).

    xs[b, k, c, p_k(h, w)] = x[b, c, h, w] with p_0 = h*W + w, p_1 = w*H + h,
    p_2 = L-1-p_0, p_3 = L-1-p_1.
    """
    x0 = x.flatten(2)                      # position h*W + w
    x1 = x.transpose(2, 3).flatten(2)      # position w*H + h
    return torch.stack([x0, x1, x0.flip(-1), x1.flip(-1)], dim=1)


def cross_merge(ys: Tensor, H: int, W: int) -> Tensor:
    """CrossMerge (docs/semantics.md §2.4): (b, 4, c, H*W) -> (b, c, H, W), plain sum
    y[b, c, h, w] = sum_k ys[b, k, c, p_k(h, w)]."""
    b, k, c, l = ys.shape
    assert k == 4 and l == H * W
    y_row = ys[:, 0] + ys[:, 2].flip(-1)   # indexed by h*W + w
    y_col = ys[:, 1] + ys[:, 3].flip(-1)   # indexed by w*H + h
    return y_row.view(b, c, H, W) + y_col.view(b, c, W, H).transpose(2, 3)


def cross_scan_positions(H: int, W: int) -> Tensor:
    """pos[k, h*W + w] = p_k(h, w), the exact index maps of docs/semantics.md §2.4."""
    h = torch.arange(H).view(H, 1).expand(H, W).reshape(-1)
    w = torch.arange(W).view(1, W).expand(H, W).reshape(-1)
    L = H * W
    p0 = h * W + w
    p1 = w * H + h
    return torch.stack([p0, p1, L - 1 - p0, L - 1 - p1])


def cross_scan_by_index(x: Tensor) -> Tensor:
    """CrossScan written literally from the index maps (slow, for checking)."""
    b, c, H, W = x.shape
    pos = cross_scan_positions(H, W)
    xf = x.flatten(2)
    xs = x.new_zeros(b, 4, c, H * W)
    for k in range(4):
        xs[:, k, :, pos[k]] = xf
    return xs


def cross_merge_by_index(ys: Tensor, H: int, W: int) -> Tensor:
    """CrossMerge written literally from the index maps (slow, for checking)."""
    b, _, c, _ = ys.shape
    pos = cross_scan_positions(H, W)
    y = sum(ys[:, k, :, pos[k]] for k in range(4))
    return y.view(b, c, H, W)


def axis_pool_mean(x: Tensor, cols: int, scale: float = 1.0) -> Tensor:
    """FastVim pool (docs/semantics.md §2.6): p[b,e,r] = s/cols * sum_c x[b,e,r*cols+c]."""
    b, e, l = x.shape
    assert l % cols == 0, (l, cols)
    p = x.view(b, e, l // cols, cols).mean(-1)
    return p * scale if scale != 1.0 else p


def axis_broadcast(s: Tensor, cols: int) -> Tensor:
    """FastVim broadcast (docs/semantics.md §2.6): y[b,e,r*cols+c] = s[b,e,r]."""
    return s.repeat_interleave(cols, dim=-1)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


def _mamba_direction(x: Tensor, z: Optional[Tensor], conv_w: Tensor, conv_b: Tensor,
                     W_x: Tensor, W_dt: Tensor, b_dt: Tensor, A_log: Tensor,
                     D: Tensor) -> Tensor:
    """Vim step 3 of docs/semantics.md §4.3 (one direction) on channel-first x, z."""
    R = W_dt.shape[1]
    N = A_log.shape[1]
    xc = causal_conv1d(x, conv_w, conv_b, "silu")                 # (b, E, L)
    x_dbl = F.linear(xc.transpose(1, 2), W_x)                     # (b, L, R+2N)
    dt_low, Bm, Cm = torch.split(x_dbl, [R, N, N], dim=-1)
    delta = F.linear(dt_low, W_dt).transpose(1, 2)               # (b, E, L), no bias
    A = -torch.exp(A_log)
    return selective_scan(xc, delta, A, Bm.transpose(1, 2), Cm.transpose(1, 2),
                          D=D, z=z, delta_bias=b_dt, delta_softplus=True)


def vim_tiny_block(h, r, norm_w, W_in, conv_w, conv_b, W_x, W_dt, b_dt, A_log, D,
                   conv_w_b, conv_b_b, W_x_b, W_dt_b, b_dt_b, A_b_log, D_b, W_out):
    """One Vim layer, bimamba v2 fused path (docs/semantics.md §4.3).

    h, r: (B, L, D). Returns (h_out (B, L, D), r' = r + h (B, L, D)).
    """
    rp = r + h                                                   # 1
    u = rms_norm(rp, norm_w, 1e-5)                               # 2
    xz = F.linear(u, W_in).transpose(1, 2)                       # 3: (B, 2E, L)
    E = W_in.shape[0] // 2
    x, z = xz[:, :E], xz[:, E:]                                  # 4
    y_f = _mamba_direction(x, z, conv_w, conv_b, W_x, W_dt, b_dt, A_log, D)
    y_b = _mamba_direction(x.flip(-1), z.flip(-1), conv_w_b, conv_b_b, W_x_b,
                           W_dt_b, b_dt_b, A_b_log, D_b)
    y = (y_f + y_b.flip(-1)) / 2                                 # 10
    h_out = F.linear(y.transpose(1, 2), W_out)                   # 11: (B, L, D)
    return h_out, rp


def vmamba_tiny_ss2d(n, W_in, conv_w, W_x, W_dt, dt_bias, A_logs, Ds, on_w, on_b, W_out):
    """VMamba SS2D core, forward_type v05_noz, channel-first (docs/semantics.md §5.3
    steps 2-11). n: (B, C, H, W). Returns (B, C, H, W)."""
    Bsz, C, H, W = n.shape
    E = W_in.shape[0]
    K, RN2, _ = W_x.shape
    R = W_dt.shape[2]
    N = (RN2 - R) // 2
    L = H * W
    a = F.conv2d(n, W_in[:, :, None, None])                      # 2: 1x1 conv
    a = F.silu(F.conv2d(a, conv_w.unsqueeze(1), padding=1, groups=E))  # 3
    xs = cross_scan(a)                                           # 4: (B, 4, E, L)
    x_dbl = torch.einsum("bkdl,kcd->bkcl", xs, W_x)              # 5: (B, 4, R+2N, L)
    dts, Bs, Cs = torch.split(x_dbl, [R, N, N], dim=2)           # 6
    delta = torch.einsum("bkrl,kdr->bkdl", dts, W_dt).reshape(Bsz, K * E, L)  # 7
    ys = selective_scan(xs.reshape(Bsz, K * E, L), delta, -torch.exp(A_logs),
                        Bs, Cs, D=Ds, z=None, delta_bias=dt_bias.reshape(-1),
                        delta_softplus=True)                     # 8 (G = 4)
    y = cross_merge(ys.view(Bsz, K, E, L), H, W)                 # 9
    y = F.layer_norm(y.permute(0, 2, 3, 1), (E,), on_w, on_b, 1e-5).permute(0, 3, 1, 2)  # 10
    return F.conv2d(y, W_out[:, :, None, None])                  # 11


def _fastvim_direction(x: Tensor, cols: int, conv_w: Tensor, conv_b: Tensor, W_x: Tensor,
                       W_dt: Tensor, b_dt: Tensor, A_log: Tensor, D: Tensor,
                       scale: float = 1.0) -> Tensor:
    """FastVim step 3 of docs/semantics.md §6.3 (one direction)."""
    R = W_dt.shape[1]
    N = A_log.shape[1]
    xc = causal_conv1d(x, conv_w, conv_b, "silu")                 # 4: full L
    p = axis_pool_mean(xc, cols, scale)                           # 5: (b, E, rows)
    x_dbl = F.linear(p.transpose(1, 2), W_x)                      # 6: (b, rows, R+2N)
    dt_low, Bm, Cm = torch.split(x_dbl, [R, N, N], dim=-1)
    delta = F.linear(dt_low, W_dt).transpose(1, 2)               # 7: (b, E, rows)
    s = selective_scan(p, delta, -torch.exp(A_log), Bm.transpose(1, 2), Cm.transpose(1, 2),
                       D=None, z=None, delta_bias=b_dt, delta_softplus=True)  # 8
    return axis_broadcast(s, cols) + D[:, None] * xc              # 9


def fastvim_tiny_mixer_even(u, W_in, conv_w, conv_b, W_x, W_dt, b_dt, A_log, D,
                            conv_w_b, conv_b_b, W_x_b, W_dt_b, b_dt_b, A_b_log, D_b,
                            ln_w, ln_b, W_out, *, cols: Optional[int] = None,
                            scale: float = 1.0):
    """FastVim mixer on an even layer, default non-fused path (docs/semantics.md §6.3
    steps 3-11). u: (B, L, D) row-major tokens, rows = cols = sqrt(L) unless
    ``cols`` is given. Returns o (B, L, D)."""
    L = u.shape[1]
    if cols is None:
        cols = math.isqrt(L)
        assert cols * cols == L, "non-square grid: pass cols="
    xz = F.linear(u, W_in).transpose(1, 2)                        # 3: (B, 2E, L)
    E = W_in.shape[0] // 2
    x, z = xz[:, :E], xz[:, E:]
    y_f = _fastvim_direction(x, cols, conv_w, conv_b, W_x, W_dt, b_dt, A_log, D, scale)
    y_b = _fastvim_direction(x.flip(-1), cols, conv_w_b, conv_b_b, W_x_b, W_dt_b,
                             b_dt_b, A_b_log, D_b, scale)
    y = (y_f + y_b.flip(-1)) / 2                                  # 10
    y = F.layer_norm(y.transpose(1, 2), (E,), ln_w, ln_b, 1e-5)   # (B, L, E)
    g = y * F.silu(z.transpose(1, 2))                             # 11: gate after LN
    return F.linear(g, W_out)


# --------------------------------------------------------------------------
# Registry, argument specs, random arguments
# --------------------------------------------------------------------------

MODELS = {
    "vim_tiny_block": vim_tiny_block,
    "vmamba_tiny_ss2d": vmamba_tiny_ss2d,
    "fastvim_tiny_mixer_even": fastvim_tiny_mixer_even,
}

# Which IR file (under test/Models/) holds each function.
MLIR_FILES = {
    "vim_tiny_block": "vim-mixer.mlir",
    "vmamba_tiny_ss2d": "vmamba-ss2d.mlir",
    "fastvim_tiny_mixer_even": "fastvim-mixer.mlir",
}

# Initialisers used by random_args. fan-in bounds follow docs/semantics.md §9.
#   ("normal",)          N(0, 1)                      (activations)
#   ("uniform", bound)   U(-bound, bound)             (PyTorch default Linear/Conv init)
#   ("affine_w",)        1 + 0.1 N(0, 1)              (trained norm weights / D skip)
#   ("affine_b",)        0.1 N(0, 1)                  (trained norm biases)
#   ("dt_bias",)         softplus^-1(dt), dt = exp(U[ln 1e-3, ln 1e-1]) (Mamba dt init)
#   ("A_log",)           log(1..N) per row + 0.1 N(0, 1)  (S4D-real, perturbed)


def _u(fan_in: int) -> Tuple[str, float]:
    return ("uniform", 1.0 / math.sqrt(fan_in))


def _vim_like_dirs(E: int, N: int, R: int, Wc: int, suffix: str):
    return [
        (f"conv_w{suffix}", (E, Wc), ("uniform", 1.0 / math.sqrt(Wc))),
        (f"conv_b{suffix}", (E,), ("uniform", 1.0 / math.sqrt(Wc))),
        (f"W_x{suffix}", (R + 2 * N, E), _u(E)),
        (f"W_dt{suffix}", (E, R), _u(R)),
        (f"b_dt{suffix}", (E,), ("dt_bias",)),
        ("A_log" if not suffix else "A_b_log", (E, N), ("A_log",)),
        (f"D{suffix}", (E,), ("affine_w",)),
    ]


def _vim_spec(Lt=197, Dm=192, E=384, N=16, R=12, Wc=4):
    return ([("h", (1, Lt, Dm), ("normal",)), ("r", (1, Lt, Dm), ("normal",)),
             ("norm_w", (Dm,), ("affine_w",)), ("W_in", (2 * E, Dm), _u(Dm))]
            + _vim_like_dirs(E, N, R, Wc, "") + _vim_like_dirs(E, N, R, Wc, "_b")
            + [("W_out", (Dm, E), _u(E))])


def _fastvim_spec(Lt=196, Dm=192, E=384, N=16, R=12, Wc=4):
    return ([("u", (1, Lt, Dm), ("normal",)), ("W_in", (2 * E, Dm), _u(Dm))]
            + _vim_like_dirs(E, N, R, Wc, "") + _vim_like_dirs(E, N, R, Wc, "_b")
            + [("ln_w", (E,), ("affine_w",)), ("ln_b", (E,), ("affine_b",)),
               ("W_out", (Dm, E), _u(E))])


def _vmamba_spec(C=96, E=96, N=1, R=6, K=4, H=56, W=56):
    return [
        ("n", (1, C, H, W), ("normal",)),
        ("W_in", (E, C), _u(C)),
        ("conv_w", (E, 3, 3), _u(9)),
        ("W_x", (K, R + 2 * N, E), _u(E)),
        ("W_dt", (K, E, R), _u(R)),          # dt_init "random": U(+-R^-1/2)
        ("dt_bias", (K, E), ("dt_bias",)),
        ("A_logs", (K * E, N), ("A_log",)),
        ("Ds", (K * E,), ("affine_w",)),
        ("on_w", (E,), ("affine_w",)),
        ("on_b", (E,), ("affine_b",)),
        ("W_out", (C, E), _u(E)),
    ]


ARG_SPECS: Dict[str, List[Tuple[str, Tuple[int, ...], tuple]]] = {
    "vim_tiny_block": _vim_spec(),
    "vmamba_tiny_ss2d": _vmamba_spec(),
    "fastvim_tiny_mixer_even": _fastvim_spec(),
}


def arg_names(fn_name: str) -> List[str]:
    return [name for name, _, _ in ARG_SPECS[fn_name]]


def _init(rng: np.random.Generator, shape, kind, dt_range=(1e-3, 1e-1)) -> np.ndarray:
    k = kind[0]
    if k == "normal":
        return rng.standard_normal(shape)
    if k == "uniform":
        return rng.uniform(-kind[1], kind[1], shape)
    if k == "affine_w":
        return 1.0 + 0.1 * rng.standard_normal(shape)
    if k == "affine_b":
        return 0.1 * rng.standard_normal(shape)
    if k == "dt_bias":
        dt = np.exp(rng.uniform(math.log(dt_range[0]), math.log(dt_range[1]), shape))
        dt = np.maximum(dt, 1e-4)
        return dt + np.log(-np.expm1(-dt))          # inverse softplus
    if k == "A_log":
        n = shape[-1]
        base = np.log(np.arange(1, n + 1, dtype=np.float64))
        return np.broadcast_to(base, shape) + 0.1 * rng.standard_normal(shape)
    raise ValueError(kind)


REGIMES = ("init", "scan")


def random_args(fn_name: str, seed: int, dtype=np.float32,
                dt_range: Optional[Tuple[float, float]] = None,
                regime: str = "init") -> List[np.ndarray]:
    """Random arguments for ``fn_name`` in argument order (numpy, C-contiguous,
    ``dtype``, float32 by default).

    regime "init": values like a freshly initialised layer (docs/semantics.md
      §9): fan-in uniform weights, A_log = log(1..N) + noise, dt bias =
      softplus^-1(dt) with dt in [1e-3, 1e-1], D and norm weights ~ 1, N(0, 1)
      activations. Near that init the output hardly depends on A, W_dt or the
      dt bias (docs/semantics.md §10 item 9): the D skip dominates.
    regime "scan": scan-dominated variant of the same: dt in [1e-2, 1], x_proj
      weights x4 (larger dt_low, B, C), D skips x0.1. The recurrence then
      carries most of the output, so the comparison checks the scan sharply.
    ``dt_range`` overrides the regime's dt range.
    """
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}")
    if dt_range is None:
        dt_range = (1e-3, 1e-1) if regime == "init" else (1e-2, 1.0)
    rng = np.random.default_rng(seed)
    out = []
    for name, shape, kind in ARG_SPECS[fn_name]:
        a = _init(rng, shape, kind, dt_range)
        if regime == "scan":
            if name.startswith("W_x"):
                a = a * 4.0
            elif name in ("D", "D_b", "Ds"):
                a = a * 0.1
        out.append(np.ascontiguousarray(a, dtype=dtype))
    return out


def run_torch(fn_name: str, np_args: Sequence[np.ndarray],
              dtype: torch.dtype = torch.float64, **kwargs) -> List[np.ndarray]:
    """Run a model on numpy arguments (converted to ``dtype``); returns the
    results as a list of numpy arrays."""
    args = [torch.from_numpy(np.asarray(a)).to(dtype) for a in np_args]
    with torch.no_grad():
        out = MODELS[fn_name](*args, **kwargs)
    if isinstance(out, torch.Tensor):
        out = (out,)
    return [o.contiguous().numpy() for o in out]
