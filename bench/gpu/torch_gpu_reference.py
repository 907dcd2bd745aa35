#!/usr/bin/env python3
"""PyTorch eager on the GPU for Fluxion's reference workloads, timed the way GpuEpochBench times Fluxion.

Same models as ../shared/bench/torch_baseline.py (batch 128, Adam 1e-3, cross-entropy), synthetic data already on
the GPU, a warm-up of 10 steps, then two rounds of N steps (best kept), synchronizing once per round; prints ms per
epoch (469 steps for mlp and cnn, 391 for seed). Usage: python3 torch_gpu_reference.py [steps]
"""
import sys, time
import torch, torch.nn as nn, torch.nn.functional as F

def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))

def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))

def seed():
    blocks, channels = [], 3
    for filters in (32, 64, 128):
        blocks += [nn.Conv2d(channels, filters, 3, padding=1, bias=False), nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01),
                   nn.ELU(), nn.MaxPool2d(2)]
        channels = filters
    return nn.Sequential(*blocks, nn.Flatten(), nn.Linear(2048, 512), nn.ELU(), nn.Linear(512, 10))

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100
dev = torch.device('cuda')
print('torch', torch.__version__, 'on', torch.cuda.get_device_name(0), '; TF32 matmul:', torch.backends.cuda.matmul.allow_tf32,
      '; TF32 cuDNN convolutions:', torch.backends.cudnn.allow_tf32)
for name, make, shape, epoch_steps in (('mlp', mlp, (1, 28, 28), 469), ('cnn', cnn, (1, 28, 28), 469), ('seed', seed, (3, 32, 32), 391)):
    torch.manual_seed(0)
    model = make().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xs = [torch.rand(128, *shape, device=dev) for _ in range(4)]
    ys = [torch.randint(0, 10, (128,), device=dev) for _ in range(4)]

    def run(n):
        for i in range(n):
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xs[i % 4]), ys[i % 4])
            loss.backward()
            opt.step()
        return loss.item()

    run(10)
    best = float('inf')
    for _ in range(2):
        t0 = time.perf_counter(); run(steps); best = min(best, (time.perf_counter() - t0) / steps)
    print(f'torch eager {name}: {best * 1e3:.3f} ms/step, {best * epoch_steps * 1e3:.0f} ms/epoch')
