package dev.fluxion.data;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What a loader needs to know about one data set: its name (the folder name under cache and system directories),
 * its environment variable, the files it is made of, where those may sit, and how to download them.
 *
 * @param name          folder name: {@code ~/.fluxion/datasets/<name>}, {@code $FLUXION_DATA_DIR/<name>}, ...
 * @param title         name for messages
 * @param envVar        the variable naming a directory that holds the files
 * @param files         the files as named on disk; each may also be found gzip-compressed, with ".gz" appended
 * @param subdirs       subfolders also searched (archives unpack into them)
 * @param resourceDir   classpath folder with a bundled copy (gzip-compressed files), or null
 * @param downloads     files to fetch from each mirror; archives are unpacked
 * @param mirrors       base URLs tried in order (http, https or file)
 * @param records       expected record count per file, for formats that do not state it (CIFAR); may be empty
 */
record DatasetSpec(String name, String title, String envVar, List<String> files, List<String> subdirs, String resourceDir,
                   List<Download> downloads, List<URI> mirrors, Map<String, Integer> records) {

    /**
     * One file to download, with its published MD5.
     *
     * @param file    file name, appended to the mirror's base URL
     * @param md5     lowercase hex digest the download must match before use
     * @param archive whether it is a .tar.gz to unpack (its members named in {@code files} are kept)
     */
    record Download(String file, String md5, boolean archive) {}

    DatasetSpec withMirrors(List<URI> newMirrors) {
        return new DatasetSpec(name, title, envVar, files, subdirs, resourceDir, downloads, newMirrors, records);
    }

    private static final List<String> IDX_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    static final DatasetSpec MNIST = new DatasetSpec("mnist", "MNIST", "FLUXION_MNIST_DIR", IDX_FILES, List.of(),
            "dev/fluxion/data/mnist/",
            List.of(new Download("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", false),
                    new Download("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", false),
                    new Download("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", false),
                    new Download("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", false)),
            // the mirror torchvision uses (LeCun's original site no longer serves the files reliably)
            List.of(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"), URI.create("http://yann.lecun.com/exdb/mnist/")),
            Map.of());

    static final DatasetSpec FASHION_MNIST = new DatasetSpec("fashion-mnist", "Fashion-MNIST", "FLUXION_FASHION_MNIST_DIR",
            IDX_FILES, List.of(), null,
            List.of(new Download("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", false),
                    new Download("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", false),
                    new Download("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", false),
                    new Download("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", false)),
            // Keras's location, then torchvision's
            List.of(URI.create("https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
                    URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")),
            Map.of());

    static final DatasetSpec CIFAR10 = new DatasetSpec("cifar10", "CIFAR-10", "FLUXION_CIFAR10_DIR",
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"),
            List.of("cifar-10-batches-bin"), null,
            List.of(new Download("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530", true)),
            List.of(URI.create("https://www.cs.toronto.edu/~kriz/")),
            Map.of("data_batch_1.bin", 10000, "data_batch_2.bin", 10000, "data_batch_3.bin", 10000, "data_batch_4.bin", 10000,
                    "data_batch_5.bin", 10000, "test_batch.bin", 10000));

    static final DatasetSpec CIFAR100 = new DatasetSpec("cifar100", "CIFAR-100", "FLUXION_CIFAR100_DIR",
            List.of("train.bin", "test.bin"), List.of("cifar-100-binary"), null,
            List.of(new Download("cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8", true)),
            List.of(URI.create("https://www.cs.toronto.edu/~kriz/")),
            Map.of("train.bin", 50000, "test.bin", 10000));
}
