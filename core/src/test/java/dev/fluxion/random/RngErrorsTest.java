package dev.fluxion.random;

import dev.fluxion.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.ErrorMessages.assertMentions;

/** Rng arguments out of range name the distribution and the value. */
class RngErrorsTest {
    @Test
    void bernoulliProbabilityMustBeInTheUnitInterval() {
        Rng rng = new Rng(1);
        for (double p : new double[] {-0.25, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> rng.bernoulli(new int[] {3}, p), "p = " + p);
            assertMentions(e, "bernoulli", "[0, 1]", String.valueOf(p));
        }
        assertArrayEquals(new long[] {1, 0}, rng.state(), "rejected requests draw nothing");
    }

    @Test
    void otherArgumentsAreNamed() {
        Rng rng = new Rng(1);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rng.uniform(new int[] {2}, 1.0, 1.0)), "random_uniform", "[1.0, 1.0)");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rng.uniform(new int[] {2}, DType.INT32)), "random_uniform", "int32");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rng.normal(new int[] {2}, 0, 1, DType.BOOL)), "random_normal", "bool");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rng.permutation(-1)), "permutation", "-1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rng.setState(new long[3])), "rng state", "3 values");
    }
}
