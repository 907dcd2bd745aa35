#!/usr/bin/python3
"""PyTorch's side of ElementwiseBench: microseconds per call of the same eager ops on float32 tensors of the same
sizes. Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_elementwise.py [threads]
Prints lines "RESULT<TAB>op size<TAB>microseconds"."""
import sys, time
import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
SIZES = [1 << 10, 1 << 16, 1 << 20, 1 << 24]
OPS = {
    "add": lambda a, b: a + b,
    "mul_scalar": lambda a, b: a * 1.5,
    "exp": lambda a, b: torch.exp(a),
    "relu": lambda a, b: torch.relu(a),
    "sum": lambda a, b: a.sum(),
}
for n in SIZES:
    a, b = torch.rand(n), torch.rand(n)
    for name, f in OPS.items():
        for _ in range(3):
            f(a, b)
        reps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 0.05:
            f(a, b); reps += 1
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(reps): f(a, b)
            best = min(best, (time.perf_counter() - t0) / reps)
        print(f"RESULT\t{name} {n}\t{best * 1e6:.3f}", flush=True)
