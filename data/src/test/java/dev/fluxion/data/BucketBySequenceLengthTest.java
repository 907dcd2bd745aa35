package dev.fluxion.data;

import static dev.fluxion.data.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** bucketBySequenceLength: tf.data's bucket_by_sequence_length, against its documented examples and a list program. */
class BucketBySequenceLengthTest {
    private static Tensor int64(long... values) {
        return Tensor.of(values, values.length);
    }

    /** tf.data's documentation example: six int64 sequences of lengths 1, 4, 3, 5, 6 and 2. */
    private static Dataset<Tensor> documentationElements() {
        return Dataset.of(int64(0), int64(1, 2, 3, 4), int64(5, 6, 7), int64(7, 8, 9, 10, 11), int64(13, 14, 15, 16, 19, 20), int64(21, 22));
    }

    private static void assertBatch(long[][] rows, Tensor batch) {
        assertArrayEquals(new int[] {rows.length, rows[0].length}, batch.shape());
        assertArrayEquals(Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray(), batch.toLongArray());
    }

    @Test
    void tfDataDocumentationExamples() {
        // buckets [0, 3), [3, 5), [5, inf) with batches of 2, padded with 0 to each batch's longest
        List<Tensor> got = documentationElements().bucketBySequenceLength(t -> t.dim(0), new int[] {3, 5}, new int[] {2, 2, 2}).toList();
        assertEquals(3, got.size());
        assertBatch(new long[][] {{1, 2, 3, 4}, {5, 6, 7, 0}}, got.get(0));
        assertBatch(new long[][] {{7, 8, 9, 10, 11, 0}, {13, 14, 15, 16, 19, 20}}, got.get(1));
        assertBatch(new long[][] {{0, 0}, {21, 22}}, got.get(2));
        // buckets [0, 4), [4, 7), [7, inf) padded with -1 to the bucket's boundary - 1: the partial batches come at the end
        List<Tensor> bounded = documentationElements().bucketBySequenceLength(t -> t.dim(0), new int[] {4, 7}, new int[] {2, 2, 2},
                Padding.toLongest().withValues(-1), true, false).toList();
        assertEquals(4, bounded.size());
        assertBatch(new long[][] {{0, -1, -1}, {5, 6, 7}}, bounded.get(0));
        assertBatch(new long[][] {{1, 2, 3, 4, -1, -1}, {7, 8, 9, 10, 11, -1}}, bounded.get(1));
        assertBatch(new long[][] {{21, 22, -1}}, bounded.get(2));
        assertBatch(new long[][] {{13, 14, 15, 16, 19, 20}}, bounded.get(3));
        List<Tensor> dropped = documentationElements().bucketBySequenceLength(t -> t.dim(0), new int[] {4, 7}, new int[] {2, 2, 2},
                Padding.toLongest().withValues(-1), true, true).toList();
        assertEquals(2, dropped.size(), "dropRemainder drops the two partial batches of the end");
        assertBatch(new long[][] {{1, 2, 3, 4, -1, -1}, {7, 8, 9, 10, 11, -1}}, dropped.get(1));
    }

    /** Element i: a token vector of its length whose token j is 1000 i + j + 1 (never the padding), and the label i. */
    private static Pair sequence(int i, int length) {
        int[] tokens = new int[length];
        for (int j = 0; j < length; j++) tokens[j] = 1000 * i + j + 1;
        return new Pair(Tensor.of(tokens, length), Tensor.scalar(i, DType.INT32));
    }

    /** A batch written out: its labels, and its token rows padded with {@code pad} to {@code width}. */
    private record Batch(List<Integer> labels, List<List<Integer>> rows) {
        static Batch of(Pair p) {
            int n = p.x().dim(0), width = p.x().dim(1);
            int[] x = p.x().toIntArray();
            List<List<Integer>> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) rows.add(Arrays.stream(x, i * width, (i + 1) * width).boxed().toList());
            return new Batch(Arrays.stream(p.y().toIntArray()).boxed().toList(), rows);
        }
    }

    /**
     * tf.data's bucket_by_sequence_length as a list program: bucket = how many boundaries are <= the length; a bucket
     * that holds its batch size is batched at once; at the end the partial buckets follow in bucket order (unless
     * dropped); each batch is padded to its longest, or to the bucket's boundary - 1.
     */
    private static List<Batch> reference(int[] lengths, int[] boundaries, int[] batchSizes, int pad, boolean toBoundary, boolean drop) {
        List<Batch> out = new ArrayList<>();
        TreeMap<Integer, List<Integer>> buckets = new TreeMap<>();
        for (int i = 0; i < lengths.length; i++) {
            int bucket = 0;
            while (bucket < boundaries.length && lengths[i] >= boundaries[bucket]) bucket++;
            List<Integer> members = buckets.computeIfAbsent(bucket, b -> new ArrayList<>());
            members.add(i);
            if (members.size() == batchSizes[bucket]) out.add(padded(buckets.remove(bucket), bucket, lengths, boundaries, pad, toBoundary));
        }
        buckets.forEach((bucket, members) -> {
            if (!drop) out.add(padded(members, bucket, lengths, boundaries, pad, toBoundary));
        });
        return out;
    }

    private static Batch padded(List<Integer> members, int bucket, int[] lengths, int[] boundaries, int pad, boolean toBoundary) {
        int width = toBoundary ? boundaries[bucket] - 1 : members.stream().mapToInt(i -> lengths[i]).max().orElseThrow();
        List<List<Integer>> rows = new ArrayList<>();
        for (int i : members) {
            List<Integer> row = new ArrayList<>();
            for (int j = 0; j < width; j++) row.add(j < lengths[i] ? 1000 * i + j + 1 : pad);
            rows.add(row);
        }
        return new Batch(List.copyOf(members), rows);
    }

    /** A random configuration: lengths, increasing boundaries from 1, a batch size per bucket, the padding options. */
    private record Trial(int[] lengths, int[] boundaries, int[] batchSizes, int pad, boolean toBoundary, boolean drop) {
        static Trial random(SplittableRandom r) {
            int[] boundaries = r.ints(r.nextInt(0, 4), 1, 12).distinct().sorted().toArray();
            boolean toBoundary = boundaries.length > 0 && r.nextBoolean();
            int longest = toBoundary ? boundaries[boundaries.length - 1] : 14; // with padToBucketBoundary, below the last boundary
            int[] lengths = r.ints(r.nextInt(0, 25), 0, longest).toArray();
            int[] batchSizes = r.ints(boundaries.length + 1, 1, 4).toArray();
            return new Trial(lengths, boundaries, batchSizes, r.nextInt(-1, 2), toBoundary, r.nextBoolean());
        }

        Dataset<Batch> dataset() {
            return Dataset.range(lengths.length).map(i -> sequence(i.intValue(), lengths[i.intValue()]))
                    .bucketBySequenceLength(p -> p.x().dim(0), boundaries, batchSizes, Padding.toLongest().withValues(pad), toBoundary, drop)
                    .map(Batch::of);
        }

        List<Batch> expected() {
            return reference(lengths, boundaries, batchSizes, pad, toBoundary, drop);
        }

        @Override
        public String toString() {
            return "lengths " + Arrays.toString(lengths) + " boundaries " + Arrays.toString(boundaries) + " batch sizes "
                    + Arrays.toString(batchSizes) + " pad " + pad + (toBoundary ? " to the boundary" : "") + (drop ? " dropRemainder" : "");
        }
    }

    @Test
    void matchesTheReferenceForRandomLengthsBoundariesAndBatchSizes() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            Trial t = Trial.random(r);
            assertEquals(t.expected(), t.dataset().toList(), t.toString());
        }
    }

    @Test
    void resumesAtEveryCut() {
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 20; trial++) {
            Trial t = Trial.random(r);
            TestData.resumesAtEveryCut(t::dataset);
        }
        int[] lengths = new SplittableRandom(8).ints(60, 0, 20).toArray();
        TestData.resumesAtEveryCut(() -> Dataset.range(60).shuffle(10, 2).map(i -> sequence(i.intValue(), lengths[i.intValue()]))
                .bucketBySequenceLength(p -> p.x().dim(0), new int[] {5, 10, 15}, new int[] {3, 2, 4, 1}).map(Batch::of));
    }

    @Test
    void theBoundaryFillsTheDimensionsOfUnknownSize() {
        // rank-2 elements [length, 2] and [length, 3]: tf.data pads the dimensions of unknown size to boundary - 1
        Dataset<Tensor> grids = Dataset.of(Tensor.of(new float[2], 1, 2), Tensor.of(new float[6], 2, 3), Tensor.of(new float[20], 5, 4));
        List<Tensor> given = grids.bucketBySequenceLength(t -> t.dim(0), new int[] {4, 8}, new int[] {2, 1, 1},
                Padding.shapes(new int[] {-1, 6}), true, false).toList();
        assertArrayEquals(new int[] {2, 3, 6}, given.get(0).shape(), "-1 becomes 3 (boundary 4 - 1), the fixed 6 stays");
        assertArrayEquals(new int[] {1, 7, 6}, given.get(1).shape(), "bucket 1: boundary 8 - 1");
        // a fixed dimension of size 0 is a known size, not one to fill
        List<Tensor> empty = Dataset.of(Tensor.of(new float[0], 1, 0), Tensor.of(new float[0], 2, 0))
                .bucketBySequenceLength(t -> t.dim(0), new int[] {4}, new int[] {2, 1}, Padding.shapes(new int[] {-1, 0}), true, false).toList();
        assertArrayEquals(new int[] {2, 3, 0}, empty.getFirst().shape(), "-1 becomes 3, the fixed 0 stays");
        // without shapes: axis 0 (the sequence axis) to the boundary, the others to the batch's longest
        List<Tensor> longest = grids.bucketBySequenceLength(t -> t.dim(0), new int[] {4, 8}, new int[] {2, 1, 1},
                Padding.toLongest(), true, false).toList();
        assertArrayEquals(new int[] {2, 3, 3}, longest.get(0).shape());
        assertArrayEquals(new int[] {1, 7, 4}, longest.get(1).shape());
        // a scalar label has no axis to pad
        Pair p = Dataset.of(sequence(0, 2), sequence(1, 1)).bucketBySequenceLength(s -> s.x().dim(0), new int[] {6}, new int[] {2, 2},
                Padding.toLongest(), true, false).toList().getFirst();
        assertArrayEquals(new int[] {2, 5}, p.x().shape());
        assertArrayEquals(new int[] {2}, p.y().shape());
        assertArrayEquals(new int[] {1, 2, 0, 0, 0, 1001, 0, 0, 0, 0}, p.x().toIntArray());
        assertEquals(DType.INT32, p.x().dtype());
        assertEquals(Dataset.UNKNOWN, grids.bucketBySequenceLength(t -> t.dim(0), new int[] {4}, new int[] {1, 1}).cardinality());
    }

    @Test
    void badArgumentsAreRejectedWhenTheStageIsBuilt() {
        Dataset<Tensor> ds = documentationElements();
        assertMentions(assertThrows(IllegalArgumentException.class,
                        () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[] {3, 5}, new int[] {2, 2})),
                "bucketBySequenceLength", "bucketBoundaries.length + 1", "bucketBatchSizes.length is 2 and bucketBoundaries.length is 2");
        assertMentions(assertThrows(IllegalArgumentException.class,
                        () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[] {5, 3}, new int[] {2, 2, 2})),
                "bucketBySequenceLength: bucket boundaries must increase strictly, got [5, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                        () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[] {3, 3}, new int[] {2, 2, 2})),
                "must increase strictly, got [3, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                        () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[] {0, 3}, new int[] {2, 2, 2})),
                "bucketBySequenceLength: bucket boundaries must be >= 1, got [0, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                        () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[] {3}, new int[] {2, 0})),
                "bucketBySequenceLength: batch sizes must be >= 1, got 0 for bucket 1 in [2, 0]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[0], new int[] {2},
                Padding.toLongest(), true, false)), "padToBucketBoundary needs at least one bucket boundary");
        assertThrows(NullPointerException.class, () -> ds.bucketBySequenceLength(t -> t.dim(0), new int[] {3}, new int[] {1, 1}, null, false, false));
        assertThrows(NullPointerException.class, () -> ds.bucketBySequenceLength(null, new int[] {3}, new int[] {1, 1}));
        assertThrows(NullPointerException.class, () -> ds.bucketBySequenceLength(t -> t.dim(0), null, new int[] {1}));
        // no boundary at all: one bucket, batches as paddedBatch makes them
        List<Tensor> one = ds.bucketBySequenceLength(t -> t.dim(0), new int[0], new int[] {4}).toList();
        assertEquals(List.of(4, 2), one.stream().map(t -> t.dim(0)).toList());
        assertArrayEquals(new int[] {4, 5}, one.getFirst().shape());
    }

    @Test
    void elementsThatFitNoBucketOrFailAreNamed() {
        DataPipelineException tooLong = assertThrows(DataPipelineException.class, () -> documentationElements()
                .bucketBySequenceLength(t -> t.dim(0), new int[] {3, 5}, new int[] {2, 2, 2}, Padding.toLongest(), true, false).toList());
        assertMentions(tooLong, "bucketBySequenceLength: element 3 has length 5, but with padToBucketBoundary every length must be "
                + "below the last bucket boundary 5");
        DataPipelineException failing = assertThrows(DataPipelineException.class, () -> documentationElements()
                .bucketBySequenceLength(t -> {
                    if (t.dim(0) == 3) throw new IllegalStateException("cannot measure");
                    return t.dim(0);
                }, new int[] {3, 5}, new int[] {2, 2, 2}).toList());
        assertMentions(failing, "bucketBySequenceLength: the length function failed on element 2", "cannot measure");
        // a length function that undercounts: the batch's padded shape cannot hold the element, and paddedBatch says so
        DataPipelineException shorter = assertThrows(DataPipelineException.class, () -> documentationElements()
                .bucketBySequenceLength(t -> t.dim(0) / 2, new int[] {3, 5}, new int[] {2, 2, 2}, Padding.toLongest(), true, false).toList());
        assertMentions(shorter, "paddedBatch", "int64[4]", "longer than the padded shape [2]");
        // boundary 1: bucket 0 holds length 0 and pads to 1 - 1 = 0, which the element [0] (counted as 0) does not fit
        DataPipelineException none = assertThrows(DataPipelineException.class, () -> documentationElements()
                .bucketBySequenceLength(t -> t.dim(0) / 2, new int[] {1, 5}, new int[] {1, 2, 2}, Padding.toLongest(), true, false).toList());
        assertMentions(none, "paddedBatch", "int64[1]", "longer than the padded shape [0]");
    }
}
