#!/usr/bin/env python3
"""Peak memory of a training step's gradient entry, from the static plan.

Compiles each -T model with its gradient (`ssm-compile --grad`, batch 128,
224 x 224 by default) under both memory policies (`--grad-memory=recompute`,
the default, and `keep`) and reads the runtime's static memory plan of
`forward_grad` (ssmc.Module.memory_plan: the outputs plus the workspace every
intermediate is placed in by live range). That plan is what the entry
allocates on any device: it is computed from the compiled schedule, so the
CPU build gives the same bytes a GPU build plans (the GPU pipeline bufferizes
and plans the same tensor program). Parameters, their gradients (outputs)
and the inputs are added to compare with the official training runs' peak
(which also hold AdamW's two moments per parameter).

  /usr/bin/python3 bench/train_memory.py [--models vim-t,fastvim-t] [--markdown]

With --train, the fused train step instead (`ssm-compile --train
--train-option=max_grad_norm=1.0 --target=nvptx`, as the GPU runs it; the plan
is read without a device through ssmc.module_info): the plan (arena + the
updated parameters and moments), the inputs it reads, and their sum.

  /usr/bin/python3 bench/train_memory.py --train [--models vmamba-t] [--policies recompute]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import ssmc  # noqa: E402

# The official implementations' peak training memory on an H100 at batch 128,
# 224 x 224 (the numbers), GiB, and their precision.
OFFICIAL = {"vim-t": (8.4, "f32"), "vmamba-t": (12.4, "bf16 AMP"), "fastvim-t": (10.0, "f32")}


def plan_gib(model, batch, img, policy, workdir):
    path = os.path.join(workdir, f"{model}-{policy}.ssmb")
    start = time.time()
    subprocess.run([os.path.join(ROOT, "build", "bin", "ssm-compile"), f"--model={model}",
                    f"--batch={batch}", f"--img={img}", "--dtype=f32", "--target=cpu",
                    "--grad", f"--grad-memory={policy}", "-o", path], check=True)
    compile_s = time.time() - start
    module = ssmc.load(path)
    plan = module.memory_plan("forward_grad")
    inputs = sum(s.nbytes for s in module.signature["forward_grad"].inputs)
    return plan.peak_bytes / 2**30, inputs / 2**30, compile_s


def train_plan_gib(model, batch, img, policy, workdir):
    path = os.path.join(workdir, f"{model}-{policy}-train.ssmb")
    subprocess.run([os.path.join(ROOT, "build", "bin", "ssm-compile"), f"--model={model}",
                    f"--batch={batch}", f"--img={img}", "--dtype=f32", "--target=nvptx",
                    "--train", "--train-option=max_grad_norm=1.0", f"--grad-memory={policy}",
                    "-o", path], check=True)
    info = ssmc.module_info(path)
    plan = info["memory_plans"]["train_step"]
    [sig] = [f for f in info["functions"] if f.name == "train_step"]
    inputs = sum(s.nbytes for s in sig.inputs)
    return plan.arena_bytes / 2**30, plan.peak_bytes / 2**30, inputs / 2**30


def train_main(args):
    print(f"| model (f32, batch {args.batch}, {args.img}x{args.img}, train step, nvptx) | policy | "
          "arena | plan peak | + inputs = total | official peak (H100) |")
    print("|---|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as workdir:
        for model in args.models.split(","):
            official, precision = OFFICIAL.get(model, (float("nan"), "?"))
            for policy in args.policies.split(","):
                arena, peak, inputs = train_plan_gib(model, args.batch, args.img, policy, workdir)
                print(f"| {model} | {policy} | {arena:.2f} GiB | {peak:.2f} GiB | "
                      f"{peak + inputs:.2f} GiB | {official} GiB ({precision}) |", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="vim-t,vmamba-t,fastvim-t")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--img", type=int, default=224)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--train", action="store_true",
                        help="the fused train step for nvptx (a markdown table)")
    parser.add_argument("--policies", default="recompute,keep",
                        help="with --train: the --grad-memory policies to compile")
    args = parser.parse_args()
    if args.train:
        return train_main(args)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for model in args.models.split(","):
            keep, inputs, _ = plan_gib(model, args.batch, args.img, "keep", workdir)
            recompute, _, compile_s = plan_gib(model, args.batch, args.img, "recompute", workdir)
            official = OFFICIAL.get(model, (float("nan"), "?"))
            rows.append((model, keep, recompute, inputs, official, compile_s))
            print(f"{model}: plan keep {keep:.2f} GiB, recompute {recompute:.2f} GiB, "
                  f"inputs {inputs:.2f} GiB", flush=True)
    if args.markdown:
        print("\n| model (f32, batch %d, %dx%d) | plan, keep every value | plan, recompute "
              "(default) | + inputs (images, weights, result adjoints) | + AdamW moments | "
              "total | official peak (H100) |" % (args.batch, args.img, args.img))
        print("|---|---:|---:|---:|---:|---:|---|")
        for model, keep, recompute, inputs, (official, precision), _ in rows:
            # Parameters: every input but the image and the logits' adjoint.
            image = args.batch * 3 * args.img * args.img * 4 / 2**30
            logits = args.batch * 1000 * 4 / 2**30
            moments = 2 * (inputs - image - logits)
            total = recompute + inputs + moments
            print(f"| {model} | {keep:.2f} GiB | {recompute:.2f} GiB | {inputs:.2f} GiB | "
                  f"{moments:.2f} GiB | {total:.2f} GiB | {official} GiB ({precision}) |")


if __name__ == "__main__":
    main()
