package dev.fluxion.examples.util;

import dev.fluxion.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ImageGridTest {
    @Test
    void placesImagesRowMajorAndScalesToBytes(@TempDir Path dir) throws Exception {
        // 3 images of 2x2 in a grid of 2 columns: image k is filled with value k - 1 in [-1, 1]
        float[] v = new float[3 * 4];
        for (int k = 0; k < 3; k++) for (int i = 0; i < 4; i++) v[k * 4 + i] = k - 1;
        v[4 + 3] = 5f; // outside [lo, hi]: clamped to white
        Path file = ImageGrid.write(Tensor.of(v, 3, 2, 2, 1), 2, -1, 1, dir.resolve("sub/grid.png"));
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(4, img.getWidth());
        assertEquals(4, img.getHeight());
        assertEquals(0, gray(img, 0, 0));       // image 0: -1 -> 0
        assertEquals(128, gray(img, 2, 0));     // image 1: 0 -> 127.5, rounded
        assertEquals(255, gray(img, 3, 1));     // image 1's clamped pixel
        assertEquals(255, gray(img, 0, 2));     // image 2: 1 -> 255
        assertEquals(0, gray(img, 2, 2));       // the empty fourth cell stays black
    }

    @Test
    void rejectsWhatIsNotAnImageBatch(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.write(Tensor.zeros(2, 28, 28), 8, 0, 1, dir.resolve("a.png")));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.write(Tensor.zeros(2, 4, 4, 2), 8, 0, 1, dir.resolve("b.png")));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.write(Tensor.zeros(2, 4, 4, 1), 8, 1, 1, dir.resolve("c.png")));
    }

    private static int gray(BufferedImage img, int x, int y) {
        int rgb = img.getRGB(x, y);
        assertEquals(rgb & 0xff, (rgb >> 8) & 0xff, "grayscale");
        return rgb & 0xff;
    }
}
