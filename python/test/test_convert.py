"""ssmc.convert and ssmc.safetensors_io: round trips from checkpoints saved the
way each official repository saves them, bf16 rounding, and error paths.

Tiny reference models (ssm_testing.reference_models) provide the weights;
every round trip compares the safetensors read back bit for bit."""

import argparse
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
import torch

import ssmc
from ssmc import convert as cv
from ssmc import safetensors_io as st
from ssm_testing import reference_models as rm

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TINY = {
    "vim-t": dict(img=32, embed_dim=32, depth=2, patch=16, stride=16, classes=5),
    "fastvim-t": dict(img=32, embed_dim=32, depth=2, patch=8, classes=5),
    "vmamba-t": dict(img=32, dims=[16, 32, 64, 128], depths=[1, 1, 2, 1], classes=5),
    "vmamba-v0-t": dict(img=32, dims=[16, 32, 64, 128], depths=[1, 1, 2, 1], classes=5),
    "mambaout-femto": dict(img=32, dims=[16, 24, 32, 40], depths=[1, 1, 2, 1], classes=5),
}


def tiny_sd(variant, seed=0):
    return rm.build(variant, seed=seed, **TINY[variant]).state_dict()


def spec(variant):
    return rm.weight_spec(variant, **TINY[variant])


def assert_same(tensors, sd, ordered=True):
    """Same names (and order, unless the spec may come from ssmc.weight_spec,
    whose argument order can differ), dtype float32, bit-identical values."""
    if ordered:
        assert list(tensors) == list(sd)
    else:
        assert sorted(tensors) == sorted(sd)
    for k, v in sd.items():
        a = tensors[k]
        assert a.dtype == np.float32, k
        assert a.shape == tuple(v.shape), k
        assert np.array_equal(a, v.numpy()), k


def run_cli(args, capsys):
    rc = cv.main([str(a) for a in args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def cli_options(variant):
    opts = []
    for k, v in TINY[variant].items():
        opts += ["--" + k.replace("_", "-"), ",".join(map(str, v)) if isinstance(v, list) else v]
    return opts


# ---------------------------------------------------------------------------
# Round trips, one per official way of saving
# ---------------------------------------------------------------------------


def test_vim_pth_with_model_key(tmp_path, capsys):
    """Vim main.py: torch.save({'model': sd, 'optimizer': ..., 'args': Namespace, ...})."""
    sd = tiny_sd("vim-t")
    src = tmp_path / "vim.pth"
    torch.save({"model": sd, "optimizer": {"state": {}, "param_groups": []},
                "lr_scheduler": {"last_epoch": 3}, "epoch": 3,
                "args": argparse.Namespace(model="vim_tiny")}, src)
    dst = tmp_path / "vim.safetensors"
    rc, out, err = run_cli([src, dst, "--model", "vim-t"] + cli_options("vim-t"), capsys)
    assert rc == 0, err
    assert "validated against" in out
    assert "full unpickling" in err                    # the Namespace needs it
    back = st.load_file(dst)
    assert_same(back, sd, ordered=False)
    assert back["layers.0.mixer.conv1d.weight"].shape == (64, 1, 4)   # stays [E, 1, 4]
    _, meta = st.read_header(dst)
    assert meta["ssmc.model"] == "vim-t" and meta["ssmc.dtype"] == "f32"
    assert json.loads(meta["ssmc.options"])["embed_dim"] == 32


def test_fastvim_lightning_ckpt(tmp_path):
    """FastVim: Lightning {'state_dict': {'backbone.*', 'ema.module.*', ...},
    'state_dict_ema': unprefixed EMA backbone}."""
    sd, ema = tiny_sd("fastvim-t", seed=0), tiny_sd("fastvim-t", seed=1)
    train = {"backbone." + k: v for k, v in sd.items()}
    train.update({"ema.module." + k: v for k, v in ema.items()})
    train["loss.weight"] = torch.ones(5)
    src = tmp_path / "fastvim.ckpt"
    torch.save({"epoch": 299, "global_step": 10, "state_dict": train, "state_dict_ema": ema,
                "optimizer_states": [{}], "hyper_parameters": {"lr": 1e-3}}, src)
    for prefer_ema, want in [(False, sd), (True, ema)]:
        notes = []
        loaded = cv.load_state_dict(src, prefer_ema=prefer_ema, notes=notes)
        assert_same(cv.convert(loaded, spec("fastvim-t"), notes=notes), want)
    # The EMA copy inside 'state_dict' when no 'state_dict_ema' exists.
    torch.save({"state_dict": train}, src)
    notes = []
    loaded = cv.load_state_dict(src, prefer_ema=True, notes=notes)
    assert_same(cv.convert(loaded, spec("fastvim-t")), ema)
    assert any("EMA" in n for n in notes)
    loaded = cv.load_state_dict(src, notes=notes)
    assert_same(cv.convert(loaded, spec("fastvim-t")), sd)


def timm_name(k):
    """Original MambaOut name -> timm name (docs/semantics.md §7.4), written independently."""
    parts = k.split(".")
    if parts[0] == "downsample_layers":
        s = int(parts[1])
        if s == 0:
            return "stem." + ".".join(parts[2:])
        return f"stages.{s}.downsample." + ".".join(parts[2:])
    if parts[0] == "stages":
        return f"stages.{parts[1]}.blocks.{parts[2]}." + ".".join(parts[3:])
    if parts[0] == "norm":
        return "head.norm." + parts[1]
    return {"head.fc1": "head.pre_logits.fc", "head.norm": "head.pre_logits.norm",
            "head.fc2": "head.fc"}[".".join(parts[:2])] + "." + parts[2]


def test_mambaout_timm_names(tmp_path):
    sd = tiny_sd("mambaout-femto")
    timm_sd = {timm_name(k): v for k, v in sd.items()}
    assert "head.norm.weight" in timm_sd and "head.pre_logits.norm.weight" in timm_sd
    src = tmp_path / "mambaout_femto_timm.pth"
    torch.save(timm_sd, src)
    out = cv.convert(cv.load_state_dict(src), spec("mambaout-femto"), model="mambaout-femto")
    assert_same(out, sd)
    # Original names (plain state dict, mambaout_femto.pth) pass unchanged,
    # including the original 'head.norm' (the hidden LayerNorm).
    torch.save(sd, src)
    assert_same(cv.convert(cv.load_state_dict(src), spec("mambaout-femto")), sd)


def test_mambaout_rename_order():
    r = cv.rename_mambaout_timm
    assert r("head.norm.weight") == "norm.weight"
    assert r("head.pre_logits.norm.bias") == "head.norm.bias"
    assert r("head.pre_logits.fc.weight") == "head.fc1.weight"
    assert r("head.fc.bias") == "head.fc2.bias"
    assert r("stem.conv1.weight") == "downsample_layers.0.conv1.weight"
    assert r("stages.2.downsample.conv.weight") == "downsample_layers.2.conv.weight"
    assert r("stages.3.blocks.11.fc1.bias") == "stages.3.11.fc1.bias"


def test_vmamba_v0_legacy_names(tmp_path):
    """Legacy VMamba names (patch_embed.proj/norm, ln_1, self_attention, norm,
    head) under 'model' with 'model_ema' beside, DDP 'module.' prefix."""
    sd = tiny_sd("vmamba-v0-t")

    def legacy(k):
        k = k.replace("patch_embed.0.", "patch_embed.proj.").replace("patch_embed.2.",
                                                                      "patch_embed.norm.")
        k = k.replace(".norm.", ".ln_1.") if ".blocks." in k else k
        k = k.replace(".op.", ".self_attention.")
        return k.replace("classifier.norm.", "norm.").replace("classifier.head.", "head.")

    old = {"module." + legacy(k): v for k, v in sd.items()}
    assert "module.layers.0.blocks.0.ln_1.weight" in old and "module.norm.weight" in old
    src = tmp_path / "vssm_tiny.pth"
    torch.save({"model": old, "model_ema": old, "optimizer": {}, "epoch": 299}, src)
    assert_same(cv.convert(cv.load_state_dict(src), spec("vmamba-v0-t"),
                           model="vmamba-v0-t"), sd)


def test_renames_without_model_or_spec():
    """Without --model the family comes from unambiguous source names only."""
    sd = tiny_sd("mambaout-femto")
    out = cv.convert({timm_name(k): v for k, v in sd.items()})
    assert_same(out, sd)
    v = tiny_sd("vim-t")                 # has patch_embed.proj.*: must stay as it is
    assert_same(cv.convert(v), v)
    vm = tiny_sd("vmamba-v0-t")
    legacy = {k.replace(".op.", ".self_attention.").replace("classifier.", ""): t
              for k, t in vm.items()}
    legacy = {k.replace("patch_embed.0.", "patch_embed.proj.")
              .replace("patch_embed.2.", "patch_embed.norm."): t for k, t in legacy.items()}
    assert_same(cv.convert(legacy), vm)


def test_vmamba_v2_linear2d_as_conv(tmp_path, capsys):
    """VMamba v2 'model' + 'model_ema'; 1x1-conv Linear2d weights stored [E, C, 1, 1]."""
    sd, ema = tiny_sd("vmamba-t", 0), tiny_sd("vmamba-t", 1)
    conv_like = {k: (v[:, :, None, None] if v.dim() == 2 and (".op.in_proj" in k or
                     ".op.out_proj" in k or ".mlp.fc" in k) else v) for k, v in sd.items()}
    assert conv_like["layers.0.blocks.0.op.in_proj.weight"].dim() == 4
    src = tmp_path / "vmamba.pth"
    torch.save({"model": conv_like, "model_ema": ema, "epoch": 1}, src)
    dst = tmp_path / "vmamba.safetensors"
    rc, out, err = run_cli([src, dst, "--model", "vmamba-t"] + cli_options("vmamba-t"), capsys)
    assert rc == 0, err
    assert_same(st.load_file(dst), sd, ordered=False)
    rc, out, err = run_cli([src, dst, "--model", "vmamba-t", "--ema"] + cli_options("vmamba-t"),
                           capsys)
    assert rc == 0, err
    assert_same(st.load_file(dst), ema, ordered=False)


def test_safetensors_source_to_bf16(tmp_path):
    sd = tiny_sd("vim-t")
    src = tmp_path / "in.safetensors"
    st.save_file({k: v.numpy() for k, v in sd.items()}, src)
    dst = tmp_path / "out.safetensors"
    summary = cv.convert_file(str(src), str(dst), model="vim-t", options=TINY["vim-t"],
                              dtype="bf16")
    assert summary["tensors"] == len(sd)
    hdr, _ = st.read_header(dst)
    assert all(d == "BF16" for d, _ in hdr.values())
    bits = st.load_file(dst)
    as_f32 = st.load_file(dst, bf16="float32")
    for k, v in sd.items():
        want = v.to(torch.bfloat16)
        assert isinstance(bits[k], st.BF16Array)
        assert np.array_equal(np.asarray(bits[k]),
                              want.view(torch.int16).numpy().view(np.uint16)), k
        assert np.array_equal(as_f32[k], want.float().numpy()), k
    # bf16 in, bf16 out: bits kept exactly; bf16 in, f32 out: exact decode.
    again = cv.convert(st.load_file(dst), spec("vim-t"), dtype="bf16")
    assert all(np.array_equal(np.asarray(again[k]), np.asarray(bits[k])) for k in bits)
    f32 = cv.convert(st.load_file(dst), spec("vim-t"), dtype="f32")
    assert all(np.array_equal(f32[k], as_f32[k]) for k in bits)


def test_torch_bf16_and_f16_sources(tmp_path):
    sd = tiny_sd("mambaout-femto")
    src = tmp_path / "half.pth"
    torch.save({"model": {k: v.to(torch.bfloat16) for k, v in sd.items()}}, src)
    out = cv.convert(cv.load_state_dict(src), spec("mambaout-femto"), dtype="bf16")
    k = "stages.0.0.fc1.weight"
    assert np.array_equal(np.asarray(out[k]),
                          sd[k].to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16))
    torch.save({k: v.half() for k, v in sd.items()}, src)
    out = cv.convert(cv.load_state_dict(src), spec("mambaout-femto"))
    assert out[k].dtype == np.float32
    assert np.array_equal(out[k], sd[k].half().float().numpy())


# ---------------------------------------------------------------------------
# bf16 rounding and the safetensors format
# ---------------------------------------------------------------------------


def test_bf16_round_to_nearest_even_matches_torch():
    specials = np.array([0x3F808000, 0x3F818000, 0x3F80FFFF, 0x3F808001, 0x7F7FFFFF, 0xFF7FFFFF,
                         0x7F800000, 0xFF800000, 0x00000001, 0x80008000, 0x00018000, 0x80000000,
                         0x00000000, 0x7F7F8000, 0x3F7F8000], dtype=np.uint32).view(np.float32)
    rng = np.random.default_rng(0)
    x = np.concatenate([specials, rng.standard_normal(20000).astype(np.float32) * 1e3,
                        rng.integers(0, 2 ** 32, 20000, dtype=np.uint64).astype(np.uint32)
                        .view(np.float32)])
    x = x[~np.isnan(x)]
    ours = np.asarray(st.float32_to_bf16(x))
    ref = torch.from_numpy(x).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    assert np.array_equal(ours, ref)
    # Ties go to even: 1 + 2^-8 -> 1; 1 + 3*2^-8 -> 1 + 2^-6 (bits 0x3F82).
    assert list(np.asarray(st.float32_to_bf16(specials[:2]))) == [0x3F80, 0x3F82]
    nan = st.float32_to_bf16(np.array([np.nan, -np.nan], dtype=np.float32))
    assert np.isnan(st.bf16_to_float32(nan)).all()
    # Decoding is exact.
    assert np.array_equal(st.bf16_to_float32(ours), torch.from_numpy(x).to(torch.bfloat16)
                          .float().numpy())


def test_safetensors_dtypes_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    tensors = {
        "f64": rng.standard_normal((3, 2)), "f32": rng.standard_normal(5).astype(np.float32),
        "f16": rng.standard_normal((2, 2)).astype(np.float16),
        "bf16": st.float32_to_bf16(rng.standard_normal((3, 3))),
        "i64": np.arange(7, dtype=np.int64), "i8": np.array([-1, 2], dtype=np.int8),
        "u8": np.array([255], dtype=np.uint8), "bool": np.array([True, False]),
        "scalar": np.array(2.5, dtype=np.float32), "empty": np.zeros((0, 4), np.float32),
        "big_endian": np.arange(3, dtype=">f4"),
    }
    path = tmp_path / "t.safetensors"
    st.save_file(tensors, path, metadata={"k": "v"})
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0
    header = json.loads(raw[8:8 + n])
    assert header["__metadata__"] == {"k": "v"}
    assert header["bf16"]["dtype"] == "BF16" and header["f16"]["dtype"] == "F16"
    back, meta = st.load_file(path, with_metadata=True)
    assert meta == {"k": "v"} and list(back) == list(tensors)
    for k, v in tensors.items():
        assert back[k].shape == v.shape and np.array_equal(back[k], v), k
        if k != "big_endian":
            assert back[k].dtype == v.dtype, k
    assert isinstance(back["bf16"], st.BF16Array)
    # Every tensor is aligned to its element size within the data section.
    for k, info in header.items():
        if k != "__metadata__":
            assert info["data_offsets"][0] % st.DTYPES[info["dtype"]].itemsize == 0, k


def write_raw(path, header_obj=None, header_bytes=None, data=b"", n=None):
    hb = header_bytes if header_bytes is not None else json.dumps(header_obj).encode()
    path.write_bytes(struct.pack("<Q", len(hb) if n is None else n) + hb + data)


def test_safetensors_errors(tmp_path):
    p = tmp_path / "bad.safetensors"
    p.write_bytes(b"\x01\x02")
    with pytest.raises(st.SafetensorsError, match="truncated file"):
        st.load_file(p)
    write_raw(p, header_bytes=b'{"a": {"dtype": "F32", "sha', n=None)
    with pytest.raises(st.SafetensorsError, match="corrupt header"):
        st.load_file(p)
    write_raw(p, header_bytes=b"\xff\xfe garbage")
    with pytest.raises(st.SafetensorsError, match="corrupt header"):
        st.load_file(p)
    write_raw(p, header_bytes=b"{}", n=1 << 40)
    with pytest.raises(st.SafetensorsError, match="corrupt header"):
        st.load_file(p)
    write_raw(p, header_bytes=b"{}  ", n=100)
    with pytest.raises(st.SafetensorsError, match="truncated file"):
        st.load_file(p)
    write_raw(p, {"a": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}, data=b"\0")
    with pytest.raises(st.SafetensorsError, match="unsupported dtype"):
        st.load_file(p)
    write_raw(p, {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, data=b"\0" * 4)
    with pytest.raises(st.SafetensorsError, match="needs 8"):
        st.load_file(p)
    write_raw(p, {"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, data=b"\0" * 8)
    with pytest.raises(st.SafetensorsError, match="hole"):
        st.load_file(p)
    write_raw(p, {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, data=b"\0" * 6)
    with pytest.raises(st.SafetensorsError, match="trailing"):
        st.load_file(p)
    write_raw(p, [1, 2])
    with pytest.raises(st.SafetensorsError, match="not an object"):
        st.load_file(p)
    # A valid file cut short.
    good = tmp_path / "good.safetensors"
    st.save_file({"w": np.ones((64, 64), np.float32)}, good)
    p.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(st.SafetensorsError, match="truncated file"):
        st.load_file(p)
    with pytest.raises(st.SafetensorsError, match="truncated file"):
        cv.load_state_dict(str(p))
    with pytest.raises(st.SafetensorsError, match="no safetensors equivalent"):
        st.save_file({"c": np.zeros(2, np.complex64)}, tmp_path / "c.safetensors")
    assert not (tmp_path / "c.safetensors").exists()


# ---------------------------------------------------------------------------
# Validation errors and the CLI
# ---------------------------------------------------------------------------


def test_weight_error_lists_everything():
    sd = dict(tiny_sd("vim-t"))
    del sd["layers.1.mixer.D_b"]
    del sd["head.bias"]
    sd["layers.0.mixer.bogus"] = torch.zeros(3)
    sd["layers.0.mixer.x_proj.weight"] = torch.zeros(40, 64)
    sd["pos_embed"] = torch.zeros(1, 4, 32)
    sd["layers.0.norm.num_batches_tracked"] = torch.tensor(5)      # dropped silently
    with pytest.raises(cv.WeightError) as ei:
        cv.convert(sd, spec("vim-t"), model="vim-t")
    e = ei.value
    assert isinstance(e, ValueError)
    assert e.missing == [("head.bias", (5,)), ("layers.1.mixer.D_b", (64,))]
    assert e.unexpected == [("layers.0.mixer.bogus", (3,))]
    assert e.mismatched == [("pos_embed", (1, 5, 32), (1, 4, 32)),
                            ("layers.0.mixer.x_proj.weight", (34, 64), (40, 64))]
    msg = str(e)
    for s in ["2 missing, 1 unexpected, 2 with the wrong shape", "missing:    head.bias",
              "missing:    layers.1.mixer.D_b  expected [64]", "unexpected: layers.0.mixer.bogus",
              "shape:      pos_embed  expected [1, 5, 32], got [1, 4, 32]",
              "layers.0.mixer.x_proj.weight  expected [34, 64], got [40, 64]"]:
        assert s in msg, (s, msg)


def test_cli_errors_and_modes(tmp_path, capsys, monkeypatch):
    sd = tiny_sd("fastvim-t")
    src = tmp_path / "f.pth"
    torch.save({"model": sd}, src)
    dst = tmp_path / "f.safetensors"
    # Wrong options -> every mismatch reported, exit 1, nothing written.
    rc, out, err = run_cli([src, dst, "--model", "fastvim-t", "--img", 32, "--embed-dim", 32,
                            "--depth", 3, "--patch", 8, "--classes", 5], capsys)
    assert rc == 1 and not dst.exists()
    assert "missing:    layers.2.mixer.in_proj.weight" in err
    # Bad override -> clear error (reference spec; ssmc.weight_spec says it its own way).
    rc, out, err = run_cli([src, dst, "--model", "fastvim-t", "--img", 36, "--patch", 8],
                           capsys)
    assert rc == 1 and "36" in err and not dst.exists()
    with monkeypatch.context() as mp:
        mp.setattr(cv, "_compiler_knows", lambda model: False)
        rc, out, err = run_cli([src, dst, "--model", "fastvim-t", "--stride", 8], capsys)
        assert rc == 1 and "unknown override key(s) stride" in err
    # No --model: converted without validation, said on stderr.
    rc, out, err = run_cli([src, dst], capsys)
    assert rc == 0 and "without validation" in err and "not validated" in out
    assert_same(st.load_file(dst), sd)
    # Missing source file.
    rc, out, err = run_cli([tmp_path / "nope.pth", dst, "--model", "fastvim-t"], capsys)
    assert rc == 1 and "nope.pth" in err
    # Neither ssmc.weight_spec nor the reference models: no validation.
    monkeypatch.setattr(cv, "_reference_weight_spec", lambda: None)
    monkeypatch.delattr(ssmc, "weight_spec", raising=False)
    rc, out, err = run_cli([src, dst, "--model", "fastvim-t"], capsys)
    assert rc == 0 and "converting without validation" in err


def test_cli_prefers_ssmc_weight_spec(tmp_path, capsys, monkeypatch):
    sd = tiny_sd("mambaout-femto")
    src = tmp_path / "m.pth"
    torch.save(sd, src)
    calls = []

    def fake_weight_spec(model, **options):
        calls.append((model, options))
        return [dict(name=k, shape=list(v.shape)) for k, v in sd.items()]

    monkeypatch.setattr(ssmc, "weight_spec", fake_weight_spec, raising=False)
    monkeypatch.setattr(ssmc, "has_compiler", lambda: True, raising=False)
    monkeypatch.setattr(ssmc, "models", lambda: ["vim-t", "mambaout-femto"], raising=False)
    dst = tmp_path / "m.safetensors"
    rc, out, err = run_cli([src, dst, "--model", "mambaout-femto", "--img", 32,
                            "--dims", "16,24,32,40", "--depths", "1,1,2,1", "--classes", 5],
                           capsys)
    assert rc == 0, err
    assert "validated against ssmc.weight_spec" in out
    assert calls == [("mambaout-femto", dict(img=32, dims="16,24,32,40", depths="1,1,2,1",
                                             classes=5))]
    assert_same(st.load_file(dst), sd)


def test_torch_missing_gives_clear_error(tmp_path, monkeypatch):
    src = tmp_path / "x.pth"
    torch.save({"a": torch.zeros(1)}, src)
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(RuntimeError, match="needs torch"):
        cv.load_state_dict(str(src))


def test_container_and_prefix_edge_cases():
    notes = []
    with pytest.raises(ValueError, match="no tensors"):
        cv.unwrap_container({"epoch": 3, "args": "x"})
    sd = cv.strip_prefixes({"module.model.a": 1, "module.model.b": 2})
    assert sd == {"a": 1, "b": 2}
    sd = cv.strip_prefixes({"ema.module.a": 1, "ema.module.b": 2})
    assert sd == {"a": 1, "b": 2}
    sd = cv.strip_prefixes({"backbone.a": 1, "criterion.w": 2}, notes=notes)
    assert sd == {"a": 1} and "criterion.w" in notes[-1]
    got = cv.unwrap_container({"model": {"state_dict": {"w": torch.zeros(1)}}}, notes=notes)
    assert list(got) == ["w"]
    # Non-tensor entries are dropped by convert; integer buffers only when not expected.
    out = cv.convert({"w": torch.ones(2), "meta": "x", "n": torch.tensor(3)}, [("w", (2,))])
    assert list(out) == ["w"]


def test_module_entry_point(tmp_path):
    """`python3 -m ssmc.convert` as a separate process."""
    sd = tiny_sd("vim-t")
    src = tmp_path / "v.pth"
    torch.save({"model": sd}, src)
    dst = tmp_path / "v.safetensors"
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    r = subprocess.run([sys.executable, "-m", "ssmc.convert", str(src), str(dst), "--model",
                        "vim-t", "--dtype", "bf16"] + [str(a) for a in cli_options("vim-t")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "bf16" in r.stdout
    hdr, _ = st.read_header(dst)
    assert hdr["head.weight"] == ("BF16", (5, 32))
