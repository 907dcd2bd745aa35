package dev.fluxion;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What a tape watches and records: accessed variables, stopRecording, reset, output gradients, several tapes. */
class GradientTapeControlTest {
    private static Tensor d(double... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void withoutWatchingAccessedVariablesOnlyExplicitSourcesGetGradients() {
        Variable w = new Variable(d(1, 2), "w"), v = new Variable(d(3, 4), "v");
        try (var tape = new GradientTape(false, false)) {
            tape.watch(v);
            Tensor loss = w.value().mul(v.value()).sum();
            List<Tensor> g = tape.gradient(loss, List.of(w, v));
            assertNull(g.get(0), "w was read but not watched");
            assertArrayEquals(new double[] {1, 2}, g.get(1).toDoubleArray(), 0);
            assertEquals(List.of(v), tape.watchedVariables());
        }
    }

    @Test
    void nonTrainableVariablesAreNotWatchedUnlessAsked() {
        Variable counter = new Variable(d(2, 5), "counter", false), w = new Variable(d(1, 1), "w");
        try (var tape = GradientTape.persistent()) {
            Tensor loss = counter.value().mul(w.value()).sum();
            assertNull(tape.gradient(loss, List.of(counter)).get(0));
            assertArrayEquals(new double[] {2, 5}, tape.gradient(loss, List.of(w)).get(0).toDoubleArray(), 0);
            assertEquals(List.of(w), tape.watchedVariables());
        }
        try (var tape = new GradientTape()) {
            assertSame(tape, tape.watch(counter), "watch chains");
            Tensor loss = counter.value().square().sum();
            assertArrayEquals(new double[] {4, 10}, tape.gradient(loss, List.of(counter)).get(0).toDoubleArray(), 0);
        }
    }

    @Test
    void stopRecordingPausesUntilItsHandleIsClosed() throws Exception {
        Tensor x = d(1, 2, 3);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.square();
            Tensor z;
            try (var paused = tape.stopRecording()) {
                z = y.mul(10); // a constant for the tape
            }
            Tensor loss = y.add(z).mul(2).sum(); // recorded again: d/dx = 2 * 2x (z contributes nothing)
            assertArrayEquals(new double[] {4, 8, 12}, tape.gradient(loss, x)[0].toDoubleArray(), 0);
        }
    }

    @Test
    void resetForgetsWhatWasRecordedWatchedAndAccessedAndKeepsRecording() {
        Tensor x = d(1, 2), u = d(3, 4);
        Variable w = new Variable(d(1, 1), "w");
        try (var tape = GradientTape.persistent()) {
            tape.watch(x).watch(u);
            Tensor before = x.square().sum().add(w.value().sum());
            assertEquals(List.of(w), tape.watchedVariables());
            tape.reset();
            assertEquals(List.of(), tape.watchedVariables());
            assertNull(tape.gradient(x.mul(4).sum(), x)[0], "x is no longer watched");
            Tensor after = u.mul(3).sum().add(before); // u too must be watched again
            assertNull(tape.gradient(after, u)[0]);
            tape.watch(x, u);
            assertNull(tape.gradient(before, x)[0], "the ops before the reset were discarded");
            Tensor again = u.mul(3).sum().add(before);
            assertArrayEquals(new double[] {3, 3}, tape.gradient(again, u)[0].toDoubleArray(), 0);
        }
    }

    @Test
    void resetLetsANonPersistentTapeTakeAnotherGradient() {
        Tensor x = d(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            tape.gradient(x.square().sum(), x);
            tape.reset();
            tape.watch(x);
            assertArrayEquals(new double[] {3, 3}, tape.gradient(x.mul(3).sum(), x)[0].toDoubleArray(), 0);
        }
    }

    @Test
    void outputGradientsSeedTheReversePass() {
        Tensor x = d(1, 2, 3);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.square(); // dy/dx = 2x, weighted per element by the seed
            Tensor g = tape.gradient(y, new Tensor[] {x}, d(1, 0, -2), UnconnectedGradients.NONE)[0];
            assertArrayEquals(new double[] {2, 0, -12}, g.toDoubleArray(), 0);
        }
    }

    @Test
    void twoTapesRecordTheSameOpsEachForItsOwnSources() {
        Tensor x = d(2), u = d(5);
        try (var tx = new GradientTape(); var tu = new GradientTape()) {
            tx.watch(x);
            tu.watch(u);
            Tensor y = x.mul(u).sum();
            assertTrue(GradientTape.nestedRecording());
            assertArrayEquals(new double[] {5}, tx.gradient(y, x)[0].toDoubleArray(), 0);
            assertArrayEquals(new double[] {2}, tu.gradient(y, u)[0].toDoubleArray(), 0);
        }
        assertFalse(GradientTape.nestedRecording());
        assertFalse(GradientTape.anyRecording());
        try (var only = new GradientTape()) {
            assertTrue(GradientTape.anyRecording());
            assertFalse(GradientTape.nestedRecording(), "one tape is not nested");
        }
    }

    @Test
    void aClosedTapeRecordsNothingMoreButStillGivesGradients() {
        Tensor x = d(1, 2);
        var tape = GradientTape.persistent();
        tape.watch(x);
        Tensor y = x.square().sum();
        tape.close();
        tape.close(); // closing twice is harmless
        assertFalse(GradientTape.anyRecording());
        Tensor later = x.mul(5).sum(); // after close: not recorded
        assertArrayEquals(new double[] {2, 4}, tape.gradient(y, x)[0].toDoubleArray(), 0);
        assertNull(tape.gradient(later, x)[0]);
    }
}
