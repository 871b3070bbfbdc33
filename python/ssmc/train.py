"""Train a compiled model on scikit-learn's handwritten digits (CPU).

    python3 -m ssmc.train --model vim-t --model-option embed_dim=32 \\
        --model-option depth=4 --epochs 15 --out runs/vim-digits [--compare-pytorch]

The model is compiled with gradients (``ssmc.compile(..., gradients=True)``)
and trained through :class:`ssmc.torch.Module` with an ordinary PyTorch loop:
AdamW (decoupled weight decay, none on biases, 1-d parameters (norms, D)
and the tokens, as the official recipes), a cosine learning-rate schedule after a
linear warm-up, label-smoothed cross-entropy. The 1,797 digits (8x8, 17
grey levels) are split 80/20 with a fixed seed, upscaled bilinearly to
``--img`` and repeated over three channels. Each epoch prints a progress bar
and the test accuracy, and writes ``checkpoint.safetensors`` (parameters under
their official names, AdamW's moments as ``optimizer.exp_avg.<name>`` /
``optimizer.exp_avg_sq.<name>``, the step in the metadata) and
``curves.png`` (loss and accuracy). Data parallel: ``torchrun --nproc_per_node=N -m ssmc.train ...`` (or
``python3 -m torch.distributed.run``) runs one rank per process over gloo,
each on ``--batch / N`` images of every global batch of ``--batch``, with
the model in ``DistributedDataParallel``; rank 0 logs and writes.
``--compare-pytorch`` trains the
repository's PyTorch reference implementation of the same model from the same
initialization on the same batches and reports both accuracies, wall times
and the deviation of the first 50 losses (``summary.json``).

``--engine=compiled-step`` trains with the fused compiled step instead
(``ssmc.compile(..., train=True)``, :class:`ssmc.TrainStep`: forward, loss,
backward, clipping and AdamW in one call, the parameters and moments resident
in runtime buffers; single process), on the same batches and schedule;
``--drop-path`` (stochastic depth) and ``--clip-grad`` apply to both engines.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Dict, List, Tuple

import numpy as np
import torch

from . import compile as _compile
from . import safetensors_io as _st
from .torch import Module
from .train_step import TrainStep

_NO_DECAY_LEAVES = ("bias", "cls_token", "pos_embed")


def no_weight_decay(name: str, shape: Tuple[int, ...]) -> bool:
    """The official recipes' rule (the compiled train step's too): no decay
    on parameters of rank <= 1 (norm weights, D), on ``.bias`` and on the
    class token and position embedding. The 2-d ``A_log`` / ``A_logs`` and
    VMamba's 2-d ``dt_projs_bias`` are decayed, as in the official code."""
    leaf = name.rsplit(".", 1)[-1]
    return leaf in _NO_DECAY_LEAVES or len(shape) <= 1


def digits(img: int, seed: int = 0):
    """((train images, labels), (test images, labels)) as float32 tensors."""
    from sklearn.datasets import load_digits
    d = load_digits()
    x = torch.from_numpy(d.images.astype(np.float32) / 16.0)
    x = (x - 0.5) / 0.5
    x = torch.nn.functional.interpolate(x[:, None], size=(img, img), mode="bilinear",
                                        align_corners=False).repeat(1, 3, 1, 1).contiguous()
    y = torch.from_numpy(d.target.astype(np.int64))
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(y)))
    cut = int(0.8 * len(y))
    return (x[order[:cut]], y[order[:cut]]), (x[order[cut:]], y[order[cut:]])


def _bar(done: int, total: int, text: str) -> None:
    """A progress bar on a terminal; elsewhere (logs) only the epoch's end."""
    if not sys.stderr.isatty() and done < total:
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"{'' if not sys.stderr.isatty() else chr(13)}"
                     f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {text}")
    sys.stderr.flush()


def _groups(named: List[Tuple[str, torch.nn.Parameter]], wd: float):
    decay = [p for n, p in named if not no_weight_decay(n, tuple(p.shape))]
    rest = [p for n, p in named if no_weight_decay(n, tuple(p.shape))]
    return [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}]


def evaluate(net, images, labels, batch: int) -> float:
    """Accuracy of ``net`` (static batch ``batch``: the last batch padded)."""
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            x = images[i:i + batch]
            n = len(x)
            if n < batch:
                x = torch.cat([x, x.new_zeros((batch - n,) + tuple(x.shape[1:]))])
            logits = net(x)[:n]
            correct += int((logits.argmax(1) == labels[i:i + n]).sum())
    return correct / len(labels)


def _schedule(args, total: int):
    """The learning-rate factor of step s (0-based): 10% linear warm-up,
    then cosine to 0."""
    warmup = max(1, int(0.1 * total))
    return lambda s: ((s + 1) / warmup if s < warmup else
                      0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, total - warmup))))


def train_compiled(step: TrainStep, data, args, log=True) -> Dict[str, object]:
    """The loop of train() on a compiled TrainStep: the same batches (the
    same generator), the same schedule; the step applies the loss, label
    smoothing, clipping and AdamW it was compiled with."""
    (xtr, ytr), (xte, yte) = data
    steps_per_epoch = len(ytr) // args.batch
    factor = _schedule(args, steps_per_epoch * args.epochs)
    g = torch.Generator().manual_seed(args.seed)
    losses: List[float] = []
    curve = []
    start = time.monotonic()
    for epoch in range(args.epochs):
        order = torch.randperm(len(ytr), generator=g)
        epoch_loss = 0.0
        for k in range(steps_per_epoch):
            idx = order[k * args.batch:(k + 1) * args.batch]
            lr = args.lr * factor(step.step_count)
            loss = step.step(xtr[idx].numpy(), ytr[idx].numpy(), lr)
            losses.append(loss)
            epoch_loss += loss
            if log:
                _bar(k + 1, steps_per_epoch, f"ssmc epoch {epoch + 1}/{args.epochs} "
                     f"loss {loss:.4f}")
        acc = evaluate(lambda x: torch.from_numpy(step.forward(x.numpy())), xte, yte,
                       args.batch)
        curve.append((epoch + 1, epoch_loss / steps_per_epoch, acc))
        if log:
            sys.stderr.write(f"  test accuracy {acc:.4f}\n")
        if args.out:
            step.save_checkpoint(os.path.join(args.out, "checkpoint.safetensors"))
            _st.save_file(dict(step.named_parameters()),
                          os.path.join(args.out, "weights.safetensors"),
                          metadata={"step": str(step.step_count)})
    return dict(losses=losses, curve=curve, accuracy=curve[-1][2],
                seconds=time.monotonic() - start)


def train(net, named, data, args, label: str, log=True) -> Dict[str, object]:
    """The loop shared by the compiled model and its PyTorch reference. Data
    parallel (args.world > 1): each rank takes its slice of every global
    batch, DistributedDataParallel averages the gradients, rank 0 logs and
    writes."""
    (xtr, ytr), (xte, yte) = data
    world, rank = getattr(args, "world", 1), getattr(args, "rank", 0)
    local = args.batch // world
    log = log and rank == 0
    opt = torch.optim.AdamW(_groups(named, args.weight_decay), lr=args.lr,
                            betas=(0.9, 0.999))
    steps_per_epoch = len(ytr) // args.batch
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, _schedule(args, steps_per_epoch * args.epochs))
    drop = getattr(args, "drop_path", 0.0)
    branches = (_drop_path_branches(net) if drop > 0 else 0)
    g = torch.Generator().manual_seed(args.seed)
    losses: List[float] = []
    curve = []
    start = time.monotonic()
    step = 0
    for epoch in range(args.epochs):
        order = torch.randperm(len(ytr), generator=g)
        epoch_loss = 0.0
        for k in range(steps_per_epoch):
            idx = order[k * args.batch:(k + 1) * args.batch][rank * local:(rank + 1) * local]
            x, y = xtr[idx], ytr[idx]
            opt.zero_grad()
            if branches:  # the compiled step's masks for step `step + 1`
                from .reference_models import set_drop_path
                from .train_step import drop_path_scales
                set_drop_path(net, [torch.from_numpy(s) for s in drop_path_scales(
                    args.seed + step + 1, drop, branches, len(idx))])
            loss = torch.nn.functional.cross_entropy(net(x.to(args.dtype)), y,
                                                     label_smoothing=args.label_smoothing)
            loss.backward()
            if getattr(args, "clip_grad", 0.0) > 0:
                torch.nn.utils.clip_grad_norm_([p for _, p in named], args.clip_grad)
            opt.step()
            schedule.step()
            step += 1
            if world > 1:  # the global batch's mean loss, for the log
                loss = loss.detach().clone()
                torch.distributed.all_reduce(loss)
                loss /= world
            losses.append(loss.item())
            epoch_loss += loss.item()
            if log:
                _bar(k + 1, steps_per_epoch, f"{label} epoch {epoch + 1}/{args.epochs} "
                     f"loss {loss.item():.4f}")
        if branches:
            from .reference_models import set_drop_path
            set_drop_path(net, None)
        acc = evaluate(lambda x: net(x.to(args.dtype)), xte, yte, local)
        curve.append((epoch + 1, epoch_loss / steps_per_epoch, acc))
        if log:
            sys.stderr.write(f"  test accuracy {acc:.4f}\n")
        if args.out and label == "ssmc" and rank == 0:
            save_checkpoint(os.path.join(args.out, "checkpoint.safetensors"), named, opt, step)
            _st.save_file({n: p.detach().numpy().astype(np.float32) for n, p in named},
                          os.path.join(args.out, "weights.safetensors"),
                          metadata={"step": str(step)})
    return dict(losses=losses, curve=curve, accuracy=curve[-1][2],
                seconds=time.monotonic() - start, optimizer=opt)


def _drop_path_branches(net) -> int:
    """The residual branches of a reference model (the PyTorch peer of a
    compiled step with drop path)."""
    config = net.config
    return config.depth if config.family in ("vim", "fastvim") else sum(config.depths)


def save_checkpoint(path: str, named, opt, step: int) -> None:
    tensors = {n: p.detach().numpy().astype(np.float32) for n, p in named}
    state = opt.state
    for n, p in named:
        if p in state and "exp_avg" in state[p]:
            tensors[f"optimizer.exp_avg.{n}"] = state[p]["exp_avg"].numpy().astype(np.float32)
            tensors[f"optimizer.exp_avg_sq.{n}"] = state[p]["exp_avg_sq"].numpy().astype(np.float32)
    _st.save_file(tensors, path, metadata={"step": str(step)})


def load_checkpoint(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, np.ndarray], int]:
    """(parameters, optimizer moments, step) of a checkpoint."""
    tensors, meta = _st.load_file(path, with_metadata=True)
    params = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    moments = {k: v for k, v in tensors.items() if k.startswith("optimizer.")}
    return params, moments, int((meta or {}).get("step", 0))


def plot(path: str, runs: Dict[str, Dict[str, object]]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for name, r in runs.items():
        a.plot(np.arange(1, len(r["losses"]) + 1), r["losses"], label=name, lw=0.8)
        b.plot([c[0] for c in r["curve"]], [c[2] for c in r["curve"]], marker="o", label=name)
    a.set_xlabel("step"); a.set_ylabel("training loss"); a.legend(); a.grid(alpha=0.3)
    b.set_xlabel("epoch"); b.set_ylabel("test accuracy"); b.legend(); b.grid(alpha=0.3)
    fig.suptitle("digits (scikit-learn), " + ", ".join(runs))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m ssmc.train", description=__doc__.split("\n")[0])
    p.add_argument("--model", default="vim-t")
    p.add_argument("--model-option", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--img", type=int, default=16)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--clip-grad", type=float, default=0.0,
                   help="global gradient-norm bound (0: none)")
    p.add_argument("--drop-path", type=float, default=0.0,
                   help="stochastic depth rate (compiled-step engine, and the PyTorch peer)")
    p.add_argument("--engine", choices=("torch", "compiled-step"), default="torch",
                   help="torch: ssmc.torch.Module + torch.optim.AdamW; compiled-step: the fused "
                        "compiled train_step (ssmc.TrainStep)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--out", default="runs/digits")
    p.add_argument("--compare-pytorch", action="store_true")
    args = p.parse_args(argv)
    args.dtype = torch.float32
    # Under torchrun: one process per rank, gloo between CPU processes.
    args.world = int(os.environ.get("WORLD_SIZE", "1"))
    args.rank = 0
    if args.world > 1:
        if args.batch % args.world:
            p.error(f"--batch {args.batch} must be a multiple of the {args.world} ranks")
        if args.compare_pytorch:
            p.error("--compare-pytorch runs in a single process")
        if args.engine == "compiled-step":
            p.error("--engine=compiled-step runs in a single process")
        torch.distributed.init_process_group("gloo")
        args.rank = torch.distributed.get_rank()
    options = {}
    for kv in args.model_option:
        k, _, v = kv.partition("=")
        options[k] = [int(t) for t in v.split(",")] if "," in v else (
            int(v) if v.lstrip("-").isdigit() else v)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    data = digits(args.img, args.seed)

    from . import reference_models as rm  # the initialization and the peer
    ref = rm.build(args.model, img=args.img, classes=10, seed=args.seed, **options)
    init = {k: v.detach().float().numpy().copy() for k, v in ref.state_dict().items()}
    if args.drop_path > 0 and args.engine == "torch":
        p.error("--drop-path needs --engine=compiled-step (the forward entry ssmc.torch.Module "
                "runs is the inference graph)")
    t0 = time.monotonic()
    if args.engine == "compiled-step":
        train_options = dict(label_smoothing=args.label_smoothing,
                             weight_decay=args.weight_decay, max_grad_norm=args.clip_grad,
                             drop_path=args.drop_path)
        blob = _compile(args.model, train=True, img=args.img, classes=10, batch=args.batch,
                        train_options=train_options, return_result=True, **options).data
        step = TrainStep(blob, {k: v.copy() for k, v in init.items()}, seed=args.seed,
                         threads=args.threads, options=train_options)
    else:
        blob = _compile(args.model, gradients=True, img=args.img, classes=10,
                        batch=args.batch // args.world, **options)
    compile_s = time.monotonic() - t0
    if args.rank == 0:
        what = "the fused train step" if args.engine == "compiled-step" else "gradients"
        print(f"{args.model} {options or ''}: {sum(v.size for v in init.values()):,} parameters, "
              f"compiled with {what} in {compile_s:.1f} s; {len(data[0][1])} training / "
              f"{len(data[1][1])} test digits at {args.img}x{args.img}"
              f"{f', {args.world} ranks' if args.world > 1 else ''}", flush=True)
    if args.engine == "compiled-step":
        runs = {"ssmc": train_compiled(step, data, args)}
    else:
        module = Module(blob, weights={k: v.copy() for k, v in init.items()},
                        threads=args.threads)
        named = list(module.named_weights())
        net = (torch.nn.parallel.DistributedDataParallel(module) if args.world > 1 else module)
        runs = {"ssmc": train(net, named, data, args, "ssmc")}
    if args.rank != 0:
        torch.distributed.destroy_process_group()
        return 0
    summary = {"model": args.model, "options": options, "compile_s": compile_s,
               "engine": args.engine,
               "ssmc": {k: v for k, v in runs["ssmc"].items() if k in ("accuracy", "seconds")}}
    if args.compare_pytorch:
        torch.manual_seed(args.seed)
        ref.train()
        runs["pytorch"] = train(ref, list(ref.named_parameters()), data, args, "pytorch")
        first = min(50, len(runs["ssmc"]["losses"]))
        dev = float(np.max(np.abs(np.array(runs["ssmc"]["losses"][:first]) -
                                  np.array(runs["pytorch"]["losses"][:first]))))
        summary["pytorch"] = {k: v for k, v in runs["pytorch"].items()
                              if k in ("accuracy", "seconds")}
        summary["first_50_loss_max_abs_dev"] = dev
    plot(os.path.join(args.out, "curves.png"), runs)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    line = f"ssmc: test accuracy {runs['ssmc']['accuracy']:.4f} in {runs['ssmc']['seconds']:.1f} s"
    if "pytorch" in runs:
        line += (f"; PyTorch reference: {runs['pytorch']['accuracy']:.4f} in "
                 f"{runs['pytorch']['seconds']:.1f} s; first-50-loss max deviation "
                 f"{summary['first_50_loss_max_abs_dev']:.2e}")
    print(line)
    print(f"checkpoint, curves, summary: {args.out}/")
    if args.world > 1:
        torch.distributed.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
