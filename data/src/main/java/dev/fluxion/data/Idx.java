package dev.fluxion.data;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX files of MNIST and Fashion-MNIST: a big-endian magic number (2051 = 0x00000803 for images:
 * unsigned bytes, 3 dimensions; 2049 = 0x00000801 for labels: unsigned bytes, 1 dimension), the dimensions as
 * big-endian int32, then the bytes. Files may be gzip-compressed or raw (detected from the content). A wrong magic,
 * a truncated file or trailing bytes raise {@link DatasetFormatException}.
 */
public final class Idx {
    private Idx() {}

    /** Images as float32 [n, rows, cols, 1], pixel bytes divided by 255 (so in [0, 1]). */
    public static Tensor readImages(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readImages(in, file.toString());
        }
    }

    /** Labels as int32 [n]. */
    public static Tensor readLabels(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, file.toString());
        }
    }

    static Tensor readImages(InputStream in, String name) throws IOException {
        Raw r = read(in, name, 2051);
        float[] x = new float[r.data.length];
        float[] scale = new float[256];
        for (int i = 0; i < 256; i++) scale[i] = i / 255f;
        for (int i = 0; i < x.length; i++) x[i] = scale[r.data[i] & 0xFF];
        return Tensor.wrap(new ArrayStorage(DType.FLOAT32, x), new int[] {r.dims[0], r.dims[1], r.dims[2], 1});
    }

    static Tensor readLabels(InputStream in, String name) throws IOException {
        Raw r = read(in, name, 2049);
        int[] y = new int[r.data.length];
        for (int i = 0; i < y.length; i++) y[i] = r.data[i] & 0xFF;
        return Tensor.wrap(new ArrayStorage(DType.INT32, y), new int[] {r.dims[0]});
    }

    /** The dimensions and unsigned bytes of an IDX file. */
    record Raw(int[] dims, byte[] data) {}

    static Raw read(InputStream raw, String name, int expectedMagic) throws IOException {
        InputStream in = maybeGunzip(raw, name);
        try {
            byte[] head = in.readNBytes(4);
            if (head.length < 4) throw new DatasetFormatException(name, "truncated: " + head.length + " bytes, expected at least a 4-byte IDX magic number");
            int magic = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            if (magic != expectedMagic)
                throw new DatasetFormatException(name, "wrong magic number: expected " + expectedMagic + " (0x" + hex(expectedMagic) + ", "
                        + describe(expectedMagic) + "), found " + magic + " (0x" + hex(magic) + ")");
            int rank = magic & 0xFF;
            byte[] dimBytes = in.readNBytes(4 * rank);
            if (dimBytes.length < 4 * rank)
                throw new DatasetFormatException(name, "truncated header: expected " + rank + " dimensions (" + 4 * rank + " bytes), found " + dimBytes.length + " bytes");
            int[] dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                int o = 4 * i;
                dims[i] = ((dimBytes[o] & 0xFF) << 24) | ((dimBytes[o + 1] & 0xFF) << 16) | ((dimBytes[o + 2] & 0xFF) << 8) | (dimBytes[o + 3] & 0xFF);
                if (dims[i] < 0) throw new DatasetFormatException(name, "dimension " + i + " is negative: " + dims[i]);
                size *= dims[i];
                if (size > Integer.MAX_VALUE - 16) throw new DatasetFormatException(name, "dimensions " + java.util.Arrays.toString(dims) + " are too large");
            }
            byte[] data = in.readNBytes((int) size);
            if (data.length < size)
                throw new DatasetFormatException(name, "truncated: expected " + size + " data bytes for dimensions "
                        + java.util.Arrays.toString(dims) + ", found " + data.length);
            if (in.read() != -1)
                throw new DatasetFormatException(name, "trailing data: expected exactly " + size + " data bytes for dimensions "
                        + java.util.Arrays.toString(dims) + ", found more");
            return new Raw(dims, data);
        } catch (ZipException | EOFException e) {
            throw new DatasetFormatException(name, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** Wraps a gzip stream in a decompressor; raw IDX data starts with 0x00 0x00, gzip with 0x1f 0x8b. */
    static InputStream maybeGunzip(InputStream raw, String name) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new GZIPInputStream(in, 1 << 16);
            } catch (ZipException | EOFException e) {
                throw new DatasetFormatException(name, "corrupt or truncated gzip header (" + e.getMessage() + ")", e);
            }
        }
        return in;
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    private static String describe(int magic) {
        return magic == 2051 ? "IDX images: unsigned bytes, 3 dimensions" : magic == 2049 ? "IDX labels: unsigned bytes, 1 dimension" : "IDX";
    }
}
