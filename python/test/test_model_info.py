"""The model description a compiled module carries (the .ssmb ModelInfo
record): written by ssmc.compile for a model compiled by name, for every
target; read by ssmc.module_info without a device (a GPU module on this machine)
and by ssmc.Module.model_info; absent for modules compiled from IR."""

import pytest

import ssmc

pytestmark = pytest.mark.skipif(not ssmc.has_compiler() or "vim-t" not in ssmc.models(),
                                reason="needs the compiler extension with the model builders")

TINY = dict(img=32, classes=7, embed_dim=16, depth=1)

IR = """
func.func @flip(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = ssm.flip %x along 1 : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
"""


@pytest.mark.parametrize("target,kind", [("cpu", "Cpu"), ("nvptx", "Nvptx"),
                                         ("amdgpu", "Amdgpu")])
def test_every_target_records_the_model(target, kind):
    blob = ssmc.compile("vim-t", target=target, **TINY)
    info = ssmc.module_info(blob)
    oldest, newest = ssmc.format_versions()
    assert info["format_version"] == newest >= oldest >= 1
    assert info["compiler_version"].startswith("ssmc ")
    assert [o["target"] for o in info["kernel_objects"]] == [kind] * len(info["kernel_objects"])
    assert info["kernel_objects"] and all(o["size"] > 0 for o in info["kernel_objects"])
    [forward] = info["functions"]
    assert forward.name == "forward"
    assert forward.inputs[0].name == "image" and forward.inputs[0].shape == (1, 3, 32, 32)
    model = info["model_info"]
    assert model["name"] == "vim-t"
    assert model["family"] == "vim"
    # The same values ssmc.preprocessing reports: resize int(32 / 0.875) = 36.
    assert model["preprocessing"] == ssmc.preprocessing("vim-t", **TINY)
    assert model["preprocessing"] == {"resize_to": 36, "crop": 32,
                                      "mean": (0.485, 0.456, 0.406),
                                      "std": (0.229, 0.224, 0.225)}
    assert list(model["properties"].items()) == [
        ("img", "32"), ("batch", "1"), ("classes", "7"), ("dtype", "f32"),
        ("embed_dim", "16"), ("depth", "1"), ("patch", "16"), ("stride", "16"),
        ("d_state", "16")]


def test_families_record_their_preprocessing(tmp_path):
    blob = ssmc.compile("mambaout-femto", img=32, classes=5, dtype="bf16",
                        dims=[8, 16, 24, 32], depths=[1, 1, 1, 1])
    path = tmp_path / "mo.ssmb"
    path.write_bytes(blob)
    model = ssmc.module_info(path)["model_info"]
    assert model["family"] == "mambaout"
    assert model["preprocessing"]["resize_to"] == 32  # crop ratio 1
    assert model["properties"]["dtype"] == "bf16"
    assert model["properties"]["dims"] == "8,16,24,32"
    assert model["properties"]["depths"] == "1,1,1,1"


def test_loaded_module_exposes_it():
    blob = ssmc.compile("vim-t", **TINY)
    m = ssmc.load(blob)
    assert m.model_info == ssmc.module_info(blob)["model_info"]
    assert m.model_info["name"] == "vim-t"


def test_modules_from_ir_have_none():
    blob = ssmc.compile(IR)
    assert ssmc.module_info(blob)["model_info"] is None
    assert ssmc.load(blob).model_info is None
    gpu = ssmc.compile(IR, target="nvptx")
    info = ssmc.module_info(gpu)
    assert info["model_info"] is None
    assert [o["target"] for o in info["kernel_objects"]] == ["Nvptx"]
    # Inspecting needs no device; running it on the CPU is refused.
    with pytest.raises(ssmc.Error):
        ssmc.load(gpu)


def test_memory_plans_without_a_device():
    # The plan module_info computes is the one the loaded module reports; a
    # GPU module has one too (read on this machine without the GPU).
    blob = ssmc.compile("vim-t", **TINY)
    plans = ssmc.module_info(blob)["memory_plans"]
    want = ssmc.load(blob).memory_plan("forward")
    assert list(plans) == ["forward"]
    assert (plans["forward"].peak_bytes, plans["forward"].arena_bytes,
            plans["forward"].output_bytes) == (want.peak_bytes, want.arena_bytes,
                                               want.output_bytes)
    gpu = ssmc.module_info(ssmc.compile(IR, target="nvptx"))["memory_plans"]["flip"]
    assert gpu.output_bytes == 2 * 8 * 4 and gpu.peak_bytes >= gpu.output_bytes


def test_corrupt_or_missing_input_is_a_clear_error(tmp_path):
    blob = bytearray(ssmc.compile(IR))
    blob[200] ^= 0xFF
    with pytest.raises(ssmc.DataLossError, match="checksum mismatch"):
        ssmc.module_info(bytes(blob))
    with pytest.raises(ssmc.DataLossError, match="truncated"):
        ssmc.module_info(bytes(blob[:100]))
    with pytest.raises(ssmc.NotFoundError):
        ssmc.module_info(tmp_path / "missing.ssmb")
    with pytest.raises(TypeError):
        ssmc.module_info(42)


def test_format_versions():
    # v7: LibraryCalls records carry operand offsets; v3..v6 files stay readable.
    assert ssmc.format_versions() == (3, 7)
