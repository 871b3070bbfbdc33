"""One rank of test_ddp_gloo.py: trains ssmc.torch.Module under
torch.nn.parallel.DistributedDataParallel (gloo) and writes the parameters.

  python3 ddp_worker.py RANK WORLD PORT SETUP.pt OUT.pt

SETUP.pt (torch.save): the compiled module for the per-rank batch, the
initial weights, the global batches (images, labels) of every step, lr.
Rank r takes rows [r * b, (r + 1) * b) of each global batch; rank 0 saves the
parameters after the last step.
"""

import os
import sys

import torch
import torch.distributed as dist

import ssmc.torch as st_torch


def main():
    rank, world, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    setup = torch.load(sys.argv[4])
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = port
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    model = st_torch.Module(setup["blob"], weights=setup["weights"], threads=1)
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=setup["lr"], momentum=0.9)
    b = setup["per_rank"]
    for images, labels in setup["batches"]:
        x, y = images[rank * b:(rank + 1) * b], labels[rank * b:(rank + 1) * b]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(ddp(x), y).backward()
        opt.step()
    if rank == 0:
        torch.save({n: p.detach().clone() for n, p in model.named_weights()}, sys.argv[5])
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
