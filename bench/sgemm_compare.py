#!/usr/bin/python3
"""Fluxion sgemm vs numpy/OpenBLAS, interleaved on the same machine (it is shared and noisy: only ratios taken side
by side hold). Each round runs, per thread count, MatmulBench's sgemm shapes in a fresh JVM and then the same shapes
with numpy in a fresh Python; the table gives medians over the rounds and the median of the per-round ratios.

Usage (after `mvn -o -q install -DskipTests`): /usr/bin/python3 bench/sgemm_compare.py [rounds] [threads...]
To compare builds of Fluxion in the same rounds: FLUXION_CPS="old=CLASSPATH,new=CLASSPATH" (one column each).
The numpy side alone: /usr/bin/python3 bench/sgemm_compare.py --numpy THREADS SHAPE...
numpy's N^3 product repeated for SECONDS, GFLOP/s per 0.3 s (whether speed holds steady during a run; Fluxion's
counterpart is SgemmPartsBench series): /usr/bin/python3 bench/sgemm_compare.py --series N SECONDS
OpenBLAS releases older than a CPU model fall back to their AVX2 kernels on it (Debian 12's 0.3.21 does on Zen 5): the
header names the kernels in use, and OPENBLAS_CORETYPE=SkylakeX selects the AVX-512 ones."""
import os, statistics, subprocess, sys, time

JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
# FLUXION_CP: a private copy of the classes, so that a concurrent build cannot swap them mid-run
CP = os.environ.get("FLUXION_CP", "core/target/classes:bench/target/classes")
VARIANTS = [v.split("=", 1) for v in os.environ["FLUXION_CPS"].split(",")] if "FLUXION_CPS" in os.environ \
    else [["Fluxion", CP]]


def numpy_child(shapes):
    import numpy as np
    for shape in shapes:
        f = shape.replace("x", " ").split()
        m, k, n = int(f[0]), int(f[1]), int(f[2])
        ta, tb = len(f) > 3 and f[3][0] == "T", len(f) > 3 and f[3][1] == "T"
        a = np.random.rand(*((k, m) if ta else (m, k))).astype(np.float32)
        b = np.random.rand(*((n, k) if tb else (k, n))).astype(np.float32)
        x, y = (a.T if ta else a), (b.T if tb else b)
        c = np.empty((m, n), np.float32)
        np.matmul(x, y, out=c)
        per = 2.0 * m * n * k
        t0, calls = time.perf_counter(), 0
        while time.perf_counter() - t0 < WARM or calls < 3:  # warm-up, as MatmulBench's
            np.matmul(x, y, out=c); calls += 1
        reps = max(1, int(RUN / ((time.perf_counter() - t0) / calls)))
        g, cpu = [], []
        for _ in range(RUNS):
            t0, c0 = time.perf_counter(), time.thread_time()
            for _ in range(reps): np.matmul(x, y, out=c)
            g.append(per * reps / (time.perf_counter() - t0) / 1e9)
            cpu.append(per * reps / max(1e-9, time.thread_time() - c0) / 1e9)
        print(f"RESULT\tsgemm {shape}\t{statistics.median(g):.2f}\t{max(g):.2f}\t{statistics.median(cpu):.2f}",
              flush=True)


# MatmulBench's timing (full mode: the JIT needs seconds of warm-up on a loaded machine)
WARM, RUN, RUNS = 3.0, 0.3, 9


def run(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    out = p.stdout
    # wall-clock median, and the median over the calling thread's CPU time (meaningful on one thread only)
    return {l.split("\t")[1]: (float(l.split("\t")[2]), float(l.split("\t")[4]))
            for l in out.splitlines() if l.startswith("RESULT\t")}


def check_blas():
    """Stops before the rounds if numpy's sgemm is the reference BLAS (a few GFLOP/s): every ratio would be void."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    gflops = run([sys.executable, __file__, "--numpy", "1", "256x256x256"], env)["sgemm 256x256x256"][0]
    if gflops < 10:
        sys.exit(f"numpy's sgemm runs at {gflops:.1f} GFLOP/s on one thread: libblas.so.3 is probably the reference "
                 "BLAS. Install libopenblas0-pthread (see the README's Benchmarks section) and run again.")


def openblas_core():
    """The kernel family OpenBLAS picked (it prints it when OPENBLAS_VERBOSE=2), or None."""
    p = subprocess.run([sys.executable, "-c", "import numpy; numpy.ones((2, 2), numpy.float32) @ numpy.ones((2, 2), numpy.float32)"],
                       env=dict(os.environ, OPENBLAS_VERBOSE="2"), capture_output=True, text=True)
    for line in (p.stdout + p.stderr).splitlines():
        if line.startswith("Core: "): return line[len("Core: "):].strip()
    return None


def main():
    check_blas()
    core = openblas_core()
    print(f"OpenBLAS kernels: {core or 'unknown'}", file=sys.stderr)
    if core in ("Haswell", "Zen", "Sandybridge") and " avx512f" in open("/proc/cpuinfo").read():
        # OpenBLAS builds that predate a CPU model fall back to their AVX2 kernels: the ratio would flatter Fluxion
        print(f"warning: this CPU has AVX-512 but OpenBLAS chose its {core} (AVX2) kernels; for the fair reference run "
              "again with OPENBLAS_CORETYPE=SkylakeX", file=sys.stderr)
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    threads = [int(t) for t in sys.argv[2:]] or [1, 2]
    shapes = None
    res = {}  # (variant, shape, threads) -> GFLOP/s per round; variant "OpenBLAS" is numpy
    for r in range(rounds):
        for t in threads:
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t))
            for name, cp in VARIANTS:
                f = run([JAVA, "--add-modules", "jdk.incubator.vector", f"-Dfluxion.threads={t}", "-cp", cp,
                         "dev.fluxion.bench.MatmulBench", "--child", "sgemm"], env)
                shapes = shapes or list(f)
                for s in shapes: res.setdefault((name, s, t), []).append(f[s])
            o = run([sys.executable, __file__, "--numpy", str(t)] + [s[len("sgemm "):] for s in shapes], env)
            for s in shapes: res.setdefault(("OpenBLAS", s, t), []).append(o[s])
        print(f"round {r + 1}/{rounds} done, load average {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
    import numpy
    names = [v[0] for v in VARIANTS]
    print(f"{open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}, "
          f"{os.cpu_count()} cores; numpy {numpy.__version__}, OpenBLAS kernels {core or 'unknown'}; {rounds} rounds. GFLOP/s: median over rounds of each "
          f"run's median; ratio: median over rounds of Fluxion / OpenBLAS in the same round; cpu: the same over the "
          f"calling thread's CPU time (1 thread only: it leaves out the time other processes held the core)")
    print("| shape | threads | " + " | ".join(names) + " | OpenBLAS | "
          + " | ".join(f"ratio{'' if len(names) == 1 else ' ' + n}" for n in names) + " | "
          + " | ".join(f"cpu ratio{'' if len(names) == 1 else ' ' + n}" for n in names) + " |")
    print("|---|---|" + "---|" * (3 * len(names) + 1))
    med = statistics.median
    for s in shapes:
        for t in threads:
            rf = res[("OpenBLAS", s, t)]
            cells = [f"{med(w for w, _ in res[(n, s, t)]):.1f}" for n in names] + [f"{med(w for w, _ in rf):.1f}"]
            cells += [f"{med(a[0] / b[0] for a, b in zip(res[(n, s, t)], rf)):.2f}" for n in names]
            cells += [f"{med(a[1] / b[1] for a, b in zip(res[(n, s, t)], rf)):.2f}" if t == 1 else "" for n in names]
            print(f"| {s[len('sgemm '):]} | {t} | " + " | ".join(cells) + " |")


def numpy_series(n, seconds):
    import numpy as np
    a, b = np.random.rand(n, n).astype(np.float32), np.random.rand(n, n).astype(np.float32)
    c = np.empty((n, n), np.float32)
    end, out = time.time() + seconds, []
    while time.time() < end:
        t0, reps = time.perf_counter(), 0
        while True:
            np.matmul(a, b, out=c); reps += 1
            if time.perf_counter() - t0 >= 0.3: break
        out.append(2.0 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9)
    print(f"{n}^3, GFLOP/s per 0.3 s: " + " ".join(f"{g:.0f}" for g in out))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--numpy":
        numpy_child(sys.argv[3:])
    elif len(sys.argv) > 3 and sys.argv[1] == "--series":
        numpy_series(int(sys.argv[2]), float(sys.argv[3]))
    else:
        main()
