package dev.fluxion.data;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loaders for the classic image data sets, returning tensors ready for {@link Dataset#fromTensorSlices(Tensor, Tensor)}:
 * images as float32 NHWC ({@code [n, 28, 28, 1]} or {@code [n, 32, 32, 3]}) with the pixel bytes divided by 255,
 * so values lie in [0, 1]; labels as int32 {@code [n]}.
 *
 * <p>Each loader takes an explicit directory, or a {@link DataLocator} (default: environment variable, cache,
 * system directories, bundled copy, download; see there). Files may be gzip-compressed or raw. A damaged file
 * raises {@link DatasetFormatException} naming it, never a partial data set.
 */
public final class Datasets {
    private Datasets() {}

    /** Which CIFAR-100 labels to return: the 100 fine classes or the 20 superclasses. */
    public enum LabelMode { FINE, COARSE }

    /** MNIST digits: 60,000 training and 10,000 test images of 28x28 pixels. */
    public static TrainTest mnist() throws IOException {
        return mnist(DataLocator.defaults());
    }

    public static TrainTest mnist(Path dir) throws IOException {
        return loadIdx(DatasetSpec.MNIST, DataLocator.explicit(DatasetSpec.MNIST, dir, "directory"));
    }

    public static TrainTest mnist(DataLocator locator) throws IOException {
        return loadIdx(DatasetSpec.MNIST, locator.locate(DatasetSpec.MNIST));
    }

    /** Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of clothing, 28x28, 10 classes. */
    public static TrainTest fashionMnist() throws IOException {
        return fashionMnist(DataLocator.defaults());
    }

    public static TrainTest fashionMnist(Path dir) throws IOException {
        return loadIdx(DatasetSpec.FASHION_MNIST, DataLocator.explicit(DatasetSpec.FASHION_MNIST, dir, "directory"));
    }

    public static TrainTest fashionMnist(DataLocator locator) throws IOException {
        return loadIdx(DatasetSpec.FASHION_MNIST, locator.locate(DatasetSpec.FASHION_MNIST));
    }

    /** CIFAR-10 (binary version): 50,000 training and 10,000 test colour images of 32x32, 10 classes. */
    public static TrainTest cifar10() throws IOException {
        return cifar10(DataLocator.defaults());
    }

    /** From a directory holding data_batch_1.bin ... data_batch_5.bin and test_batch.bin (or cifar-10-batches-bin/). */
    public static TrainTest cifar10(Path dir) throws IOException {
        return loadCifar10(DatasetSpec.CIFAR10, DataLocator.explicit(DatasetSpec.CIFAR10, dir, "directory"));
    }

    public static TrainTest cifar10(DataLocator locator) throws IOException {
        return loadCifar10(DatasetSpec.CIFAR10, locator.locate(DatasetSpec.CIFAR10));
    }

    /** CIFAR-100 (binary version) with fine labels: 50,000 training and 10,000 test images, 100 classes. */
    public static TrainTest cifar100() throws IOException {
        return cifar100(DataLocator.defaults(), LabelMode.FINE);
    }

    /** From a directory holding train.bin and test.bin (or cifar-100-binary/). */
    public static TrainTest cifar100(Path dir, LabelMode mode) throws IOException {
        return loadCifar100(DatasetSpec.CIFAR100, DataLocator.explicit(DatasetSpec.CIFAR100, dir, "directory"), mode);
    }

    public static TrainTest cifar100(DataLocator locator, LabelMode mode) throws IOException {
        return loadCifar100(DatasetSpec.CIFAR100, locator.locate(DatasetSpec.CIFAR100), mode);
    }

    // ------------------------------------------------------------------ formats

    static TrainTest loadIdx(DatasetSpec spec, DataLocator.FileSource src) throws IOException {
        List<String> f = spec.files();
        Pair train = idxPair(spec, src, f.get(0), f.get(1));
        Pair test = idxPair(spec, src, f.get(2), f.get(3));
        return new TrainTest(train, test, src.where());
    }

    private static Pair idxPair(DatasetSpec spec, DataLocator.FileSource src, String images, String labels) throws IOException {
        Tensor x;
        Tensor y;
        try (InputStream in = src.open(images)) {
            x = Idx.readImages(in, src.describe(images));
        }
        try (InputStream in = src.open(labels)) {
            y = Idx.readLabels(in, src.describe(labels));
        }
        if (x.shape()[0] != y.shape()[0])
            throw new DatasetFormatException(src.describe(labels), spec.title() + ": " + x.shape()[0] + " images in "
                    + src.describe(images) + " but " + y.shape()[0] + " labels here; the counts must match");
        return new Pair(x, y);
    }

    static TrainTest loadCifar10(DatasetSpec spec, DataLocator.FileSource src) throws IOException {
        List<String> f = spec.files();
        Pair train = cifar(spec, src, f.subList(0, f.size() - 1), 1, 0, 10);
        Pair test = cifar(spec, src, f.subList(f.size() - 1, f.size()), 1, 0, 10);
        return new TrainTest(train, test, src.where());
    }

    static TrainTest loadCifar100(DatasetSpec spec, DataLocator.FileSource src, LabelMode mode) throws IOException {
        int labelIndex = mode == LabelMode.COARSE ? 0 : 1;
        int classes = mode == LabelMode.COARSE ? 20 : 100;
        Pair train = cifar(spec, src, List.of(spec.files().get(0)), 2, labelIndex, classes);
        Pair test = cifar(spec, src, List.of(spec.files().get(1)), 2, labelIndex, classes);
        return new TrainTest(train, test, src.where());
    }

    private static final int PIXELS = 32 * 32;

    /**
     * CIFAR binary records: {@code labelBytes} label bytes, then 3072 pixel bytes in CHW order (1024 red, 1024 green,
     * 1024 blue, each row-major). Converted to NHWC float32 in [0, 1].
     */
    private static Pair cifar(DatasetSpec spec, DataLocator.FileSource src, List<String> files, int labelBytes, int labelIndex,
                              int classes) throws IOException {
        int recordSize = labelBytes + 3 * PIXELS;
        List<byte[]> raws = new ArrayList<>();
        long total = 0;
        for (String file : files) {
            String name = src.describe(file);
            byte[] raw;
            try (InputStream opened = src.open(file); InputStream in = Idx.maybeGunzip(opened, name)) {
                raw = in.readAllBytes();
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new DatasetFormatException(name, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
            }
            Integer expected = spec.records().get(file);
            if (raw.length % recordSize != 0 || raw.length == 0 || (expected != null && raw.length != (long) expected * recordSize))
                throw new DatasetFormatException(name, "expected " + (expected != null ? expected + " records of " + recordSize
                        + " bytes = " + (long) expected * recordSize + " bytes" : "a whole number of " + recordSize + "-byte records")
                        + ", found " + raw.length + " bytes" + (raw.length % recordSize != 0 ? " (truncated or not CIFAR binary)" : ""));
            raws.add(raw);
            total += raw.length / recordSize;
        }
        if (total * 3 * PIXELS > Integer.MAX_VALUE - 16) throw new DatasetFormatException(src.describe(files.getFirst()), "too many records");
        int n = (int) total;
        float[] x = new float[n * 3 * PIXELS];
        int[] y = new int[n];
        float[] scale = new float[256];
        for (int i = 0; i < 256; i++) scale[i] = i / 255f;
        int r = 0;
        for (int k = 0; k < raws.size(); k++) {
            byte[] raw = raws.get(k);
            for (int rec = 0; rec < raw.length / recordSize; rec++, r++) {
                int off = rec * recordSize;
                int label = raw[off + labelIndex] & 0xFF;
                if (label >= classes)
                    throw new DatasetFormatException(src.describe(files.get(k)), "record " + rec + ": label " + label
                            + " outside [0, " + classes + ")");
                y[r] = label;
                int px = off + labelBytes;
                int out = r * 3 * PIXELS;
                for (int p = 0; p < PIXELS; p++) {
                    x[out + 3 * p] = scale[raw[px + p] & 0xFF];
                    x[out + 3 * p + 1] = scale[raw[px + PIXELS + p] & 0xFF];
                    x[out + 3 * p + 2] = scale[raw[px + 2 * PIXELS + p] & 0xFF];
                }
            }
            raws.set(k, null);
        }
        return new Pair(Tensor.wrap(new ArrayStorage(DType.FLOAT32, x), new int[] {n, 32, 32, 3}),
                Tensor.wrap(new ArrayStorage(DType.INT32, y), new int[] {n}));
    }
}
