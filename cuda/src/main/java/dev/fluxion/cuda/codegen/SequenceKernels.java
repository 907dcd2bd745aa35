package dev.fluxion.cuda.codegen;

import java.util.ArrayList;
import java.util.List;

/**
 * One kernel, launched as a single thread block, that runs several small steps of a plan one after the other with a
 * block barrier between them: a chain of elementwise kernels and reductions over a few thousand elements each (a
 * softmax cross-entropy and its gradient) costs one launch instead of one per step. Each step is a phase: a
 * {@code __device__} function with the parameters its own kernel would take, whose body lets the block's threads
 * cover the work (elementwise: threads stride over the elements; reduction: a thread per output of a short row, else
 * a warp per output). Values pass between phases through global memory, which a barrier makes visible to the whole block.
 *
 * <p>Signature: the phases' parameters in order, each name suffixed with {@code _q} for phase q.
 */
public final class SequenceKernels {
    private SequenceKernels() {}

    /**
     * Threads of the one block a sequence kernel is launched with, and its {@code __launch_bounds__}: at most 128
     * registers per thread, so a long sequence spills rather than failing to launch.
     */
    public static final int THREADS = 512;

    /** A phase: its parameters ({type, name}) and the body that uses them. */
    public record Phase(List<String[]> params, String body) {}

    /** The phase of an elementwise group. */
    public static Phase elementwise(ElementwiseGroup group) {
        return ElementwiseKernels.blockPhase(group);
    }

    /** The kernel running {@code phases} in order, named after a hash of its source. */
    public static KernelSource sequence(List<Phase> phases) {
        if (phases.size() < 2) throw new IllegalArgumentException("a sequence kernel needs at least two phases, got " + phases.size());
        String name = "fx_seq_" + ElementwiseKernels.hash(code("@", phases));
        return KernelSource.memo(name, () -> code(name, phases));
    }

    private static String code(String name, List<Phase> phases) {
        StringBuilder sb = new StringBuilder();
        List<String> kernelParams = new ArrayList<>(), calls = new ArrayList<>();
        for (int q = 0; q < phases.size(); q++) {
            Phase p = phases.get(q);
            List<String> own = new ArrayList<>(), args = new ArrayList<>();
            for (String[] param : p.params()) {
                // no __restrict__: a later phase reads what an earlier one wrote in the same kernel, which the
                // non-coherent read-only loads that __restrict__ const pointers allow must not serve
                String type = param[0].replace(" __restrict__", "").replace("__restrict__", "");
                own.add(type + " " + param[1]);
                kernelParams.add(type + " " + param[1] + "_" + q);
                args.add(param[1] + "_" + q);
            }
            String phase = name + "_p" + q;
            sb.append("__device__ __forceinline__ void ").append(phase).append("(").append(String.join(", ", own)).append(") {\n")
                    .append(p.body()).append("}\n");
            calls.add("  " + phase + "(" + String.join(", ", args) + ");\n  __syncthreads();\n");
        }
        sb.append("extern \"C\" __global__ void __launch_bounds__(").append(THREADS).append(") ").append(name).append("(").append(String.join(", ", kernelParams)).append(") {\n");
        calls.forEach(sb::append);
        return sb.append("}\n").toString();
    }
}
