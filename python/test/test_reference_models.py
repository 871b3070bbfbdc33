"""ssm_testing.reference_models: parameter counts and checkpoint names against
docs/semantics.md, and self-consistency of the tiny models
(float32 vs float64, batch independence, Vim's middle cls token, FastVim's
odd-layer transpose, cross-checks against the block functions of
ssm_testing.torch_models)."""


import pytest
import torch
import torch.nn.functional as F

from ssm_testing import reference_models as rm
from ssm_testing import torch_models as tm

# The parameter counts of docs/semantics.md (§4.2, §5.2, §6.2, §7.2), which are
# those of the official modules.
PARAMS = {
    "vim-t": 7_148_008, "vim-t-s8": 7_250_344, "vim-s": 25_796_584, "vim-s-s8": 26_001_256,
    "vim-b": 97_598_440,
    "vmamba-t": 30_249_064, "vmamba-s": 49_012_840, "vmamba-b": 86_614_504,
    "vmamba-t-s2": 30_705_832, "vmamba-s-s2": 50_147_752, "vmamba-b-s2": 88_557_800,
    "vmamba-v0-t": 22_893_448, "vmamba-v0-s": 44_417_416, "vmamba-v0-b": 76_254_056,
    "fastvim-t": 7_166_056, "fastvim-s": 25_832_680, "fastvim-b": 97_670_632,
    "mambaout-femto": 7_304_536, "mambaout-kobe": 9_141_208, "mambaout-tiny": 26_545_096,
    "mambaout-small": 48_488_072, "mambaout-base": 84_813_092,
}

# Tiny configurations per family (fast forward passes).
TINY = {
    "vim": dict(img=32, embed_dim=32, depth=2, patch=16, stride=8, classes=7),
    "fastvim": dict(img=32, embed_dim=32, depth=2, patch=8, classes=7),
    "vmamba": dict(img=32, dims=[16, 32, 64, 128], depths=[1, 1, 2, 1], classes=7),
    "mambaout": dict(img=32, dims=[16, 24, 32, 40], depths=[1, 1, 2, 1], classes=7),
}
TINY_VARIANTS = ["vim-t", "fastvim-t", "vmamba-t", "vmamba-t-s2", "vmamba-v0-t",
                 "mambaout-femto"]


def tiny(variant, seed=0, **extra):
    cfg = dict(TINY[rm.family_of(variant)])
    cfg.update(extra)
    return rm.build(variant, seed=seed, **cfg)


def images(b=2, side=32, seed=1, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, 3, side, side, generator=g, dtype=dtype)


def rel(a, b):
    return float((a.double() - b.double()).abs().max() / b.double().abs().max())


# ---------------------------------------------------------------------------
# Counts and names
# ---------------------------------------------------------------------------


def test_every_variant_is_counted():
    assert set(PARAMS) == set(rm.VARIANTS)


@pytest.mark.parametrize("variant", list(PARAMS))
def test_param_count_matches_models_md(variant):
    assert rm.param_count(variant) == PARAMS[variant]


def spec(variant, **kw):
    return dict(rm.weight_spec(variant, **kw))


def test_vim_t_names_and_shapes():
    s = spec("vim-t")
    expect = {
        "patch_embed.proj.weight": (192, 3, 16, 16), "patch_embed.proj.bias": (192,),
        "cls_token": (1, 1, 192), "pos_embed": (1, 197, 192),
        "layers.0.norm.weight": (192,),
        "layers.0.mixer.in_proj.weight": (768, 192),
        "layers.0.mixer.conv1d.weight": (384, 1, 4), "layers.0.mixer.conv1d.bias": (384,),
        "layers.0.mixer.x_proj.weight": (44, 384),
        "layers.0.mixer.dt_proj.weight": (384, 12), "layers.0.mixer.dt_proj.bias": (384,),
        "layers.0.mixer.A_log": (384, 16), "layers.0.mixer.D": (384,),
        "layers.23.mixer.conv1d_b.weight": (384, 1, 4), "layers.23.mixer.conv1d_b.bias": (384,),
        "layers.23.mixer.x_proj_b.weight": (44, 384),
        "layers.23.mixer.dt_proj_b.weight": (384, 12), "layers.23.mixer.dt_proj_b.bias": (384,),
        "layers.23.mixer.A_b_log": (384, 16), "layers.23.mixer.D_b": (384,),
        "layers.23.mixer.out_proj.weight": (192, 384),
        "norm_f.weight": (192,), "head.weight": (1000, 192), "head.bias": (1000,),
    }
    for k, v in expect.items():
        assert s[k] == v, k
    assert len(s) == 4 + 24 * 17 + 1 + 2
    assert not any(k.endswith("norm.bias") or k.endswith("norm_f.bias") for k in s)
    assert "layers.24.norm.weight" not in s
    # state_dict order of the official VisionMamba (own params, then children).
    assert [k for k, _ in rm.weight_spec("vim-t")][:5] == [
        "cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
        "head.weight"]


def test_vim_other_sizes():
    assert spec("vim-t-s8")["pos_embed"] == (1, 730, 192)
    assert spec("vim-s-s8")["pos_embed"] == (1, 730, 384)
    s = spec("vim-s")
    assert s["layers.0.mixer.x_proj.weight"] == (56, 768)
    assert s["layers.0.mixer.in_proj.weight"] == (1536, 384)
    b = spec("vim-b")
    assert b["layers.0.mixer.x_proj.weight"] == (80, 1536)
    assert b["layers.0.mixer.dt_proj.weight"] == (1536, 48)


def test_vmamba_t_names_and_shapes():
    s = spec("vmamba-t")
    expect = {
        "patch_embed.0.weight": (48, 3, 3, 3), "patch_embed.0.bias": (48,),
        "patch_embed.2.weight": (48,), "patch_embed.2.bias": (48,),
        "patch_embed.5.weight": (96, 48, 3, 3), "patch_embed.5.bias": (96,),
        "patch_embed.7.weight": (96,), "patch_embed.7.bias": (96,),
        "layers.0.blocks.0.norm.weight": (96,), "layers.0.blocks.0.norm.bias": (96,),
        "layers.0.blocks.0.op.in_proj.weight": (96, 96),
        "layers.0.blocks.0.op.conv2d.weight": (96, 1, 3, 3),
        "layers.0.blocks.0.op.x_proj_weight": (4, 8, 96),
        "layers.0.blocks.0.op.dt_projs_weight": (4, 96, 6),
        "layers.0.blocks.0.op.dt_projs_bias": (4, 96),
        "layers.0.blocks.0.op.A_logs": (384, 1), "layers.0.blocks.0.op.Ds": (384,),
        "layers.0.blocks.0.op.out_norm.weight": (96,), "layers.0.blocks.0.op.out_norm.bias": (96,),
        "layers.0.blocks.0.op.out_proj.weight": (96, 96),
        "layers.0.blocks.1.norm2.weight": (96,),
        "layers.0.blocks.1.mlp.fc1.weight": (384, 96), "layers.0.blocks.1.mlp.fc1.bias": (384,),
        "layers.0.blocks.1.mlp.fc2.weight": (96, 384), "layers.0.blocks.1.mlp.fc2.bias": (96,),
        "layers.0.downsample.1.weight": (192, 96, 3, 3), "layers.0.downsample.1.bias": (192,),
        "layers.0.downsample.3.weight": (192,), "layers.2.downsample.3.bias": (768,),
        "layers.2.blocks.7.op.x_proj_weight": (4, 26, 384),
        "layers.3.blocks.1.op.dt_projs_weight": (4, 768, 48),
        "classifier.norm.weight": (768,), "classifier.norm.bias": (768,),
        "classifier.head.weight": (1000, 768), "classifier.head.bias": (1000,),
    }
    for k, v in expect.items():
        assert s[k] == v, k
    assert "layers.0.blocks.0.op.conv2d.bias" not in s
    assert not any(k.startswith("layers.3.downsample") for k in s)
    assert "layers.2.blocks.8.norm.weight" not in s
    s2 = spec("vmamba-t-s2")
    assert s2["layers.0.blocks.0.op.in_proj.weight"] == (192, 96)
    assert s2["layers.0.blocks.0.op.conv2d.weight"] == (192, 1, 3, 3)
    assert s2["layers.0.blocks.0.op.x_proj_weight"] == (4, 8, 192)


def test_vmamba_v0_names_and_shapes():
    s = spec("vmamba-v0-t")
    expect = {
        "patch_embed.0.weight": (96, 3, 4, 4), "patch_embed.0.bias": (96,),
        "patch_embed.2.weight": (96,), "patch_embed.2.bias": (96,),
        "layers.0.blocks.0.norm.weight": (96,),
        "layers.0.blocks.0.op.in_proj.weight": (384, 96),
        "layers.0.blocks.0.op.conv2d.weight": (192, 1, 3, 3),
        "layers.0.blocks.0.op.conv2d.bias": (192,),
        "layers.0.blocks.0.op.x_proj_weight": (4, 38, 192),
        "layers.0.blocks.0.op.dt_projs_weight": (4, 192, 6),
        "layers.0.blocks.0.op.dt_projs_bias": (4, 192),
        "layers.0.blocks.0.op.A_logs": (768, 16), "layers.0.blocks.0.op.Ds": (768,),
        "layers.0.blocks.0.op.out_norm.weight": (192,),
        "layers.0.blocks.0.op.out_proj.weight": (96, 192),
        "layers.0.downsample.norm.weight": (384,), "layers.0.downsample.norm.bias": (384,),
        "layers.0.downsample.reduction.weight": (192, 384),
        "layers.2.downsample.reduction.weight": (768, 1536),
        "classifier.norm.weight": (768,), "classifier.head.weight": (1000, 768),
    }
    for k, v in expect.items():
        assert s[k] == v, k
    assert not any(".mlp." in k or ".norm2." in k for k in s)
    assert "layers.0.downsample.reduction.bias" not in s
    assert not any(k.startswith("layers.3.downsample") for k in s)


def test_fastvim_t_names_and_shapes():
    s = spec("fastvim-t")
    assert "cls_token" not in s
    assert s["pos_embed"] == (1, 196, 192)
    assert s["layers.7.mixer.layernorm.weight"] == (384,)
    assert s["layers.7.mixer.layernorm.bias"] == (384,)
    assert s["layers.0.mixer.conv1d.weight"] == (384, 1, 4)
    assert s["layers.0.mixer.x_proj_b.weight"] == (44, 384)
    assert len(s) == 2 + 1 + 24 * 19 + 1 + 2      # patch, pos, layers, norm_f, head


def test_mambaout_femto_names_and_shapes():
    s = spec("mambaout-femto")
    expect = {
        "downsample_layers.0.conv1.weight": (24, 3, 3, 3), "downsample_layers.0.conv1.bias": (24,),
        "downsample_layers.0.norm1.weight": (24,), "downsample_layers.0.norm1.bias": (24,),
        "downsample_layers.0.conv2.weight": (48, 24, 3, 3), "downsample_layers.0.norm2.bias": (48,),
        "downsample_layers.1.conv.weight": (96, 48, 3, 3), "downsample_layers.1.norm.weight": (96,),
        "downsample_layers.3.conv.weight": (288, 192, 3, 3),
        "stages.0.0.norm.weight": (48,), "stages.0.0.fc1.weight": (256, 48),
        "stages.0.0.fc1.bias": (256,), "stages.0.0.conv.weight": (48, 1, 7, 7),
        "stages.0.0.conv.bias": (48,), "stages.0.0.fc2.weight": (48, 128),
        "stages.3.2.fc1.weight": (1536, 288),
        "norm.weight": (288,), "norm.bias": (288,),
        "head.fc1.weight": (1152, 288), "head.fc1.bias": (1152,),
        "head.norm.weight": (1152,), "head.fc2.weight": (1000, 1152), "head.fc2.bias": (1000,),
    }
    for k, v in expect.items():
        assert s[k] == v, k
    b = spec("mambaout-base")
    assert b["stages.0.0.fc1.weight"] == (682, 128)      # hidden int(8/3*128) = 341
    assert b["stages.0.0.fc2.weight"] == (128, 341)
    assert b["stages.2.0.fc2.weight"] == (512, 1365)


def test_state_dict_loads_strict_from_spec_names():
    m = tiny("vmamba-v0-t")
    sd = m.state_dict()
    assert [(k, tuple(v.shape)) for k, v in sd.items()] == rm.weight_spec(
        "vmamba-v0-t", **TINY["vmamba"])
    m2 = tiny("vmamba-v0-t", seed=5)
    m2.load_state_dict(sd, strict=True)
    x = images(1, dtype=torch.float32)
    assert torch.equal(m(x), m2(x))


# ---------------------------------------------------------------------------
# Config handling
# ---------------------------------------------------------------------------


def test_overrides_and_errors():
    cfg = rm.resolve_config("vmamba-t", dims="16, 32,64,128", depths="1,1,2,1", img="64")
    assert cfg.dims == (16, 32, 64, 128) and cfg.depths == (1, 1, 2, 1) and cfg.img == 64
    assert rm.resolve_config("fastvim-t", patch=8).stride == 8
    assert rm.resolve_config("mambaout-femto", expansion_ratio="3").expansion_ratio == 3.0
    assert rm.resolve_config("vim-t", img=None).img == 224
    with pytest.raises(ValueError, match="unknown variant"):
        rm.resolve_config("vim-xl")
    with pytest.raises(ValueError, match="pool"):
        rm.resolve_config("vim-t", pool="mean")              # not a Vim key
    # The C++ compiler's keys: no stride for FastVim, no embed_dim for VMamba,
    # no mlp_ratio for VMamba v0 and MambaOut.
    for variant, key in [("fastvim-t", "stride"), ("vmamba-t", "embed_dim"),
                         ("vmamba-v0-t", "mlp_ratio"), ("mambaout-femto", "mlp_ratio")]:
        with pytest.raises(ValueError, match="unknown override"):
            rm.resolve_config(variant, **{key: 8})
    assert rm.resolve_config("vmamba-t", mlp_ratio=0).mlp_ratio == 0
    with pytest.raises(ValueError, match="expansion_ratio"):
        rm.resolve_config("mambaout-femto", expansion_ratio=0.5)
    with pytest.raises(ValueError, match="multiple of patch"):
        rm.resolve_config("fastvim-t", img=40)
    with pytest.raises(ValueError, match="smaller than patch"):
        rm.resolve_config("vim-t", img=8)
    with pytest.raises(ValueError, match="differ in length"):
        rm.resolve_config("mambaout-femto", depths=[1, 1])
    with pytest.raises(ValueError, match="integer"):
        rm.resolve_config("vim-t", depth="two")
    with pytest.raises(ValueError, match="'mean' or 'max'"):
        rm.resolve_config("fastvim-t", pool="median")


def test_preprocessing():
    assert rm.preprocessing("vim-t")["resize_to"] == 256
    assert rm.preprocessing("fastvim-s")["resize_to"] == 256
    assert rm.preprocessing("vmamba-t", img=384)["resize_to"] == int(256 / 224 * 384)
    p = rm.preprocessing("mambaout-femto")
    assert (p["resize_to"], p["crop"], p["interpolation"]) == (224, 224, "bicubic")
    assert rm.preprocessing("vim-t", img=32, patch=16)["resize_to"] is None
    assert rm.preprocessing("vim-t")["mean"] == (0.485, 0.456, 0.406)


def test_init_random_is_deterministic_and_realistic():
    a, b, c = tiny("vmamba-t", seed=3), tiny("vmamba-t", seed=3), tiny("vmamba-t", seed=4)
    for (k, va), vb, vc in zip(a.state_dict().items(), b.state_dict().values(),
                               c.state_dict().values()):
        assert torch.equal(va, vb), k
        assert not torch.equal(va, vc), k
        assert va.abs().max() > 0, k                      # nothing zero
        if va.numel() > 1:
            assert va.std() > 0, k                         # nothing constant
    sd = a.state_dict()
    dt = F.softplus(sd["layers.0.blocks.0.op.dt_projs_bias"].double())
    assert dt.min() >= 1e-3 * 0.999 and dt.max() <= 0.1 * 1.001
    v = tiny("vim-t").state_dict()
    for name in ("layers.0.mixer.dt_proj.bias", "layers.0.mixer.dt_proj_b.bias"):
        dt = F.softplus(v[name].double())
        assert dt.min() >= 1e-3 * 0.999 and dt.max() <= 0.1 * 1.001
    A = v["layers.0.mixer.A_log"]
    assert (A.mean(0) - torch.log(torch.arange(1.0, 17.0))).abs().max() < 0.1


# ---------------------------------------------------------------------------
# Forward self-consistency
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant,extra", [(v, {}) for v in TINY_VARIANTS]
                         + [("fastvim-t", dict(pool="max")),
                            ("fastvim-t", dict(pool_scale=0.25))])
def test_float32_matches_float64(variant, extra):
    m32 = tiny(variant, **extra)
    m64 = tiny(variant, **extra).double()
    x = images(2)
    y32 = m32(x.float())
    y64 = m64(x)
    assert y64.shape == (2, 7) and y32.dtype == torch.float32 and y64.dtype == torch.float64
    assert torch.isfinite(y64).all()
    assert rel(y32, y64) < 1e-4
    # Batch independence (float64).
    assert rel(m64(x[1:]), y64[1:]) < 1e-12


def test_models_are_sensitive_to_their_weights():
    """Every family's logits move when one weight deep inside changes."""
    for variant, name in [("vim-t", "layers.1.mixer.dt_proj_b.weight"),
                          ("fastvim-t", "layers.1.mixer.layernorm.bias"),
                          ("vmamba-t", "layers.2.blocks.1.op.Ds"),
                          ("vmamba-v0-t", "layers.1.blocks.0.op.conv2d.bias"),
                          ("mambaout-femto", "stages.2.1.conv.weight")]:
        m = tiny(variant).double()
        x = images(1)
        y0 = m(x)
        with torch.no_grad():
            m.state_dict()[name].mul_(1.5)
        assert rel(m(x), y0) > 1e-8, (variant, name)


@pytest.mark.parametrize("stride,grid", [(8, 3), (16, 2)])
def test_vim_middle_cls_token(stride, grid):
    m = tiny("vim-t", stride=stride).double()
    M = grid * grid
    assert m.cls_position == M // 2
    assert m.pos_embed.shape == (1, M + 1, 32)
    x = images(2)
    emb = m.embed(x)
    patches = m.patch_embed(x)
    p = M // 2
    pos = m.pos_embed[0]
    assert torch.equal(emb[:, p], (m.cls_token[0, 0] + pos[p]).expand(2, -1))
    assert torch.equal(emb[:, :p], patches[:, :p] + pos[:p])
    assert torch.equal(emb[:, p + 1:], patches[:, p:] + pos[p + 1:])
    tokens = m.forward_tokens(x)
    assert torch.equal(m(x), m.head(tokens[:, p]))


def test_vim_mixer_matches_torch_models_block():
    m = tiny("vim-t").double()
    layer = m.layers[1]
    mx = layer.mixer
    g = torch.Generator().manual_seed(7)
    h = torch.randn(2, 10, 32, generator=g, dtype=torch.float64)
    r = torch.randn(2, 10, 32, generator=g, dtype=torch.float64)
    ours, r_out = layer(h, r)
    ref, r_ref = tm.vim_tiny_block(
        h, r, layer.norm.weight, mx.in_proj.weight, mx.conv1d.weight[:, 0], mx.conv1d.bias,
        mx.x_proj.weight, mx.dt_proj.weight, mx.dt_proj.bias, mx.A_log, mx.D,
        mx.conv1d_b.weight[:, 0], mx.conv1d_b.bias, mx.x_proj_b.weight, mx.dt_proj_b.weight,
        mx.dt_proj_b.bias, mx.A_b_log, mx.D_b, mx.out_proj.weight)
    assert torch.equal(r_out, r_ref)
    assert rel(ours, ref) < 1e-12


def _fastvim_ref(mx, u, cols, scale):
    return tm.fastvim_tiny_mixer_even(
        u, mx.in_proj.weight, mx.conv1d.weight[:, 0], mx.conv1d.bias, mx.x_proj.weight,
        mx.dt_proj.weight, mx.dt_proj.bias, mx.A_log, mx.D, mx.conv1d_b.weight[:, 0],
        mx.conv1d_b.bias, mx.x_proj_b.weight, mx.dt_proj_b.weight, mx.dt_proj_b.bias,
        mx.A_b_log, mx.D_b, mx.layernorm.weight, mx.layernorm.bias, mx.out_proj.weight,
        cols=cols, scale=scale)


def test_fastvim_layers_match_torch_models_mixer():
    """Even layer: the mixer on row-major tokens; odd layer: the same mixer
    math on column-major tokens T(u)[w*Hp + h] = u[h*Wp + w], mapped back."""
    m = tiny("fastvim-t", pool_scale=0.5).double()
    g = torch.Generator().manual_seed(3)
    Hp = Wp = 4
    h = torch.randn(2, Hp * Wp, 32, generator=g, dtype=torch.float64)
    r = torch.randn(2, Hp * Wp, 32, generator=g, dtype=torch.float64)
    even, odd = m.layers[0], m.layers[1]
    assert (even.mixer.rows, even.mixer.cols) == (Hp, Wp) and odd.transposed
    out, _ = even(h, r)
    assert rel(out, _fastvim_ref(even.mixer, even.norm(r + h), Wp, 0.5)) < 1e-12
    out, _ = odd(h, r)
    u = odd.norm(r + h)
    perm = torch.tensor([hh * Wp + ww for ww in range(Wp) for hh in range(Hp)])
    ut = u[:, perm]                                    # ut[w*Hp + h] = u[h*Wp + w]
    ref_t = _fastvim_ref(odd.mixer, ut, Hp, 0.5)
    ref = torch.empty_like(ref_t)
    ref[:, perm] = ref_t
    assert rel(out, ref) < 1e-12


def test_fastvim_max_pool_ignores_scale():
    """The official max branch does not apply scaling_factor (mean does)."""
    a = tiny("fastvim-t", pool="max").double()
    b = tiny("fastvim-t", pool="max", pool_scale=0.25).double()
    c = tiny("fastvim-t", pool_scale=0.25).double()
    x = images(1)
    assert torch.equal(a(x), b(x))
    assert not torch.equal(a(x), c(x))


def test_vmamba_ss2d_matches_torch_models():
    m = tiny("vmamba-t-s2").double()
    op = m.layers[1].blocks[0].op
    g = torch.Generator().manual_seed(5)
    n = torch.randn(2, 32, 3, 5, generator=g, dtype=torch.float64)   # non-square
    ref = tm.vmamba_tiny_ss2d(n, op.in_proj.weight, op.conv2d.weight[:, 0], op.x_proj_weight,
                              op.dt_projs_weight, op.dt_projs_bias, op.A_logs, op.Ds,
                              op.out_norm.weight, op.out_norm.bias, op.out_proj.weight)
    assert rel(op(n), ref) < 1e-12


def test_vmamba_v0_ss2d_gated():
    """v0: out_proj(LN(core(silu(dwconv(x)))) * silu(z)), checked through the
    v2 SS2D reference with an identity out_proj (conv bias set to 0 there)."""
    m = tiny("vmamba-v0-t").double()
    op = m.layers[0].blocks[0].op
    with torch.no_grad():
        op.conv2d.bias.zero_()
    E = op.conv2d.weight.shape[0]
    g = torch.Generator().manual_seed(9)
    x = torch.randn(2, 4, 3, 16, generator=g, dtype=torch.float64)   # (B, H, W, C)
    core = tm.vmamba_tiny_ss2d(x.permute(0, 3, 1, 2), op.in_proj.weight[:E],
                               op.conv2d.weight[:, 0], op.x_proj_weight, op.dt_projs_weight,
                               op.dt_projs_bias, op.A_logs, op.Ds, op.out_norm.weight,
                               op.out_norm.bias, torch.eye(E, dtype=torch.float64))
    z = F.linear(x, op.in_proj.weight[E:])
    ref = F.linear(core.permute(0, 2, 3, 1) * F.silu(z), op.out_proj.weight)
    assert rel(op(x), ref) < 1e-12


def test_vmamba_v0_patch_merging_order():
    pm = tiny("vmamba-v0-t").layers[0].downsample.double()
    g = torch.Generator().manual_seed(2)
    x = torch.randn(1, 4, 6, 16, generator=g, dtype=torch.float64)
    out = pm(x)
    for i in range(2):
        for j in range(3):
            cat = torch.cat([x[0, 2 * i, 2 * j], x[0, 2 * i + 1, 2 * j],
                             x[0, 2 * i, 2 * j + 1], x[0, 2 * i + 1, 2 * j + 1]])
            ref = pm.reduction(pm.norm(cat))
            assert rel(out[0, i, j], ref) < 1e-12
    # Odd sides are zero-padded at the bottom/right.
    assert pm(torch.randn(1, 3, 5, 16, dtype=torch.float64)).shape == (1, 2, 3, 32)


def test_mambaout_block_split():
    """fc1 outputs [g | i | c]: only the last C channels go through the conv."""
    m = tiny("mambaout-femto").double()
    blk = m.stages[0][0]
    C, hidden = 16, int(8 / 3 * 16)
    assert blk.split_indices == (hidden, hidden - C, C)
    g = torch.Generator().manual_seed(4)
    x = torch.randn(1, 5, 5, C, generator=g, dtype=torch.float64)
    t = blk.fc1(F.layer_norm(x, (C,), blk.norm.weight, blk.norm.bias, 1e-6))
    gate, ident, conv = t[..., :hidden], t[..., hidden:2 * hidden - C], t[..., 2 * hidden - C:]
    conv = F.conv2d(conv.permute(0, 3, 1, 2), blk.conv.weight, blk.conv.bias, padding=3,
                    groups=C).permute(0, 2, 3, 1)
    ref = x + blk.fc2(F.gelu(gate) * torch.cat([ident, conv], -1))
    assert rel(blk(x), ref) < 1e-12


# ---------------------------------------------------------------------------
# Agreement with the compiler's model registry (when it is built)
# ---------------------------------------------------------------------------


def _compiler_models():
    try:
        import ssmc
        return set(ssmc.models()) if ssmc.has_compiler() else set()
    except Exception:           # no package, no extension, or no model builders
        return set()


needs_compiler = pytest.mark.skipif(not _compiler_models(),
                                    reason="ssmc compiler with model builders not built")


@needs_compiler
@pytest.mark.parametrize("variant", list(PARAMS))
def test_weight_spec_matches_compiler(variant):
    """Same names and shapes as ssmc.weight_spec (its argument order may differ),
    full size and tiny; same eval preprocessing sizes."""
    import ssmc
    assert variant in _compiler_models()
    assert dict(ssmc.weight_spec(variant)) == dict(rm.weight_spec(variant))
    small = dict(TINY[rm.family_of(variant)])
    if variant.endswith("-s8"):
        small["stride"] = 8
    assert dict(ssmc.weight_spec(variant, **small)) == dict(rm.weight_spec(variant, **small))
    for img in (224, 384):
        ours, theirs = rm.preprocessing(variant, img=img), ssmc.preprocessing(variant, img=img)
        assert (ours["resize_to"], ours["crop"]) == (theirs["resize_to"], theirs["crop"])


@needs_compiler
@pytest.mark.parametrize("variant", ["vim-t", "fastvim-t", "vmamba-t", "vmamba-v0-t",
                                     "mambaout-femto"])
def test_override_keys_match_compiler(variant):
    import ssmc
    values = dict(img=64, classes=10, batch=2, dtype="bf16", embed_dim=32, depth=2, patch=16,
                  stride=16, d_state=8, pool="max", pool_scale=0.5, dims="16,32,64,128",
                  depths="1,1,1,1", ssm_ratio=2.0, mlp_ratio=2.0, expansion_ratio=3.0)
    for key, value in values.items():
        try:
            theirs = dict(ssmc.weight_spec(variant, **{key: value}))
        except Exception:
            theirs = None
        try:
            ours = dict(rm.weight_spec(variant, **{key: value}))
        except ValueError:
            ours = None
        assert ours == theirs, key
