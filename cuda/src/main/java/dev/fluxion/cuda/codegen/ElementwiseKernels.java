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

    private static String code(String name, ElementwiseGroup g) {
        List<DType> in = g.inputs();
        int[] outs = g.outputMembers();
        StringBuilder sb = new StringBuilder();
        sb.append("extern \"C\" __global__ void ").append(name).append("(int n, FxShape shape");
        for (int j = 0; j < in.size(); j++)
            sb.append(", const ").append(CudaTypes.c(in.get(j))).append("* __restrict__ in").append(j).append(", FxStrides s").append(j);
        for (int k = 0; k < outs.length; k++)
            sb.append(", ").append(CudaTypes.c(g.members().get(outs[k]).dtype())).append("* __restrict__ out").append(k);
        sb.append(") {\n");
        sb.append("  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {\n");
        offsets(sb, in.size());
        for (int j = 0; j < in.size(); j++)
            sb.append("    const ").append(CudaTypes.c(in.get(j))).append(" x").append(j).append(" = in").append(j).append("[o").append(j).append("];\n");
        for (int m = 0; m < g.members().size(); m++) {
            ElementwiseGroup.Member member = g.members().get(m);
            sb.append("    const ").append(CudaTypes.c(member.dtype())).append(" v").append(m).append(" = ")
                    .append(expression(g, member)).append(";\n");
        }
        for (int k = 0; k < outs.length; k++) sb.append("    out").append(k).append("[i] = v").append(outs[k]).append(";\n");
        sb.append("  }\n}\n");
        return sb.toString();
    }

    /** Offsets of every input for element i: one div/mod per axis shared by all inputs, none for rank 1. */
    private static void offsets(StringBuilder sb, int inputs) {
        if (inputs == 0) return;
        sb.append("    int o0 = 0");
        for (int j = 1; j < inputs; j++) sb.append(", o").append(j).append(" = 0");
        sb.append(";\n    if (shape.rank == 1) {");
        for (int j = 0; j < inputs; j++) sb.append(" o").append(j).append(" = i * s").append(j).append(".s[0];");
        sb.append(" } else {\n      int rem = i;\n");
        // fully unrolled over MAX_RANK so every dim/stride index is a constant: the parameters stay in the constant
        // bank instead of being copied to local memory, as a loop bounded by shape.rank would force
        sb.append("      #pragma unroll\n      for (int d = FX_MAX_RANK - 1; d >= 0; --d) {\n        if (d >= shape.rank) continue;\n");
        sb.append("        const int q = rem / shape.dim[d], c = rem - q * shape.dim[d];\n        rem = q;\n");
        for (int j = 0; j < inputs; j++) sb.append("        o").append(j).append(" += c * s").append(j).append(".s[d];\n");
        sb.append("      }\n    }\n");
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

    private static String hash(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
