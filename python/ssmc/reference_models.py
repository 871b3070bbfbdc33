"""Whole-model PyTorch references of the four families of docs/semantics.md.

Independent, readable eval-mode implementations of **Vim** (§4), **VMamba**
v2 and vanilla v0 (§5), **FastVim** (§6) and **MambaOut** (§7), built from a
config so tests can use tiny models.  Every module's ``state_dict()`` has
exactly the names and shapes of the official checkpoints (§4.4, §5.5, §6.4,
§7.4 original MambaOut names), in the order the official modules register
them, so an official checkpoint loads with ``load_state_dict(strict=True)``.

Everything is dtype-agnostic: the models compute in the dtype of their
parameters (``model.double()`` gives a float64 oracle; nothing is forced to
float32, unlike the official code, docs/semantics.md §10 item 8).  The core
ops come from :mod:`ssmc.reference_ops` (sequential selective scan, causal
conv1d, RMSNorm, cross-scan/merge, FastVim pool/broadcast).

Public API
----------
``VARIANTS``                               registered variant names
``resolve_config(variant, **overrides)``   -> :class:`ModelConfig`
``build(variant, *, seed=0, **overrides)`` -> eval-mode ``torch.nn.Module``
``init_random_(model, seed)``              deterministic realistic random init
``set_drop_path(model, scales)``           stochastic depth with given per-sample scales
``weight_spec(variant, **overrides)``      -> ``[(name, shape), ...]``
``param_count(variant, **overrides)``      -> int
``preprocessing(variant, **overrides)``    -> eval preprocessing of the official code

Override keys (the C++ compiler's): ``img`` (square input side), ``classes``,
``batch`` and ``dtype`` (accepted, they change no weight), and per family

* vim:        ``embed_dim, depth, patch, stride, d_state``
* fastvim:    ``embed_dim, depth, patch (= kernel = stride), d_state,
  pool ("mean"|"max"), pool_scale``
* vmamba v2:  ``dims, depths, d_state, ssm_ratio, mlp_ratio``
* vmamba v0:  ``dims, depths, d_state, ssm_ratio``
* mambaout:   ``dims, depths, expansion_ratio``

(the same keys the C++ ``resolveModelConfig`` accepts per family).

Values may be Python numbers/lists or strings as on a command line
(``"2,2,8,2"``); ``None`` means "not given".  A key the family does not use
raises ``ValueError``.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .reference_ops import (axis_broadcast, axis_pool_mean, causal_conv1d, cross_merge,
                           cross_scan, rms_norm, selective_scan)

Tensor = torch.Tensor

__all__ = [
    "VARIANTS", "ModelConfig", "resolve_config", "build", "init_random_", "weight_spec",
    "param_count", "preprocessing", "family_of",
]

# ----------------------------------------------------------------------------
# Configuration
# ----------------------------------------------------------------------------


@dataclasses.dataclass
class ModelConfig:
    """Every hyper-parameter the builders read (mirrors the C++ ModelConfig)."""

    variant: str
    family: str                      # "vim" | "fastvim" | "vmamba" | "mambaout"
    img: int = 224
    classes: int = 1000
    batch: int = 1                   # informational only (models are batch-agnostic)
    dtype: str = "f32"               # informational only ("f32" | "bf16")
    # Isotropic families (Vim, FastVim).
    embed_dim: int = 192
    depth: int = 24
    patch: int = 16
    stride: int = 16
    d_state: int = 16
    d_conv: int = 4
    expand: int = 2
    pool: str = "mean"               # FastVim collapse_method
    pool_scale: float = 1.0          # FastVim scaling_factor
    # Hierarchical families (VMamba, MambaOut).
    dims: Tuple[int, ...] = ()
    depths: Tuple[int, ...] = ()
    v0: bool = False                 # VMamba vanilla (channel-last, gated, no MLP)
    ssm_ratio: float = 1.0
    mlp_ratio: float = 4.0
    expansion_ratio: float = 8.0 / 3.0
    kernel_size: int = 7             # MambaOut depthwise conv
    # (MambaOut's MLP head uses mlp_ratio = 4 of the official MlpHead.)

    @staticmethod
    def dt_rank(width: int) -> int:
        """dt_rank "auto" = ceil(width / 16) of the block width (not E)."""
        return math.ceil(width / 16)

    @property
    def grid(self) -> int:
        """Patch-grid side of Vim / FastVim."""
        if self.family == "vim":
            return (self.img - self.patch) // self.stride + 1
        return self.img // self.patch


_VARIANT_TABLE: Dict[str, Dict[str, Any]] = OrderedDict()
for _name, _dim, _stride in [("vim-t", 192, 16), ("vim-t-s8", 192, 8), ("vim-s", 384, 16),
                             ("vim-s-s8", 384, 8), ("vim-b", 768, 16)]:
    _VARIANT_TABLE[_name] = dict(family="vim", embed_dim=_dim, depth=24, patch=16,
                                 stride=_stride, d_state=16)
for _name, _c0, _depths, _ratio in [
        ("vmamba-t", 96, (2, 2, 8, 2), 1.0), ("vmamba-s", 96, (2, 2, 20, 2), 1.0),
        ("vmamba-b", 128, (2, 2, 20, 2), 1.0), ("vmamba-t-s2", 96, (2, 2, 5, 2), 2.0),
        ("vmamba-s-s2", 96, (2, 2, 15, 2), 2.0), ("vmamba-b-s2", 128, (2, 2, 15, 2), 2.0)]:
    _VARIANT_TABLE[_name] = dict(family="vmamba", dims=tuple(_c0 * 2 ** i for i in range(4)),
                                 depths=_depths, d_state=1, ssm_ratio=_ratio, mlp_ratio=4.0)
for _name, _c0, _depths in [("vmamba-v0-t", 96, (2, 2, 9, 2)), ("vmamba-v0-s", 96, (2, 2, 27, 2)),
                            ("vmamba-v0-b", 128, (2, 2, 27, 2))]:
    _VARIANT_TABLE[_name] = dict(family="vmamba", v0=True,
                                 dims=tuple(_c0 * 2 ** i for i in range(4)), depths=_depths,
                                 d_state=16, ssm_ratio=2.0, mlp_ratio=0.0)
for _name, _dim in [("fastvim-t", 192), ("fastvim-s", 384), ("fastvim-b", 768)]:
    _VARIANT_TABLE[_name] = dict(family="fastvim", embed_dim=_dim, depth=24, patch=16,
                                 stride=16, d_state=16)
for _name, _dims, _depths in [
        ("mambaout-femto", (48, 96, 192, 288), (3, 3, 9, 3)),
        ("mambaout-kobe", (48, 96, 192, 288), (3, 3, 15, 3)),
        ("mambaout-tiny", (96, 192, 384, 576), (3, 3, 9, 3)),
        ("mambaout-small", (96, 192, 384, 576), (3, 4, 27, 3)),
        ("mambaout-base", (128, 256, 512, 768), (3, 4, 27, 3))]:
    _VARIANT_TABLE[_name] = dict(family="mambaout", dims=_dims, depths=_depths,
                                 expansion_ratio=8.0 / 3.0, mlp_ratio=4.0)

#: The registered variant names, in a stable order.
VARIANTS: Tuple[str, ...] = tuple(_VARIANT_TABLE)

_COMMON_KEYS = {"img", "classes", "batch", "dtype"}
_FAMILY_KEYS = {
    "vim": {"embed_dim", "depth", "patch", "stride", "d_state"},
    "fastvim": {"embed_dim", "depth", "patch", "d_state", "pool", "pool_scale"},
    "vmamba": {"dims", "depths", "d_state", "ssm_ratio", "mlp_ratio"},
    "vmamba-v0": {"dims", "depths", "d_state", "ssm_ratio"},
    "mambaout": {"dims", "depths", "expansion_ratio"},
}
_INT_KEYS = {"img", "classes", "batch", "embed_dim", "depth", "patch", "stride", "d_state"}
_FLOAT_KEYS = {"pool_scale", "ssm_ratio", "mlp_ratio", "expansion_ratio"}
_LIST_KEYS = {"dims", "depths"}


def family_of(variant: str) -> str:
    """"vim" | "fastvim" | "vmamba" | "mambaout" for a registered variant."""
    if variant not in _VARIANT_TABLE:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    return _VARIANT_TABLE[variant]["family"]


def _parse_int(key: str, v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError(f"{key}: expected an integer, got {v!r}")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            pass
    raise ValueError(f"{key}: expected an integer, got {v!r}")


def _parse_float(key: str, v: Any) -> float:
    if isinstance(v, bool):
        raise ValueError(f"{key}: expected a number, got {v!r}")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            pass
    raise ValueError(f"{key}: expected a number, got {v!r}")


def _parse_list(key: str, v: Any) -> Tuple[int, ...]:
    if isinstance(v, str):
        items = [s for s in v.replace(" ", "").split(",") if s]
    elif isinstance(v, (list, tuple)):
        items = list(v)
    else:
        raise ValueError(f"{key}: expected a comma list of integers, got {v!r}")
    out = tuple(_parse_int(key, x) for x in items)
    if not out:
        raise ValueError(f"{key}: empty list")
    return out


def resolve_config(variant: str, **overrides: Any) -> ModelConfig:
    """Looks up ``variant`` and applies the overrides (see the module doc).

    Raises ``ValueError`` for an unknown variant, an unknown or unused key, a
    bad value, or a shape the family does not allow.
    """
    fam = family_of(variant)
    base = dict(_VARIANT_TABLE[variant])
    cfg = ModelConfig(variant=variant, **base)
    given = {k: v for k, v in overrides.items() if v is not None}
    allowed = _COMMON_KEYS | _FAMILY_KEYS["vmamba-v0" if base.get("v0") else fam]
    bad = sorted(k for k in given if k not in allowed)
    if bad:
        raise ValueError(f"{variant}: unknown override key(s) {', '.join(bad)}; "
                         f"{fam} accepts {', '.join(sorted(allowed))}")
    vals: Dict[str, Any] = {}
    for k, v in given.items():
        if k in _INT_KEYS:
            vals[k] = _parse_int(k, v)
        elif k in _FLOAT_KEYS:
            vals[k] = _parse_float(k, v)
        elif k in _LIST_KEYS:
            vals[k] = _parse_list(k, v)
        elif k == "pool":
            if str(v) not in ("mean", "max"):
                raise ValueError(f"pool: expected 'mean' or 'max', got {v!r}")
            vals[k] = str(v)
        elif k == "dtype":
            if str(v) not in ("f32", "bf16"):
                raise ValueError(f"dtype: expected 'f32' or 'bf16', got {v!r}")
            vals[k] = str(v)
    for k in ("img", "classes", "batch", "embed_dim", "depth", "patch", "stride", "d_state"):
        if k in vals and vals[k] < 1:
            raise ValueError(f"{k} must be >= 1, got {vals[k]}")

    if fam == "fastvim" and "patch" in vals:
        # FastVim's patch conv has kernel = stride = p (it has no stride option).
        vals["stride"] = vals["patch"]
    for k, v in vals.items():
        setattr(cfg, k, v)

    # Shape checks.
    if fam == "vim":
        if cfg.img < cfg.patch:
            raise ValueError(f"vim: img {cfg.img} smaller than patch {cfg.patch}")
    elif fam == "fastvim":
        if cfg.img % cfg.patch != 0:
            raise ValueError(f"fastvim: img {cfg.img} must be a multiple of patch {cfg.patch} "
                             "(the grid is frozen at construction, docs/semantics.md §6.1)")
        if cfg.pool_scale <= 0:
            raise ValueError("fastvim: pool_scale must be > 0")
    else:
        if len(cfg.dims) != len(cfg.depths):
            raise ValueError(f"{fam}: dims {list(cfg.dims)} and depths {list(cfg.depths)} "
                             "differ in length")
        if min(cfg.dims) < 1 or min(cfg.depths) < 1:
            raise ValueError(f"{fam}: dims and depths must be >= 1")
        if fam == "vmamba":
            if cfg.ssm_ratio <= 0 or any(int(cfg.ssm_ratio * c) < 1 for c in cfg.dims):
                raise ValueError("vmamba: ssm_ratio must give an inner width >= 1")
            if cfg.mlp_ratio < 0:
                raise ValueError("vmamba: mlp_ratio must be >= 0")
            if not cfg.v0 and cfg.dims[0] < 2:
                raise ValueError("vmamba: dims[0] must be >= 2 (the stem halves it)")
            if cfg.v0 and cfg.img < 4:
                raise ValueError("vmamba v0: img must be >= 4 (stem conv k4 s4)")
        else:
            if any(int(cfg.expansion_ratio * c) < c for c in cfg.dims):
                raise ValueError("mambaout: expansion_ratio must be >= 1 "
                                 "(the hidden width must cover the conv channels)")
            if cfg.dims[0] < 2:
                raise ValueError("mambaout: dims[0] must be >= 2 (the stem halves it)")
    return cfg


def preprocessing(variant: str, **overrides: Any) -> Dict[str, Any]:
    """Eval preprocessing of the family's official code, for a square ``img``.

    Returns ``dict(resize_to, crop, interpolation, mean, std)``: resize the
    shorter side to ``resize_to`` (PIL bicubic), center-crop ``crop``, scale
    to [0, 1], normalize with ImageNet mean/std.  ``resize_to``/``crop`` are
    None where the official code does neither (Vim and VMamba with img <= 32).

    * Vim (vim/datasets.py): resize ``int(img / 0.875)`` (256 at 224).
    * VMamba (classification/data/build.py, TEST.CROP): ``int(256 / 224 * img)``.
    * FastVim (imagenet_classification/datasets_supervised.py, eval_crop_ratio
      0.875): ``int(img / 0.875)``.
    * MambaOut (timm eval, default_cfg crop_pct 1.0): ``floor(img / 1.0) = img``,
      i.e. resize to img then a no-op crop.
    """
    cfg = resolve_config(variant, **overrides)
    img = cfg.img
    if cfg.family in ("vim", "fastvim"):
        resize = int(img / 0.875)
    elif cfg.family == "vmamba":
        resize = int((256 / 224) * img)
    else:
        resize = math.floor(img / 1.0)
    crop: Optional[int] = img
    if cfg.family in ("vim", "vmamba") and img <= 32:
        resize, crop = None, None
    return dict(resize_to=resize, crop=crop, interpolation="bicubic",
                mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))


# ----------------------------------------------------------------------------
# Shared small modules
# ----------------------------------------------------------------------------


def _dropped(branch: Tensor, scale: Optional[Tensor]) -> Tensor:
    """Stochastic depth on a residual branch: ``branch * scale[b]`` per sample
    (``scale``: (B,) of 0 or 1 / keep), or the branch unchanged."""
    if scale is None:
        return branch
    return branch * scale.to(branch.dtype).view(-1, *([1] * (branch.dim() - 1)))


def set_drop_path(model: nn.Module, scales: Optional[List[Tensor]]) -> nn.Module:
    """Stochastic depth (training): ``scales[k]`` ((B,) tensor) multiplies
    residual branch ``k``, in the order of the official drop-path schedule
    (Vim / FastVim: layer k's mixer output, the last one at the final add;
    VMamba, MambaOut: block k of all of them, both VMamba adds of a block
    alike), as the compiled train step numbers them
    (``ssmc.train_step.drop_path_scales``). ``None`` turns it off."""
    family = model.config.family
    if family in ("vim", "fastvim"):
        layers = list(model.layers)
        for i, layer in enumerate(layers):
            layer.drop_scale = None if scales is None or i == 0 else scales[i - 1]
        model.drop_scale = None if scales is None or not layers else scales[len(layers) - 1]
    else:
        blocks = [m for m in model.modules() if isinstance(m, (VSSBlock, GatedCNNBlock))]
        for k, block in enumerate(blocks):
            block.drop_scale = None if scales is None else scales[k]
    return model


class RMSNorm(nn.Module):
    """RMSNorm with weight only (mamba_ssm RMSNorm): ``x / sqrt(mean x^2 + eps) * w``."""

    def __init__(self, dim: int, eps: float = 1e-5, device=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim, device=device))

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.weight, self.eps)


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over C of a channel-first (B, C, H, W) tensor (VMamba ln2d)."""

    def forward(self, x: Tensor) -> Tensor:
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias,
                         self.eps)
        return x.permute(0, 3, 1, 2)


class Linear2d(nn.Linear):
    """A Linear weight [out, in] applied as a 1x1 conv to (B, C, H, W) (VMamba)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight[:, :, None, None], self.bias)


class Permute(nn.Module):
    """x.permute(*dims); holds no parameters (keeps official Sequential indices)."""

    def __init__(self, *dims: int):
        super().__init__()
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(*self.dims)


# ----------------------------------------------------------------------------
# Vim (docs/semantics.md §4) and FastVim (§6)
# ----------------------------------------------------------------------------


class PatchEmbed(nn.Module):
    """Conv2d(3 -> D, kernel patch, stride s) then row-major flatten to (B, M, D)."""

    def __init__(self, dim: int, patch: int, stride: int, device=None):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=stride, device=device)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


def _mamba_projections(xc: Tensor, x_proj: nn.Linear, dt_proj: nn.Linear, N: int):
    """x_dbl = xc W_x^T split into (dt_low, Bm, Cm); delta_raw = W_dt dt_low (no bias).

    xc: (b, E, l). Returns delta_raw (b, E, l), Bm (b, N, l), Cm (b, N, l).
    """
    R = dt_proj.weight.shape[1]
    x_dbl = F.linear(xc.transpose(1, 2), x_proj.weight)          # (b, l, R+2N)
    dt_low, Bm, Cm = torch.split(x_dbl, [R, N, N], dim=-1)
    delta = F.linear(dt_low, dt_proj.weight).transpose(1, 2)      # bias goes to the scan
    return delta, Bm.transpose(1, 2), Cm.transpose(1, 2)


class VimMixer(nn.Module):
    """Vim's ``mamba_simple.Mamba`` with ``bimamba_type="v2"``, fused-path dataflow
    (docs/semantics.md §4.3 steps 2-5): shared in_proj/out_proj/gate, separate
    conv1d/x_proj/dt_proj/A_log/D per direction, ``/2`` (if_divide_out)."""

    def __init__(self, d_model: int, d_state: int = 16, d_conv: int = 4, expand: int = 2,
                 device=None):
        super().__init__()
        E = expand * d_model
        R = ModelConfig.dt_rank(d_model)
        self.d_inner, self.d_state, self.dt_rank = E, d_state, R
        # Direct parameters first (that is where state_dict puts them).
        self.A_log = nn.Parameter(torch.empty(E, d_state, device=device))
        self.D = nn.Parameter(torch.empty(E, device=device))
        self.A_b_log = nn.Parameter(torch.empty(E, d_state, device=device))
        self.D_b = nn.Parameter(torch.empty(E, device=device))
        self.in_proj = nn.Linear(d_model, 2 * E, bias=False, device=device)
        self.conv1d = nn.Conv1d(E, E, d_conv, groups=E, padding=d_conv - 1, bias=True,
                                device=device)
        self.x_proj = nn.Linear(E, R + 2 * d_state, bias=False, device=device)
        self.dt_proj = nn.Linear(R, E, bias=True, device=device)
        self.conv1d_b = nn.Conv1d(E, E, d_conv, groups=E, padding=d_conv - 1, bias=True,
                                  device=device)
        self.x_proj_b = nn.Linear(E, R + 2 * d_state, bias=False, device=device)
        self.dt_proj_b = nn.Linear(R, E, bias=True, device=device)
        self.out_proj = nn.Linear(E, d_model, bias=False, device=device)

    def _direction(self, x: Tensor, z: Tensor, conv: nn.Conv1d, x_proj: nn.Linear,
                   dt_proj: nn.Linear, A_log: Tensor, D: Tensor) -> Tensor:
        xc = causal_conv1d(x, conv.weight[:, 0, :], conv.bias, "silu")          # 5
        delta, Bm, Cm = _mamba_projections(xc, x_proj, dt_proj, self.d_state)  # 6-7
        return selective_scan(xc, delta, -torch.exp(A_log), Bm, Cm, D=D, z=z,
                              delta_bias=dt_proj.bias, delta_softplus=True)    # 8-9

    def forward(self, u: Tensor) -> Tensor:
        """u: (B, L, D) normalized tokens -> (B, L, D)."""
        xz = F.linear(u, self.in_proj.weight).transpose(1, 2)                  # 3: (B, 2E, L)
        x, z = xz[:, :self.d_inner], xz[:, self.d_inner:]                      # 4
        y_f = self._direction(x, z, self.conv1d, self.x_proj, self.dt_proj, self.A_log, self.D)
        y_b = self._direction(x.flip(-1), z.flip(-1), self.conv1d_b, self.x_proj_b,
                              self.dt_proj_b, self.A_b_log, self.D_b)
        y = (y_f + y_b.flip(-1)) / 2                                           # 10
        return F.linear(y.transpose(1, 2), self.out_proj.weight)               # 11


class VimBlock(nn.Module):
    """Fused add + RMSNorm then mixer: ``r <- r + h``; ``h <- mixer(RMSNorm(r))``."""

    def __init__(self, dim: int, d_state: int, eps: float = 1e-5, device=None):
        super().__init__()
        self.mixer = VimMixer(dim, d_state, device=device)
        self.norm = RMSNorm(dim, eps, device=device)

    def forward(self, h: Tensor, r: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        r = h if r is None else r + _dropped(h, getattr(self, "drop_scale", None))
        return self.mixer(self.norm(r)), r


class VisionMamba(nn.Module):
    """Vim (docs/semantics.md §4.1): patch embed, middle cls token at M//2, pos_embed,
    bimamba-v2 layers, final add + RMSNorm, cls-token head."""

    def __init__(self, cfg: ModelConfig, device=None):
        super().__init__()
        self.config = cfg
        D = cfg.embed_dim
        self.num_patches = cfg.grid ** 2
        self.cls_position = self.num_patches // 2
        # Registration order follows the official VisionMamba.__init__.
        self.patch_embed = PatchEmbed(D, cfg.patch, cfg.stride, device=device)
        self.cls_token = nn.Parameter(torch.empty(1, 1, D, device=device))
        self.pos_embed = nn.Parameter(torch.empty(1, self.num_patches + 1, D, device=device))
        self.head = nn.Linear(D, cfg.classes, device=device)
        self.layers = nn.ModuleList(VimBlock(D, cfg.d_state, device=device)
                                    for _ in range(cfg.depth))
        self.norm_f = RMSNorm(D, 1e-5, device=device)

    def embed(self, img: Tensor) -> Tensor:
        """Patch tokens with the cls token inserted at M//2, plus pos_embed: (B, M+1, D)."""
        B, _, H, W = img.shape
        if H != self.config.img or W != self.config.img:
            raise ValueError(f"input {H}x{W} does not match the model's img {self.config.img}")
        x = self.patch_embed(img)
        p = self.cls_position
        cls = self.cls_token.expand(B, -1, -1)
        x = torch.cat([x[:, :p], cls, x[:, p:]], dim=1)
        return x + self.pos_embed

    def forward_tokens(self, img: Tensor) -> Tensor:
        """All tokens after the final add + RMSNorm_f: (B, M+1, D)."""
        h, r = self.embed(img), None
        for layer in self.layers:
            h, r = layer(h, r)
        r = h if r is None else r + _dropped(h, getattr(self, "drop_scale", None))
        return self.norm_f(r)

    def forward(self, img: Tensor) -> Tensor:
        return self.head(self.forward_tokens(img)[:, self.cls_position])


class FastVimMixer(nn.Module):
    """FastVim's ``mamba_simple_faster.Mamba``, default unfused path (docs/semantics.md §6.3
    steps 3-11): full-length conv1d, pooled scan (rows x cols grid, pool over
    each group of ``cols`` consecutive tokens), broadcast, D skip on the
    un-pooled conv output, LayerNorm(E), gate by silu(z), out_proj."""

    def __init__(self, d_model: int, rows: int, cols: int, d_state: int = 16,
                 d_conv: int = 4, expand: int = 2, pool: str = "mean", pool_scale: float = 1.0,
                 device=None):
        super().__init__()
        E = expand * d_model
        R = ModelConfig.dt_rank(d_model)
        self.d_inner, self.d_state, self.dt_rank = E, d_state, R
        self.rows, self.cols = rows, cols
        self.pool, self.pool_scale = pool, pool_scale
        self.A_log = nn.Parameter(torch.empty(E, d_state, device=device))
        self.D = nn.Parameter(torch.empty(E, device=device))
        self.A_b_log = nn.Parameter(torch.empty(E, d_state, device=device))
        self.D_b = nn.Parameter(torch.empty(E, device=device))
        self.in_proj = nn.Linear(d_model, 2 * E, bias=False, device=device)
        self.layernorm = nn.LayerNorm(E, eps=1e-5, device=device)
        self.conv1d = nn.Conv1d(E, E, d_conv, groups=E, padding=d_conv - 1, bias=True,
                                device=device)
        self.x_proj = nn.Linear(E, R + 2 * d_state, bias=False, device=device)
        self.dt_proj = nn.Linear(R, E, bias=True, device=device)
        self.conv1d_b = nn.Conv1d(E, E, d_conv, groups=E, padding=d_conv - 1, bias=True,
                                  device=device)
        self.x_proj_b = nn.Linear(E, R + 2 * d_state, bias=False, device=device)
        self.dt_proj_b = nn.Linear(R, E, bias=True, device=device)
        self.out_proj = nn.Linear(E, d_model, bias=False, device=device)

    def _pool(self, xc: Tensor) -> Tensor:
        """(b, E, rows*cols) -> (b, E, rows). The official code applies
        ``scaling_factor`` to the mean only (the max branch ignores it)."""
        if self.pool == "mean":
            return axis_pool_mean(xc, self.cols, self.pool_scale)
        b, e, l = xc.shape
        return xc.view(b, e, l // self.cols, self.cols).amax(-1)

    def _direction(self, x: Tensor, conv: nn.Conv1d, x_proj: nn.Linear, dt_proj: nn.Linear,
                   A_log: Tensor, D: Tensor) -> Tensor:
        xc = causal_conv1d(x, conv.weight[:, 0, :], conv.bias, "silu")          # 4: full L
        p = self._pool(xc)                                                     # 5
        delta, Bm, Cm = _mamba_projections(p, x_proj, dt_proj, self.d_state)   # 6-7
        s = selective_scan(p, delta, -torch.exp(A_log), Bm, Cm, D=None, z=None,
                           delta_bias=dt_proj.bias, delta_softplus=True)      # 8
        return axis_broadcast(s, self.cols) + D[:, None] * xc                  # 9

    def forward(self, u: Tensor) -> Tensor:
        """u: (B, L, D) tokens in this mixer's (rows, cols) order -> (B, L, D)."""
        if u.shape[1] != self.rows * self.cols:
            raise ValueError(f"{u.shape[1]} tokens, mixer built for {self.rows}x{self.cols}")
        xz = F.linear(u, self.in_proj.weight).transpose(1, 2)                  # 3
        x, z = xz[:, :self.d_inner], xz[:, self.d_inner:]
        y_f = self._direction(x, self.conv1d, self.x_proj, self.dt_proj, self.A_log, self.D)
        y_b = self._direction(x.flip(-1), self.conv1d_b, self.x_proj_b, self.dt_proj_b,
                              self.A_b_log, self.D_b)
        y = self.layernorm(((y_f + y_b.flip(-1)) / 2).transpose(1, 2))         # 10: (B, L, E)
        return F.linear(y * F.silu(z.transpose(1, 2)), self.out_proj.weight)   # 11


def _to_column_major(u: Tensor, rows: int, cols: int) -> Tensor:
    """T(u)[b, w*rows + h] = u[b, h*cols + w] for a rows x cols grid."""
    B, L, C = u.shape
    return u.reshape(B, rows, cols, C).transpose(1, 2).reshape(B, L, C)


class FastVimBlock(nn.Module):
    """Vim block plus the token transpose around the mixer on odd layers."""

    def __init__(self, dim: int, layer_idx: int, grid: Tuple[int, int], cfg: ModelConfig,
                 device=None):
        super().__init__()
        self.layer_idx = layer_idx
        self.grid = grid                                  # (Hp, Wp), row-major tokens
        self.transposed = layer_idx % 2 == 1
        rows, cols = (grid[1], grid[0]) if self.transposed else grid
        self.mixer = FastVimMixer(dim, rows, cols, cfg.d_state, cfg.d_conv, cfg.expand,
                                  cfg.pool, cfg.pool_scale, device=device)
        self.norm = RMSNorm(dim, 1e-5, device=device)

    def forward(self, h: Tensor, r: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        r = h if r is None else r + _dropped(h, getattr(self, "drop_scale", None))
        u = self.norm(r)
        Hp, Wp = self.grid
        if self.transposed:
            u = _to_column_major(u, Hp, Wp)
        o = self.mixer(u)
        if self.transposed:
            o = _to_column_major(o, Wp, Hp)               # T^-1 restores row-major
        return o, r


class FastVim(nn.Module):
    """FastVim (docs/semantics.md §6.1): no cls token, pos_embed (1, M, D), alternating
    pooled scans, final add + RMSNorm, mean over tokens, Linear head."""

    def __init__(self, cfg: ModelConfig, device=None):
        super().__init__()
        self.config = cfg
        D = cfg.embed_dim
        g = cfg.grid
        self.patch_embed = PatchEmbed(D, cfg.patch, cfg.patch, device=device)
        self.pos_embed = nn.Parameter(torch.empty(1, g * g, D, device=device))
        self.head = nn.Linear(D, cfg.classes, device=device)
        self.layers = nn.ModuleList(FastVimBlock(D, i, (g, g), cfg, device=device)
                                    for i in range(cfg.depth))
        self.norm_f = RMSNorm(D, 1e-5, device=device)

    def forward_tokens(self, img: Tensor) -> Tensor:
        """All tokens after the final add + RMSNorm_f: (B, M, D)."""
        _, _, H, W = img.shape
        if H != self.config.img or W != self.config.img:
            raise ValueError(f"input {H}x{W} does not match the model's img {self.config.img}")
        h, r = self.patch_embed(img) + self.pos_embed, None
        for layer in self.layers:
            h, r = layer(h, r)
        r = h if r is None else r + _dropped(h, getattr(self, "drop_scale", None))
        return self.norm_f(r)

    def forward(self, img: Tensor) -> Tensor:
        return self.head(self.forward_tokens(img).mean(dim=1))


# ----------------------------------------------------------------------------
# VMamba (docs/semantics.md §5)
# ----------------------------------------------------------------------------


def _ss2d_core(a: Tensor, x_proj_weight: Tensor, dt_projs_weight: Tensor,
               dt_projs_bias: Tensor, A_logs: Tensor, Ds: Tensor) -> Tensor:
    """SS2D steps 3-6 (docs/semantics.md §5.3, §2.4): cross-scan, per-direction x/dt
    projections, grouped selective scan (G = 4), cross-merge.

    a: (B, E, H, W) channel-first -> (B, E, H, W).
    """
    B, E, H, W = a.shape
    K, R = dt_projs_weight.shape[0], dt_projs_weight.shape[2]
    N = A_logs.shape[1]
    L = H * W
    xs = cross_scan(a)                                                    # (B, 4, E, L)
    x_dbl = torch.einsum("bkdl,kcd->bkcl", xs, x_proj_weight)              # (B, 4, R+2N, L)
    dts, Bs, Cs = torch.split(x_dbl, [R, N, N], dim=2)
    delta = torch.einsum("bkrl,kdr->bkdl", dts, dt_projs_weight).reshape(B, K * E, L)
    ys = selective_scan(xs.reshape(B, K * E, L), delta, -torch.exp(A_logs), Bs, Cs, D=Ds,
                        z=None, delta_bias=dt_projs_bias.reshape(-1), delta_softplus=True)
    return cross_merge(ys.view(B, K, E, L), H, W)


class _SS2DParams(nn.Module):
    """The SS2D parameters shared by v0 and v2, registered in the official order."""

    def _init_ssm_params(self, C: int, E: int, N: int, device) -> None:
        R = ModelConfig.dt_rank(C)
        K = 4
        self.x_proj_weight = nn.Parameter(torch.empty(K, R + 2 * N, E, device=device))
        self.A_logs = nn.Parameter(torch.empty(K * E, N, device=device))
        self.Ds = nn.Parameter(torch.empty(K * E, device=device))
        self.dt_projs_weight = nn.Parameter(torch.empty(K, E, R, device=device))
        self.dt_projs_bias = nn.Parameter(torch.empty(K, E, device=device))

    def _core(self, a: Tensor) -> Tensor:
        return _ss2d_core(a, self.x_proj_weight, self.dt_projs_weight, self.dt_projs_bias,
                          self.A_logs, self.Ds)


class SS2D(_SS2DParams):
    """SS2D, forward_type ``v05_noz``, channel-first (docs/semantics.md §5.3 steps 1-7):
    in_proj (1x1, no gate) -> silu(dwconv3x3, no bias) -> core -> LN2d(E) -> out_proj."""

    def __init__(self, C: int, E: int, N: int, device=None):
        super().__init__()
        self._init_ssm_params(C, E, N, device)
        self.out_norm = LayerNorm2d(E, eps=1e-5, device=device)
        self.in_proj = Linear2d(C, E, bias=False, device=device)
        self.conv2d = nn.Conv2d(E, E, 3, padding=1, groups=E, bias=False, device=device)
        self.out_proj = Linear2d(E, C, bias=False, device=device)

    def forward(self, x: Tensor) -> Tensor:
        a = F.silu(self.conv2d(self.in_proj(x)))
        return self.out_proj(self.out_norm(self._core(a)))


class SS2Dv0(_SS2DParams):
    """SS2D, forward_type ``v0``, channel-last (docs/semantics.md §5.4): in_proj -> (x, z);
    z = silu(z); x -> silu(dwconv3x3 with bias) -> core -> LN(E) -> * z -> out_proj."""

    def __init__(self, C: int, E: int, N: int, device=None):
        super().__init__()
        self._init_ssm_params(C, E, N, device)
        self.in_proj = nn.Linear(C, 2 * E, bias=False, device=device)
        self.conv2d = nn.Conv2d(E, E, 3, padding=1, groups=E, bias=True, device=device)
        self.out_norm = nn.LayerNorm(E, eps=1e-5, device=device)
        self.out_proj = nn.Linear(E, C, bias=False, device=device)

    def forward(self, x: Tensor) -> Tensor:
        x, z = self.in_proj(x).chunk(2, dim=-1)                  # (B, H, W, E) each
        a = F.silu(self.conv2d(x.permute(0, 3, 1, 2)))           # (B, E, H, W)
        y = self.out_norm(self._core(a).permute(0, 2, 3, 1))     # (B, H, W, E)
        return self.out_proj(y * F.silu(z))


class Mlp(nn.Module):
    """fc1 -> GELU (erf) -> fc2, as 1x1 convs when channel-first."""

    def __init__(self, C: int, hidden: int, channel_first: bool, device=None):
        super().__init__()
        Lin = Linear2d if channel_first else nn.Linear
        self.fc1 = Lin(C, hidden, device=device)
        self.act = nn.GELU()
        self.fc2 = Lin(hidden, C, device=device)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))


class VSSBlock(nn.Module):
    """Pre-norm residual SS2D (+ pre-norm residual MLP when mlp_ratio > 0)."""

    def __init__(self, C: int, cfg: ModelConfig, device=None):
        super().__init__()
        cf = not cfg.v0
        E = int(cfg.ssm_ratio * C)
        Norm = LayerNorm2d if cf else nn.LayerNorm
        self.norm = Norm(C, eps=1e-5, device=device)
        self.op = (SS2D if cf else SS2Dv0)(C, E, cfg.d_state, device=device)
        self.has_mlp = cfg.mlp_ratio > 0
        if self.has_mlp:
            self.norm2 = Norm(C, eps=1e-5, device=device)
            self.mlp = Mlp(C, int(C * cfg.mlp_ratio), cf, device=device)

    def forward(self, x: Tensor) -> Tensor:
        scale = getattr(self, "drop_scale", None)
        x = x + _dropped(self.op(self.norm(x)), scale)
        if self.has_mlp:
            x = x + _dropped(self.mlp(self.norm2(x)), scale)
        return x


class PatchMerging2D(nn.Module):
    """v0 downsample ("v1"): concat the 2x2 neighbourhood at (h, w) offsets
    (0,0), (1,0), (0,1), (1,1) -> LN(4C) -> Linear(4C -> 2C, no bias).
    Channel-last; odd sides are zero-padded at the bottom/right."""

    def __init__(self, C: int, C_out: int, device=None):
        super().__init__()
        self.reduction = nn.Linear(4 * C, C_out, bias=False, device=device)
        self.norm = nn.LayerNorm(4 * C, eps=1e-5, device=device)

    def forward(self, x: Tensor) -> Tensor:
        H, W = x.shape[1:3]
        if H % 2 or W % 2:
            x = F.pad(x, (0, 0, 0, W % 2, 0, H % 2))
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]],
                      dim=-1)
        return self.reduction(self.norm(x))


class VMamba(nn.Module):
    """VMamba VSSM: v2 family (channel-first, conv stem "v2", conv downsample
    "v3", MLP) or vanilla v0 (channel-last, patch stem, PatchMerging, no MLP);
    classifier = norm -> global average pool -> Linear (docs/semantics.md §5.1)."""

    def __init__(self, cfg: ModelConfig, device=None):
        super().__init__()
        self.config = cfg
        cf = not cfg.v0
        dims = list(cfg.dims)
        C0 = dims[0]
        if cf:
            self.patch_embed = nn.Sequential(
                nn.Conv2d(3, C0 // 2, 3, stride=2, padding=1, device=device),   # 0
                nn.Identity(),                                                   # 1
                LayerNorm2d(C0 // 2, eps=1e-5, device=device),                   # 2
                nn.Identity(),                                                   # 3
                nn.GELU(),                                                       # 4
                nn.Conv2d(C0 // 2, C0, 3, stride=2, padding=1, device=device),   # 5
                nn.Identity(),                                                   # 6
                LayerNorm2d(C0, eps=1e-5, device=device),                        # 7
            )
        else:
            self.patch_embed = nn.Sequential(
                nn.Conv2d(3, C0, 4, stride=4, device=device),                    # 0
                Permute(0, 2, 3, 1),                                             # 1
                nn.LayerNorm(C0, eps=1e-5, device=device),                       # 2
            )
        self.layers = nn.ModuleList()
        for s, C in enumerate(dims):
            if s == len(dims) - 1:
                down: nn.Module = nn.Identity()
            elif cf:
                down = nn.Sequential(nn.Identity(),
                                     nn.Conv2d(C, dims[s + 1], 3, stride=2, padding=1,
                                               device=device),
                                     nn.Identity(),
                                     LayerNorm2d(dims[s + 1], eps=1e-5, device=device))
            else:
                down = PatchMerging2D(C, dims[s + 1], device=device)
            blocks = nn.Sequential(*[VSSBlock(C, cfg, device=device)
                                     for _ in range(cfg.depths[s])])
            self.layers.append(nn.Sequential(OrderedDict(blocks=blocks, downsample=down)))
        C3 = dims[-1]
        self.classifier = nn.Sequential(OrderedDict(
            norm=(LayerNorm2d if cf else nn.LayerNorm)(C3, eps=1e-5, device=device),
            permute=nn.Identity() if cf else Permute(0, 3, 1, 2),
            avgpool=nn.AdaptiveAvgPool2d(1),
            flatten=nn.Flatten(1),
            head=nn.Linear(C3, cfg.classes, device=device),
        ))

    def forward(self, img: Tensor) -> Tensor:
        x = self.patch_embed(img)
        for layer in self.layers:
            x = layer(x)
        return self.classifier(x)


# ----------------------------------------------------------------------------
# MambaOut (docs/semantics.md §7), original (non-timm) module names
# ----------------------------------------------------------------------------


class StemLayer(nn.Module):
    """Conv k3 s2 -> LN (NHWC) -> GELU -> Conv k3 s2 -> LN; returns NHWC."""

    def __init__(self, C: int, device=None):
        super().__init__()
        self.conv1 = nn.Conv2d(3, C // 2, 3, stride=2, padding=1, device=device)
        self.norm1 = nn.LayerNorm(C // 2, eps=1e-6, device=device)
        self.act = nn.GELU()
        self.conv2 = nn.Conv2d(C // 2, C, 3, stride=2, padding=1, device=device)
        self.norm2 = nn.LayerNorm(C, eps=1e-6, device=device)

    def forward(self, x: Tensor) -> Tensor:
        x = self.norm1(self.conv1(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        x = self.conv2(self.act(x)).permute(0, 2, 3, 1)
        return self.norm2(x)


class DownsampleLayer(nn.Module):
    """NHWC -> Conv k3 s2 p1 -> NHWC -> LN."""

    def __init__(self, C_in: int, C_out: int, device=None):
        super().__init__()
        self.conv = nn.Conv2d(C_in, C_out, 3, stride=2, padding=1, device=device)
        self.norm = nn.LayerNorm(C_out, eps=1e-6, device=device)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(self.conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1))


class GatedCNNBlock(nn.Module):
    """MambaOut Gated CNN block (docs/semantics.md §7.3), NHWC, hidden = int(ratio * C),
    the 7x7 depthwise conv on the last C of the 2H fc1 outputs."""

    def __init__(self, C: int, expansion_ratio: float, kernel_size: int = 7, device=None):
        super().__init__()
        hidden = int(expansion_ratio * C)
        self.norm = nn.LayerNorm(C, eps=1e-6, device=device)
        self.fc1 = nn.Linear(C, 2 * hidden, device=device)
        self.act = nn.GELU()
        self.split_indices = (hidden, hidden - C, C)
        self.conv = nn.Conv2d(C, C, kernel_size, padding=kernel_size // 2, groups=C,
                              device=device)
        self.fc2 = nn.Linear(hidden, C, device=device)

    def forward(self, x: Tensor) -> Tensor:
        g, i, c = torch.split(self.fc1(self.norm(x)), self.split_indices, dim=-1)
        c = self.conv(c.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        o = self.fc2(self.act(g) * torch.cat((i, c), dim=-1))
        return x + _dropped(o, getattr(self, "drop_scale", None))


class MlpHead(nn.Module):
    """fc1 -> GELU -> LN(eps 1e-6) -> fc2."""

    def __init__(self, C: int, classes: int, mlp_ratio: float = 4.0, device=None):
        super().__init__()
        hidden = int(mlp_ratio * C)
        self.fc1 = nn.Linear(C, hidden, device=device)
        self.act = nn.GELU()
        self.norm = nn.LayerNorm(hidden, eps=1e-6, device=device)
        self.fc2 = nn.Linear(hidden, classes, device=device)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.norm(self.act(self.fc1(x))))


class MambaOut(nn.Module):
    """MambaOut (docs/semantics.md §7.1): stem + 3 downsamples, Gated CNN stages,
    mean over (H, W) -> LN -> MLP head."""

    def __init__(self, cfg: ModelConfig, device=None):
        super().__init__()
        self.config = cfg
        dims = list(cfg.dims)
        self.downsample_layers = nn.ModuleList(
            [StemLayer(dims[0], device=device)]
            + [DownsampleLayer(dims[s - 1], dims[s], device=device) for s in range(1, len(dims))])
        self.stages = nn.ModuleList(
            nn.Sequential(*[GatedCNNBlock(C, cfg.expansion_ratio, cfg.kernel_size, device=device)
                            for _ in range(depth)])
            for C, depth in zip(dims, cfg.depths))
        self.norm = nn.LayerNorm(dims[-1], eps=1e-6, device=device)
        self.head = MlpHead(dims[-1], cfg.classes, cfg.mlp_ratio, device=device)

    def forward(self, img: Tensor) -> Tensor:
        x = img
        for down, stage in zip(self.downsample_layers, self.stages):
            x = stage(down(x))
        return self.head(self.norm(x.mean(dim=(1, 2))))


# ----------------------------------------------------------------------------
# Building, init, weight spec
# ----------------------------------------------------------------------------

_FAMILY_CLASSES = {"vim": VisionMamba, "fastvim": FastVim, "vmamba": VMamba,
                   "mambaout": MambaOut}


def _construct(cfg: ModelConfig, device=None) -> nn.Module:
    return _FAMILY_CLASSES[cfg.family](cfg, device=device)


def build(variant: str, *, seed: Optional[int] = 0, **overrides: Any) -> nn.Module:
    """Builds ``variant`` with ``overrides`` (keys in the module doc) as a
    float32, eval-mode module initialised by ``init_random_(model, seed)``
    (``seed=None`` leaves the uninitialised storage: call ``init_random_`` or
    ``load_state_dict`` yourself).  ``model.config`` is the resolved
    :class:`ModelConfig`; input: the normalized image (B, 3, img, img);
    output: logits (B, classes).  ``.double()`` gives a float64 model."""
    cfg = resolve_config(variant, **overrides)
    model = _construct(cfg)
    if seed is not None:
        init_random_(model, seed)
    return model.eval()


def weight_spec(variant: str, **overrides: Any) -> List[Tuple[str, Tuple[int, ...]]]:
    """[(name, shape)] of the official checkpoint in state_dict order (built on
    the meta device: nothing is allocated, so full-size models are cheap)."""
    cfg = resolve_config(variant, **overrides)
    model = _construct(cfg, device="meta")
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


def param_count(variant: str, **overrides: Any) -> int:
    """Number of scalars in the checkpoint of ``variant``."""
    return sum(math.prod(shape) for _, shape in weight_spec(variant, **overrides))


_NORM_TYPES = (nn.LayerNorm, RMSNorm)                # LayerNorm2d is a LayerNorm
_AFFINE_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d)    # Linear2d is a Linear


def _inv_softplus_dt(shape, g: torch.Generator, dt_min=1e-3, dt_max=1e-1, floor=1e-4) -> Tensor:
    """softplus^-1(dt), dt log-uniform in [dt_min, dt_max], floored (Mamba dt init)."""
    u = torch.rand(shape, generator=g, dtype=torch.float64)
    dt = torch.exp(u * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min)).clamp(min=floor)
    return dt + torch.log(-torch.expm1(-dt))


def init_random_(model: nn.Module, seed: int) -> nn.Module:
    """Deterministic random init that exercises every parameter with realistic
    magnitudes (docs/semantics.md §9), nothing zero or constant:

    * ``A_log``/``A_b_log``/``A_logs``: ``log(1..N)`` per row + 0.1 N(0,1)
      (N = 1 rows therefore differ from 0);
    * ``D``/``D_b``/``Ds``: 1 + 0.1 N(0,1);
    * dt biases (``dt_proj(_b).bias``, ``dt_projs_bias``): softplus^-1 of dt
      log-uniform in [1e-3, 1e-1] (both directions, unlike the official
      zeroed backward bias, to look like trained weights);
    * ``x_proj_weight``: U(+-1/sqrt(E)); ``dt_projs_weight``: U(+-1/sqrt(R));
    * norm weights 1 + 0.1 N(0,1), norm biases 0.1 N(0,1);
    * Linear/Conv weights and biases: U(+-1/sqrt(fan_in)) (PyTorch default
      bound, biases included); Vim/FastVim ``out_proj`` additionally / sqrt(depth);
    * ``cls_token``, ``pos_embed``: 0.1 N(0,1).

    Values are drawn in float64 from ``torch.Generator().manual_seed(seed)``
    in state_dict order and then cast, so float32 and float64 copies of a
    model get the same values up to rounding.  Returns ``model``.
    """
    g = torch.Generator().manual_seed(int(seed))
    cfg = getattr(model, "config", None)
    depth = cfg.depth if cfg is not None and cfg.family in ("vim", "fastvim") else None

    def randn(shape):
        return torch.randn(shape, generator=g, dtype=torch.float64)

    def unif(shape, bound):
        return (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * bound

    for name, p in model.named_parameters():
        owner_name, _, leaf = name.rpartition(".")
        owner = model.get_submodule(owner_name) if owner_name else model
        owner_leaf = owner_name.rpartition(".")[2]
        shape = tuple(p.shape)
        if leaf in ("A_log", "A_b_log", "A_logs"):
            n = shape[-1]
            v = torch.log(torch.arange(1, n + 1, dtype=torch.float64)).expand(shape) + 0.1 * randn(shape)
        elif leaf in ("D", "D_b", "Ds"):
            v = 1 + 0.1 * randn(shape)
        elif leaf == "dt_projs_bias" or (owner_leaf in ("dt_proj", "dt_proj_b") and leaf == "bias"):
            v = _inv_softplus_dt(shape, g)
        elif leaf == "x_proj_weight":
            v = unif(shape, shape[-1] ** -0.5)
        elif leaf == "dt_projs_weight":
            v = unif(shape, shape[-1] ** -0.5)
        elif leaf in ("cls_token", "pos_embed"):
            v = 0.1 * randn(shape)
        elif isinstance(owner, _NORM_TYPES):
            v = (1 + 0.1 * randn(shape)) if leaf == "weight" else 0.1 * randn(shape)
        elif isinstance(owner, _AFFINE_TYPES):
            fan_in = owner.weight[0].numel()
            v = unif(shape, fan_in ** -0.5)
            if depth and owner_leaf == "out_proj" and leaf == "weight":
                v = v / math.sqrt(depth)
        else:
            raise TypeError(f"init_random_: no rule for parameter {name} of "
                            f"{type(owner).__name__}")
        with torch.no_grad():
            p.copy_(v.to(p.dtype))
    return model
