package dev.fluxion.data;

import java.util.Objects;

/**
 * A data set's training and test splits, as loaded by {@link Datasets}.
 *
 * @param train  training images and labels
 * @param test   test images and labels
 * @param source where the files were read from (a directory, or a classpath location), for logs
 */
public record TrainTest(Pair train, Pair test, String source) {
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }
}
