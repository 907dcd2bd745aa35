package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.ReduceFn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A reduction with an elementwise prologue: the kernels evaluate a fused group's chain for every element they
 * reduce, so the reduced value is never written to memory and read back, and the members needed elsewhere
 * ({@code group}'s outputs, the "side outputs") are written by the same pass, each element once. Two variants,
 * as for plain reductions ({@link ReductionKernels}), chosen at launch:
 *
 * <ul>
 * <li>{@link #generic()}: one block per output. Signature {@code (int nOut, int nRed, FxShape kept, FxShape
 * reduced, [const Tj* inj, FxStrides kj, FxStrides rj]..., [S* sidek, FxStrides ksk, FxStrides rsk]..., R* out)}:
 * output o, reduced element j reads input j at {@code kj-offset(o) + rj-offset(j)} and writes side output k at the
 * same position of its own (contiguous) strides.
 * <li>{@link #columns()}: the first pass of a reduction whose kept axis is innermost (a batch norm's per-channel
 * sums), for inputs and side outputs whose kept stride is 0 or 1. Signature {@code (int nOut, int nRed, int
 * rowsPerSplit, int splits, FxShape reduced, [const Tj* inj, int kj, FxStrides rj]..., [S* sidek, int ksk,
 * FxStrides rsk]..., R* partial)}; the splits are then combined by {@link ReductionKernels#reduce}.
 * </ul>
 *
 * @param group   the prologue; its output members are the side outputs, in order
 * @param reduced the member that is reduced
 * @param fn      the reduction
 */
public record FusedReduction(ElementwiseGroup group, int reduced, ReduceFn fn, KernelSource generic, KernelSource columns) {
    public static FusedReduction of(ElementwiseGroup group, int reduced, ReduceFn fn) {
        DType t = group.members().get(reduced).dtype();
        if (!ReductionKernels.supports(t)) throw new IllegalArgumentException("reduce_" + fn.name().toLowerCase() + ": no CUDA kernel for " + t);
        String id = ElementwiseKernels.hash(code("@", group, reduced, fn, false) + code("@", group, reduced, fn, true));
        String generic = "fx_fred_" + id, columns = "fx_fred_columns_" + id;
        return new FusedReduction(group, reduced, fn, KernelSource.memo(generic, () -> code(generic, group, reduced, fn, false)),
                KernelSource.memo(columns, () -> code(columns, group, reduced, fn, true)));
    }

    /** The reduced dtype (also the result's). */
    public DType dtype() {
        return group.members().get(reduced).dtype();
    }

    /**
     * The reduction as a phase of a {@link SequenceKernels sequence kernel}: the generic kernel's parameters, and a
     * body in which each thread computes one output of up to 32 reduced elements, or, for longer reductions, each
     * warp one output (its lanes striding over the reduced elements, then a shuffle reduction).
     */
    public SequenceKernels.Phase blockPhase() {
        ElementwiseGroup g = group;
        DType t = g.members().get(reduced).dtype();
        String r = CudaTypes.c(t), combine = ReductionKernels.combine(fn, t), identity = CudaTypes.literal(fn.identity(), t);
        int[] sides = g.outputMembers();
        int n = g.inputs().size() + sides.length;
        List<String[]> params = new ArrayList<>(List.of(new String[] {"int", "nOut"}, new String[] {"int", "nRed"},
                new String[] {"FxShape", "kept"}, new String[] {"FxShape", "reduced"}));
        for (int j = 0; j < g.inputs().size(); j++) {
            params.add(new String[] {"const " + CudaTypes.c(g.inputs().get(j)) + "* __restrict__", "in" + j});
            params.add(new String[] {"FxStrides", "k" + j});
            params.add(new String[] {"FxStrides", "r" + j});
        }
        for (int k = 0; k < sides.length; k++) {
            params.add(new String[] {CudaTypes.c(g.members().get(sides[k]).dtype()) + "* __restrict__", "side" + k});
            params.add(new String[] {"FxStrides", "ks" + k});
            params.add(new String[] {"FxStrides", "rs" + k});
        }
        params.add(new String[] {r + "* __restrict__", "out"});
        List<String> baseNames = new ArrayList<>(), kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            baseNames.add("b" + i);
            kept.add(i < g.inputs().size() ? "k" + i : "ks" + (i - g.inputs().size()));
        }
        StringBuilder sb = new StringBuilder();
        // rows of at most 32 elements take a thread each (all rows of a [128,10] softmax in one round); longer ones a warp
        sb.append("  const int lanes = nRed <= 32 || blockDim.x < 32 ? 1 : 32, lane = threadIdx.x % lanes, warps = blockDim.x / lanes;\n");
        sb.append("  for (int o = threadIdx.x / lanes; o < nOut; o += warps) {\n");
        ElementwiseKernels.offsets(sb, "    ", "o", "kept", baseNames, kept, Collections.nCopies(n, "0"));
        sb.append("    ").append(r).append(" acc = ").append(identity).append(";\n");
        sb.append("    for (int j = lane; j < nRed; j += lanes) {\n").append(element(g, reduced, fn, "      ", false)).append("    }\n");
        sb.append("    for (int s = lanes / 2; s > 0; s >>= 1) { const ").append(r).append(" b = __shfl_down_sync(0xffffffffu, acc, s); acc = ")
                .append(combine.formatted("acc", "b")).append("; }\n");
        sb.append("    if (lane == 0) out[o] = acc;\n  }\n");
        return new SequenceKernels.Phase(params, sb.toString());
    }

    /** One element j of the reduction, offsets from the bases: the prologue, the side outputs, then acc combined with it. */
    private static String element(ElementwiseGroup g, int reduced, ReduceFn fn, String indent, boolean columns) {
        DType t = g.members().get(reduced).dtype();
        String r = CudaTypes.c(t), combine = ReductionKernels.combine(fn, t);
        int[] sides = g.outputMembers();
        int n = g.inputs().size() + sides.length;
        List<String> offsets = new ArrayList<>(), reducedStrides = new ArrayList<>(), bases = new ArrayList<>();
        for (int j = 0; j < g.inputs().size(); j++) {
            offsets.add("o" + j);
            reducedStrides.add("r" + j);
            bases.add(columns ? "col * k" + j : "b" + j);
        }
        for (int k = 0; k < sides.length; k++) {
            offsets.add("p" + k);
            reducedStrides.add("rs" + k);
            bases.add(columns ? "col * ks" + k : "b" + (g.inputs().size() + k));
        }
        StringBuilder element = new StringBuilder();
        ElementwiseKernels.offsets(element, indent, "j", "reduced", offsets, reducedStrides, bases);
        ElementwiseKernels.evaluate(element, indent, g);
        for (int k = 0; k < sides.length; k++) element.append(indent).append("side").append(k).append("[p").append(k).append("] = v").append(sides[k]).append(";\n");
        element.append(indent).append("{ const ").append(r).append(" v = v").append(reduced).append("; acc = ").append(combine.formatted("acc", "v")).append("; }\n");
        return element.toString();
    }

    private static String code(String name, ElementwiseGroup g, int reduced, ReduceFn fn, boolean columns) {
        DType t = g.members().get(reduced).dtype();
        String r = CudaTypes.c(t), combine = ReductionKernels.combine(fn, t), identity = CudaTypes.literal(fn.identity(), t);
        int[] sides = g.outputMembers();
        int n = g.inputs().size() + sides.length;
        List<String> kept = new ArrayList<>();
        StringBuilder params = new StringBuilder();
        for (int j = 0; j < g.inputs().size(); j++) {
            params.append(", const ").append(CudaTypes.c(g.inputs().get(j))).append("* __restrict__ in").append(j)
                    .append(columns ? ", int k" : ", FxStrides k").append(j).append(", FxStrides r").append(j);
            kept.add("k" + j);
        }
        for (int k = 0; k < sides.length; k++) {
            params.append(", ").append(CudaTypes.c(g.members().get(sides[k]).dtype())).append("* __restrict__ side").append(k)
                    .append(columns ? ", int ks" : ", FxStrides ks").append(k).append(", FxStrides rs").append(k);
            kept.add("ks" + k);
        }
        String element = element(g, reduced, fn, columns ? "          " : "      ", columns);
        StringBuilder sb = new StringBuilder();
        if (!columns) {
            sb.append("extern \"C\" __global__ void ").append(name).append("(int nOut, int nRed, FxShape kept, FxShape reduced").append(params)
                    .append(", ").append(r).append("* __restrict__ out) {\n");
            sb.append("  __shared__ ").append(r).append(" buf[").append(ReductionKernels.THREADS).append("];\n");
            sb.append("  for (int o = blockIdx.x; o < nOut; o += gridDim.x) {\n");
            List<String> baseNames = new ArrayList<>();
            for (int i = 0; i < n; i++) baseNames.add("b" + i);
            ElementwiseKernels.offsets(sb, "    ", "o", "kept", baseNames, kept, Collections.nCopies(n, "0"));
            sb.append("    ").append(r).append(" acc = ").append(identity).append(";\n");
            sb.append("    for (int j = threadIdx.x; j < nRed; j += blockDim.x) {\n").append(element).append("    }\n");
            sb.append("    buf[threadIdx.x] = acc;\n    __syncthreads();\n");
            sb.append("    for (int s = blockDim.x / 2; s > 0; s >>= 1) {\n");
            sb.append("      if (threadIdx.x < s) { const ").append(r).append(" a = buf[threadIdx.x], b = buf[threadIdx.x + s]; buf[threadIdx.x] = ")
                    .append(combine.formatted("a", "b")).append("; }\n      __syncthreads();\n    }\n");
            sb.append("    if (threadIdx.x == 0) out[o] = buf[0];\n    __syncthreads();\n  }\n}\n");
            return sb.toString();
        }
        int cols = ReductionKernels.COLUMNS, lanes = ReductionKernels.LANES;
        sb.append("extern \"C\" __global__ void ").append(name).append("(int nOut, int nRed, int rowsPerSplit, int splits, FxShape reduced").append(params)
                .append(", ").append(r).append("* __restrict__ partial) {\n");
        sb.append("  __shared__ ").append(r).append(" buf[").append(lanes).append("][").append(cols + 1).append("];\n");
        sb.append("  const int columnBlocks = (nOut + ").append(cols - 1).append(") / ").append(cols).append(";\n");
        sb.append("  for (int b = blockIdx.x; b < columnBlocks * splits; b += gridDim.x) {\n");
        sb.append("    const int first = (b % columnBlocks) * ").append(cols).append(", split = b / columnBlocks;\n");
        sb.append("    const int start = split * rowsPerSplit, end = fx_min(nRed, start + rowsPerSplit);\n");
        sb.append("    for (int t = threadIdx.x; t < ").append(cols * lanes).append("; t += blockDim.x) {\n");
        sb.append("      const int col = first + t % ").append(cols).append(", lane = t / ").append(cols).append(";\n");
        sb.append("      ").append(r).append(" acc = ").append(identity).append(";\n");
        sb.append("      if (col < nOut)\n        for (int j = start + lane; j < end; j += ").append(lanes).append(") {\n").append(element).append("        }\n");
        sb.append("      buf[lane][t % ").append(cols).append("] = acc;\n    }\n    __syncthreads();\n");
        sb.append("    for (int t = threadIdx.x; t < ").append(cols).append("; t += blockDim.x) {\n");
        sb.append("      ").append(r).append(" a = buf[0][t];\n");
        sb.append("      for (int lane = 1; lane < ").append(lanes).append("; ++lane) { const ").append(r).append(" b = buf[lane][t]; a = ")
                .append(combine.formatted("a", "b")).append("; }\n");
        sb.append("      if (first + t < nOut) partial[split * nOut + first + t] = a;\n    }\n    __syncthreads();\n  }\n}\n");
        return sb.toString();
    }
}
