package dev.fluxion.opdb;

import dev.fluxion.NnOps;
import dev.fluxion.NnOps.Padding;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Args;
import dev.fluxion.opdb.OpInfo.Builder;
import dev.fluxion.opdb.OpInfo.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

import static dev.fluxion.DType.*;
import static dev.fluxion.opdb.OpInfo.Input.f;
import static dev.fluxion.opdb.OpInfo.Layout.*;
import static dev.fluxion.opdb.OpInfo.op;
import static dev.fluxion.opdb.Samples.s;

/** Matrix products, convolution, pooling, softmax and the activations of NnOps. */
final class NnOpsDb {
    private NnOpsDb() {}

    static List<OpInfo> ops() {
        Gen g = new Gen("nn");
        List<OpInfo> ops = new ArrayList<>();
        ops.add(matmul(g));
        ops.add(matmulFlags(g));
        ops.add(conv2d(g));
        ops.add(pool(g, true));
        ops.add(pool(g, false));
        ops.add(softmax(g, false));
        ops.add(softmax(g, true));
        activations(ops, g);
        return ops;
    }

    private static Tensor ints(int... shape) {
        return Tensor.zeros(INT32, shape);
    }

    // ------------------------------------------------------------------ matmul

    // float32 tolerances of matmul and conv2d: dot products of up to 300 terms accumulate rounding (blocked and
    // vectorized in a different order than the reference): the error grows like eps * sum|a*b| (about 3e-5 for
    // k = 300 and |x| < 2.5), hence rtol 1e-4 / atol 1e-4 instead of 1e-5 / 1e-6

    private static OpInfo matmul(Gen g) {
        return op("matmul", "linalg").fn1((in, a) -> Ops.matmul(in[0], in[1])).ref1((in, a) -> Ref.matmul(in[0], in[1]))
                .sample("2-d", f(g.any(2, 3)), f(g.any(3, 4)))
                .sample("prime inner dimension", f(g.any(3, 7)), f(g.any(7, 2)))
                .sample("batched", f(g.any(2, 3, 4)), f(g.any(2, 4, 2)))
                .sample("broadcast batch", f(g.any(2, 1, 2, 3)), f(g.any(3, 3, 2)))
                .sample("matrix times batch", f(g.any(3, 4)), f(g.any(2, 4, 2)))
                .sample("vector times matrix", f(g.any(3)), f(g.any(3, 4)))
                .sample("matrix times vector", f(g.any(2, 3)), f(g.any(3)))
                .sample("vector times vector", f(g.any(5)), f(g.any(5)))
                .sample("batch times vector", f(g.any(2, 2, 3)), f(g.any(3)))
                .sample("vector times batch", f(g.any(3)), f(g.any(2, 3, 4)))
                .sample("transposed and strided views", f(g.any(3, 4), TRANSPOSED), f(g.any(4, 2), STRIDED))
                .sample("reversed and transposed views", f(g.any(4, 3), REVERSED), f(g.any(3, 3), TRANSPOSED))
                .sample("batched transposed views", f(g.any(2, 3, 2), TRANSPOSED), f(g.any(2, 2, 4), TRANSPOSED))
                .sample("empty rows", f(g.any(0, 3)), f(g.any(3, 4)))
                .sample("inner dimension 0", f(g.any(2, 0)), f(g.any(0, 3)))
                .sample("empty batch", f(g.any(0, 2, 3)), f(g.any(3, 2)))
                .sample("13x7 by 7x5", f(g.any(13, 7)), f(g.any(7, 5)))
                .sample("17x33 by 33x19", f(g.any(17, 33)), f(g.any(33, 19)))
                .sample("batched 3x9x16 by 16x11, views", f(g.any(3, 9, 16), TRANSPOSED), f(g.any(16, 11), STRIDED))
                .sample(Sample.of("broadcast (stride 0) rows", Args.NONE, f(Samples.repeated(g::any, 3, 4), EXPANDED), f(g.any(4, 2))).forwardOnly())
                .sample(Sample.of("broadcast (stride 0) batch", Args.NONE, f(g.any(1, 3, 4).broadcastTo(2, 3, 4), EXPANDED), f(g.any(2, 4, 5), TRANSPOSED)).forwardOnly())
                .sample("rank 5 batch broadcast", f(g.any(2, 1, 1, 2, 3)), f(g.any(1, 2, 3, 2)))
                // past the GEMM blocking (k > 256, n > 1024, m not a multiple of the register tile)
                .sample("67x300 by 300x1031", f(g.any(67, 300)), f(g.any(300, 1031)))
                .sample("batched 3x37x41 by 41x53, broadcast", f(g.any(3, 37, 41)), f(g.any(41, 53), TRANSPOSED))
                .tol32(1e-4, 1e-4).secondOrder()
                .iae("inner dimensions differ", "^matmul: cannot multiply \\[128,784\\] by \\[128,10\\]: inner dimensions 784 and 128 differ",
                        () -> Ops.matmul(Tensor.zeros(128, 784), Tensor.zeros(128, 10)))
                .iae("vector lengths differ", "^matmul: cannot multiply \\[3\\] by \\[4\\]", () -> Ops.matmul(Tensor.zeros(3), Tensor.zeros(4)))
                .iae("dtypes differ", "^matmul: dtypes differ", () -> Ops.matmul(Tensor.zeros(2, 3), Tensor.zeros(FLOAT64, 3, 2)))
                .iae("int32 inputs", "^matmul: needs float32 or float64 inputs, got int32", () -> Ops.matmul(ints(2, 3), ints(3, 2)))
                .iae("0-d input", "^matmul: cannot multiply \\[\\] by \\[3\\]: scalars are not matrices", () -> Ops.matmul(Tensor.scalar(1f), Tensor.zeros(3)))
                .iae("batch dimensions do not broadcast", "^matmul: cannot broadcast shapes \\[2\\] and \\[3\\]",
                        () -> Ops.matmul(Tensor.zeros(2, 3, 4), Tensor.zeros(3, 4, 5)))
                .build();
    }

    private static Args flags(boolean ta, boolean tb) {
        return Args.of("ta", ta, "tb", tb);
    }

    private static OpInfo matmulFlags(Gen g) {
        return op("matmul (transpose flags)", "linalg").errorName("matmul")
                .fn1((in, a) -> Ops.matmul(in[0], in[1], a.b("ta"), a.b("tb")))
                .ref1((in, a) -> Ref.matmul(in[0], in[1], a.b("ta"), a.b("tb")))
                .sample("no flags", flags(false, false), f(g.any(2, 3)), f(g.any(3, 4)))
                .sample("transpose b", flags(false, true), f(g.any(2, 3)), f(g.any(4, 3)))
                .sample("transpose a", flags(true, false), f(g.any(3, 2)), f(g.any(3, 4)))
                .sample("transpose both", flags(true, true), f(g.any(3, 2)), f(g.any(4, 3)))
                .sample("batched, transpose both", flags(true, true), f(g.any(2, 3, 2)), f(g.any(2, 4, 3)))
                .sample("broadcast batch, transpose b", flags(false, true), f(g.any(2, 2, 3)), f(g.any(4, 3)))
                .sample("broadcast batch, transpose a", flags(true, false), f(g.any(3, 2)), f(g.any(2, 3, 3)))
                .sample("transposed view with flag", flags(true, false), f(g.any(3, 2), TRANSPOSED), f(g.any(3, 4), STRIDED))
                .sample("views, transpose b", flags(false, true), f(g.any(2, 5), REVERSED), f(g.any(3, 5), TRANSPOSED))
                .sample("inner dimension 0", flags(true, false), f(g.any(0, 2)), f(g.any(0, 3)))
                .sample("empty rows", flags(false, true), f(g.any(0, 3)), f(g.any(4, 3)))
                .sample("33x17ᵀ by 19x33ᵀ", flags(true, true), f(g.any(33, 17)), f(g.any(19, 33)))
                .sample("batched 2x16x9ᵀ by 16x13", flags(true, false), f(g.any(2, 16, 9), STRIDED), f(g.any(16, 13)))
                .sample("300x67ᵀ by 1031x300ᵀ", flags(true, true), f(g.any(300, 67)), f(g.any(1031, 300)))
                .sample("70x260 by 129x260ᵀ", flags(false, true), f(g.any(70, 260)), f(g.any(129, 260)))
                .tol32(1e-4, 1e-4).secondOrder()
                .iae("inner dimensions differ", "^matmul: cannot multiply \\[3,4\\]ᵀ by \\[4,5\\]: inner dimensions 3 and 4 differ",
                        () -> Ops.matmul(Tensor.zeros(3, 4), Tensor.zeros(4, 5), true, false))
                .iae("rank 1", "^matmul: needs inputs of rank >= 2, got \\[3\\] and \\[3,4\\]", () -> Ops.matmul(Tensor.zeros(3), Tensor.zeros(3, 4), false, false))
                .build();
    }

    // ------------------------------------------------------------------ conv2d and pooling

    private static Args conv(int sh, int sw, boolean same, int dh, int dw) {
        return Args.of("sh", sh, "sw", sw, "same", same, "dh", dh, "dw", dw);
    }

    private static Padding padding(Args a) {
        return a.b("same") ? Padding.SAME : Padding.VALID;
    }

    private static OpInfo conv2d(Gen g) {
        return op("conv2d", "nn")
                .fn1((in, a) -> NnOps.conv2d(in[0], in[1], a.i("sh"), a.i("sw"), padding(a), a.i("dh"), a.i("dw")))
                .ref1((in, a) -> Ref.conv2d(in[0], in[1], a.i("sh"), a.i("sw"), a.b("same"), a.i("dh"), a.i("dw")))
                .sample("valid, 1 channel", conv(1, 1, false, 1, 1), f(g.any(1, 5, 5, 1)), f(g.any(3, 3, 1, 1)))
                .sample("same, 2 channels in and out", conv(1, 1, true, 1, 1), f(g.any(1, 4, 4, 2)), f(g.any(3, 3, 2, 2)))
                .sample("stride 2, same", conv(2, 2, true, 1, 1), f(g.any(1, 5, 5, 1)), f(g.any(3, 3, 1, 2)))
                .sample("stride 2, valid, batch 2", conv(2, 2, false, 1, 1), f(g.any(2, 4, 5, 1)), f(g.any(2, 2, 1, 1)))
                .sample("dilation 2, valid", conv(1, 1, false, 2, 2), f(g.any(1, 6, 6, 1)), f(g.any(2, 2, 1, 2)))
                .sample("dilation 2, same", conv(1, 1, true, 2, 2), f(g.any(1, 5, 5, 1)), f(g.any(3, 3, 1, 1)))
                .sample("even kernel, same (asymmetric padding)", conv(1, 1, true, 1, 1), f(g.any(1, 6, 5, 1)), f(g.any(2, 2, 1, 1)))
                .sample("1x3 kernel, strides 1x2, same", conv(1, 2, true, 1, 1), f(g.any(1, 3, 7, 1)), f(g.any(1, 3, 1, 2)))
                .sample("1x1 kernel, 3 channels", conv(1, 1, false, 1, 1), f(g.any(1, 3, 3, 3)), f(g.any(1, 1, 3, 2)))
                .sample("stride 3, same", conv(3, 3, true, 1, 1), f(g.any(1, 7, 5, 1)), f(g.any(3, 3, 1, 1)))
                .sample("filter larger than input, same", conv(1, 1, true, 1, 1), f(g.any(1, 2, 2, 1)), f(g.any(3, 3, 1, 1)))
                .sample("empty batch", conv(1, 1, false, 1, 1), f(g.any(0, 4, 4, 1)), f(g.any(3, 3, 1, 1)))
                .sample("transposed and strided views", conv(1, 1, true, 1, 1), f(g.any(1, 4, 4, 2), TRANSPOSED), f(g.any(3, 3, 2, 1), STRIDED))
                .sample("reversed view, stride 2 valid", conv(2, 1, false, 1, 1), f(g.any(2, 5, 3, 1), REVERSED), f(g.any(2, 2, 1, 1)))
                .sample("primes 13x7, 3 to 4 channels", conv(1, 1, true, 1, 1), f(g.any(2, 13, 7, 3)), f(g.any(3, 3, 3, 4)))
                .sample("11x11x5 to 7, stride 2, dilation 2", conv(2, 2, false, 2, 2), f(g.any(2, 11, 11, 5)), f(g.any(3, 3, 5, 7)))
                .sample("9x10x6 to 5, stride 2 same, view", conv(2, 2, true, 1, 1), f(g.any(1, 9, 10, 6), TRANSPOSED), f(g.any(3, 3, 6, 5)))
                .sample(Sample.of("broadcast (stride 0) batch", conv(1, 1, true, 1, 1), f(g.any(1, 4, 4, 2).broadcastTo(3, 4, 4, 2), EXPANDED), f(g.any(3, 3, 2, 2))).forwardOnly())
                .sample("first layer: 11x9x1 to 16, valid (direct kernels)", conv(1, 1, false, 1, 1), f(g.any(2, 11, 9, 1)), f(g.any(3, 3, 1, 16)))
                .sample("first layer: 7x9x3 to 16, same (direct kernels)", conv(1, 1, true, 1, 1), f(g.any(1, 7, 9, 3)), f(g.any(3, 3, 3, 16)))
                .sample("first layer: 9x7x2 to 16, stride 2 same", conv(2, 2, true, 1, 1), f(g.any(1, 9, 7, 2)), f(g.any(3, 3, 2, 16)))
                .sample("large 2x33x35x17 to 19, same", conv(1, 1, true, 1, 1), f(g.any(2, 33, 35, 17)), f(g.any(3, 3, 17, 19)))
                .sample("large 1x40x37x8 to 16, 5x5 stride 2 dilation 2 same", conv(2, 2, true, 2, 2), f(g.any(1, 40, 37, 8)), f(g.any(5, 5, 8, 16)))
                .tol32(1e-4, 1e-4).secondOrder()
                .iae("channel mismatch", "^conv2d: input \\[1,5,5,3\\] has 3 channels but filter \\[3,3,2,4\\] expects 2",
                        () -> NnOps.conv2d(Tensor.zeros(1, 5, 5, 3), Tensor.zeros(3, 3, 2, 4), Padding.SAME))
                .iae("rank 3 input", "^conv2d: needs input NHWC and filter HWIO of rank 4, got \\[5,5,1\\] and \\[3,3,1,1\\]",
                        () -> NnOps.conv2d(Tensor.zeros(5, 5, 1), Tensor.zeros(3, 3, 1, 1), Padding.VALID))
                .iae("filter does not fit", "^conv2d: filter \\[3,3,1,1\\] does not fit input \\[1,2,2,1\\]",
                        () -> NnOps.conv2d(Tensor.zeros(1, 2, 2, 1), Tensor.zeros(3, 3, 1, 1), Padding.VALID))
                .iae("int32 inputs", "^conv2d: needs float32 or float64, got int32",
                        () -> NnOps.conv2d(ints(1, 3, 3, 1), ints(2, 2, 1, 1), Padding.VALID))
                .iae("dtypes differ", "^conv2d: dtypes differ",
                        () -> NnOps.conv2d(Tensor.zeros(1, 3, 3, 1), Tensor.zeros(FLOAT64, 2, 2, 1, 1), Padding.VALID))
                .iae("stride 0", "^conv2d: .*strides must be positive",
                        () -> NnOps.conv2d(Tensor.zeros(1, 3, 3, 1), Tensor.zeros(2, 2, 1, 1), 0, 1, Padding.VALID, 1, 1))
                .iae("stride 0, same padding", "^conv2d: .*strides must be positive",
                        () -> NnOps.conv2d(Tensor.zeros(1, 3, 3, 1), Tensor.zeros(2, 2, 1, 1), 1, 0, Padding.SAME, 1, 1))
                .iae("dilation 0", "^conv2d: .*dilations must be positive",
                        () -> NnOps.conv2d(Tensor.zeros(1, 3, 3, 1), Tensor.zeros(2, 2, 1, 1), 1, 1, Padding.SAME, 0, 1))
                .build();
    }

    private static Args window(int kh, int kw, int sh, int sw, boolean same) {
        return Args.of("kh", kh, "kw", kw, "sh", sh, "sw", sw, "same", same);
    }

    private static OpInfo pool(Gen g, boolean max) {
        String name = max ? "max_pool2d" : "avg_pool2d";
        Function<int[], Nd> dom = max ? g::distinct : g::any;
        Builder b = op(name, "nn")
                .fn1((in, a) -> max ? NnOps.maxPool2d(in[0], a.i("kh"), a.i("kw"), a.i("sh"), a.i("sw"), padding(a))
                        : NnOps.avgPool2d(in[0], a.i("kh"), a.i("kw"), a.i("sh"), a.i("sw"), padding(a)))
                .ref1((in, a) -> Ref.pool(max, in[0], a.i("kh"), a.i("kw"), a.i("sh"), a.i("sw"), a.b("same")))
                .sample("2x2 stride 2 valid", window(2, 2, 2, 2, false), f(dom.apply(s(1, 4, 4, 1))))
                .sample("3x3 stride 1 same, 2 channels", window(3, 3, 1, 1, true), f(dom.apply(s(1, 4, 4, 2))))
                .sample("2x2 stride 2 same, odd size", window(2, 2, 2, 2, true), f(dom.apply(s(1, 5, 5, 1))))
                .sample("3x2 window, strides 1x2, valid", window(3, 2, 1, 2, false), f(dom.apply(s(2, 4, 5, 1))))
                .sample("3x3 stride 2 same, even size", window(3, 3, 2, 2, true), f(dom.apply(s(1, 6, 6, 1))))
                .sample("window covers the input", window(3, 3, 1, 1, false), f(dom.apply(s(1, 3, 3, 2))))
                .sample("empty batch", window(2, 2, 2, 2, false), f(dom.apply(s(0, 4, 4, 1))))
                .sample("transposed view", window(2, 2, 1, 1, true), f(dom.apply(s(1, 4, 4, 2)), TRANSPOSED))
                .sample("strided view", window(2, 3, 2, 1, false), f(dom.apply(s(1, 3, 5, 2)), STRIDED))
                .sample("reversed view", window(2, 2, 1, 1, false), f(dom.apply(s(2, 3, 3, 1)), REVERSED))
                .sample("primes 13x7, 3 channels, stride 2 same", window(3, 3, 2, 2, true), f(dom.apply(s(2, 13, 7, 3))))
                .sample("11x11x4, 2x2 stride 1 valid, view", window(2, 2, 1, 1, false), f(dom.apply(s(1, 11, 11, 4)), STRIDED))
                .sample(Sample.of("broadcast (stride 0) batch", window(2, 2, 1, 1, true), f(dom.apply(s(1, 4, 4, 2)).broadcastTo(2, 4, 4, 2), EXPANDED)).forwardOnly())
                .sample("2x2 stride 2 valid, odd 7x9, 11 channels", window(2, 2, 2, 2, false), f(dom.apply(s(1, 7, 9, 11))))
                .sample("2x2 stride 2 valid, 6x6, 9 channels, batch 2", window(2, 2, 2, 2, false), f(dom.apply(s(2, 6, 6, 9))))
                .sample("large 2x67x65x9, 3x3 stride 2 same", window(3, 3, 2, 2, true), f(dom.apply(s(2, 67, 65, 9))))
                .iae("rank 3 input", "^" + name + ": needs an NHWC input of rank 4, got \\[5,5,1\\]",
                        () -> pool(max, Tensor.zeros(5, 5, 1), 2, 2, 1, 1, Padding.VALID))
                .iae("window does not fit", "^" + name + ": window 3x3 does not fit input \\[1,2,2,1\\]",
                        () -> pool(max, Tensor.zeros(1, 2, 2, 1), 3, 3, 1, 1, Padding.VALID))
                .iae("int32 input", "^" + name + ": needs float32 or float64, got int32",
                        () -> pool(max, ints(1, 4, 4, 1), 2, 2, 1, 1, Padding.VALID))
                .iae("window 0", "^" + name + ": window must be positive, got 0x2",
                        () -> pool(max, Tensor.zeros(1, 4, 4, 1), 0, 2, 1, 1, Padding.VALID))
                .iae("stride 0, valid padding", "^" + name + ": .*strides must be positive",
                        () -> pool(max, Tensor.zeros(1, 4, 4, 1), 2, 2, 0, 1, Padding.VALID))
                .iae("stride 0, same padding", "^" + name + ": .*strides must be positive",
                        () -> pool(max, Tensor.zeros(1, 4, 4, 1), 2, 2, 0, 1, Padding.SAME));
        b.secondOrder();
        return b.build();
    }

    private static Tensor pool(boolean max, Tensor x, int kh, int kw, int sh, int sw, Padding p) {
        return max ? NnOps.maxPool2d(x, kh, kw, sh, sw, p) : NnOps.avgPool2d(x, kh, kw, sh, sw, p);
    }

    // ------------------------------------------------------------------ softmax

    private static OpInfo softmax(Gen g, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        // float32 log_softmax computes x - logsumexp(x), which cancels: for |x| near 1000 (the large-magnitude
        // sample) the error is an ulp of 1000, about 6e-5, so its absolute tolerance is 1e-4
        double atol32 = log ? 1e-4 : 1e-6;
        Nd big = Nd.of(s(2, 3), 1000, 1001, 1002, -1000, -1001, -999.5);
        return op(name, "nn")
                .fn1((in, a) -> log ? NnOps.logSoftmax(in[0], a.i("axis")) : NnOps.softmax(in[0], a.i("axis")))
                .ref1((in, a) -> in[0].lanes(a.i("axis"), in[0].shape[Nd.axis(a.i("axis"), in[0].rank())],
                        log ? Ref::logSoftmax : Ref::softmax))
                .sample("last axis", Args.of("axis", -1), f(g.any(2, 5)))
                .sample("axis 0", Args.of("axis", 0), f(g.any(2, 5)))
                .sample("middle axis of rank 3", Args.of("axis", 1), f(g.any(2, 3, 4)))
                .sample("prime 13", Args.of("axis", 0), f(g.any(13)))
                .sample("transposed view", Args.of("axis", 1), f(g.any(3, 4), TRANSPOSED))
                .sample("strided view", Args.of("axis", -1), f(g.any(2, 6), STRIDED))
                .sample("reversed view", Args.of("axis", 0), f(g.any(4, 3), REVERSED))
                .sample("single class", Args.of("axis", 1), f(g.any(3, 1)))
                .sample("empty batch", Args.of("axis", -1), f(g.any(0, 5)))
                .sample("empty classes", Args.of("axis", 1), f(g.any(3, 0)))
                .sample("large magnitudes", Args.of("axis", 1), f(big))
                .sample("prime 97", Args.of("axis", 0), f(g.any(97)))
                .sample("7x13 on axis 0", Args.of("axis", 0), f(g.any(7, 13), STRIDED))
                .sample(Sample.of("-inf masks, fully masked lane gives nan", Args.of("axis", 1), f(Nd.of(s(3, 3),
                        Double.NEGATIVE_INFINITY, 0, 1, 2, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY))).forwardOnly())
                .sample(Sample.of("broadcast (stride 0) view", Args.of("axis", 1), f(Samples.repeated(g::any, 3, 5), EXPANDED)).forwardOnly())
                .sample("large 263x257 on the last axis", Args.of("axis", -1), f(g.any(263, 257)))
                .sample("large 263x257 view on axis 0", Args.of("axis", 0), f(g.any(263, 257), TRANSPOSED))
                .secondOrder().tol32(1e-5, atol32)
                .iae("int32 input", "^" + name + ": needs float32 or float64, got int32",
                        () -> log ? NnOps.logSoftmax(ints(2, 3), -1) : NnOps.softmax(ints(2, 3), -1))
                .iae("axis out of range", "^" + name + ": axis 2 is out of range for a tensor of rank 2",
                        () -> log ? NnOps.logSoftmax(Tensor.zeros(2, 3), 2) : NnOps.softmax(Tensor.zeros(2, 3), 2))
                .iae("0-d input", "^" + name + ": axis 0 is out of range for a tensor of rank 0",
                        () -> log ? NnOps.logSoftmax(Tensor.scalar(1f), 0) : NnOps.softmax(Tensor.scalar(1f), 0))
                .build();
    }

    // ------------------------------------------------------------------ activations

    private interface Act {
        Tensor apply(Tensor x, Args a);
    }

    private interface ActRef {
        double apply(double x, Args a);
    }

    private static Builder activation(String name, String errorName, Act api, ActRef ref, Args args, Function<int[], Nd> dom, double... extremes) {
        List<Sample> samples = new ArrayList<>();
        for (Sample sm : Samples.unary(dom)) samples.add(new Sample(sm.label(), args, sm.inputs(), sm.grad()));
        if (extremes.length > 0) samples.add(Sample.of("extreme values", args, f(Nd.of(s(extremes.length), extremes))).forwardOnly());
        return op(name, "activation").fn1((in, a) -> api.apply(in[0], a))
                .ref1((in, a) -> in[0].map(x -> ref.apply(x, a)))
                .samples(samples).secondOrder().errorName(errorName)
                .iae("bool input", "^" + errorName + ": ", () -> api.apply(Tensor.of(new boolean[] {true, false}, 2), args));
    }

    /** Float-only activations must also reject integers, naming themselves (not a primitive they are built from). */
    private static Builder floatActivation(String name, String errorName, Act api, ActRef ref, Args args, Function<int[], Nd> dom, double... extremes) {
        return activation(name, errorName, api, ref, args, dom, extremes)
                .iae("int32 input", "^" + errorName + ": ", () -> api.apply(Tensor.of(new int[] {-1, 2}, 2), args));
    }

    private static Builder floatActivation(String name, DoubleUnaryOperator ref, java.util.function.UnaryOperator<Tensor> api, Function<int[], Nd> dom, double... extremes) {
        return floatActivation(name, name, (x, a) -> api.apply(x), (x, a) -> ref.applyAsDouble(x), Args.NONE, dom, extremes);
    }

    private static void activations(List<OpInfo> ops, Gen g) {
        // relu6: away from both kinks (0 and 6); defined on integers like tf.nn.relu6
        Function<int[], Nd> relu6Dom = sh -> g.uniform(-2, 8, sh).map(x -> Math.abs(x) < 0.05 || Math.abs(x - 6) < 0.05 ? x + 0.1 : x);
        ops.add(activation("relu6", "relu6", (x, a) -> NnOps.relu6(x), (x, a) -> Math.min(Math.max(x, 0), 6), Args.NONE, relu6Dom, -1e30, -0.0, 6, 1e30)
                .dtypes(FLOAT32, FLOAT64, INT32, INT64).intExact().build());
        ops.add(floatActivation("leaky_relu (alpha 0.2)", "(leaky_relu|leakyRelu)", (x, a) -> NnOps.leakyRelu(x, a.d("alpha")),
                (x, a) -> x > 0 ? x : a.d("alpha") * x, Args.of("alpha", 0.2), g::awayFromZero, -1e30, 1e30).build());
        ops.add(floatActivation("leaky_relu (alpha 0.01)", "(leaky_relu|leakyRelu)", (x, a) -> NnOps.leakyRelu(x, a.d("alpha")),
                (x, a) -> x > 0 ? x : a.d("alpha") * x, Args.of("alpha", 0.01), g::awayFromZero).build());
        ops.add(floatActivation("elu", x -> Ref.elu(x, 1), NnOps::elu, g::awayFromZero, -1000, -30, 1e-30, 1e30).build());
        ops.add(floatActivation("elu (alpha 0.5)", "elu", (x, a) -> NnOps.elu(x, a.d("alpha")), (x, a) -> Ref.elu(x, a.d("alpha")),
                Args.of("alpha", 0.5), g::awayFromZero).build());
        ops.add(floatActivation("selu", x -> Ref.SELU_SCALE * Ref.elu(x, Ref.SELU_ALPHA), NnOps::selu, g::awayFromZero, -1000, -30, 30).build());
        ops.add(floatActivation("softplus", Ref::softplus, NnOps::softplus, g::any, -1000, -100, -30, 0, 30, 100, 1000).build());
        ops.add(floatActivation("softsign", x -> x / (1 + Math.abs(x)), NnOps::softsign, g::awayFromZero, -1e30, 1e30).build());
        ops.add(floatActivation("swish", x -> x * Ref.sigmoid(x), NnOps::swish, g::any, -1000, -50, 50, 1000).build());
        ops.add(floatActivation("gelu", Ref::gelu, NnOps::gelu, sh -> g.uniform(-4, 4, sh), -1000, -10, 10, 1000).build());
        ops.add(floatActivation("gelu_tanh", "(gelu_tanh|gelu)", (x, a) -> NnOps.geluTanh(x), (x, a) -> Ref.geluTanh(x), Args.NONE,
                sh -> g.uniform(-4, 4, sh), -10, 10).build());
    }
}
