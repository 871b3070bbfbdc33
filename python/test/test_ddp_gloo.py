"""Data-parallel training of ssmc.torch.Module through torch.distributed.

Two processes (gloo on 127.0.0.1, one rank each) wrap a small compiled Vim in
torch.nn.parallel.DistributedDataParallel and take three SGD steps on
scikit-learn's handwritten digits (8x8, upscaled to 16x16, three channels),
each rank on its half of every global batch; a single process trains the
same model compiled for the whole global batch. DDP averages the ranks'
gradients, so the parameters after the steps must agree (f32, <= 1e-5
relative per tensor), and must have moved.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import ssmc
import ssmc.torch as st_torch
from ssm_testing import reference_models as rm

HERE = Path(__file__).resolve().parent
OPTIONS = dict(embed_dim=16, depth=2)
IMG, CLASSES, PER_RANK, WORLD, STEPS, LR = 16, 10, 4, 2, 3, 0.05


def _digits(n, seed):
    datasets = pytest.importorskip("sklearn.datasets", reason="python3-sklearn is not installed")
    d = datasets.load_digits()
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(d.images))[:n]
    x = torch.from_numpy(d.images[idx].astype(np.float32) / 16.0 - 0.5)
    x = torch.nn.functional.interpolate(x[:, None], size=(IMG, IMG), mode="bilinear",
                                        align_corners=False).repeat(1, 3, 1, 1)
    return x.contiguous(), torch.from_numpy(d.target[idx].astype(np.int64))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_gloo_matches_single_process(tmp_path):
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("torch.distributed with gloo is not available")
    ref = rm.build("vim-t", img=IMG, classes=CLASSES, seed=5, **OPTIONS)
    weights = {k: v.detach().float().numpy().copy() for k, v in ref.state_dict().items()}
    images, labels = _digits(WORLD * PER_RANK * STEPS, seed=1)
    batches = [(images[i::STEPS].contiguous(), labels[i::STEPS].contiguous())
               for i in range(STEPS)]

    setup = tmp_path / "setup.pt"
    out = tmp_path / "ddp.pt"
    torch.save(dict(blob=ssmc.compile("vim-t", gradients=True, img=IMG, classes=CLASSES,
                                      batch=PER_RANK, **OPTIONS),
                    weights=weights, batches=batches, per_rank=PER_RANK, lr=LR), setup)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE.parent)] + os.environ.get("PYTHONPATH", "").split(os.pathsep)))
    port = str(_free_port())
    procs = [subprocess.Popen([sys.executable, str(HERE / "ddp_worker.py"), str(r), str(WORLD),
                               port, str(setup), str(out)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for r in range(WORLD)]
    for p in procs:
        try:
            log, _ = p.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("a DDP rank did not finish in 240 s")
        assert p.returncode == 0, log.decode(errors="replace")[-3000:]
    ddp = torch.load(out)

    # One process, the whole global batch.
    model = st_torch.Module(ssmc.compile("vim-t", gradients=True, img=IMG, classes=CLASSES,
                                         batch=WORLD * PER_RANK, **OPTIONS),
                            weights={k: v.copy() for k, v in weights.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    moved = 0
    for name, p in model.named_weights():
        want = p.detach()
        got = ddp[name]
        scale = want.abs().max().item()
        assert (got - want).abs().max().item() <= 1e-5 * max(scale, 1e-30), name
        moved += not np.allclose(want.numpy(), weights[name])
    assert moved > len(weights) // 2, "the steps did not change the parameters"


def test_ddp_training_command(tmp_path):
    """python3 -m ssmc.train under torchrun's environment (two ranks, gloo)
    writes the same weights as one process over the same global batches."""
    pytest.importorskip("sklearn.datasets", reason="python3-sklearn is not installed")
    pytest.importorskip("matplotlib", reason="python3-matplotlib is not installed")
    from ssmc import safetensors_io as st
    args = ["-m", "ssmc.train", "--model", "vim-t", "--img", "16", "--epochs", "1",
            "--model-option=embed_dim=16", "--model-option=depth=1",
            "--model-option=patch=4", "--model-option=stride=4"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE.parent)] + os.environ.get("PYTHONPATH", "").split(os.pathsep)))
    port = str(_free_port())
    ranks = [subprocess.Popen([sys.executable, *args, "--out", str(tmp_path / "ddp")],
                              env=dict(env, RANK=str(r), LOCAL_RANK=str(r), WORLD_SIZE="2",
                                       MASTER_ADDR="127.0.0.1", MASTER_PORT=port),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for r in range(2)]
    single = subprocess.run([sys.executable, *args, "--out", str(tmp_path / "one")], env=env,
                            capture_output=True, text=True, timeout=240)
    assert single.returncode == 0, single.stdout + single.stderr
    for p in ranks:
        log, _ = p.communicate(timeout=240)
        assert p.returncode == 0, log.decode(errors="replace")[-3000:]
    ddp = st.load_file(tmp_path / "ddp" / "weights.safetensors")
    one = st.load_file(tmp_path / "one" / "weights.safetensors")
    assert set(ddp) == set(one)
    for name in one:
        scale = max(float(np.abs(one[name]).max()), 1e-30)
        assert float(np.abs(ddp[name] - one[name]).max()) <= 1e-5 * scale, name
