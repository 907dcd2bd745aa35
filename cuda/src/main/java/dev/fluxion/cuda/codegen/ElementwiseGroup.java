package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.Op;

import java.util.List;

/**
 * A chain of elementwise primitives over one output shape, computed by one kernel: each thread evaluates every
 * member for its element in registers and writes only the members marked as outputs. A single primitive is a
 * group of one member, so standalone and fused kernels come from the same generator.
 *
 * @param inputs  dtypes of the values read from memory (each with its own strides, so broadcasting and views
 *                need no copy)
 * @param members the primitives in evaluation order (an elementwise kernel needs one written out; a reduction's
 *                prologue may write none)
 */
public record ElementwiseGroup(List<DType> inputs, List<Member> members) {
    /**
     * One primitive of the group.
     *
     * @param args   per operand, {@code k >= 0} for member k (earlier in the group) or {@code -1 - j} for input j
     * @param output whether the member's values are written to memory (used outside the group)
     */
    public record Member(Op op, DType dtype, int[] args, boolean output) {
        public Member {
            if (!(op instanceof Op.Unary || op instanceof Op.Binary || op instanceof Op.Where || op instanceof Op.Cast))
                throw new IllegalArgumentException(op.name() + " is not an elementwise primitive");
            args = args.clone();
        }

        @Override
        public int[] args() {
            return args.clone();
        }

        /** Reference to input {@code j} in {@link #args}. */
        public static int input(int j) {
            return -1 - j;
        }
    }

    public ElementwiseGroup {
        inputs = List.copyOf(inputs);
        members = List.copyOf(members);
        if (members.isEmpty()) throw new IllegalArgumentException("an elementwise group needs a member");
        for (int m = 0; m < members.size(); m++)
            for (int a : members.get(m).args)
                if (a >= m || -1 - a >= inputs.size()) throw new IllegalArgumentException("member " + m + " refers to " + a + ", not defined before it");
    }

    /** The dtype of an operand reference. */
    public DType dtypeOf(int ref) {
        return ref >= 0 ? members.get(ref).dtype() : inputs.get(-1 - ref);
    }

    /** Indices of the members written out, in order: the kernel's output parameters. */
    public int[] outputMembers() {
        return java.util.stream.IntStream.range(0, members.size()).filter(i -> members.get(i).output()).toArray();
    }
}
