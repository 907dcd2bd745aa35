package dev.fluxion.examples.beyond;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import dev.fluxion.examples.ExampleOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceRowsTest {
    @Test
    void inkRowsDropBlankRowsAboveAndBelow() {
        float[] px = new float[5 * 3];
        px[1 * 3 + 2] = 0.5f; // row 1
        px[3 * 3] = 1f; // row 3
        Tensor rows = SequenceRows.inkRows(Tensor.of(px, 5, 3, 1));
        assertArrayEquals(new int[] {3, 3}, rows.shape(), "rows 1..3, the blank row 2 between them kept");
        assertArrayEquals(new float[] {0, 0, 0.5f, 0, 0, 0, 1, 0, 0}, rows.toFloatArray());
        assertArrayEquals(new int[] {1, 3}, SequenceRows.inkRows(Tensor.zeros(5, 3, 1)).shape(), "a blank image keeps one row");
    }

    @Test
    void trainsOnRealSequencesOfDifferentLengths(@TempDir Path dir) throws Exception {
        ExampleOptions o = ExampleOptions.defaults().withEpochs(1).withBatchSize(64).withMaxStepsPerEpoch(120).withOutputDir(dir).withSeed(2);
        SequenceRows.Result r = new SequenceRows().train(o);
        assertTrue(r.shortest() < r.longest() && r.longest() <= 28, r.shortest() + ".." + r.longest());
        List<Double> loss = r.history().get("loss");
        assertEquals(1, loss.size());
        assertTrue(Double.isFinite(loss.getFirst()), "loss " + loss);
        // 120 steps of 64 already classify most digits (ten classes: chance is 0.1)
        assertTrue(r.testAccuracy() > 0.6, "test accuracy " + r.testAccuracy());
        try (var files = Files.list(dir.resolve("tensorboard").resolve("train"))) {
            assertEquals(1, files.count(), "one TensorBoard event file");
        }
    }
}
