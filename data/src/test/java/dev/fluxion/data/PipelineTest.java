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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromTensorSlices(x, Tensor.of(new int[] {1, 2}, 2)));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2]"), e.getMessage());
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
}
