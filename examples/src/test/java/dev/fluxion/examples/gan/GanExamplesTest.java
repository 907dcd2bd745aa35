package dev.fluxion.examples.gan;

import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.EpochLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Each GAN example runs a few steps of one epoch on real MNIST and writes a viewable sample grid and its losses. */
class GanExamplesTest {
    private static ExampleOptions smoke(Path dir, long steps, ExampleOptions.Mode mode) {
        return ExampleOptions.defaults().withEpochs(1).withBatchSize(32).withMaxStepsPerEpoch(steps).withOutputDir(dir).withMode(mode).withSeed(7);
    }

    /** The sample grid decodes as an 8x8 grid of 28x28 digits that is not a single flat colour. */
    private static void assertSampleGrid(Path dir) throws Exception {
        Path png = dir.resolve("samples_epoch_1.png");
        assertTrue(Files.exists(png), "missing " + png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "not a decodable image: " + png);
        assertEquals(8 * 28, img.getWidth());
        assertEquals(8 * 28, img.getHeight());
        int first = img.getRGB(0, 0);
        boolean varies = false;
        for (int y = 0; y < img.getHeight() && !varies; y++)
            for (int x = 0; x < img.getWidth() && !varies; x++) varies = img.getRGB(x, y) != first;
        assertTrue(varies, "the generated samples are one flat colour");
    }

    private static void assertFiniteRow(EpochLog log, String... keys) throws Exception {
        List<Map<String, Double>> rows = log.rows();
        assertEquals(1, rows.size());
        for (String k : keys) {
            Double v = rows.get(0).get(k);
            assertNotNull(v, "no " + k + " in " + rows.get(0));
            assertTrue(Double.isFinite(v), k + " is not finite: " + v);
        }
        List<String> csv = Files.readAllLines(log.file());
        assertEquals(2, csv.size(), "header and one epoch: " + csv);
        for (String k : keys) assertTrue(csv.get(0).contains(k), csv.get(0));
    }

    @Test
    void dcganGraphMode(@TempDir Path dir) throws Exception {
        EpochLog log = new Dcgan().train(smoke(dir, 3, ExampleOptions.Mode.GRAPH));
        assertFiniteRow(log, "d_loss", "g_loss", "d_real", "d_fake");
        assertSampleGrid(dir);
    }

    @Test
    void dcganEagerMode(@TempDir Path dir) throws Exception {
        EpochLog log = new Dcgan().train(smoke(dir, 2, ExampleOptions.Mode.EAGER));
        assertFiniteRow(log, "d_loss", "g_loss");
        assertSampleGrid(dir);
    }

    @Test
    void wganClipsCriticWeights(@TempDir Path dir) throws Exception {
        Wgan wgan = new Wgan();
        EpochLog log = wgan.train(smoke(dir, Wgan.N_CRITIC, ExampleOptions.Mode.GRAPH)); // one generator step
        assertFiniteRow(log, "c_loss", "wasserstein", "g_loss");
        assertTrue(wgan.largestCriticWeight() <= Wgan.CLIP + 1e-7, "critic weight outside the clip range: " + wgan.largestCriticWeight());
        assertSampleGrid(dir);
    }

    @Test
    void wganGpLogsPenaltyAndGradientNorm(@TempDir Path dir) throws Exception {
        EpochLog log = new WganGp().train(smoke(dir, WganGp.N_CRITIC, ExampleOptions.Mode.GRAPH));
        assertFiniteRow(log, "c_loss", "wasserstein", "gp", "grad_norm", "g_loss");
        Map<String, Double> row = log.rows().get(0);
        assertTrue(row.get("grad_norm") > 0, "gradient norm " + row.get("grad_norm"));
        assertTrue(row.get("gp") >= 0, "penalty " + row.get("gp"));
        assertSampleGrid(dir);
    }

    @Test
    void wganGpEagerAndGraphAgree(@TempDir Path eagerDir, @TempDir Path graphDir) throws Exception {
        // same seed, same noise: the eager second-order step and its compiled graph compute the same numbers
        Map<String, Double> eager = new WganGp().train(smoke(eagerDir, 2, ExampleOptions.Mode.EAGER)).rows().get(0);
        Map<String, Double> graph = new WganGp().train(smoke(graphDir, 2, ExampleOptions.Mode.GRAPH)).rows().get(0);
        assertEquals(eager.keySet(), graph.keySet());
        for (String k : eager.keySet())
            assertEquals(eager.get(k), graph.get(k), 1e-3 * Math.max(1, Math.abs(eager.get(k))), k + ": eager " + eager + ", graph " + graph);
    }
}
