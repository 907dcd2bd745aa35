package dev.fluxion.nn;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a model with a declared input knows before any data: it is built, its output shape and parameter count are
 * known, and the symbolic pass that builds it changes no variable and draws no random numbers.
 */
class SymbolicBuildTest {
    /** Counts its calls in a variable and adds noise from its own generator: state a symbolic pass must not touch. */
    static final class Noisy extends Layer {
        final Rng rng = new Rng(5);
        Variable calls;

        Noisy() {
            super(null);
        }

        @Override
        protected void build(int[] inputShape) {
            calls = addWeight("calls", new int[] {1}, Initializers.zeros(), false);
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            calls.assign(calls.value().add(1.0));
            return x.add(rng.uniform(x.shape(), x.dtype()));
        }
    }

    @Test
    void declaredInputsBuildWithoutRunningAnything() {
        KerasTensor in = Input.shape(2, 3);
        Noisy noisy = new Noisy();
        Sequential seq = Sequential.of(in, noisy, new Flatten(), new Dense(4));
        assertSame(in, seq.input());
        assertTrue(seq.isBuilt());
        assertArrayEquals(new int[] {-1, 4}, seq.outputShape(), "known from the symbolic pass");
        assertEquals(6 * 4 + 4 + 1, seq.countParams());
        assertEquals(0.0, noisy.calls.value().item(), "the symbolic pass dropped the assignment");
        assertArrayEquals(new long[] {5, 0}, noisy.rng.state(), "the symbolic pass drew nothing");
        seq.call(Tensor.ones(1, 2, 3));
        assertEquals(1.0, noisy.calls.value().item());
        assertNotEquals(0, noisy.rng.state()[1], "a real call draws");
        assertNull(Sequential.of(new Dense(1)).input());
        assertArrayEquals(new int[] {-1, 2, 3}, Sequential.of(Input.shape(2, 3)).outputShape(), "an Input alone: its own shape");

        KerasTensor a = Input.shape(3);
        KerasTensor out = new Dense(2).apply(a);
        Functional f = Functional.of(a, out);
        assertTrue(f.isBuilt(), "a functional model is built from its graph");
        assertEquals(List.of(out), f.outputs());
        assertEquals(List.of(a), f.inputs());
        assertArrayEquals(new int[] {-1, 2}, f.outputShape());
        assertEquals(8, f.countParams());
    }
}
