package dev.fluxion.examples.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCurvesTest {
    @TempDir
    Path dir;

    private static Map<String, Double> row(Object... nameValue) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], (Double) nameValue[i + 1]);
        return m;
    }

    @Test
    void csvHasOneColumnPerMetricInFirstSeenOrderAndBlanksForMissingValues() throws Exception {
        TrainingCurves curves = new TrainingCurves("test");
        curves.addEpoch(row("loss", 0.5, "val_loss", 0.25));
        curves.addEpoch(row("loss", 0.125, "accuracy", 0.75));
        Path csv = curves.write(dir);
        assertEquals(List.of("epoch,loss,val_loss,accuracy", "1,0.500000,0.250000,", "2,0.125000,,0.750000"), Files.readAllLines(csv));
        assertEquals(2, curves.epochCount());
    }

    @Test
    void pngDecodesAndShowsMoreThanABlankCanvas() throws Exception {
        TrainingCurves curves = new TrainingCurves("test");
        curves.addEpoch(row("loss", 2.0, "val_loss", 2.5));
        curves.addEpoch(row("loss", 1.0, "val_loss", Double.NaN));   // NaN is left out of the plot, not fatal
        curves.write(dir);
        BufferedImage png = ImageIO.read(dir.resolve("curves.png").toFile());
        assertNotNull(png);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < png.getHeight(); y += 3)
            for (int x = 0; x < png.getWidth(); x += 3) colours.add(png.getRGB(x, y));
        assertTrue(colours.size() > 10, "the plot looks blank: " + colours.size() + " colours");
    }
}
