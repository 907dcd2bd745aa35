package dev.fluxion.graph;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A CPU graph function reuses the arrays of variable values it made once a later call replaces them, unless
 * something outside can still see them: a value read through {@code value()}, returned as an output (or a view of
 * one), or given by the caller. Every array here has at least {@code BufferPool.MIN_POOLED_ELEMENTS} elements.
 */
class VariableRecyclingTest {
    private static final int[] SHAPE = {64, 48};

    /** Adam-like updates of a weight and its two slots from a fixed gradient; returns the gradient's sum (not pooled). */
    private static GraphFunction<Tensor> adam(String name, Variable w, Variable m, Variable s) {
        return Fx.function(name, (Tensor g) -> {
            m.assign(m.value().mul(0.9).add(g.mul(0.1)));
            s.assign(s.value().mul(0.999).add(g.square().mul(0.001)));
            w.assignSub(m.value().div(s.value().sqrt().add(1e-7)).mul(1e-2));
            return g.sum();
        });
    }

    private static Variable[] variables(long seed) {
        Tensor w = new Rng(seed).normal(SHAPE, 0, 1);
        return new Variable[] {new Variable(w, "w"), new Variable(w.zerosLike(), "m"), new Variable(w.zerosLike(), "s")};
    }

    /** Tensors the caller keeps, each with a copy of its values when it was kept. */
    private static final class Held {
        private final List<Tensor> tensors = new ArrayList<>();
        private final List<float[]> bits = new ArrayList<>();

        void keep(Tensor... ts) {
            for (Tensor t : ts) {
                tensors.add(t);
                bits.add(t.toFloatArray());
            }
        }

        void assertUnchanged(String what) {
            for (int i = 0; i < tensors.size(); i++) assertArrayEquals(bits.get(i), tensors.get(i).toFloatArray(), what + " " + i + " changed");
        }
    }

    /** Assigns {@code s} half its value plus the input and returns the new value and a view of it. */
    private static GraphFunction<Tensor[]> replaceAndReturnNew(Variable s) {
        return Fx.function("new", (Tensor x) -> {
            Tensor next = s.value().mul(0.5).add(x);
            s.assign(next);
            return new Tensor[] {next, next.reshape(48, 64)};
        });
    }

    /** A function built while {@code property} is set (the executable reads it when it is made). */
    private static <T> T builtWith(String property, Supplier<T> build) {
        System.setProperty(property, "false");
        try {
            return build.get();
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void warmStepsAllocateNothingForTheirVariablesAndComputeTheSameBits() {
        Tensor g = new Rng(2).normal(SHAPE, 0, 1);
        Variable[] a = variables(1), b = variables(1);
        GraphFunction<Tensor> recycling = adam("recycling", a[0], a[1], a[2]);
        GraphFunction<Tensor> fresh = builtWith("fluxion.graph.recycleVariables", () -> {
            GraphFunction<Tensor> f = adam("fresh", b[0], b[1], b[2]);
            f.call(g); // builds the executable while the switch is off
            return f;
        });
        recycling.call(g);
        for (int i = 0; i < 3; i++) {
            recycling.call(g);
            fresh.call(g);
        }
        long[] before = recycling.bufferStats(), freshBefore = fresh.bufferStats();
        for (int i = 0; i < 5; i++) {
            recycling.call(g);
            fresh.call(g);
        }
        long[] after = recycling.bufferStats(), freshAfter = fresh.bufferStats();
        assertEquals(0, after[0] - before[0], "warm calls allocate no array for the new weight and slots");
        assertEquals(5L * 3 * 64 * 48 * 4, freshAfter[0] - freshBefore[0], "without recycling each call allocates three");
        for (int k = 0; k < 3; k++)
            assertArrayEquals(b[k].value().toFloatArray(), a[k].value().toFloatArray(), a[k].name() + ": the same bits on reused arrays");
    }

    @Test
    void valuesReadThroughValueNeverChangeAfterwards() {
        Tensor g = new Rng(3).normal(SHAPE, 0, 1);
        Variable[] v = variables(4);
        Tensor initial = v[0].value(); // the tensor the variable was made from is the caller's too
        float[] initialBits = initial.toFloatArray();
        GraphFunction<Tensor> step = adam("step", v[0], v[1], v[2]);
        Held held = new Held();
        for (int i = 0; i < 6; i++) {
            step.call(g);
            if (i % 2 == 1) // read some values between calls, as a callback or a checkpoint would
                for (Variable x : v) held.keep(x.value());
        }
        held.assertUnchanged("held value");
        assertArrayEquals(initialBits, initial.toFloatArray(), "the initial value changed");
    }

    @Test
    void outputsSharingAVariablesValueNeverChangeAfterwards() {
        Tensor g = new Rng(5).normal(SHAPE, 0, 1);
        Variable[] v = variables(6);
        GraphFunction<Tensor> step = adam("step", v[0], v[1], v[2]);
        // returns the weight's value before its update: the output is the replaced value's memory
        Variable w = v[0];
        GraphFunction<Tensor> replaceAndReturnOld = Fx.function("replace", (Tensor x) -> {
            Tensor old = w.value();
            w.assign(old.add(x));
            return old;
        });
        // returns a view of the first slot without writing it: a later step replaces that value; built without
        // recycling, it must still tell the step that the caller holds that memory
        GraphFunction<Tensor> viewOfSlot = builtWith("fluxion.graph.recycleVariables", () -> {
            GraphFunction<Tensor> f = Fx.function("view", (Tensor unused) -> v[1].value().reshape(48, 64));
            f.call(g);
            return f;
        });
        // returns the second slot's new value (and a view of it): the caller holds the memory the slot now has
        GraphFunction<Tensor[]> replaceAndReturnNew = replaceAndReturnNew(v[2]);
        Held held = new Held();
        for (int i = 0; i < 12; i++) {
            step.call(g);
            switch (i % 3) {
                case 0 -> held.keep(replaceAndReturnOld.call(g));
                case 1 -> held.keep(viewOfSlot.call(g));
                default -> held.keep(replaceAndReturnNew.call(g));
            }
        }
        for (int i = 0; i < 3; i++) step.call(g);
        held.assertUnchanged("output");
    }

    @Test
    void newValuesReturnedAsOutputsNeverChangeAfterwards() {
        Tensor x = new Rng(10).normal(SHAPE, 0, 1);
        // the output is the memory the variable now has: the next call replaces the value, the caller keeps it
        GraphFunction<Tensor[]> replaceAndReturnNew = replaceAndReturnNew(variables(9)[2]);
        Held held = new Held();
        for (int i = 0; i < 6; i++) held.keep(replaceAndReturnNew.call(x));
        held.assertUnchanged("output");
    }

    @Test
    void valuesAssignedByTheCallerAreNeverReused() {
        Tensor g = new Rng(7).normal(SHAPE, 0, 1);
        Variable[] v = variables(8);
        GraphFunction<Tensor> step = adam("step", v[0], v[1], v[2]);
        Held given = new Held();
        for (int i = 0; i < 6; i++) {
            step.call(g);
            Tensor mine = new Rng(20 + i).normal(SHAPE, 0, 1); // the caller keeps it
            given.keep(mine);
            v[i % 3].assign(mine);
        }
        for (int i = 0; i < 3; i++) step.call(g);
        given.assertUnchanged("assigned tensor");
    }
}
