package dev.fluxion.examples.article;

import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.TrainingCurves;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How every step of the walk-through ends: it prints the test accuracy and writes, under the output directory,
 * {@code curves.csv} and {@code curves.png} (the per-epoch metrics) and {@code summary.txt} ({@code key=value}
 * lines: example, dataset, epochs, test_accuracy, and best_checkpoint where there is one), which scripts and tests read.
 */
final class ArticleOutputs {
    private ArticleOutputs() {}

    /** One epoch's {@code loss} and {@code val_loss}, in that order (the order of the CSV columns). */
    static Map<String, Double> losses(double loss, double valLoss) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", loss);
        metrics.put("val_loss", valLoss);
        return metrics;
    }

    /** Creates the output directory and returns it. */
    static Path outputDir(ExampleOptions options) throws IOException {
        return Files.createDirectories(options.outputDir());
    }

    /** Writes the outputs; {@code bestCheckpoint} may be null. */
    static void finish(String example, ExampleOptions options, ArticleData data, TrainingCurves curves,
                       double testAccuracy, Path bestCheckpoint) throws IOException {
        Path dir = outputDir(options);
        Path csv = curves.write(dir);
        StringBuilder summary = new StringBuilder()
                .append("example=").append(example).append('\n')
                .append("dataset=").append(data.title()).append('\n')
                .append("epochs=").append(curves.epochCount()).append('\n')
                .append(String.format(Locale.ROOT, "test_accuracy=%.6f%n", testAccuracy));
        if (bestCheckpoint != null) summary.append("best_checkpoint=").append(bestCheckpoint.toAbsolutePath()).append('\n');
        Files.writeString(dir.resolve("summary.txt"), summary);
        System.out.printf(Locale.ROOT, "test accuracy %.4f on %d %s test images%s%n", testAccuracy, data.testSize(),
                data.title(), bestCheckpoint == null ? "" : " (best model, reloaded from " + bestCheckpoint.toAbsolutePath() + ")");
        System.out.println("curves: " + csv.toAbsolutePath() + " and curves.png");
    }
}
