package dev.fluxion.random;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The generator's state (seed, counter), how requests advance it, and the scaled forms of its distributions. */
class RngTest {
    @Test
    void eachRequestTakesTheKeyAndAdvancesTheCounterByItsSize() {
        Rng rng = new Rng(42);
        assertArrayEquals(new long[] {42, 0}, rng.take(5));
        assertArrayEquals(new long[] {42, 5}, rng.take(0)); // an empty request still moves on
        assertArrayEquals(new long[] {42, 6}, rng.state());
        rng.uniform(new int[] {2, 3}, DType.FLOAT32);
        assertArrayEquals(new long[] {42, 12}, rng.state());
        rng.setState(new long[] {7, 100});
        assertArrayEquals(new long[] {7, 100}, rng.take(1));
    }

    @Test
    void theSameStateGivesTheSameNumbers() {
        Rng a = new Rng(3), b = new Rng(3);
        b.setState(a.state());
        assertArrayEquals(a.normal(new int[] {10}, 0, 1).toFloatArray(), b.normal(new int[] {10}, 0, 1).toFloatArray());
        long[] saved = a.state();
        float[] next = a.uniform(new int[] {6}, DType.FLOAT32).toFloatArray();
        a.setState(saved);
        assertArrayEquals(next, a.uniform(new int[] {6}, DType.FLOAT32).toFloatArray(), "restoring a state replays");
    }

    @Test
    void meanStdAndRangeScaleTheStandardDraws() {
        int[] shape = {16};
        float[] z = new Rng(5).normal(shape, 0, 1).toFloatArray();
        float[] scaled = new Rng(5).normal(shape, 0, 3).toFloatArray(), shifted = new Rng(5).normal(shape, 2, 1).toFloatArray();
        float[] u = new Rng(5).uniform(shape, DType.FLOAT32).toFloatArray(), ranged = new Rng(5).uniform(shape, 2, 5).toFloatArray();
        float[] t = new Rng(5).truncatedNormal(shape, 0, 1, DType.FLOAT32).toFloatArray();
        float[] tScaled = new Rng(5).truncatedNormal(shape, -1, 0.5, DType.FLOAT32).toFloatArray();
        for (int i = 0; i < shape[0]; i++) {
            assertEquals(3 * z[i], scaled[i], 1e-6, "std 3");
            assertEquals(z[i] + 2, shifted[i], 1e-6, "mean 2");
            assertEquals(2 + 3 * u[i], ranged[i], 1e-6, "uniform in [2, 5)");
            assertTrue(ranged[i] >= 2 && ranged[i] < 5, "uniform in [2, 5): " + ranged[i]);
            assertEquals(-1 + 0.5 * t[i], tScaled[i], 1e-6, "truncated normal, mean -1, std 0.5");
            assertTrue(Math.abs(t[i]) <= 2, "within two standard deviations: " + t[i]);
        }
    }

    @Test
    void bernoulliAtZeroAndOneIsCertain() {
        Rng rng = new Rng(9);
        boolean[] never = rng.bernoulli(new int[] {64}, 0).toBooleanArray(), always = rng.bernoulli(new int[] {64}, 1).toBooleanArray();
        for (int i = 0; i < 64; i++) {
            assertFalse(never[i], "p = 0");
            assertTrue(always[i], "p = 1");
        }
    }

    @Test
    void permutationsHoldEveryIndexOnceAndAdvanceTheCounter() {
        Rng rng = new Rng(11);
        assertEquals(0, rng.permutation(0).size());
        assertArrayEquals(new long[] {11, 1}, rng.state(), "an empty request still moves on");
        int[] p = rng.permutation(10).toIntArray();
        assertArrayEquals(new long[] {11, 11}, rng.state());
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
        assertArrayEquals(Philox.permutation(11, 1, 10), p, "drawn with the key (seed, counter) of the request");
        assertArrayEquals(new int[] {0}, rng.permutation(1).toIntArray());
    }

    @Test
    void theGlobalGeneratorIsOneAndCanBeSeeded() {
        assertSame(Rng.global(), Rng.global());
        Rng.setGlobalSeed(123);
        assertArrayEquals(new long[] {123, 0}, Rng.global().state());
        float[] first = Rng.global().uniform(new int[] {4}, DType.FLOAT32).toFloatArray();
        Rng.setGlobalSeed(123);
        assertArrayEquals(first, Rng.global().uniform(new int[] {4}, DType.FLOAT32).toFloatArray());
        assertArrayEquals(new Rng(123).uniform(new int[] {4}, DType.FLOAT32).toFloatArray(), first);
    }
}
