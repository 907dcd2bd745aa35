package dev.fluxion.examples.beyond;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.examples.ExampleOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskedRowsTest {
    @Test
    void aMaskedGruLearnsDigitsFromPaddedRowSequences(@TempDir Path dir) throws Exception {
        ExampleOptions o = ExampleOptions.defaults().withEpochs(1).withBatchSize(64).withMaxStepsPerEpoch(150).withOutputDir(dir).withSeed(3);
        MaskedRows.Result masked = new MaskedRows().train(o, true);
        MaskedRows.Result plain = new MaskedRows().train(o, false);
        System.out.printf("masked-rows: test accuracy %.4f with the mask, %.4f without%n", masked.testAccuracy(), plain.testAccuracy());
        assertTrue(Double.isFinite(masked.history().get("loss").getFirst()));
        // 150 steps of 64 (ten classes: chance is 0.1)
        assertTrue(masked.testAccuracy() > 0.6, "test accuracy " + masked.testAccuracy());
    }
}
