package dev.fluxion.graph;

/**
 * What a {@link dev.fluxion.backend.Backend} implements to run graph functions on its device with its own
 * executable (fused kernels, a static memory plan, a captured device graph) instead of core's CPU one.
 * {@link GraphFunction} asks the backend of the device that every input and variable of a graph lives on; a backend
 * without this interface, a graph on the CPU, or one spanning several devices gets the CPU executable.
 */
public interface GraphCompiler {
    /**
     * Compiles an optimized graph (every dimension known) for this backend's device. Called once per signature and
     * batch size; the executable is then run on every call with that signature.
     */
    Executable compile(String name, Graph optimized);
}
