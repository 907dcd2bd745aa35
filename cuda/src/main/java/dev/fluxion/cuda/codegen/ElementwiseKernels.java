package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.Op;

import java.util.HexFormat;
import java.util.List;

/**
 * Generates the kernel of an {@link ElementwiseGroup}. Signature, in order:
 * {@code (int n, FxShape shape, const T0* in0, FxStrides s0, ..., T* out0, ...)}: n elements of a contiguous output
 * walked in row-major order over the coalesced {@code shape} ({@link IndexPlan}); input j is read at
 * {@code in_j[offset(i, shape, s_j)]}, so broadcast inputs (stride 0) and views (any strides) need no copy.
 * A grid-stride loop lets any grid size cover n.
 */
public final class ElementwiseKernels {
    private ElementwiseKernels() {}

    /** The kernel of a group named {@code name}; the group is built only when the kernel is new. */
    public static KernelSource generate(String name, java.util.function.Supplier<ElementwiseGroup> group) {
        return KernelSource.memo(name, () -> code(name, group.get()));
    }

    /** The kernel of a fused group, named after a hash of its body so identical groups share one compiled kernel. */
    public static KernelSource fused(ElementwiseGroup group) {
        String body = code("@", group);
        String name = "fx_fused_" + hash(body);
        return KernelSource.memo(name, () -> code(name, group));
    }

    /**
     * One kernel for several independent groups (an optimizer's update of every variable: one launch instead of
     * one per variable). Its parameters are each group's, in order, with the group's index in front of each name:
     * {@code (int n0, FxShape shape0, const T* in0_0, FxStrides s0_0, ..., T* out0_0, ..., int n1, FxShape shape1, ...)};
     * its threads cover n0 + n1 + ... elements, element t of group q being t minus the groups before it.
     */
    public static KernelSource multi(List<ElementwiseGroup> groups) {
        if (groups.size() < 2) throw new IllegalArgumentException("a multi-group kernel needs at least two groups, got " + groups.size());
        String body = multiCode("@", groups);
        String name = "fx_multi_" + hash(body);
        return KernelSource.memo(name, () -> multiCode(name, groups));
    }

    private static String multiCode(String name, List<ElementwiseGroup> groups) {
        StringBuilder sb = new StringBuilder();
        sb.append("extern \"C\" __global__ void ").append(name).append("(");
        for (int q = 0; q < groups.size(); q++) {
            ElementwiseGroup g = groups.get(q);
            if (g.outputMembers().length == 0) throw new IllegalArgumentException(name + ": group " + q + " has no output");
            sb.append(q > 0 ? ", " : "").append("int n").append(q).append(", FxShape shape").append(q);
            for (int j = 0; j < g.inputs().size(); j++)
                sb.append(", const ").append(CudaTypes.c(g.inputs().get(j))).append("* __restrict__ in").append(q).append('_').append(j)
                        .append(", FxStrides s").append(q).append('_').append(j);
            int[] outs = g.outputMembers();
            for (int k = 0; k < outs.length; k++)
                sb.append(", ").append(CudaTypes.c(g.members().get(outs[k]).dtype())).append("* __restrict__ out").append(q).append('_').append(k);
        }
        sb.append(") {\n  const long long total = ");
        for (int q = 0; q < groups.size(); q++) sb.append(q > 0 ? " + " : "").append("(long long) n").append(q);
        sb.append(";\n  for (long long t = (long long) blockIdx.x * blockDim.x + threadIdx.x; t < total; t += (long long) gridDim.x * blockDim.x) {\n");
        sb.append("    long long start = 0;\n");
        for (int q = 0; q < groups.size(); q++) {
            ElementwiseGroup g = groups.get(q);
            sb.append("    if (t >= start && t < start + n").append(q).append(") {\n");
            sb.append("      const int i = (int) (t - start);\n");
            List<String> offsets = new java.util.ArrayList<>(), strides = new java.util.ArrayList<>();
            for (int j = 0; j < g.inputs().size(); j++) {
                sb.append("      const ").append(CudaTypes.c(g.inputs().get(j))).append("* __restrict__ in").append(j).append(" = in").append(q).append('_').append(j).append(";\n");
                offsets.add("o" + j);
                strides.add("s" + q + "_" + j);
            }
            offsets(sb, "      ", "i", "shape" + q, offsets, strides, java.util.Collections.nCopies(g.inputs().size(), "0"));
            evaluate(sb, "      ", g);
            int[] outs = g.outputMembers();
            for (int k = 0; k < outs.length; k++) sb.append("      out").append(q).append('_').append(k).append("[i] = v").append(outs[k]).append(";\n");
            sb.append("    }\n    start += n").append(q).append(";\n");
        }
        sb.append("  }\n}\n");
        return sb.toString();
    }

    /**
     * The group as a phase of a {@link SequenceKernels sequence kernel}: the kernel's parameters, and a body in which
     * the block's threads cover the n elements.
     */
    static SequenceKernels.Phase blockPhase(ElementwiseGroup g) {
        List<DType> in = g.inputs();
        int[] outs = g.outputMembers();
        List<String[]> params = new java.util.ArrayList<>();
        params.add(new String[] {"int", "n"});
        params.add(new String[] {"FxShape", "shape"});
        List<String> offsets = new java.util.ArrayList<>(), strides = new java.util.ArrayList<>();
        for (int j = 0; j < in.size(); j++) {
            params.add(new String[] {"const " + CudaTypes.c(in.get(j)) + "* __restrict__", "in" + j});
            params.add(new String[] {"FxStrides", "s" + j});
            offsets.add("o" + j);
            strides.add("s" + j);
        }
        for (int k = 0; k < outs.length; k++) params.add(new String[] {CudaTypes.c(g.members().get(outs[k]).dtype()) + "* __restrict__", "out" + k});
        StringBuilder sb = new StringBuilder("  for (int i = threadIdx.x; i < n; i += blockDim.x) {\n");
        offsets(sb, "    ", "i", "shape", offsets, strides, java.util.Collections.nCopies(in.size(), "0"));
        evaluate(sb, "    ", g);
        for (int k = 0; k < outs.length; k++) sb.append("    out").append(k).append("[i] = v").append(outs[k]).append(";\n");
        sb.append("  }\n");
        return new SequenceKernels.Phase(params, sb.toString());
    }

    private static String code(String name, ElementwiseGroup g) {
        List<DType> in = g.inputs();
        int[] outs = g.outputMembers();
        if (outs.length == 0) throw new IllegalArgumentException(name + ": an elementwise kernel needs an output");
        StringBuilder sb = new StringBuilder();
        sb.append("extern \"C\" __global__ void ").append(name).append("(int n, FxShape shape");
        for (int j = 0; j < in.size(); j++)
            sb.append(", const ").append(CudaTypes.c(in.get(j))).append("* __restrict__ in").append(j).append(", FxStrides s").append(j);
        for (int k = 0; k < outs.length; k++)
            sb.append(", ").append(CudaTypes.c(g.members().get(outs[k]).dtype())).append("* __restrict__ out").append(k);
        sb.append(") {\n");
        sb.append("  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {\n");
        List<String> offsets = new java.util.ArrayList<>(), strides = new java.util.ArrayList<>();
        for (int j = 0; j < in.size(); j++) {
            offsets.add("o" + j);
            strides.add("s" + j);
        }
        offsets(sb, "    ", "i", "shape", offsets, strides, java.util.Collections.nCopies(in.size(), "0"));
        evaluate(sb, "    ", g);
        for (int k = 0; k < outs.length; k++) sb.append("    out").append(k).append("[i] = v").append(outs[k]).append(";\n");
        sb.append("  }\n}\n");
        return sb.toString();
    }

    /**
     * Declares {@code offsets[j] = bases[j] + offset(index, shape, strides[j])} for every operand: one div/mod per
     * axis shared by all operands, none for rank 1 ({@code shape} an FxShape, each {@code strides[j]} an FxStrides).
     */
    static void offsets(StringBuilder sb, String indent, String index, String shape, List<String> offsets, List<String> strides, List<String> bases) {
        if (offsets.isEmpty()) return;
        sb.append(indent).append("int ");
        for (int j = 0; j < offsets.size(); j++) sb.append(j > 0 ? ", " : "").append(offsets.get(j)).append(" = ").append(bases.get(j));
        sb.append(";\n").append(indent).append("if (").append(shape).append(".rank == 1) {");
        for (int j = 0; j < offsets.size(); j++)
            sb.append(' ').append(offsets.get(j)).append(" += ").append(index).append(" * ").append(strides.get(j)).append(".s[0];");
        sb.append(" } else {\n").append(indent).append("  int rem = ").append(index).append(";\n");
        // fully unrolled over MAX_RANK so every dim/stride index is a constant: the parameters stay in the constant
        // bank instead of being copied to local memory, as a loop bounded by shape.rank would force
        sb.append(indent).append("  #pragma unroll\n").append(indent).append("  for (int d = FX_MAX_RANK - 1; d >= 0; --d) {\n")
                .append(indent).append("    if (d >= ").append(shape).append(".rank) continue;\n")
                .append(indent).append("    const int q = rem / ").append(shape).append(".dim[d], c = rem - q * ").append(shape).append(".dim[d];\n")
                .append(indent).append("    rem = q;\n");
        for (int j = 0; j < offsets.size(); j++)
            sb.append(indent).append("    ").append(offsets.get(j)).append(" += c * ").append(strides.get(j)).append(".s[d];\n");
        sb.append(indent).append("  }\n").append(indent).append("}\n");
    }

    /**
     * The group's arithmetic for one element: input j loaded as {@code xj} from {@code inj[oj]}, then member m as
     * {@code vm}, in registers.
     */
    static void evaluate(StringBuilder sb, String indent, ElementwiseGroup g) {
        for (int j = 0; j < g.inputs().size(); j++)
            sb.append(indent).append("const ").append(CudaTypes.c(g.inputs().get(j))).append(" x").append(j).append(" = in").append(j)
                    .append("[o").append(j).append("];\n");
        for (int m = 0; m < g.members().size(); m++) {
            ElementwiseGroup.Member member = g.members().get(m);
            sb.append(indent).append("const ").append(CudaTypes.c(member.dtype())).append(" v").append(m).append(" = ")
                    .append(expression(g, member)).append(";\n");
        }
    }

    private static String operand(int ref) {
        return ref >= 0 ? "v" + ref : "x" + (-1 - ref);
    }

    private static String expression(ElementwiseGroup g, ElementwiseGroup.Member m) {
        int[] a = m.args();
        return switch (m.op()) {
            case Op.Unary u -> ScalarExpressions.unary(u.fn(), g.dtypeOf(a[0]), operand(a[0]));
            case Op.Binary b -> ScalarExpressions.binary(b.fn(), g.dtypeOf(a[0]), operand(a[0]), operand(a[1]));
            case Op.Where w -> ScalarExpressions.where(operand(a[0]), operand(a[1]), operand(a[2]));
            case Op.Cast c -> ScalarExpressions.cast(g.dtypeOf(a[0]), c.to(), operand(a[0]));
            default -> throw new IllegalStateException(m.op().name() + " is not elementwise");
        };
    }

    static String hash(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
