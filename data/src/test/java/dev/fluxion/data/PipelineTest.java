package dev.fluxion.data;

import static dev.fluxion.data.TestData.iota;
import static dev.fluxion.data.TestData.rows;
import static dev.fluxion.data.TestData.scalar;
import static dev.fluxion.data.TestData.scalars;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
    record Example(Tensor image, Tensor label, Tensor weight) {}

    @Test
    void slicesKeepOrderAndAlignment() {
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
        Tensor y = Tensor.of(new int[] {7, 8, 9}, 3);
        List<Pair> all = Dataset.fromTensorSlices(x, y).toList();
        assertEquals(3, all.size());
        assertArrayEquals(new int[] {2}, all.get(1).x().shape());
        assertArrayEquals(new float[] {2, 3}, all.get(1).x().toFloatArray());
        assertEquals(9, scalar(all.get(2).y()));
        List<TensorTuple> triples = Dataset.fromTensorSlices(x, y, y).toList();
        assertEquals(3, triples.getFirst().size());
        assertArrayEquals(new float[] {2, 3}, triples.get(1).x().toFloatArray(), "x() is the first component");
        assertEquals(8, scalar(triples.get(1).y()), "y() is the second component");
        assertEquals(8, scalar(Dataset.fromTensorSlices(x, y).map(p -> TensorTuple.of(p.x(), p.y())).toList().get(1).y()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromTensorSlices(x, Tensor.of(new int[] {1, 2}, 2)));
        assertTrue(e.getMessage().endsWith("got shapes [3, 2], [2]"), e.getMessage());
    }

    @Test
    void iteratingTwiceGivesTwoEpochs() {
        Dataset<Tensor> ds = Dataset.fromTensorSlices(iota(4)).map(t -> Tensor.scalar(scalar(t) + 10, DType.INT32));
        assertEquals(List.of(10, 11, 12, 13), scalars(ds.toList()));
        assertEquals(List.of(10, 11, 12, 13), scalars(ds.toList()));
    }

    @Test
    void rangeSourcesAndCardinality() {
        assertEquals(List.of(0L, 1L, 2L), Dataset.range(3).toList());
        assertEquals(List.of(5L, 3L, 1L), Dataset.range(5, 0, -2).toList());
        assertEquals(3, Dataset.range(5, 0, -2).cardinality());
        assertEquals(0, Dataset.range(3, 3, 1).cardinality());
        assertEquals(List.of("a", "b"), Dataset.fromIterable(List.of("a", "b")).toList());
        AtomicInteger calls = new AtomicInteger();
        Dataset<Integer> gen = Dataset.fromGenerator(() -> {
            calls.incrementAndGet();
            return List.of(1, 2, 3).iterator();
        });
        assertEquals(List.of(1, 2, 3), gen.toList());
        assertEquals(List.of(1, 2, 3), gen.toList());
        assertEquals(2, calls.get());
        assertEquals(Dataset.UNKNOWN, gen.cardinality());
    }

    @Test
    void batchKeepsRemainderUnlessDropped() {
        Dataset<Tensor> ds = Dataset.fromTensorSlices(iota(7));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6)), rows(ds.batch(3).toList()));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5)), rows(ds.batch(3, true).toList()));
        assertEquals(3, ds.batch(3).cardinality());
        assertEquals(2, ds.batch(3, true).cardinality());
        Tensor b = ds.batch(3).toList().getFirst();
        assertArrayEquals(new int[] {3}, b.shape());
        assertEquals(DType.INT32, b.dtype());
    }

    @Test
    void batchStacksEachComponentOfPairsTuplesAndRecords() {
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 4, 2);
        Tensor y = iota(4);
        Pair p = Dataset.fromTensorSlices(x, y).batch(3).toList().getFirst();
        assertArrayEquals(new int[] {3, 2}, p.x().shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, p.x().toFloatArray());
        assertArrayEquals(new int[] {0, 1, 2}, p.y().toIntArray());
        Example e = Dataset.fromTensorSlices(x, y, y).map(t -> new Example(t.get(0), t.get(1), t.get(2))).batch(4).toList().getFirst();
        assertArrayEquals(new int[] {4, 2}, e.image().shape());
        assertArrayEquals(new int[] {0, 1, 2, 3}, e.weight().toIntArray());
        List<Pair> back = Dataset.of(p).unbatch().toList();
        assertEquals(3, back.size());
        assertArrayEquals(new float[] {4, 5}, back.get(2).x().toFloatArray());
    }

    /**
     * Over tensor slices, shuffled or not, batch copies the rows at the positions the shuffle draws instead of making
     * each element: the same batches, bit for bit, as stacking the elements one by one (forced here by an identity
     * map, which hides the positions), for float, int and bool components, strided sources and partial batches.
     */
    @Test
    void batchesGatheredByPositionEqualElementByElementBatches() {
        int n = 103;
        float[] xs = new float[n * 6];
        for (int i = 0; i < xs.length; i++) xs[i] = i * 0.5f - 7;
        Tensor x = Tensor.of(xs, n, 2, 3), labels = Tensor.of(java.util.stream.IntStream.range(0, n).map(i -> i * 7 % 10).toArray(), n);
        Tensor strided = Tensor.of(xs, 6, n).transpose(); // rows are not contiguous runs: element-by-element inside
        Tensor flags = labels.gt(Tensor.of(new int[] {4}));
        List<java.util.function.Function<Dataset<TensorTuple>, Dataset<TensorTuple>>> shapes = List.of(
                d -> d.batch(16), d -> d.batch(16, true), d -> d.shuffle(40, 5).batch(16), d -> d.shuffle(n, 9).repeat(2).batch(32),
                d -> d.shuffle(7, 2).batch(1));
        // contiguous components are gathered; a strided one sends its batches through the elements at those positions
        for (Tensor[] components : new Tensor[][] {{x, labels, flags}, {x, labels, strided, flags}})
            for (var shape : shapes) {
                Dataset<TensorTuple> direct = shape.apply(Dataset.fromTensorSlices(components));
                Dataset<TensorTuple> viaElements = shape.apply(Dataset.fromTensorSlices(components).map(e -> e));
                List<TensorTuple> a = direct.toList(), b = viaElements.toList();
                assertEquals(b.size(), a.size());
                for (int i = 0; i < a.size(); i++)
                    for (int c = 0; c < components.length; c++) {
                        Tensor p = a.get(i).tensors().get(c), q = b.get(i).tensors().get(c);
                        assertEquals(q.dtype(), p.dtype());
                        assertArrayEquals(q.shape(), p.shape());
                        assertArrayEquals(q.toDoubleArray(), p.toDoubleArray(), 0.0, "batch " + i + ", component " + c);
                    }
            }
        var shuffled = Dataset.fromTensorSlices(x, labels).shuffle(40, 5).open(null);
        long[] first = {shuffled.positions().nextPosition(), shuffled.positions().nextPosition()};
        assertNotNull(shuffled.positions().source().stack(first, 2), "contiguous rows are gathered");
        assertNull(Dataset.fromTensorSlices(x, strided).open(null).positions().source().stack(first, 2), "strided rows are not");
        assertNull(Dataset.fromTensorSlices(x, labels).map(e -> e).open(null).positions(), "a map hides the positions");
    }

    @Test
    void batchOfRaggedElementsNamesBothShapes() {
        Dataset<Tensor> ds = Dataset.of(Tensor.zeros(2), Tensor.zeros(3));
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> ds.batch(2).toList());
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]") && e.getMessage().contains("element 1"), e.getMessage());
        assertThrows(DataPipelineException.class, () -> Dataset.range(3).batch(2).toList()); // Longs are not tensors
        assertEquals(List.of(List.of(0L, 1L), List.of(2L)), Dataset.range(3).batch(2, false, List::copyOf).toList());
    }

    @Test
    void repeatThenBatchStraddlesEpochs() {
        Dataset<Tensor> ds = Dataset.fromTensorSlices(iota(5));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 0), List.of(1, 2, 3), List.of(4)), rows(ds.repeat(2).batch(3).toList()));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4), List.of(0, 1, 2), List.of(3, 4)), rows(ds.batch(3).repeat(2).toList()));
        assertEquals(4, ds.repeat(2).batch(3).cardinality());
        assertEquals(Dataset.INFINITE, ds.repeat().cardinality());
        assertEquals(Dataset.INFINITE, ds.repeat().batch(2).cardinality());
        assertEquals(12, scalars(ds.repeat().take(12).toList()).size());
        assertEquals(List.of(), Dataset.range(0).repeat().toList()); // an empty pass ends an infinite repeat
        assertEquals(0, ds.repeat(0).cardinality());
    }

    @Test
    void takeSkipFilterEnumerate() {
        Dataset<Long> ds = Dataset.range(10);
        assertEquals(List.of(0L, 1L, 2L), ds.take(3).toList());
        assertEquals(10, ds.take(-1).cardinality());
        assertEquals(List.of(7L, 8L, 9L), ds.skip(7).toList());
        assertEquals(List.of(), ds.skip(-1).toList());
        assertEquals(0, ds.skip(-1).cardinality());
        assertEquals(List.of(0L, 3L, 6L, 9L), ds.filter(v -> v % 3 == 0).toList());
        assertEquals(Dataset.UNKNOWN, ds.filter(v -> true).cardinality());
        assertEquals(5, Dataset.range(100).repeat().take(5).cardinality());
        assertEquals(Dataset.INFINITE, Dataset.range(100).repeat().skip(5).cardinality());
        List<Indexed<Long>> e = ds.skip(4).enumerate().take(2).toList();
        assertEquals(new Indexed<>(0, 4L), e.get(0));
        assertEquals(new Indexed<>(1, 5L), e.get(1));
        assertEquals(7, ds.enumerate(5).toList().get(2).index());
    }

    @Test
    void zipAndConcatenate() {
        Dataset<Tensor> a = Dataset.fromTensorSlices(iota(5));
        Dataset<Tensor> b = Dataset.fromTensorSlices(iota(3)).map(t -> Tensor.scalar(scalar(t) * 10, DType.INT32));
        List<Pair> z = Dataset.zip(a, b).toList();
        assertEquals(3, z.size());
        assertEquals(2, scalar(z.get(2).x()));
        assertEquals(20, scalar(z.get(2).y()));
        assertEquals(3, Dataset.zip(a, b).cardinality());
        assertEquals(List.of(0L, 1L, 10L, 11L, 12L), Dataset.range(2).concatenate(Dataset.range(10, 13, 1)).toList());
        assertEquals(5, Dataset.range(2).concatenate(Dataset.range(10, 13, 1)).cardinality());
        assertEquals(Dataset.INFINITE, Dataset.range(2).concatenate(Dataset.range(1).repeat()).cardinality());
        assertEquals(List.of("0:a", "1:b"), Dataset.range(5).zip(Dataset.of("a", "b"), (i, s) -> i + ":" + s).toList());
    }

    @Test
    void cacheInMemoryReplaysTheFirstCompletePass() {
        AtomicInteger calls = new AtomicInteger();
        Dataset<Long> ds = Dataset.range(5).map(v -> {
            calls.incrementAndGet();
            return v * 2;
        }).cache();
        try (DataIterator<Long> it = ds.iterator()) {
            it.next(); // a pass closed early does not fill the cache
        }
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L), ds.toList());
        assertEquals(6, calls.get());
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L), ds.toList());
        assertEquals(6, calls.get());
        assertEquals(List.of(4L, 6L, 8L), ds.skip(2).toList(), "skipping over the cache");
        assertEquals(6, calls.get());
        // shuffle after cache reshuffles the cached elements
        Dataset<Long> shuffled = ds.shuffle(5, 1);
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L), shuffled.toList().stream().sorted().toList());
        assertEquals(6, calls.get());
    }

    @Test
    void cacheToFileServesLaterRuns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/cache.bin");
        AtomicInteger calls = new AtomicInteger();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Dataset<Pair> ds = Dataset.fromTensorSlices(x, iota(3)).map(p -> {
            calls.incrementAndGet();
            return p;
        }).cache(file);
        List<Pair> first = ds.toList();
        assertTrue(Files.isRegularFile(file));
        try (var s = Files.list(file.getParent())) {
            assertEquals(1, s.count(), "no temporary files left behind");
        }
        Dataset<Pair> again = Dataset.fromTensorSlices(x, iota(3)).map(p -> {
            calls.incrementAndGet();
            return p;
        }).cache(file);
        List<Pair> second = again.toList();
        assertEquals(3, calls.get());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(first.get(i).x().toFloatArray(), second.get(i).x().toFloatArray());
            assertArrayEquals(first.get(i).y().toIntArray(), second.get(i).y().toIntArray());
        }
        // a truncated cache file is an error, not a shorter data set
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 12));
        DataPipelineException e = assertThrows(DataPipelineException.class, again::toList);
        assertInstanceOf(DatasetFormatException.class, e.getCause());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void mapFailureNamesTheElementAndKeepsTheCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        Dataset<Long> ds = Dataset.range(10).map(v -> {
            if (v == 6) throw boom;
            return v;
        });
        try (DataIterator<Long> it = ds.iterator()) {
            for (int i = 0; i < 6; i++) it.next();
            DataPipelineException e = assertThrows(DataPipelineException.class, it::next);
            assertTrue(e.getMessage().contains("element 6"), e.getMessage());
            assertSame(boom, e.getCause());
        }
        DataPipelineException f = assertThrows(DataPipelineException.class, () -> Dataset.range(3).filter(v -> v / (v - 1) > 0).toList());
        assertTrue(f.getMessage().contains("element 1"), f.getMessage());
        assertInstanceOf(ArithmeticException.class, f.getCause());
        assertThrows(DataPipelineException.class, () -> Dataset.range(3).map(v -> (Long) null).toList());
    }

    @Test
    void iteratorProtocolAndStreams() {
        DataIterator<Long> it = Dataset.range(2).iterator();
        assertTrue(it.hasNext());
        assertTrue(it.hasNext());
        assertEquals(0L, it.next());
        assertEquals(1L, it.next());
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        it.close();
        try (var s = Dataset.range(1, 6, 1).stream()) {
            assertEquals(15L, s.mapToLong(Long::longValue).sum());
        }
        List<Long> seen = new ArrayList<>();
        Dataset.range(3).forEach(seen::add);
        assertEquals(List.of(0L, 1L, 2L), seen);
        assertEquals(LongStream.range(0, 4).boxed().toList(), Dataset.range(4).toList());
        assertThrows(IllegalStateException.class, () -> Dataset.range(1).repeat().toList());
    }

    @Test
    void cardinalityOfEveryStageFollowsTfData() {
        Dataset<Long> ten = Dataset.range(10), unknown = ten.filter(v -> true), infinite = ten.repeat(), empty = Dataset.range(0);
        assertEquals(2, Dataset.range(6).batch(3).cardinality(), "an exact multiple leaves no partial batch");
        assertEquals(2, Dataset.range(6).batch(3, true).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.batch(3).cardinality());
        assertEquals(3, ten.take(3).cardinality());
        assertEquals(10, ten.take(20).cardinality(), "take(n) past the end is all");
        assertEquals(0, ten.take(0).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.take(3).cardinality());
        assertEquals(Dataset.INFINITE, infinite.take(-1).cardinality());
        assertEquals(3, ten.skip(7).cardinality());
        assertEquals(0, ten.skip(20).cardinality());
        assertEquals(10, ten.skip(0).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.skip(2).cardinality());
        assertEquals(30, ten.repeat(3).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.repeat(2).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.repeat().cardinality());
        assertEquals(Dataset.INFINITE, infinite.repeat(2).cardinality());
        assertEquals(0, empty.repeat().cardinality());
        long third = Long.MAX_VALUE / 3;
        assertEquals(3 * third, Dataset.range(third).repeat(3).cardinality(), "the largest count that still fits");
        assertEquals(10, Dataset.zip(Dataset.fromTensorSlices(iota(10)), Dataset.fromTensorSlices(iota(3)).repeat()).cardinality());
        assertEquals(10, Dataset.zip(Dataset.fromTensorSlices(iota(3)).repeat(), Dataset.fromTensorSlices(iota(10))).cardinality());
        assertEquals(Dataset.INFINITE, infinite.zip(infinite, Long::sum).cardinality());
        assertEquals(Dataset.UNKNOWN, ten.zip(unknown, Long::sum).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.zip(ten, Long::sum).cardinality());
        assertEquals(Dataset.UNKNOWN, ten.concatenate(unknown).cardinality());
        assertEquals(Dataset.UNKNOWN, unknown.concatenate(ten).cardinality());
        Dataset<Tensor> batches = Dataset.fromTensorSlices(iota(6)).batch(2);
        assertEquals(Dataset.UNKNOWN, batches.unbatch().cardinality());
        assertEquals(Dataset.INFINITE, batches.repeat().unbatch().cardinality());
        assertEquals(0, batches.take(0).unbatch().cardinality());
        assertEquals(10, ten.enumerate().cardinality());
        assertEquals(10, ten.map(v -> v).cardinality());
        assertEquals(10, ten.map(v -> v, 2, true).cardinality());
        assertEquals(10, ten.prefetch(2).cardinality());
        assertEquals(10, ten.cache().cardinality());
        assertEquals(10, ten.shuffle(4, 1).cardinality());
        assertEquals(2, Dataset.fromIterable(java.util.Set.of("a", "b")).cardinality(), "a collection knows its size");
        Iterable<String> notACollection = () -> List.of("a", "b").iterator();
        assertEquals(Dataset.UNKNOWN, Dataset.fromIterable(notACollection).cardinality());
        assertEquals(List.of("a", "b"), Dataset.fromIterable(notACollection).toList());
    }

    @Test
    void rangesWithAnyStartAndStep() {
        assertEquals(List.of(2L, 3L, 4L), Dataset.range(2, 5, 1).toList());
        assertEquals(3, Dataset.range(2, 5, 1).cardinality());
        assertEquals(List.of(), Dataset.range(3, 3, 2).toList());
        assertEquals(0, Dataset.range(3, 3, 2).cardinality());
        assertEquals(List.of(-3L, 0L, 3L), Dataset.range(-3, 4, 3).toList());
        assertEquals(List.of(10L, 7L), Dataset.range(10, 4, -3).toList());
        assertEquals(2, Dataset.range(10, 4, -3).cardinality());
        assertEquals(List.of(), Dataset.range(5, 0, 1).toList());
        assertEquals(0, Dataset.range(5, 0, 1).cardinality());
        // a shuffle over a range with a start draws the range's values, not its indices
        assertEquals(List.of(10L, 11L, 12L, 13L), Dataset.range(10, 14, 1).shuffle(4, 3).toList().stream().sorted().toList());
    }

    @Test
    void parallelismAndBufferArgumentsAcceptTheirLimitsAndAutotune() {
        List<Long> doubled = List.of(0L, 2L, 4L, 6L, 8L);
        assertEquals(doubled, Dataset.range(5).map(v -> v * 2, 1, true).toList());
        assertEquals(doubled, Dataset.range(5).map(v -> v * 2, 1, false).toList().stream().sorted().toList());
        assertEquals(doubled, Dataset.range(5).map(v -> v * 2, Dataset.AUTOTUNE, true).toList());
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Dataset.range(5).map(v -> threads.add(Thread.currentThread().getName()), 2, true).toList();
        assertTrue(threads.stream().allMatch(n -> n.startsWith("fluxion-map-")), "a parallel map runs on its workers: " + threads);
        assertThrows(IllegalArgumentException.class, () -> Dataset.range(5).map(v -> v, 0, true));
        assertEquals(List.of(0L, 1L, 2L), Dataset.range(3).prefetch(Dataset.AUTOTUNE).toList());
        assertEquals(List.of(0L, 1L, 2L), Dataset.range(3).prefetch(1).toList());
        assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).prefetch(0));
        assertEquals(List.of(List.of(0L), List.of(1L)), Dataset.range(2).batch(1, false, List::copyOf).toList());
        assertThrows(IllegalArgumentException.class, () -> Dataset.range(2).batch(0, false, List::copyOf));
        assertEquals(List.of(List.of(0), List.of(1)), rows(Dataset.fromTensorSlices(iota(2)).batch(1).toList()));
    }

    @Test
    void aCollateFunctionOverTensorSlicesSeesTheElements() {
        Dataset<Tensor> slices = Dataset.fromTensorSlices(iota(5));
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)), slices.batch(2, false, TestData::scalars).toList());
        assertEquals(List.of(List.of(0, 1), List.of(2, 3)), slices.batch(2, true, TestData::scalars).toList());
        assertEquals(5, slices.shuffle(5, 2).batch(5, false, TestData::scalars).toList().getFirst().stream().distinct().count());
    }

    @Test
    void streamsCountWhatAPassYields() {
        try (var s = Dataset.range(10).filter(v -> v % 2 == 0).stream()) {
            assertEquals(5, s.count(), "a stream of unknown size is counted by iterating");
        }
        try (var s = Dataset.range(7).stream()) {
            assertEquals(7, s.count());
        }
    }

    @Test
    void positionCountsTheElementsReturned() {
        try (DataIterator<Long> it = Dataset.range(5).iterator()) {
            assertEquals(0, it.position());
            it.next();
            it.hasNext();
            assertEquals(1, it.position(), "hasNext does not count");
            it.next();
            assertEquals(2, it.position());
            try (DataIterator<Long> resumed = Dataset.range(5).iterator(it.save())) {
                assertEquals(0, resumed.position(), "a restored iterator counts from 0");
                assertEquals(2L, resumed.next());
                assertEquals(1, resumed.position());
            }
        }
    }

    @Test
    void aFileCacheKeepsTuplesOfEveryDtypeBitForBit(@TempDir Path dir) {
        Tensor f32 = Tensor.of(new float[] {1.5f, -0f, Float.NaN, 3e-39f, Float.MAX_VALUE, -7}, 3, 2);
        Tensor f64 = Tensor.of(new double[] {Math.PI, -1e300, Double.MIN_VALUE}, 3);
        Tensor i64 = Tensor.of(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, 3);
        Tensor bools = Tensor.of(new int[] {0, 5, 0, 0, 1, 1}, 3, 2).gt(Tensor.of(new int[] {0}));
        Tensor empty = Tensor.zeros(DType.FLOAT32, 3, 0); // rows with no values
        Dataset<TensorTuple> single = Dataset.fromTensorSlices(iota(3)).map(TensorTuple::of).cache(dir.resolve("single.bin"));
        single.toList();
        assertEquals(List.of(1, 1, 1), single.toList().stream().map(TensorTuple::size).toList(), "one-component tuples");
        Dataset<TensorTuple> ds = Dataset.fromTensorSlices(f32, f64, i64, bools, iota(3), empty).cache(dir.resolve("tuples.bin"));
        List<TensorTuple> written = ds.toList(), read = ds.toList();
        assertEquals(3, read.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(6, read.get(i).size());
            for (int c = 0; c < 6; c++) {
                Tensor w = written.get(i).get(c), r = read.get(i).get(c);
                assertEquals(w.dtype(), r.dtype());
                assertArrayEquals(w.shape(), r.shape());
                if (w.dtype() == DType.BOOL) assertArrayEquals(w.toBooleanArray(), r.toBooleanArray());
                else if (w.dtype() == DType.INT64) assertArrayEquals(w.toLongArray(), r.toLongArray());
                else assertArrayEquals(w.toDoubleArray(), r.toDoubleArray(), 0.0);
            }
        }
        assertArrayEquals(new boolean[] {false, true}, read.get(0).get(3).toBooleanArray());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(read.get(0).get(0).toFloatArray()[1]));
    }

    private record Hidden(Tensor a, Tensor b) {}

    private record Scaled(Tensor x, int factor) {}

    @Test
    void batchStacksPrivateRecordsAndStridedElementsAndRefusesRecordsWithOtherComponents() {
        Hidden h = Dataset.of(new Hidden(iota(2), iota(3)), new Hidden(iota(2), iota(3))).batch(2).toList().getFirst();
        assertArrayEquals(new int[] {2, 2}, h.a().shape());
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, h.b().toIntArray());
        assertEquals(2, Dataset.of(h).unbatch().toList().size());
        Object user = dev.fluxion.data.records.UserRecords.example(iota(2), iota(1));
        Object batched = Dataset.of(user, user, user).batch(3).toList().getFirst();
        assertArrayEquals(new int[] {3, 2}, dev.fluxion.data.records.UserRecords.image(batched).shape());
        assertArrayEquals(new int[] {0, 0, 0}, dev.fluxion.data.records.UserRecords.label(batched).toIntArray());
        // elements that are transposed views: their values are not one run of their array
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(); // [[1, 4], [2, 5], [3, 6]]
        Tensor two = Dataset.of(m, m).batch(2).toList().getFirst();
        assertArrayEquals(new int[] {2, 3, 2}, two.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6, 1, 4, 2, 5, 3, 6}, two.toFloatArray());
        Dataset<Scaled> notTensors = Dataset.of(new Scaled(iota(2), 3));
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> notTensors.batch(1).toList());
        ErrorMessages.assertMentions(e, "batch needs elements made of tensors", Scaled.class.getName());
        assertThrows(DataPipelineException.class, () -> notTensors.unbatch().toList());
    }

    @Test
    void skipAndTakeCountsOverEverySource() {
        assertEquals(List.of("c", "d"), Dataset.of("a", "b", "c", "d").skip(2).toList());
        assertEquals(List.of(), Dataset.of("a", "b").skip(5).toList());
        assertEquals(List.of(0L, 1L, 2L), Dataset.range(3).skip(0).toList(), "skip(0) skips nothing");
        assertEquals(List.of(), Dataset.range(3).take(0).toList(), "take(0) takes nothing");
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), Dataset.range(10).skip(2).skip(3).toList());
        assertEquals(List.of(2L, 3L, 4L), Dataset.range(10).take(5).skip(2).toList());
        assertEquals(List.of(), Dataset.range(10).take(5).skip(7).toList());
        assertEquals(List.of(new Indexed<>(2, 2L), new Indexed<>(3, 3L)), Dataset.range(4).enumerate().skip(2).toList());
        // a map skipped over still names its elements by their index in the input
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> Dataset.range(10).map(v -> {
            if (v == 6) throw new IllegalStateException("six");
            return v;
        }).skip(3).toList());
        ErrorMessages.assertMentions(e, "map: the function failed on element 6");
    }
}
