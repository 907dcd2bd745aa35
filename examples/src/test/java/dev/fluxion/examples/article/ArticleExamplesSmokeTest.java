package dev.fluxion.examples.article;

import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.Launcher;
import dev.fluxion.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every step of the walk-through, run through the launcher for 2 steps of 32 MNIST images and 1 epoch: it exits 0 and
 * leaves sane outputs (curves with a header and one finite row, a PNG that decodes, a summary with an accuracy in
 * [0, 1]; for the checkpointing steps, a checkpoint that reloads to exactly the reported accuracy).
 */
class ArticleExamplesSmokeTest {
    private static final int BATCH = 32;
    private static final int STEPS = 2;

    @TempDir
    Path dir;

    @Test
    void kerasFit() throws Exception {
        Properties summary = runQuickly("keras-fit", List.of("epoch", "loss", "accuracy", "val_loss", "val_accuracy"));
        assertEquals("keras-fit", summary.getProperty("example"));
    }

    @Test
    void customLoop() throws Exception {
        runQuickly("custom-loop", List.of("epoch", "loss", "val_loss"));
    }

    @Test
    void datasetLoop() throws Exception {
        runQuickly("dataset-loop", List.of("epoch", "loss"));
    }

    @Test
    void progressLoop() throws Exception {
        runQuickly("progress-loop", List.of("epoch", "loss", "val_loss"));
    }

    @Test
    void bestCheckpoint() throws Exception {
        assertCheckpointGivesReportedAccuracy(runQuickly("best-checkpoint", List.of("epoch", "loss", "val_loss")));
    }

    @Test
    void graphLoop() throws Exception {
        assertCheckpointGivesReportedAccuracy(runQuickly("graph-loop", List.of("epoch", "loss", "val_loss"), "--mode", "graph"));
    }

    @Test
    void graphLoopEager() throws Exception {
        assertCheckpointGivesReportedAccuracy(runQuickly("graph-loop", List.of("epoch", "loss", "val_loss"), "--mode", "eager"));
    }

    /** Runs an example through the launcher and checks the outputs every step writes; returns its summary. */
    private Properties runQuickly(String example, List<String> columns, String... extra) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = {example, "--dataset", "mnist", "--epochs", "1", "--batch-size", String.valueOf(BATCH),
                "--max-steps", String.valueOf(STEPS), "--output", dir.toString()};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        int code = Launcher.execute(System.out, new PrintStream(err, true), all);
        assertEquals(0, code, "exit code; stderr: " + err);

        List<String> csv = Files.readAllLines(dir.resolve("curves.csv"));
        assertEquals(2, csv.size(), "header and one epoch: " + csv);
        assertEquals(String.join(",", columns), csv.get(0));
        String[] row = csv.get(1).split(",", -1);
        assertEquals(columns.size(), row.length, csv.get(1));
        assertEquals("1", row[0]);
        for (int i = 1; i < row.length; i++) assertTrue(Double.isFinite(Double.parseDouble(row[i])), columns.get(i) + " = " + row[i]);

        BufferedImage png = ImageIO.read(dir.resolve("curves.png").toFile());
        assertNotNull(png, "curves.png does not decode");
        assertEquals(800, png.getWidth());
        assertEquals(500, png.getHeight());

        Properties summary = new Properties();
        summary.load(new StringReader(Files.readString(dir.resolve("summary.txt"))));
        assertEquals("MNIST", summary.getProperty("dataset"));
        double accuracy = Double.parseDouble(summary.getProperty("test_accuracy"));
        assertTrue(accuracy >= 0 && accuracy <= 1, "test accuracy " + accuracy);
        return summary;
    }

    /** The saved best weights load into a fresh model that scores exactly the reported accuracy on the same images. */
    private void assertCheckpointGivesReportedAccuracy(Properties summary) throws IOException {
        Path checkpoint = Path.of(summary.getProperty("best_checkpoint"));
        assertEquals(dir.resolve("best.safetensors").toAbsolutePath(), checkpoint);
        assertTrue(Files.size(checkpoint) > 688_000 * 4, "checkpoint too small for the model's 688,810 weights");

        Sequential fresh = ArticleModel.build(new int[] {28, 28, 1}, 12345);
        fresh.loadWeights(checkpoint);
        Pair test = Datasets.mnist().test();
        int n = BATCH * STEPS;   // the launcher's --max-steps cut of the test split
        List<Pair> batches = List.of(new Pair(test.x().slice(0, n), test.y().slice(0, n)));
        double accuracy = TapeSteps.accuracy(batches, new TapeSteps(fresh)::correctOnBatch);
        assertEquals(Double.parseDouble(summary.getProperty("test_accuracy")), accuracy, 1e-6);
    }

    @Test
    void unknownDatasetNameIsRejected() {
        ExampleOptions options = ExampleOptions.defaults().withDataset("imagenet");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ArticleData.load(options));
        assertTrue(e.getMessage().contains("mnist, fashion-mnist or cifar10"), e.getMessage());
    }
}
