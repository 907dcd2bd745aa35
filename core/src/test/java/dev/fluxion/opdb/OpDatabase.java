package dev.fluxion.opdb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The op database (PyTorch OpInfo / JAX check_grads style, DESIGN.md lesson 8): one {@link OpInfo} per op and
 * variant, split by family into {@link ElementwiseOps}, {@link ReductionOps}, {@link ShapeOps},
 * {@link IndexingOps} and {@link NnOpsDb}. The generic tests of this package run over all of it:
 * <ul>
 *   <li>{@link OpForwardTest}: forward float32/float64 (and integer/bool) results against the float64 references;</li>
 *   <li>{@link OpGradientTest}: first-order gradients against central finite differences in float64;</li>
 *   <li>{@link OpSecondOrderTest}: gradients of gradients (nested tapes) against finite differences;</li>
 *   <li>{@link OpErrorTest}: error inputs and dtype claims;</li>
 *   <li>{@link OpDatabaseTest}: coverage of every primitive function and checks of the references themselves.</li>
 * </ul>
 */
final class OpDatabase {
    private OpDatabase() {}

    /** Every op, in family order. */
    static final List<OpInfo> ALL = build();

    private static List<OpInfo> build() {
        List<OpInfo> ops = new ArrayList<>();
        ops.addAll(ElementwiseOps.ops());
        ops.addAll(ReductionOps.ops());
        ops.addAll(ShapeOps.ops());
        ops.addAll(IndexingOps.ops());
        ops.addAll(NnOpsDb.ops());
        return Collections.unmodifiableList(ops);
    }

    static OpInfo get(String name) {
        for (OpInfo op : ALL) if (op.name().equals(name)) return op;
        throw new IllegalArgumentException("no op named '" + name + "' in the database");
    }
}
