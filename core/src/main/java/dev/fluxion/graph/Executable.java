package dev.fluxion.graph;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;

/** A graph compiled for one device and one input signature. */
public interface Executable {
    /** Runs the graph on concrete inputs, performs its variable writes, and returns its outputs. */
    Tensor[] run(Tensor[] inputs);

    /**
     * Runs the graph {@code steps} times, call {@code i} on slice {@code i} of each stacked input's first axis, and
     * returns each output stacked on a new first axis: the same values as {@code steps} calls of {@link #run} in
     * order (random numbers included). This default does exactly that; a device may run several calls per launch.
     */
    default Tensor[] runSteps(Tensor[] stacked, int steps) {
        Tensor[][] outputs = new Tensor[steps][];
        for (int i = 0; i < steps; i++) outputs[i] = run(slices(stacked, i));
        return stackSteps(outputs);
    }

    /** Slice {@code i} of each stacked tensor's first axis (views). */
    static Tensor[] slices(Tensor[] stacked, int i) {
        Tensor[] slice = new Tensor[stacked.length];
        for (int j = 0; j < stacked.length; j++) slice[j] = ArrayOps.index(stacked[j], 0, i);
        return slice;
    }

    /** Output {@code j} of every call stacked on a new first axis, for each {@code j}. */
    static Tensor[] stackSteps(Tensor[][] perCall) {
        Tensor[] stacked = new Tensor[perCall[0].length];
        for (int j = 0; j < stacked.length; j++) {
            Tensor[] column = new Tensor[perCall.length];
            for (int i = 0; i < column.length; i++) column[i] = perCall[i][j];
            stacked[j] = ArrayOps.stack(0, column);
        }
        return stacked;
    }

    /** Where the time went per step, slowest first, when profiling is on ({@code -Dfluxion.graph.profile=true}). */
    default String profile() {
        return "";
    }

    /** Forgets the time profiled so far. */
    default void resetProfile() {}
}
