package dev.fluxion.graph;

import dev.fluxion.Tensor;

/** A graph compiled for one device and one input signature. */
public interface Executable {
    /** Runs the graph on concrete inputs, performs its variable writes, and returns its outputs. */
    Tensor[] run(Tensor[] inputs);
}
