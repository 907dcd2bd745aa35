package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import dev.fluxion.cpu.BufferPool;
import dev.fluxion.cpu.Layouts;
import dev.fluxion.cpu.kernels.BinaryKernels;
import dev.fluxion.cpu.kernels.Parallel;
import dev.fluxion.cpu.kernels.Pool2dGeometry;
import dev.fluxion.cpu.kernels.PoolKernels;
import dev.fluxion.cpu.kernels.ReduceKernels;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.cpu.kernels.UnaryKernels;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Runs a fused elementwise group tile by tile with the SIMD array kernels. Members that are only used inside the
 * group live in per-thread tile buffers; materialized members are computed straight into their output arrays.
 * Tiles are independent, so large groups run on several threads with thread-count-independent results.
 *
 * <p>A broadcast input that repeats along the flat index with a period dividing the tile length (a per-channel
 * [C] vector over an NHWC tensor: batch-norm statistics, biases) is expanded into one tile that every tile reads,
 * instead of into a whole tensor: a fused batch-norm pass then reads x once and writes y once.
 *
 * <p>Reductions over leading axes of members ({@link CpuFusion.Fused#reductions()}: batch-norm statistics and their
 * gradients) are folded tile by tile in the same pass, with the reduction kernel's blocks and merge tree, so they
 * give the unfused kernel's bits on any thread count.
 *
 * <p>A pass may carry 2x2 max pooling ({@link CpuFusion.Fused#pool()}, {@link CpuFusion.Fused#tileInputs()}): with
 * tiles of whole row pairs, each tile first routes the pooling gradients its members read into tile buffers, then
 * computes the members, then pools its rows of the pooled member while they are in cache. A routed pass also records
 * which cell of each window took the maximum; the gradient passes then route from those cells (in the executable's
 * per-call {@code routes}) instead of from the activation, which need not be stored. Where tiles would split row
 * pairs (a reduction's fixed blocks, a broadcast period longer than a tile of pairs), the gradients are computed
 * whole before the pass and the pooling runs after it: the same bits either way.
 */
final class CpuFusedRunner {
    private static final int MAX_TILE = 2048;
    /** Tiles per task; a power of two (see {@link #runWithReductions}). */
    private static final int TILES_PER_TASK = 8;

    private final CpuFusion.Fused step;
    private final int size;
    /** Elements per tile: up to {@link #MAX_TILE}, a multiple of every broadcast input's period when possible. */
    private final int tile;
    /** For member i's input j: the index of the member producing it, or -1 for a value from outside the group. */
    private final int[][] producer;
    /** For each fused reduction, the index of the member it reduces. */
    private final int[] reducedMember;
    /**
     * Tile buffers, kept across tasks and calls: a task takes a set and gives it back, so a run holds one set per
     * thread instead of allocating one per task (a batch-norm pass over 4M elements has 256 tasks).
     */
    private final ConcurrentLinkedQueue<Object[]> spareScratch = new ConcurrentLinkedQueue<>();
    /** The group as one generated loop ({@link CpuFusedLoops}), or null: then the members run kernel by kernel. */
    private final CpuFusedLoops.Loop loop;
    /** The compiled loop's input slots: the group's external inputs, each once. */
    private final Node[] loopInputs;
    /** The max pooling of a member that each tile feeds ({@link CpuFusion.Fused#pool()}), or null. */
    private final Pool2dGeometry pooling;
    /** The member {@link #pooling} reads. */
    private final int pooledMember;
    /** The pooling gradients computed per tile ({@link CpuFusion.Fused#tileInputs()}). */
    private final Pool2dGeometry[] gradients;
    /** Whether every tile holds whole row pairs, so pooling and its gradients (if any) run tile by tile. */
    private final boolean poolsByTile;

    CpuFusedRunner(CpuFusion.Fused step) {
        this.step = step;
        this.size = Shapes.size(step.shape());
        Map<Node, Integer> index = new IdentityHashMap<>();
        Node[] ms = step.members();
        for (int i = 0; i < ms.length; i++) index.put(ms[i], i);
        producer = new int[ms.length][];
        for (int i = 0; i < ms.length; i++) {
            producer[i] = new int[ms[i].inputs.length];
            for (int j = 0; j < producer[i].length; j++) producer[i][j] = index.getOrDefault(ms[i].inputs[j], -1);
        }
        long periods = 1;
        for (int i = 0; i < ms.length; i++)
            for (int j = 0; j < producer[i].length; j++) {
                int p = producer[i][j] < 0 ? period(broadcastSource(ms[i].inputs[j]).type.shape(), step.shape()) : 0;
                if (p > 0 && p < size) periods = lcm(periods, p);
            }
        pooling = step.pool() == null ? null : CpuFusion.rowPooling(step.pool());
        pooledMember = step.pool() == null ? -1 : index.get(step.pool().inputs[0]);
        gradients = Arrays.stream(step.tileInputs()).map(CpuFusion::rowPooling).toArray(Pool2dGeometry[]::new);
        // a tile of whole row pairs: two rows of the (unpooled) group shape
        int rowPair = pooling != null || gradients.length > 0 ? 2 * step.shape()[2] * step.shape()[3] : 1;
        if (step.reductions().length > 0) {
            // one tile is one block of the reduction kernel, so folding tile by tile repeats its arithmetic
            tile = ReduceKernels.ROWS_PER_BLOCK * step.reducedInner();
            reducedMember = new int[step.reductions().length];
            for (int q = 0; q < reducedMember.length; q++) reducedMember[q] = index.get(step.reductions()[q].inputs[0]);
        } else {
            long unit = lcm(periods, rowPair);
            tile = unit <= MAX_TILE ? (int) (MAX_TILE / unit * unit)
                    : unit <= CpuFusion.MAX_POOL_TILE ? (int) unit : periods <= MAX_TILE ? (int) (MAX_TILE / periods * periods) : MAX_TILE;
            reducedMember = new int[0];
        }
        poolsByTile = tile % rowPair == 0;
        Map<Node, Integer> slots = new java.util.LinkedHashMap<>();
        loop = CpuFusedLoops.compile(step, producer, slots);
        loopInputs = slots.keySet().toArray(Node[]::new);
    }

    /** Whether this group runs as a generated loop (for tests). */
    boolean compiled() {
        return loop != null;
    }

    /**
     * The period along the flat index of {@code shape} broadcast to {@code out}: the size of the trailing block after
     * the last broadcast leading axis (the whole size when no leading axis is broadcast).
     */
    static int period(int[] shape, int[] out) {
        return periodOfStrides(Layouts.broadcastStrides(shape, Layouts.strides(shape), out), out);
    }

    /** The same for a view of {@code out}'s shape with these strides: broadcast leading axes have stride 0. */
    private static int periodOfStrides(int[] strides, int[] out) {
        int k = 0;
        while (k < out.length && (strides[k] == 0 || out[k] == 1)) k++;
        int p = 1;
        for (int i = k; i < out.length; i++) p *= out[i];
        return p;
    }

    /** The node whose values a broadcast_to view repeats (the node itself otherwise). */
    private static Node broadcastSource(Node n) {
        return n.kind == Node.Kind.OP && n.op instanceof Op.Expand ? n.inputs[0] : n;
    }

    private static long lcm(long a, long b) {
        long x = a, y = b;
        while (y != 0) { long t = x % y; x = y; y = t; }
        return Math.min(a / x * b, Integer.MAX_VALUE);
    }

    /** A set of tile buffers for one task; give it back with {@code spareScratch.offer} when the task ends. */
    private Object[] takeScratch() {
        Object[] spare = spareScratch.poll();
        if (spare != null) return spare;
        Node[] ms = step.members();
        int length = Math.min(tile, size);
        Object[] scratch = new Object[ms.length + gradients.length]; // members' tiles, then the pool gradients'
        for (int i = 0; i < ms.length; i++)
            if (!step.materialized()[i]) scratch[i] = ms[i].type.dtype() == DType.BOOL ? new boolean[length] : new float[length];
        for (int k = 0; k < gradients.length; k++) scratch[ms.length + k] = new float[length];
        return scratch;
    }

    /**
     * An operand as the kernels read it: array, offset of element 0, stride 0 or 1; a {@code periodic} operand holds
     * one tile that every tile reads from its start.
     */
    private record Operand(Object array, int offset, int stride, boolean periodic) {
        Operand(Object array, int offset, int stride) {
            this(array, offset, stride, false);
        }

        /** A pooling gradient computed per tile: the k-th tile buffer after the members' ({@link #takeScratch}). */
        static Operand tileBuffer(int k) {
            return new Operand(null, k, 1, true);
        }

        boolean isTileBuffer() {
            return array == null;
        }
    }

    /**
     * Computes the group; stores materialized members' tensors into {@code values}. The copies it makes of broadcast
     * or strided operands go back to {@code pool} (when there is one) at the end, so steady-state calls reuse them.
     */
    void run(Tensor[] values, float[][] routes, BufferPool pool) {
        List<Object> copies = new ArrayList<>();
        Node[] ms = step.members();
        Object[] full = new Object[ms.length];
        for (int i = 0; i < ms.length; i++)
            if (step.materialized()[i]) full[i] = ArrayStorage.allocateForOverwrite(ms[i].type.dtype(), size).array();
            else if (i == pooledMember && !poolsByTile) full[i] = new float[size]; // pooled after the pass
        int tiles = (size + tile - 1) / tile;
        GradientSource[] sources = gradientSources(values, routes);
        float[][] wholeGradients = poolsByTile ? null : wholePoolGradients(sources);
        TileBody members = loop != null ? compiledTiles(full, values, wholeGradients, copies) : interpretedTiles(full, values, wholeGradients, copies);
        float[] pooled = pooling == null ? null : floats(step.pool().type.size());
        float[] cells = step.routed() ? floats(step.pool().type.size()) : null;
        TileBody body = poolsByTile && (pooling != null || gradients.length > 0) ? pooledTiles(members, full, pooled, cells, sources) : members;
        if (reducedMember.length > 0) {
            runWithReductions(tiles, full, body, values);
        } else {
            Parallel.forRange(tiles, TILES_PER_TASK, (from, to) -> {
                Object[] scratch = takeScratch();
                for (int t = from; t < to; t++) body.run(t * tile, Math.min(tile, size - t * tile), scratch);
                spareScratch.offer(scratch);
            });
        }
        if (pooling != null && !poolsByTile) // tiles that split row pairs: pool the whole member afterwards
            pool((float[]) full[pooledMember], 0, pooled, cells, 0, pooledRows());
        if (pooled != null) values[step.pool().id] = Tensor.wrap(new ArrayStorage(DType.FLOAT32, pooled), step.pool().type.shape());
        if (cells != null) routes[step.pool().inputs[0].id] = cells;
        wrapMaterialized(full, values);
        if (pool != null) for (Object copy : copies) pool.recycle(copy);
    }

    private void wrapMaterialized(Object[] full, Tensor[] values) {
        Node[] ms = step.members();
        for (int i = 0; i < ms.length; i++)
            if (step.materialized()[i]) values[ms[i].id] = Tensor.wrap(new ArrayStorage(ms[i].type.dtype(), full[i]), step.shape());
    }

    /**
     * The body with the pooling around it: each tile first routes the pooling gradients it reads into its tile
     * buffers (their input rows), then computes the members, then pools its rows of the pooled member while they are
     * in cache.
     */
    private TileBody pooledTiles(TileBody body, Object[] full, float[] pooled, float[] cells, GradientSource[] sources) {
        int rowPair = 2 * step.shape()[2] * step.shape()[3], members = step.members().length;
        return (start, n, scratch) -> {
            int q0 = start / rowPair, q1 = (start + n) / rowPair;
            for (int k = 0; k < sources.length; k++) sources[k].route((float[]) scratch[members + k], -start, q0, q1);
            body.run(start, n, scratch);
            if (pooling != null) {
                boolean whole = full[pooledMember] != null;
                pool((float[]) (whole ? full[pooledMember] : scratch[pooledMember]), whole ? 0 : -start, pooled, cells, q0, q1);
            }
        };
    }

    /** Pools output rows [q0, q1) from {@code src} (element 0 at {@code srcOff}), recording the cells if asked. */
    private void pool(float[] src, int srcOff, float[] pooled, float[] cells, int q0, int q1) {
        if (cells != null) PoolKernels.maxPool2x2RowsRouted(pooling, src, srcOff, pooled, 0, cells, 0, q0, q1);
        else PoolKernels.maxPool2x2Rows(pooling, src, srcOff, pooled, 0, q0, q1);
    }

    /** What a pooling gradient routes: the pooled gradient, from the recorded cells or from the pooling's input. */
    private record GradientSource(Pool2dGeometry geometry, boolean routed, float[] from, float[] dy) {
        void route(float[] dx, int dxOff, int q0, int q1) {
            if (routed) PoolKernels.maxPool2x2GradRowsRouted(geometry, from, 0, dy, 0, dx, dxOff, q0, q1);
            else PoolKernels.maxPool2x2GradRows(geometry, from, 0, dy, 0, dx, dxOff, q0, q1);
        }
    }

    private GradientSource[] gradientSources(Tensor[] values, float[][] routes) {
        GradientSource[] out = new GradientSource[gradients.length];
        for (int k = 0; k < out.length; k++) {
            Node g = step.tileInputs()[k];
            float[] cells = routes[g.inputs[0].id]; // the forward pass kept the cells, not its input
            out[k] = new GradientSource(gradients[k], cells != null,
                    cells != null ? cells : (float[]) Layouts.data(values[g.inputs[0].id]), (float[]) Layouts.data(values[g.inputs[1].id]));
        }
        return out;
    }

    /** For tiles that split row pairs: each pooling gradient computed whole before the pass. */
    private float[][] wholePoolGradients(GradientSource[] sources) {
        float[][] out = new float[sources.length][];
        for (int k = 0; k < out.length; k++) sources[k].route(out[k] = new float[size], 0, 0, pooledRows());
        return out;
    }

    /** Output rows of this pass's poolings (all share its shape): images times pooled rows. */
    private int pooledRows() {
        return step.shape()[0] * (step.shape()[1] / 2);
    }

    private static float[] floats(int n) {
        return (float[]) ArrayStorage.allocateForOverwrite(DType.FLOAT32, n).array();
    }

    /** The index of a pooling gradient this pass computes per tile, or -1. */
    private int tileInput(Node n) {
        for (int k = 0; k < step.tileInputs().length; k++) if (step.tileInputs()[k] == n) return k;
        return -1;
    }

    /** Computes every member over one tile: elements [start, start + n), intermediates in {@code scratch}. */
    private interface TileBody {
        void run(int start, int n, Object[] scratch);
    }

    /** The members kernel by kernel, each over the whole tile. */
    private TileBody interpretedTiles(Object[] full, Tensor[] values, float[][] wholeGradients, List<Object> copies) {
        Node[] ms = step.members();
        Operand[][] external = new Operand[ms.length][];
        for (int i = 0; i < ms.length; i++) {
            Node m = ms[i];
            external[i] = new Operand[m.inputs.length];
            for (int j = 0; j < m.inputs.length; j++) {
                if (producer[i][j] >= 0) continue;
                int k = tileInput(m.inputs[j]);
                external[i][j] = k < 0 ? operand(values[m.inputs[j].id], copies)
                        : wholeGradients != null ? new Operand(wholeGradients[k], 0, 1) : Operand.tileBuffer(k);
            }
        }
        return (start, n, scratch) -> {
            for (int i = 0; i < ms.length; i++) compute(i, start, n, full, scratch, external);
        };
    }

    /**
     * The generated loop over a tile, writing materialized members to their full arrays and reduced ones to their
     * tile buffers; a tile's last partial vector runs on copies padded to a vector.
     */
    private TileBody compiledTiles(Object[] full, Tensor[] values, float[][] wholeGradients, List<Object> copies) {
        Node[] ms = step.members();
        boolean[] stored = CpuFusedLoops.storedMembers(step);
        int inputs = loopInputs.length, slots = inputs;
        for (boolean b : stored) if (b) slots++;
        Operand[] in = new Operand[inputs];
        int[] tileInput = new int[inputs];
        for (int s = 0; s < inputs; s++) {
            tileInput[s] = tileInput(loopInputs[s]);
            in[s] = tileInput[s] < 0 ? operand(values[loopInputs[s].id], copies)
                    : wholeGradients != null ? new Operand(wholeGradients[tileInput[s]], 0, 1) : null;
        }
        int slotCount = slots;
        return (start, n, scratch) -> {
            Object[] arrays = new Object[slotCount];
            int[] offsets = new int[slotCount];
            for (int s = 0; s < inputs; s++) {
                if (in[s] == null) { // a pooling gradient's tile buffer
                    arrays[s] = scratch[ms.length + tileInput[s]];
                    continue;
                }
                arrays[s] = in[s].array;
                offsets[s] = in[s].periodic ? in[s].offset : in[s].offset + start * in[s].stride;
            }
            for (int i = 0, s = inputs; i < ms.length; i++)
                if (stored[i]) {
                    arrays[s] = full[i] != null ? full[i] : scratch[i];
                    offsets[s++] = full[i] != null ? start : 0;
                }
            int body = n - n % CpuFusedLoops.LANES;
            if (body > 0) loop.run(arrays, offsets, body);
            if (body < n) runPadded(arrays, offsets, inputs, body, n - body);
        };
    }

    /** Runs the loop on elements [body, body + count) of a tile (count below a vector) through padded copies. */
    private void runPadded(Object[] arrays, int[] offsets, int inputs, int body, int count) {
        int lanes = CpuFusedLoops.LANES;
        Object[] padded = new Object[arrays.length];
        int[] at = new int[arrays.length];
        for (int s = 0; s < arrays.length; s++) {
            if (s < inputs && Shapes.size(loopInputs[s].type.shape()) == 1) { // read once, not per lane
                padded[s] = arrays[s];
                at[s] = offsets[s];
                continue;
            }
            padded[s] = arrays[s] instanceof boolean[] ? new boolean[lanes] : new float[lanes];
            if (s < inputs) System.arraycopy(arrays[s], offsets[s] + body, padded[s], 0, count);
        }
        loop.run(padded, at, lanes);
        for (int s = inputs; s < arrays.length; s++) System.arraycopy(padded[s], 0, arrays[s], offsets[s] + body, count);
    }

    /**
     * The pass with fused reductions: each tile is folded into a block result as the reduction kernel folds its
     * blocks; runs of {@link #TILES_PER_TASK} tiles (a power of two, so each run is a subtree of the kernel's merge
     * tree) are merged on whichever thread computed them, then the runs' results are merged in the same tree.
     */
    private void runWithReductions(int tiles, Object[] full, TileBody body, Tensor[] values) {
        Node[] reductions = step.reductions();
        int inner = step.reducedInner(), run = TILES_PER_TASK, runs = (tiles + run - 1) / run;
        float[][][] partial = new float[reductions.length][runs][];
        Parallel.forRange(runs, 1, (from, to) -> {
            Object[] scratch = takeScratch();
            for (int c = from; c < to; c++) {
                int t0 = c * run, t1 = Math.min(tiles, t0 + run);
                float[][][] blocks = new float[reductions.length][t1 - t0][inner];
                for (int t = t0; t < t1; t++) {
                    int start = t * tile, n = Math.min(tile, size - start);
                    body.run(start, n, scratch);
                    for (int q = 0; q < reductions.length; q++) {
                        ReduceFn fn = ((Op.Reduce) reductions[q].op).fn();
                        float[] acc = blocks[q][t - t0];
                        Arrays.fill(acc, (float) fn.identity());
                        int k = reducedMember[q];
                        Object src = full[k] != null ? full[k] : scratch[k];
                        ReduceKernels.foldBlock(fn, (float[]) src, full[k] != null ? start : 0, n / inner, inner, acc);
                    }
                }
                for (int q = 0; q < reductions.length; q++) {
                    ReduceKernels.mergeTree(((Op.Reduce) reductions[q].op).fn(), blocks[q], 0, t1 - t0, inner);
                    partial[q][c] = blocks[q][0];
                }
            }
            spareScratch.offer(scratch);
        });
        for (int q = 0; q < reductions.length; q++) {
            ReduceKernels.mergeTree(((Op.Reduce) reductions[q].op).fn(), partial[q], 0, runs, inner);
            values[reductions[q].id] = Tensor.wrap(new ArrayStorage(DType.FLOAT32, partial[q][0]), reductions[q].type.shape());
        }
    }

    /** How the passes read {@code t}; the arrays copied here for it are added to {@code copies}. */
    private Operand operand(Tensor t, List<Object> copies) {
        if (t.size() == 1) return new Operand(((ArrayStorage) t.storage()).array(), t.offset(), 0);
        if (Arrays.equals(t.shape(), step.shape()) && t.isContiguous()) return new Operand(((ArrayStorage) t.storage()).array(), t.offset(), 1);
        int[] strides = Layouts.broadcastStrides(t.shape(), t.strides(), step.shape());
        int period = periodOfStrides(strides, step.shape());
        if (period < size && tile % period == 0) { // repeats within a tile: expand one tile
            int[] shape = step.shape();
            int k = shape.length;
            for (int p = 1; p < period; ) p *= shape[--k];
            int[] blockShape = Arrays.copyOfRange(shape, k, shape.length);
            Tensor block = Layouts.contiguous(Tensor.wrap(t.storage(), blockShape, Arrays.copyOfRange(strides, k, shape.length), t.offset()));
            Object one = ((ArrayStorage) block.storage()).array();
            int length = Math.min(tile, size);
            Object repeated = ArrayStorage.allocateForOverwrite(t.dtype(), length).array();
            for (int at = 0; at < length; at += period) System.arraycopy(one, 0, repeated, at, period);
            copies.add(one); // Layouts.contiguous always copies
            copies.add(repeated);
            return new Operand(repeated, 0, 1, true);
        }
        // any other broadcast or strided input: expand it once to the group's shape
        Tensor expanded = Layouts.contiguous(Tensor.wrap(t.storage(), step.shape(), strides, t.offset()));
        Object copy = ((ArrayStorage) expanded.storage()).array();
        copies.add(copy);
        return new Operand(copy, 0, 1);
    }

    private Operand input(int member, int j, int start, Object[] full, Object[] scratch, Operand[][] external) {
        Operand e = external[member][j];
        if (e != null && e.isTileBuffer()) return new Operand(scratch[step.members().length + e.offset], 0, 1);
        if (e != null) return e.periodic ? e : new Operand(e.array, e.offset + start * e.stride, e.stride);
        int k = producer[member][j];
        return full[k] != null ? new Operand(full[k], start, 1) : new Operand(scratch[k], 0, 1);
    }

    private void compute(int i, int start, int n, Object[] full, Object[] scratch, Operand[][] external) {
        Node m = step.members()[i];
        Object dst = full[i] != null ? full[i] : scratch[i];
        int d = full[i] != null ? start : 0;
        Operand a = input(i, 0, start, full, scratch, external);
        switch (m.op) {
            case Op.Unary u -> {
                if (a.stride == 0) { // unary of a scalar: evaluate once, then broadcast
                    fillUnaryOfScalar(u, a, dst, d, n);
                } else if (dst instanceof float[] f) {
                    UnaryKernels.apply(u.fn(), (float[]) a.array, a.offset, f, d, n);
                } else {
                    UnaryKernels.apply(u.fn(), (boolean[]) a.array, a.offset, (boolean[]) dst, d, n);
                }
            }
            case Op.Binary b -> {
                Operand c = input(i, 1, start, full, scratch, external);
                binary(b.fn(), a, c, dst, d, n);
            }
            case Op.Where w -> {
                Operand x = input(i, 1, start, full, scratch, external), y = input(i, 2, start, full, scratch, external);
                if (dst instanceof float[] f)
                    BinaryKernels.where((boolean[]) a.array, a.offset, a.stride, (float[]) x.array, x.offset, x.stride, (float[]) y.array, y.offset, y.stride, f, d, n);
                else
                    BinaryKernels.where((boolean[]) a.array, a.offset, a.stride, (boolean[]) x.array, x.offset, x.stride, (boolean[]) y.array, y.offset, y.stride, (boolean[]) dst, d, n);
            }
            case Op.Cast c -> cast(a, dst, d, n);
            default -> throw new IllegalStateException("not fusable: " + m.op);
        }
    }

    private static void binary(BinaryFn fn, Operand a, Operand b, Object dst, int d, int n) {
        if (a.array instanceof boolean[] x) {
            BinaryKernels.compare(fn, x, a.offset, a.stride, (boolean[]) b.array, b.offset, b.stride, (boolean[]) dst, d, n);
        } else if (fn.isPredicate()) {
            BinaryKernels.compare(fn, (float[]) a.array, a.offset, a.stride, (float[]) b.array, b.offset, b.stride, (boolean[]) dst, d, n);
        } else {
            BinaryKernels.apply(fn, (float[]) a.array, a.offset, a.stride, (float[]) b.array, b.offset, b.stride, (float[]) dst, d, n);
        }
    }

    private static void fillUnaryOfScalar(Op.Unary u, Operand a, Object dst, int d, int n) {
        if (dst instanceof float[] f) {
            UnaryKernels.apply(u.fn(), (float[]) a.array, a.offset, f, d, 1);
            Arrays.fill(f, d + 1, d + n, f[d]);
        } else {
            boolean v = !((boolean[]) a.array)[a.offset];
            Arrays.fill((boolean[]) dst, d, d + n, v);
        }
    }

    private static void cast(Operand a, Object dst, int d, int n) {
        switch (dst) {
            case float[] f -> {
                if (a.array instanceof boolean[] s) for (int k = 0; k < n; k++) f[d + k] = s[a.offset + k * a.stride] ? 1f : 0f;
                else { float[] s = (float[]) a.array; for (int k = 0; k < n; k++) f[d + k] = s[a.offset + k * a.stride]; }
            }
            case boolean[] f -> {
                if (a.array instanceof float[] s) for (int k = 0; k < n; k++) f[d + k] = s[a.offset + k * a.stride] != 0;
                else { boolean[] s = (boolean[]) a.array; for (int k = 0; k < n; k++) f[d + k] = s[a.offset + k * a.stride]; }
            }
            default -> throw new IllegalStateException();
        }
    }
}
