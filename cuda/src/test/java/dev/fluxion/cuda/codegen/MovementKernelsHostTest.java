package dev.fluxion.cuda.codegen;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * pad, concat, gather and scatter_add as the CUDA backend launches them (pad: a fill then a strided copy into the
 * interior; concat: one strided copy per input into its slice; {@link MovementKernels.CopyPlan} and
 * {@link MovementKernels.AxisLayout} are the backend's own arithmetic), executed on the host against the CPU
 * backend, every dtype, with inputs that are transposed and offset views. Everything is exact.
 */
class MovementKernelsHostTest {

    @Test
    void padAndConcatOfViewsMatchTheCpuInEveryDType() throws Exception {
        Random r = new Random(51);
        HostCheck check = new HostCheck();
        for (DType t : DType.values()) {
            // a transposed view [2,4,3] of a [4,3,2] base, and a view at an offset: rows 1..3 of a [4,4,3] base
            Tensor tBase = HostCheck.base(t, new int[] {4, 3, 2}, r, false, false), transposed = tBase.transpose(2, 0, 1);
            Tensor oBase = HostCheck.base(t, new int[] {2, 5, 3}, r, false, false), offset = ArrayOps.slice(oBase, 1, 1, 3, 1);
            for (double value : new double[] {0, 2.5, Double.NaN, -7})
                pad(check, t, new Op.Pad(new int[] {1, 0, 2}, new int[] {0, 3, 1}, value), transposed, tBase, 0);
            pad(check, t, new Op.Pad(new int[] {0, 1, 0}, new int[] {2, 0, 0}, 1), offset, oBase, offset.offset());
            Tensor contiguous = HostCheck.base(t, new int[] {2, 1, 3}, r, false, false);
            concat(check, t, 1, List.of(transposed, contiguous, offset), List.of(tBase, contiguous, oBase));
            Tensor a = HostCheck.base(t, new int[] {3, 4, 3}, r, false, false);
            concat(check, t, 0, List.of(transposed, a), List.of(tBase, a));
            Tensor b = HostCheck.base(t, new int[] {2, 4, 1}, r, false, false);
            concat(check, t, 2, List.of(b, transposed, b), List.of(b, tBase, b));
        }
        assertEquals(DType.values().length * 8, check.size());
        check.runAndCompare(0, 0);
    }

    @Test
    void smallUploadsCarryTheirBytesInTheLaunchParameters() throws Exception {
        HostCheck check = new HostCheck();
        KernelSource upload = MovementKernels.smallUpload();
        List<Tensor> values = List.of(Tensor.of(new long[] {0x0123456789abcdefL, -2}, 2), Tensor.scalar(-1.5f),
                Tensor.of(new boolean[] {true, false, true}, 3), Tensor.of(new double[] {Math.PI, -0.0, 1e300, 7, 8, 9, 10, 11}, 8));
        for (Tensor v : values) {
            byte[] bytes = HostKernelRunner.input(v).bytes();
            assertTrue(bytes.length <= MovementKernels.SMALL_UPLOAD_BYTES, v.type().toString());
            int[] words = new int[MovementKernels.SMALL_UPLOAD_BYTES / 4];
            java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(bytes, MovementKernels.SMALL_UPLOAD_BYTES)).order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(words);
            check.launches(List.of(upload), "upload " + v.type(), List.of(new HostKernelRunner.Call(upload.name(), List.of(
                    HostKernelRunner.output(v.dtype(), v.size()), new HostKernelRunner.StructArg("FxWords", words),
                    new HostKernelRunner.IntArg(bytes.length)))), v, 0);
        }
        check.runAndCompare(0, 0);
    }

    @Test
    void float32RoundsToBfloat16ToNearestEven() throws Exception {
        float tie = 1 + 0x1p-8f, aboveTie = Math.nextUp(tie), oddTie = 1 + 0x1p-7f + 0x1p-8f;
        float[] x = {0f, -0f, 1f, -2.5f, tie, aboveTie, oddTie, Float.MAX_VALUE, Float.MIN_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7f800001), 3.14159265f, -1e-30f};
        int[] packed = new int[(x.length + 1) / 2];
        for (int i = 0; i < x.length; i++) packed[i / 2] |= bfloat16Bits(x[i]) << (16 * (i % 2));
        HostCheck check = new HostCheck();
        KernelSource k = MovementKernels.toBfloat16();
        check.launches(List.of(k), "to bfloat16", List.of(new HostKernelRunner.Call(k.name(), List.of(new HostKernelRunner.IntArg(x.length),
                HostKernelRunner.input(Tensor.of(x, x.length)), HostKernelRunner.output(DType.INT32, packed.length)))), Tensor.of(packed, packed.length), 0);
        check.runAndCompare(0, 0);
        assertEquals(0x3f80, bfloat16Bits(tie), "a tie rounds to the even neighbour (down)");
        assertEquals(0x3f81, bfloat16Bits(aboveTie));
        assertEquals(0x3f82, bfloat16Bits(oddTie), "a tie rounds to the even neighbour (up)");
    }

    @Test
    void float32RoundsToFloat16AsJavaDoes() throws Exception {
        java.util.Random r = new java.util.Random(12);
        float[] x = new float[4000];
        float[] special = {0f, -0f, 1f, -1f, 65504f, 65519.996f, 65520f, -65520f, 1e5f, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, 0x1p-14f, 0x1.ffcp-15f, 0x1p-24f, 0x1p-25f, 0x1.000002p-25f, 0x1p-26f, 1e-30f,
                Float.MIN_VALUE, 1 + 0x1p-11f, 1 + 0x3p-11f, 2049f, 2051f, 0.1f, 3.14159f};
        for (int i = 0; i < x.length; i++)
            x[i] = i < special.length ? special[i] : switch (i % 4) {
                case 0 -> (float) (r.nextGaussian() * 1e-5); // float16's subnormal range
                case 1 -> (float) (r.nextGaussian() * 3e4);  // near its overflow
                case 2 -> Float.intBitsToFloat(r.nextInt() & 0xbfffffff | 0x30000000); // exponents around float16's
                default -> (float) r.nextGaussian();
            };
        int[] packed = new int[x.length / 2];
        for (int i = 0; i < x.length; i++) packed[i / 2] |= (Float.floatToFloat16(x[i]) & 0xffff) << (16 * (i % 2));
        HostCheck check = new HostCheck();
        KernelSource k = MovementKernels.toFloat16();
        check.launches(List.of(k), "to float16", List.of(new HostKernelRunner.Call(k.name(), List.of(new HostKernelRunner.IntArg(x.length),
                HostKernelRunner.input(Tensor.of(x, x.length)), HostKernelRunner.output(DType.INT32, packed.length)))), Tensor.of(packed, packed.length), 0);
        check.runAndCompare(0, 0);
        assertEquals((short) 0x7bff, Float.floatToFloat16(65519.996f), "just below the tie: the largest float16");
        assertEquals((short) 0x7c00, Float.floatToFloat16(65520f), "the tie rounds to even: infinity");
    }

    /** The reference rounding: nearest, ties to even; NaN keeps its upper bits and becomes quiet. */
    private static int bfloat16Bits(float x) {
        int u = Float.floatToRawIntBits(x);
        if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
        return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    }

    private static void pad(HostCheck check, DType t, Op.Pad op, Tensor view, Tensor base, int viewOffset) {
        Tensor cpu = Dispatcher.apply(op, view);
        KernelSource fill = MovementKernels.fill(t), copy = MovementKernels.stridedCopy(t);
        HostKernelRunner.Buffer out = HostKernelRunner.output(t, cpu.size());
        MovementKernels.CopyPlan plan = MovementKernels.padInterior(view.shape(), view.strides(), cpu.shape(), op.before());
        check.launches(List.of(fill, copy), op + " " + t, List.of(
                new HostKernelRunner.Call(fill.name(), List.of(new HostKernelRunner.IntArg(cpu.size()), out,
                        new HostKernelRunner.ScalarArg(t, MovementKernels.scalarBytes(t, op.value())))),
                copyCall(copy, view.size(), plan, base, viewOffset, out)), cpu, 0);
    }

    private static void concat(HostCheck check, DType t, int axis, List<Tensor> views, List<Tensor> bases) {
        Tensor cpu = Dispatcher.apply(new Op.Concat(axis), views.toArray(Tensor[]::new));
        KernelSource copy = MovementKernels.stridedCopy(t);
        HostKernelRunner.Buffer out = HostKernelRunner.output(t, cpu.size());
        List<HostKernelRunner.Call> calls = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < views.size(); i++) {
            Tensor v = views.get(i);
            calls.add(copyCall(copy, v.size(), MovementKernels.concatPart(v.shape(), v.strides(), cpu.shape(), axis, start), bases.get(i), v.offset(), out));
            start += v.shape()[axis];
        }
        check.launches(List.of(copy), "concat axis " + axis + " " + t, calls, cpu, 0);
    }

    private static HostKernelRunner.Call copyCall(KernelSource copy, int n, MovementKernels.CopyPlan plan, Tensor base, int baseOffset, HostKernelRunner.Buffer out) {
        return new HostKernelRunner.Call(copy.name(), List.of(new HostKernelRunner.IntArg(n), new HostKernelRunner.ShapeArg(plan.plan()),
                new HostKernelRunner.View(HostKernelRunner.input(base), baseOffset), new HostKernelRunner.StridesArg(plan.plan(), 0),
                new HostKernelRunner.View(out, plan.dstOffset()), new HostKernelRunner.StridesArg(plan.plan(), 1)));
    }

    @Test
    void gatherAndScatterAddMatchTheCpuInEveryDTypeAndIndexType() throws Exception {
        Random r = new Random(53);
        HostCheck check = new HostCheck();
        for (DType t : DType.values())
            for (DType index : new DType[] {DType.INT32, DType.INT64}) {
                Tensor params = HostCheck.base(t, new int[] {3, 5, 2}, r, false, false);
                Tensor idx = indices(index, new long[] {4, 0, 4, 2, 1, 4}, 2, 3); // duplicates: scatter_add must accumulate
                for (int axis = 0; axis < 3; axis++) {
                    Tensor clamped = indices(index, clamp(new long[] {4, 0, 4, 2, 1, 4}, params.shape()[axis]), 2, 3);
                    gather(check, t, index, params, clamped, axis);
                }
                // scatter_add is gather's adjoint: updates shaped like gather's output, back into dimSize 5
                Tensor updates = HostCheck.base(t, new int[] {3, 2, 3, 2}, r, false, false);
                scatter(check, t, index, updates, idx, 1, 5);
                Tensor lastAxis = HostCheck.base(t, new int[] {2, 6}, r, false, false);
                scatter(check, t, index, lastAxis, indices(index, new long[] {3, 3, 0, 6, 1, 3}, 6), 1, 7);
            }
        assertEquals(DType.values().length * 2 * 5, check.size());
        check.runAndCompare(0, 0);
    }

    private static void gather(HostCheck check, DType t, DType index, Tensor params, Tensor idx, int axis) {
        Tensor cpu = Dispatcher.apply(new Op.Gather(axis), params, idx);
        KernelSource k = MovementKernels.gather(t, index);
        MovementKernels.AxisLayout l = MovementKernels.AxisLayout.of(params.shape(), axis, idx.size());
        check.launches(List.of(k), "gather axis " + axis + " " + t + " " + index, List.of(new HostKernelRunner.Call(k.name(), List.of(
                HostKernelRunner.input(params), HostKernelRunner.input(idx), HostKernelRunner.output(t, cpu.size()),
                new HostKernelRunner.IntArg(l.outer()), new HostKernelRunner.IntArg(l.dim()), new HostKernelRunner.IntArg(l.count()),
                new HostKernelRunner.IntArg(l.inner())))), cpu, 0);
    }

    private static void scatter(HostCheck check, DType t, DType index, Tensor updates, Tensor idx, int axis, int dimSize) {
        Tensor cpu = Dispatcher.apply(new Op.ScatterAdd(axis, dimSize), updates, idx);
        KernelSource k = MovementKernels.scatterAdd(t, index);
        MovementKernels.AxisLayout l = MovementKernels.AxisLayout.of(cpu.shape(), axis, idx.size());
        assertEquals(updates.size(), l.indexedSize());
        check.launches(List.of(k), "scatter_add axis " + axis + " " + t + " " + index, List.of(new HostKernelRunner.Call(k.name(), List.of(
                HostKernelRunner.input(updates), HostKernelRunner.input(idx), HostKernelRunner.output(t, cpu.size()), // zeroed, as the backend's memset
                new HostKernelRunner.IntArg(l.outer()), new HostKernelRunner.IntArg(l.dim()), new HostKernelRunner.IntArg(l.count()),
                new HostKernelRunner.IntArg(l.inner())))), cpu, 0);
    }

    @Test
    void outOfRangeIndicesGatherZeroAndScatterNothingWhereTheCpuThrows() throws Exception {
        Tensor params = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), idx = Tensor.of(new long[] {2, -1, 3, 0}, 4);
        assertThrows(IllegalArgumentException.class, () -> Dispatcher.apply(new Op.Gather(0), params, idx));
        Tensor updates = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        assertThrows(IllegalArgumentException.class, () -> Dispatcher.apply(new Op.ScatterAdd(0, 3), updates, idx));
        KernelSource gather = MovementKernels.gather(DType.FLOAT32, DType.INT64), scatter = MovementKernels.scatterAdd(DType.FLOAT32, DType.INT64);
        var out = HostKernelRunner.run(List.of(gather, scatter), List.of(
                new HostKernelRunner.Call(gather.name(), List.of(HostKernelRunner.input(params), HostKernelRunner.input(idx),
                        HostKernelRunner.output(DType.FLOAT32, 8), new HostKernelRunner.IntArg(1), new HostKernelRunner.IntArg(3),
                        new HostKernelRunner.IntArg(4), new HostKernelRunner.IntArg(2))),
                new HostKernelRunner.Call(scatter.name(), List.of(HostKernelRunner.input(updates), HostKernelRunner.input(idx),
                        HostKernelRunner.output(DType.FLOAT32, 6), new HostKernelRunner.IntArg(1), new HostKernelRunner.IntArg(3),
                        new HostKernelRunner.IntArg(4), new HostKernelRunner.IntArg(2)))));
        assertArrayEquals(new float[] {5, 6, 0, 0, 0, 0, 1, 2}, HostKernelRunner.tensor(DType.FLOAT32, out.get(0).getFirst(), new int[] {4, 2}).toFloatArray());
        assertArrayEquals(new float[] {7, 8, 0, 0, 1, 2}, HostKernelRunner.tensor(DType.FLOAT32, out.get(1).getFirst(), new int[] {3, 2}).toFloatArray());
    }

    private static Tensor indices(DType index, long[] values, int... shape) {
        Tensor l = Tensor.of(values, shape);
        return index == DType.INT64 ? l : Ops.cast(l, DType.INT32);
    }

    private static long[] clamp(long[] values, int size) {
        long[] c = values.clone();
        for (int i = 0; i < c.length; i++) c[i] = c[i] % size;
        return c;
    }
}
