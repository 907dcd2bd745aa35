package dev.fluxion.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuDNN's 2-D convolutions through {@code java.lang.foreign}: forward, input gradient and filter gradient of float32
 * NHWC tensors with an OHWI filter (cuDNN's NHWC filter layout; {@link CudaNn} transposes Fluxion's HWIO), in the
 * legacy convolution API that cuDNN 9 still ships. One {@link Plan} per direction, geometry and math mode holds the
 * descriptors and the algorithm that cuDNN's heuristics rank first among the deterministic ones (so a replayed CUDA
 * graph gives the same bits as its plan launched step by step); for exact float32 only FMA algorithms qualify,
 * never TF32 tensor cores unless asked for. The caller brings the workspace. cuDNN is optional: without it, or for a
 * geometry no algorithm takes, convolutions are im2col and cuBLAS GEMMs. {@link CudaNn} asks for TF32 plans only:
 * on an H200 the exact-float32 NHWC algorithms ran the seed model's epoch in 1060 ms against 594 ms for im2col and
 * cuBLAS (BENCHMARKS.md).
 */
public final class Cudnn implements AutoCloseable {
    /** cudnnTensorFormat_t, cudnnDataType_t, cudnnConvolutionMode_t, cudnnMathType_t, cudnnDeterminism_t. */
    static final int TENSOR_NHWC = 1, DATA_FLOAT = 0, CROSS_CORRELATION = 1;
    static final int TENSOR_OP_MATH = 1, FMA_MATH = 3, DETERMINISTIC = 1;
    /** Every cudnnConvolution*AlgoPerf_t: algo, status, time (float), memory (size_t at 16), determinism, mathType, reserved[3]. */
    static final int PERF_BYTES = 48;
    /** Algorithms asking for more workspace than this are passed over. */
    static final long MAX_WORKSPACE = 1L << 30;
    private static final int MAX_ALGORITHMS = 16;

    /** Which of the three products of a convolution. */
    public enum Direction { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    /**
     * A convolution's sizes as cuDNN describes it: input [n,h,w,c], filter o×kh×kw×c, output [n,oh,ow,o], symmetric
     * padding, strides and dilations.
     */
    public record Geometry(int n, int h, int w, int c, int o, int kh, int kw, int oh, int ow, int padH, int padW,
                           int strideH, int strideW, int dilationH, int dilationW) {}

    /** One algorithm as the heuristics rank it. */
    record Perf(int algo, int status, long memory, int determinism, int mathType) {}

    /** The descriptors and algorithm of one direction and geometry, and the workspace it needs in bytes. */
    public record Plan(Direction direction, MemorySegment input, MemorySegment filter, MemorySegment output, MemorySegment conv,
                       int algo, long workspace) {}

    private record Key(Direction direction, Geometry geometry, boolean tf32) {}

    private static final String[] NAMES = {"Forward", "BackwardData", "BackwardFilter"};

    private final MethodHandle create, destroy, setStream, errorString, version;
    private final MethodHandle createTensor, setTensor4d, createFilter, setFilter4d, createConv, setConv2d, setMathType;
    private final MethodHandle[] algorithms = new MethodHandle[3], workspaceSize = new MethodHandle[3], run = new MethodHandle[3];
    private final Arena arena = Arena.ofShared(); // descriptor handles and the alpha/beta scalars, for the handle's life
    private MemorySegment handle = MemorySegment.NULL;
    private MemorySegment one, zero;
    /** Plans by key; a null value remembers a geometry no algorithm takes. */
    private final Map<Key, Plan> plans = new HashMap<>();
    private int declined;

    public Cudnn(Path path) {
        this(new NativeBinder(path));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cudnnCreate", CudaDriver.call(() -> (int) create.invokeExact(out)));
            handle = out.get(ADDRESS, 0);
        }
        one = arena.allocateFrom(JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(JAVA_FLOAT, 0f);
    }

    /** The name and signature of every cuDNN function bound (tests check them against cuDNN's headers). */
    static List<NativeBinder.Signature> signatures() {
        return NativeBinder.signaturesBoundBy(Cudnn::new);
    }

    private Cudnn(NativeBinder b) {
        create = b.bind("cudnnCreate", JAVA_INT, ADDRESS);
        destroy = b.bind("cudnnDestroy", JAVA_INT, ADDRESS);
        setStream = b.bind("cudnnSetStream", JAVA_INT, ADDRESS, ADDRESS);
        errorString = b.bind("cudnnGetErrorString", ADDRESS, JAVA_INT);
        version = b.bind("cudnnGetVersion", JAVA_LONG);
        createTensor = b.bind("cudnnCreateTensorDescriptor", JAVA_INT, ADDRESS);
        setTensor4d = b.bind("cudnnSetTensor4dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        createFilter = b.bind("cudnnCreateFilterDescriptor", JAVA_INT, ADDRESS);
        setFilter4d = b.bind("cudnnSetFilter4dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        createConv = b.bind("cudnnCreateConvolutionDescriptor", JAVA_INT, ADDRESS);
        setConv2d = b.bind("cudnnSetConvolution2dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        setMathType = b.bind("cudnnSetConvolutionMathType", JAVA_INT, ADDRESS, JAVA_INT);
        for (int d = 0; d < 3; d++) {
            // (handle, the three descriptors in the direction's order, conv, requested, &returned, perf[])
            algorithms[d] = b.bind("cudnnGetConvolution" + NAMES[d] + "Algorithm_v7", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                    JAVA_INT, ADDRESS, ADDRESS);
            // (handle, the three descriptors, conv, algo, &bytes)
            workspaceSize[d] = b.bind("cudnnGetConvolution" + NAMES[d] + "WorkspaceSize", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                    JAVA_INT, ADDRESS);
            // (handle, &alpha, desc a, a, desc b, b, conv, algo, workspace, bytes, &beta, desc out, out)
            run[d] = b.bind("cudnnConvolution" + NAMES[d], JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS,
                    JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
        }
    }

    public void setStream(MemorySegment stream) {
        check("cudnnSetStream", CudaDriver.call(() -> (int) setStream.invokeExact(handle, stream)));
    }

    /** cuDNN's version as it reports it (9.14.0 is 91400). */
    public long version() {
        try {
            return (long) version.invokeExact();
        } catch (Throwable t) {
            throw NativeBinder.rethrow(t);
        }
    }

    /**
     * The plan of {@code direction} for {@code g}, made on first use; null when no deterministic algorithm of the
     * requested math (TF32 tensor cores allowed or not) takes this geometry.
     */
    public synchronized Plan plan(Direction direction, Geometry g, boolean tf32) {
        Key key = new Key(direction, g, tf32);
        if (plans.containsKey(key)) return plans.get(key);
        Plan p = makePlan(direction, g, tf32);
        if (p == null) declined++;
        plans.put(key, p);
        return p;
    }

    private Plan makePlan(Direction direction, Geometry g, boolean tf32) {
        MemorySegment x = descriptor(createTensor, "cudnnCreateTensorDescriptor");
        check("cudnnSetTensor4dDescriptor", CudaDriver.call(() -> (int) setTensor4d.invokeExact(x, TENSOR_NHWC, DATA_FLOAT, g.n(), g.c(), g.h(), g.w())));
        MemorySegment f = descriptor(createFilter, "cudnnCreateFilterDescriptor");
        check("cudnnSetFilter4dDescriptor", CudaDriver.call(() -> (int) setFilter4d.invokeExact(f, DATA_FLOAT, TENSOR_NHWC, g.o(), g.c(), g.kh(), g.kw())));
        MemorySegment y = descriptor(createTensor, "cudnnCreateTensorDescriptor");
        check("cudnnSetTensor4dDescriptor", CudaDriver.call(() -> (int) setTensor4d.invokeExact(y, TENSOR_NHWC, DATA_FLOAT, g.n(), g.o(), g.oh(), g.ow())));
        MemorySegment conv = descriptor(createConv, "cudnnCreateConvolutionDescriptor");
        check("cudnnSetConvolution2dDescriptor", CudaDriver.call(() -> (int) setConv2d.invokeExact(conv, g.padH(), g.padW(), g.strideH(), g.strideW(),
                g.dilationH(), g.dilationW(), CROSS_CORRELATION, DATA_FLOAT)));
        check("cudnnSetConvolutionMathType", CudaDriver.call(() -> (int) setMathType.invokeExact(conv, tf32 ? TENSOR_OP_MATH : FMA_MATH)));
        MemorySegment[] order = operands(direction, x, f, y);
        int d = direction.ordinal();
        List<Perf> ranked = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment returned = a.allocate(JAVA_INT), perf = a.allocate((long) PERF_BYTES * MAX_ALGORITHMS, 8);
            check("cudnnGetConvolution" + NAMES[d] + "Algorithm_v7", CudaDriver.call(() -> (int) algorithms[d].invokeExact(handle,
                    order[0], order[1], conv, order[2], MAX_ALGORITHMS, returned, perf)));
            for (int i = 0; i < returned.get(JAVA_INT, 0); i++) {
                long at = (long) i * PERF_BYTES;
                ranked.add(new Perf(perf.get(JAVA_INT, at), perf.get(JAVA_INT, at + 4), perf.get(JAVA_LONG, at + 16),
                        perf.get(JAVA_INT, at + 24), perf.get(JAVA_INT, at + 28)));
            }
        }
        Perf chosen = choose(ranked, tf32);
        if (chosen == null) return null;
        check("cudnnSetConvolutionMathType", CudaDriver.call(() -> (int) setMathType.invokeExact(conv, chosen.mathType())));
        long bytes;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check("cudnnGetConvolution" + NAMES[d] + "WorkspaceSize", CudaDriver.call(() -> (int) workspaceSize[d].invokeExact(handle,
                    order[0], order[1], conv, order[2], chosen.algo(), size)));
            bytes = size.get(JAVA_LONG, 0);
        }
        return new Plan(direction, x, f, y, conv, chosen.algo(), bytes);
    }

    /**
     * The first of the heuristics' ranking that ran, is deterministic, needs at most {@link #MAX_WORKSPACE} and,
     * without TF32, uses FMA math only (default math may take TF32 tensor cores on Ampere and later); or null.
     */
    static Perf choose(List<Perf> ranked, boolean tf32) {
        for (Perf p : ranked)
            if (p.status() == 0 && p.determinism() == DETERMINISTIC && p.memory() <= MAX_WORKSPACE && (tf32 || p.mathType() == FMA_MATH)) return p;
        return null;
    }

    /** The descriptors in the order the direction's functions take them: two operands, then the result. */
    private static MemorySegment[] operands(Direction d, MemorySegment x, MemorySegment f, MemorySegment y) {
        return switch (d) {
            case FORWARD -> new MemorySegment[] {x, f, y};
            case BACKWARD_DATA -> new MemorySegment[] {f, y, x};
            case BACKWARD_FILTER -> new MemorySegment[] {x, y, f};
        };
    }

    /**
     * Runs a plan on the handle's stream: forward reads (x, filter) and writes y; backward data reads (filter, dy)
     * and writes dx; backward filter reads (x, dy) and writes the filter gradient. Addresses are device pointers,
     * the filter's in OHWI order; {@code workspace} holds at least the plan's bytes.
     */
    public void run(Plan p, long a, long b, long out, long workspace) {
        MemorySegment[] order = operands(p.direction(), p.input(), p.filter(), p.output());
        int d = p.direction().ordinal();
        check("cudnnConvolution" + NAMES[d], CudaDriver.call(() -> (int) run[d].invokeExact(handle, one, order[0], a, order[1], b, p.conv(),
                p.algo(), workspace, p.workspace(), zero, order[2], out)));
    }

    /** Plans made so far (geometries no algorithm took not counted). */
    synchronized int plans() {
        return plans.size() - declined;
    }

    /** Geometries no algorithm took: those run as im2col and cuBLAS GEMMs. */
    synchronized int declined() {
        return declined;
    }

    @Override
    public String toString() {
        return "cuDNN " + version() + ": " + plans() + " convolution plans, " + declined() + " declined";
    }

    private MemorySegment descriptor(MethodHandle creator, String name) {
        MemorySegment out = arena.allocate(ADDRESS);
        check(name, CudaDriver.call(() -> (int) creator.invokeExact(out)));
        return out.get(ADDRESS, 0);
    }

    private void check(String call, int status) {
        if (status == 0) return;
        throw new CudaException(call, status, NativeBinder.statusName(errorString, status, "cudnnStatus"), null);
    }

    /** Destroys the handle; the descriptors go with the process (a few per geometry). */
    @Override
    public void close() {
        check("cudnnDestroy", CudaDriver.call(() -> (int) destroy.invokeExact(handle)));
    }
}
