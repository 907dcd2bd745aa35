package dev.fluxion.cuda;

import dev.fluxion.cuda.codegen.IndexPlan;
import dev.fluxion.cuda.codegen.KernelPrelude;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The argument list of one kernel launch, laid out as cuLaunchKernel wants it: a {@code void*[]} whose entries
 * point at each argument's bytes. {@code FxShape} is {@code {int rank; int dim[MAX_RANK];}} and {@code FxStrides}
 * {@code {int s[MAX_RANK];}}, both 4-byte aligned, matching {@link KernelPrelude}. The driver copies the arguments
 * at launch, so the arena may close right after.
 */
final class KernelArgs {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    KernelArgs(Arena arena) {
        this.arena = arena;
    }

    KernelArgs addInt(int v) {
        values.add(arena.allocateFrom(JAVA_INT, v));
        return this;
    }

    KernelArgs addPointer(long devicePointer) {
        values.add(arena.allocateFrom(JAVA_LONG, devicePointer));
        return this;
    }

    /** The FxShape of a plan's coalesced dimensions. */
    KernelArgs addShape(IndexPlan plan) {
        MemorySegment s = arena.allocate(JAVA_INT, 1 + KernelPrelude.MAX_RANK);
        s.setAtIndex(JAVA_INT, 0, plan.rank());
        for (int d = 0; d < plan.rank(); d++) s.setAtIndex(JAVA_INT, 1 + d, plan.dims()[d]);
        values.add(s);
        return this;
    }

    /** The FxStrides of one operand of a plan. */
    KernelArgs addStrides(IndexPlan plan, int operand) {
        MemorySegment s = arena.allocate(JAVA_INT, KernelPrelude.MAX_RANK);
        for (int d = 0; d < plan.rank(); d++) s.setAtIndex(JAVA_INT, d, plan.strides()[operand][d]);
        values.add(s);
        return this;
    }

    /** A struct of ints by value (FxConv, FxPool): 4-byte fields in order, as the kernel declares them. */
    KernelArgs addIntStruct(int[] fields) {
        values.add(arena.allocateFrom(JAVA_INT, fields.length == 0 ? new int[1] : fields));
        return this;
    }

    /** A scalar by value from its little-endian bytes, aligned to its own size (1, 4 or 8). */
    KernelArgs addScalar(byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length, bytes.length);
        s.copyFrom(MemorySegment.ofArray(bytes));
        values.add(s);
        return this;
    }

    /** The void*[] for cuLaunchKernel. */
    MemorySegment array() {
        MemorySegment params = arena.allocate(ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) params.setAtIndex(ADDRESS, i, values.get(i));
        return params;
    }
}
