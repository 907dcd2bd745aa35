package dev.fluxion.examples.util;

import dev.fluxion.DType;
import dev.fluxion.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a batch of NHWC images (1 or 3 channels) as one PNG grid, e.g. a GAN's 64 samples as 8x8 digits. Pure
 * {@code javax.imageio}: works headless (no display needed).
 */
public final class ImageGrid {
    private ImageGrid() {}

    /**
     * Writes {@code images} [n, h, w, c] as a grid of {@code columns} columns (rows as needed, empty cells black),
     * mapping values from [lo, hi] linearly to [0, 255] and clamping outside it. Returns {@code file}.
     */
    public static Path write(Tensor images, int columns, double lo, double hi, Path file) throws IOException {
        if (images.rank() != 4 || (images.dim(3) != 1 && images.dim(3) != 3))
            throw new IllegalArgumentException("ImageGrid: expected NHWC images with 1 or 3 channels, got shape " + java.util.Arrays.toString(images.shape()));
        if (columns < 1) throw new IllegalArgumentException("ImageGrid: columns must be positive, got " + columns);
        if (!(hi > lo)) throw new IllegalArgumentException("ImageGrid: needs lo < hi, got [" + lo + ", " + hi + "]");
        int n = images.dim(0), h = images.dim(1), w = images.dim(2), c = images.dim(3);
        int rows = (n + columns - 1) / columns;
        float[] v = images.cast(DType.FLOAT32).contiguous().toFloatArray();
        BufferedImage img = new BufferedImage(columns * w, Math.max(rows, 1) * h, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < n; k++) {
            int x0 = (k % columns) * w, y0 = (k / columns) * h;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    int base = ((k * h + i) * w + j) * c;
                    int r = toByte(v[base], lo, hi);
                    int g = c == 3 ? toByte(v[base + 1], lo, hi) : r;
                    int b = c == 3 ? toByte(v[base + 2], lo, hi) : r;
                    img.setRGB(x0 + j, y0 + i, (r << 16) | (g << 8) | b);
                }
        }
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("ImageGrid: no PNG writer available for " + file);
        return file;
    }

    private static int toByte(float value, double lo, double hi) {
        double scaled = (value - lo) / (hi - lo) * 255.0;
        if (Double.isNaN(scaled)) return 0;
        return (int) Math.round(Math.min(255, Math.max(0, scaled)));
    }
}
