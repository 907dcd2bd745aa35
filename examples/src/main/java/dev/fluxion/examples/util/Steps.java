package dev.fluxion.examples.util;

import dev.fluxion.Fx;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.graph.GraphFunction;

/**
 * Runs a custom loop's step the way the options ask: traced once into a graph function ({@code GRAPH}, and
 * {@code FIT} for loops that have no fit of their own) or as plain eager Java ({@code EAGER}, debuggable).
 */
public final class Steps {
    private Steps() {}

    public static boolean compiled(ExampleOptions.Mode mode) {
        return mode != ExampleOptions.Mode.EAGER;
    }

    /** The step of one tensor argument, compiled or eager. */
    public static <R> Fx.Fn1<R> of(String name, ExampleOptions.Mode mode, Fx.Fn1<R> body) {
        if (!compiled(mode)) return body;
        GraphFunction<R> f = Fx.function(name, body);
        return a -> f.call(a);
    }

    /** The step of two tensor arguments, compiled or eager. */
    public static <R> Fx.Fn2<R> of(String name, ExampleOptions.Mode mode, Fx.Fn2<R> body) {
        if (!compiled(mode)) return body;
        GraphFunction<R> f = Fx.function(name, body);
        return (a, b) -> f.call(a, b);
    }

    /** The number of steps an epoch of {@code batches} batches runs under {@code maxStepsPerEpoch} (0 = all). */
    public static long perEpoch(long batches, long maxStepsPerEpoch) {
        return maxStepsPerEpoch > 0 ? Math.min(batches, maxStepsPerEpoch) : batches;
    }
}
