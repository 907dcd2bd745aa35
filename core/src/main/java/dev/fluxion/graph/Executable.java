package dev.fluxion.graph;

import dev.fluxion.Tensor;

/** A graph compiled for one device and one input signature. */
public interface Executable {
    /** Runs the graph on concrete inputs, performs its variable writes, and returns its outputs. */
    Tensor[] run(Tensor[] inputs);

    /** Where the time went per step, slowest first, when profiling is on ({@code -Dfluxion.graph.profile=true}). */
    default String profile() {
        return "";
    }

    /** Forgets the time profiled so far. */
    default void resetProfile() {}
}
