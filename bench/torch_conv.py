#!/usr/bin/python3
"""PyTorch's conv2d speed on the shapes of Fluxion's ConvBench (batch 128, 3x3 filters), for comparison.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_conv.py [--threads 2] [--quick]
Prints one line per shape and direction: "RESULT<TAB>name<TAB>median GFLOP/s<TAB>best GFLOP/s<TAB>memory format",
the best of NCHW and channels-last memory formats (PyTorch picks its kernel per format), timed with the same
warm-up / repeat scheme and clock as ConvBench (one thread: thread CPU time; two: wall time). Gradients come
from aten.convolution_backward with one output mask bit, so each direction is timed alone.
"""
import argparse, statistics, time
import torch

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=2)
p.add_argument('--quick', action='store_true')
a = p.parse_args()
torch.set_num_threads(a.threads)

# name, n, h, w, c, o, padding (1 = same, 0 = valid), stride
SHAPES = [
    ("CIFAR conv 32x32x3->32 same", 128, 32, 32, 3, 32, 1, 1),
    ("CIFAR conv 16x16x32->64 same", 128, 16, 16, 32, 64, 1, 1),
    ("CIFAR conv 8x8x64->128 same", 128, 8, 8, 64, 128, 1, 1),
    ("MNIST conv 28x28x1->32 valid", 128, 28, 28, 1, 32, 0, 1),
    ("MNIST conv 13x13x32->64 valid", 128, 13, 13, 32, 64, 0, 1),
    ("stride 2 conv 32x32x32->64 same", 128, 32, 32, 32, 64, 1, 2),
]


# one thread: this thread's CPU time (other processes on a shared machine barely disturb it), as ConvBench does
clock = time.thread_time if a.threads == 1 else time.perf_counter


def timed(fn, flops):
    warm, run, runs = (0.5, 0.1, 5) if a.quick else (1.5, 0.3, 7)
    t_end, calls, t0 = clock() + warm, 0, clock()
    while clock() < t_end or calls < 3:
        fn(); calls += 1
    reps = max(1, int(run / ((clock() - t0) / calls)))
    rates = []
    for _ in range(runs):
        s = clock()
        for _ in range(reps): fn()
        rates.append(flops * reps / (clock() - s) / 1e9)
    return statistics.median(rates), max(rates)


with torch.no_grad():
    for name, n, h, w, c, o, pad, stride in SHAPES:
        oh = (h + 2 * pad - 3) // stride + 1; ow = (w + 2 * pad - 3) // stride + 1
        flops = 2.0 * n * oh * ow * 9 * c * o
        best = {}
        for fmt_name, fmt in (("nchw", torch.contiguous_format), ("channels_last", torch.channels_last)):
            x = torch.rand(n, c, h, w).to(memory_format=fmt)
            wt = (torch.rand(o, c, 3, 3) - 0.5).to(memory_format=fmt)
            dy = torch.rand(n, o, oh, ow).to(memory_format=fmt)
            conv = lambda: torch.nn.functional.conv2d(x, wt, None, stride, pad)
            bwd = lambda mask: torch.ops.aten.convolution_backward(dy, x, wt, None, [stride, stride], [pad, pad],
                                                                 [1, 1], False, [0, 0], 1, mask)
            for direction, fn in (("forward", conv), ("backprop input", lambda: bwd([True, False, False])),
                                  ("backprop filter", lambda: bwd([False, True, False]))):
                med, top = timed(fn, flops)
                if direction not in best or med > best[direction][0]:
                    best[direction] = (med, top, fmt_name)
        for direction, (med, top, fmt_name) in best.items():
            print(f"RESULT\t{name} {direction}\t{med:.2f}\t{top:.2f}\t{fmt_name}", flush=True)
