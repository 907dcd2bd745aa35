package dev.fluxion.nn.optimizers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Polynomial, inverse-time and restarting cosine decay against Keras' formulas evaluated in float64 here. */
class LearningRateSchedulesTest {
    private static void assertFollows(LearningRateSchedule schedule, LongToDoubleFunction reference, long... steps) {
        for (long step : steps) {
            double want = reference.applyAsDouble(step);
            assertEquals(want, schedule.valueAt(step), 2e-6 * Math.max(1, Math.abs(want)), "step " + step);
        }
    }

    @Test
    void polynomialDecay() {
        PolynomialDecay linear = new PolynomialDecay(0.1, 10, 0.01);
        assertEquals(0.1, linear.valueAt(0), 1e-7);
        assertEquals(0.055, linear.valueAt(5), 1e-7);
        assertEquals(0.01, linear.valueAt(10), 1e-7);
        assertEquals(0.01, linear.valueAt(25), 1e-7, "held at the end rate after decaySteps");
        assertFollows(new PolynomialDecay(0.1, 10, 0.01, 2, false),
                s -> 0.09 * Math.pow(1 - Math.min(s, 10) / 10.0, 2) + 0.01, 0, 3, 5, 9, 10, 11, 40);
        PolynomialDecay cycling = new PolynomialDecay(0.1, 10, 0.01, 2, true);
        assertEquals(0.1, cycling.valueAt(0), 1e-7, "step 0 uses the first horizon");
        assertEquals(0.01, cycling.valueAt(10), 1e-7);
        assertEquals(0.09 * 0.25 * 0.25 + 0.01, cycling.valueAt(15), 1e-7, "horizon 20 after the first cycle");
        assertFollows(cycling, s -> {
            double horizon = 10 * Math.max(1, Math.ceil(s / 10.0));
            return 0.09 * Math.pow(1 - s / horizon, 2) + 0.01;
        }, 1, 7, 10, 11, 19, 20, 21, 33);
    }

    @Test
    void inverseTimeDecay() {
        assertFollows(new InverseTimeDecay(0.1, 10, 0.5), s -> 0.1 / (1 + 0.5 * s / 10.0), 0, 1, 9, 10, 15, 100);
        InverseTimeDecay stairs = new InverseTimeDecay(0.1, 10, 0.5, true);
        assertEquals(0.1, stairs.valueAt(9), 1e-7);
        assertEquals(0.1 / 1.5, stairs.valueAt(10), 1e-7);
        assertEquals(0.1 / 1.5, stairs.valueAt(19), 1e-7);
        assertEquals(0.05, stairs.valueAt(20), 1e-7);
    }

    /** Keras' CosineDecayRestarts, step by step in float64. */
    private static double restarts(long step, long first, double tMul, double mMul, double alpha) {
        double fraction = step / (double) first, i;
        if (tMul == 1) {
            i = Math.floor(fraction);
            fraction -= i;
        } else {
            i = Math.floor(Math.log(1 - fraction * (1 - tMul)) / Math.log(tMul));
            double done = (1 - Math.pow(tMul, i)) / (1 - tMul);
            fraction = (fraction - done) / Math.pow(tMul, i);
        }
        double cosine = 0.5 * Math.pow(mMul, i) * (1 + Math.cos(Math.PI * fraction));
        return (1 - alpha) * cosine + alpha;
    }

    @Test
    void cosineDecayRestarts() {
        CosineDecayRestarts sgdr = new CosineDecayRestarts(1.0, 10);
        assertEquals(1.0, sgdr.valueAt(0), 1e-6);
        assertEquals(0.5, sgdr.valueAt(5), 1e-6);
        assertEquals(1.0, sgdr.valueAt(10), 1e-6, "a restart at the end of the first period");
        assertEquals(1.0, sgdr.valueAt(30), 1e-6, "and of the second");
        assertEquals(0.5, sgdr.valueAt(20), 1e-6, "halfway through the second period (steps 10..30)");
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 4)), sgdr.valueAt(40), 1e-6, "a quarter into the third (30..70)");
        assertFollows(sgdr, s -> restarts(s, 10, 2, 1, 0), 1, 3, 9, 11, 17, 29, 31, 55, 69, 71, 140);
        assertFollows(new CosineDecayRestarts(0.5, 7, 3, 0.5, 0.1), s -> 0.5 * restarts(s, 7, 3, 0.5, 0.1), 0, 2, 6, 7, 8, 28, 20, 27, 29, 60, 90);
        CosineDecayRestarts constantPeriods = new CosineDecayRestarts(2.0, 10, 1, 0.5, 0);
        assertEquals(1.0, constantPeriods.valueAt(5), 1e-6);
        assertEquals(0.5, constantPeriods.valueAt(15), 1e-6, "second period at half height");
        assertFollows(constantPeriods, s -> 2 * restarts(s, 10, 1, 0.5, 0), 0, 1, 9, 10, 11, 24, 35);
    }

    @Test
    void schedulesRunOnIterationsInsideATracedStep() {
        for (LearningRateSchedule schedule : java.util.List.of(new PolynomialDecay(1.0, 4, 0.2, 2, true),
                new InverseTimeDecay(1.0, 2, 1.0, true), new CosineDecayRestarts(1.0, 2, 2, 0.5, 0.1))) {
            SGD opt = new SGD(schedule, 0, false);
            dev.fluxion.Variable w = new dev.fluxion.Variable(dev.fluxion.Tensor.scalar(0f), "w");
            var step = dev.fluxion.Fx.function("sgd_step", (dev.fluxion.Tensor grad) -> {
                opt.applyGradients(java.util.List.of(grad), java.util.List.of(w));
                return null;
            });
            double expected = 0;
            for (long i = 0; i < 9; i++) {
                step.call(dev.fluxion.Tensor.scalar(1f));
                expected -= schedule.valueAt(i);
                assertEquals(expected, w.value().item(), 1e-5, schedule.getClass().getSimpleName() + " step " + i);
            }
        }
    }

    @Test
    void badArgumentsNameTheSchedule() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new PolynomialDecay(0.1, 0, 0.01)),
                "PolynomialDecay", "decaySteps must be > 0, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new InverseTimeDecay(0.1, -1, 0.5)),
                "InverseTimeDecay", "decaySteps must be > 0, got -1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new InverseTimeDecay(0.1, 0, 0.5)), "got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new CosineDecayRestarts(0.1, 0)),
                "CosineDecayRestarts", "firstDecaySteps must be > 0, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new CosineDecayRestarts(0.1, 10, 0, 1, 0)),
                "CosineDecayRestarts", "tMul must be > 0, got 0.0");
    }
}
