package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Collects host runs of generated kernels with the CPU backend's result for the same op and inputs, then runs them
 * all in one g++ program and compares. Inputs are views (transposes, broadcasts) over contiguous bases, passed to
 * the kernels as base buffers plus strides, exactly as the CUDA backend launches them.
 */
public final class HostCheck {
    private final List<KernelSource> kernels = new ArrayList<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private final List<HostKernelRunner.Call> calls = new ArrayList<>();
    private final List<Tensor> expected = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<Double> scales = new ArrayList<>();

    private void kernel(KernelSource k) {
        if (names.add(k.name())) kernels.add(k);
    }

    /** An elementwise kernel on views (view j over contiguous base j at offset 0) against the CPU's result of op. */
    void elementwise(KernelSource k, Op op, Tensor[] views, Tensor[] bases) {
        kernel(k);
        Tensor cpu = Dispatcher.apply(op, views);
        int[][] shapes = new int[views.length][], strides = new int[views.length][];
        for (int j = 0; j < views.length; j++) {
            shapes[j] = views[j].shape();
            strides[j] = views[j].strides();
        }
        IndexPlan plan = IndexPlan.elementwise(cpu.shape(), shapes, strides);
        List<HostKernelRunner.Arg> args = new ArrayList<>(List.of(new HostKernelRunner.IntArg(cpu.size()), new HostKernelRunner.ShapeArg(plan)));
        for (int j = 0; j < views.length; j++) {
            args.add(HostKernelRunner.input(bases[j]));
            args.add(new HostKernelRunner.StridesArg(plan, j));
        }
        args.add(HostKernelRunner.output(cpu.dtype(), cpu.size()));
        add(k.name() + " " + op, args, cpu);
    }

    /** A reduction kernel over axes of a view of {@code base} against the CPU's result of op. */
    void reduce(KernelSource k, Op op, Tensor view, Tensor base, int[] axes) {
        kernel(k);
        Tensor cpu = Dispatcher.apply(op, view);
        ReducePlan plan = ReducePlan.of(view.shape(), view.strides(), axes);
        add(k.name() + " " + op + " of " + view.type(), List.of(HostKernelRunner.input(base), HostKernelRunner.output(cpu.dtype(), cpu.size()),
                new HostKernelRunner.IntArg(plan.outputs()), new HostKernelRunner.IntArg(plan.reducedCount()),
                new HostKernelRunner.ShapeArg(plan.kept()), new HostKernelRunner.StridesArg(plan.kept(), 0),
                new HostKernelRunner.ShapeArg(plan.reduced()), new HostKernelRunner.StridesArg(plan.reduced(), 0)), cpu);
    }

    private void add(String label, List<HostKernelRunner.Arg> args, Tensor cpu) {
        launches(List.of(), label, List.of(new HostKernelRunner.Call(label.substring(0, label.indexOf(' ')), args)), cpu, 0);
    }

    /**
     * Launches in order (sharing buffers where they pass the same {@link HostKernelRunner.Buffer}) whose last call's
     * first output must equal {@code cpu}. Float tolerances are relative to max(|expected|, {@code scale}): a scale
     * such as the result's largest magnitude admits rounding in sums that cancel.
     */
    void launches(List<KernelSource> ks, String label, List<HostKernelRunner.Call> cs, Tensor cpu, double scale) {
        ks.forEach(this::kernel);
        for (int i = 0; i < cs.size(); i++) {
            calls.add(cs.get(i));
            boolean last = i == cs.size() - 1;
            expected.add(last ? cpu : null);
            labels.add(label);
            scales.add(scale);
        }
        checks++;
    }

    private int checks;

    /** Checks registered (a check may take several launches). */
    int size() {
        return checks;
    }

    /** Runs everything; float results within {@code relTol} (NaN matching NaN, infinities exact), others exactly. */
    void runAndCompare(double relTol32, double relTol64) throws Exception {
        List<List<byte[]>> out = HostKernelRunner.run(kernels, calls);
        for (int c = 0; c < calls.size(); c++) {
            Tensor e = expected.get(c);
            if (e == null) continue; // an intermediate launch of a sequence
            double scale = scales.get(c);
            Tensor g = HostKernelRunner.tensor(e.dtype(), out.get(c).getFirst(), e.shape());
            String label = labels.get(c);
            if (e.dtype().isFloating()) {
                double[] ev = e.toDoubleArray(), gv = g.toDoubleArray();
                double tol = e.dtype() == DType.FLOAT32 ? relTol32 : relTol64;
                for (int i = 0; i < ev.length; i++) {
                    if (ev[i] == 0) { // the sign of zero may differ (e.g. erf(-0) is -0 in C, 0 in the CPU's series)
                        assertEquals(0.0, gv[i], tol * scale, label + " at " + i);
                    } else if (Double.isNaN(ev[i]) || Double.isInfinite(ev[i])) {
                        assertEquals(ev[i], gv[i], label + " at " + i); // assertEquals(double) treats NaN as equal to NaN
                    } else {
                        assertEquals(ev[i], gv[i], tol * Math.max(Math.abs(ev[i]), scale), label + " at " + i);
                    }
                }
            } else {
                assertArrayEquals(e.toLongArray(), g.toLongArray(), label);
            }
        }
    }

    // ---- inputs ---------------------------------------------------------------------------------------------------

    private static final double[] FLOAT_SPECIALS = {Double.NaN, 0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5, -1.5,
            2.5, -2.5, 3, -7.25, 1e-3, 100, 1e-30, 3e9, -3e9, 1e20};
    private static final long[] INT_SPECIALS = {0, 1, -1, 2, -7, 13, 100, -100, Integer.MAX_VALUE, Integer.MIN_VALUE, 46341, 65536};

    /** A base tensor with special values first, then random ones; integer divisors can be made nonzero. */
    public static Tensor base(DType t, int[] shape, Random r, boolean nonzero, boolean smallNonNegative) {
        int n = dev.fluxion.Shapes.size(shape);
        return switch (t) {
            case FLOAT32, FLOAT64 -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = i < FLOAT_SPECIALS.length && !smallNonNegative ? FLOAT_SPECIALS[(i + (nonzero ? 3 : 0)) % FLOAT_SPECIALS.length]
                        : smallNonNegative ? r.nextInt(4) * 0.5 : r.nextGaussian() * 3;
                yield t == DType.FLOAT64 ? Tensor.of(v, shape) : dev.fluxion.Ops.cast(Tensor.of(v, shape), DType.FLOAT32);
            }
            case INT32, INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = smallNonNegative ? r.nextInt(6) : i < INT_SPECIALS.length ? INT_SPECIALS[i] : r.nextInt(2001) - 1000;
                    if (nonzero && v[i] == 0) v[i] = 3;
                }
                Tensor l = Tensor.of(v, shape);
                yield t == DType.INT64 ? l : dev.fluxion.Ops.cast(l, DType.INT32);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = r.nextBoolean();
                yield Tensor.of(v, shape);
            }
        };
    }
}
