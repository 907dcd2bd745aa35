package dev.fluxion.data;

import static dev.fluxion.data.TestData.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import static dev.fluxion.data.ErrorMessages.assertMentions;

/**
 * Failures while producing elements (a user function, a source, elements that do not fit together) raise
 * DataPipelineException naming the stage and the element; bad arguments raise IllegalArgumentException or
 * IllegalStateException naming the call.
 */
class PipelineErrorsTest {
    /** A record of tensors whose accessor fails. */
    record Broken(Tensor x) {
        @Override
        public Tensor x() {
            throw new IllegalStateException("x is not loaded yet");
        }
    }

    /** A record of tensors that accepts only single examples (rank 1). */
    record Sample(Tensor x) {
        Sample {
            if (x.rank() != 1) throw new IllegalArgumentException("a Sample holds one example of rank 1, got rank " + x.rank());
        }
    }

    @Test
    void aFailingCollateFunctionNamesTheElements() {
        IllegalStateException boom = new IllegalStateException("odd group");
        Dataset<List<Long>> ds = Dataset.range(5).batch(2, false, l -> {
            if (l.getFirst() == 2L) throw boom;
            return List.copyOf(l);
        });
        DataPipelineException e = assertThrows(DataPipelineException.class, ds::toList);
        assertMentions(e, "batch: combining elements 2..3 failed", "odd group");
        assertSame(boom, e.getCause());
    }

    @Test
    void aFailingZipCombinerNamesTheElement() {
        ArithmeticException boom = new ArithmeticException("bad pair");
        Dataset<Long> ds = Dataset.range(4).zip(Dataset.range(4), (a, b) -> {
            if (a == 2) throw boom;
            return a + b;
        });
        DataPipelineException e = assertThrows(DataPipelineException.class, ds::toList);
        assertMentions(e, "zip: the combiner failed on element 2", "bad pair");
        assertSame(boom, e.getCause());
    }

    @Test
    void slicingAScalarIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.fromTensorSlices(iota(3), Tensor.scalar(1f)));
        assertMentions(e, "fromTensorSlices: tensor 1 is a scalar");
    }

    @Test
    void aFailingGeneratorNamesTheElement() {
        Dataset<Integer> ds = Dataset.fromGenerator(() -> new Iterator<Integer>() {
            int i;

            @Override
            public boolean hasNext() {
                if (i == 2) throw new IllegalStateException("disk gone");
                return true;
            }

            @Override
            public Integer next() {
                return i++;
            }
        });
        DataPipelineException e = assertThrows(DataPipelineException.class, ds::toList);
        assertMentions(e, "generator: the source failed at element 2", "disk gone");
    }

    /** Yields 0, 1, 2 and fails when closed. */
    private static final class ClosingFails implements Iterator<Integer>, AutoCloseable {
        int i;

        @Override
        public boolean hasNext() {
            return i < 3;
        }

        @Override
        public Integer next() {
            return i++;
        }

        @Override
        public void close() throws IOException {
            throw new IOException("handle lost");
        }
    }

    @Test
    void aGeneratorThatFailsToCloseIsReported() {
        Dataset<Integer> ds = Dataset.fromGenerator(ClosingFails::new);
        DataPipelineException e = assertThrows(DataPipelineException.class, ds::toList);
        assertMentions(e, "generator: closing the source failed", "handle lost");
        assertTrue(e.getCause() instanceof IOException, "cause: " + e.getCause());
        // an early close reports it too
        DataIterator<Integer> it = ds.iterator();
        assertEquals(0, it.next());
        assertMentions(assertThrows(DataPipelineException.class, it::close), "closing the source failed");
    }

    @Test
    void labelsOfASingleComponentTuple() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TensorTuple.of(iota(2)).y());
        assertMentions(e, "TensorTuple.y()", "only one component");
    }

    @Test
    void aRecordWhoseAccessorFailsCannotBeBatched() {
        Dataset<Broken> ds = Dataset.of(new Broken(iota(2)), new Broken(iota(2)));
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> ds.batch(2).toList());
        assertMentions(e, "batch: cannot read the components of", Broken.class.getName(), "x is not loaded yet");
    }

    @Test
    void aRecordThatRejectsItsBatchedComponents() {
        Dataset<Sample> ds = Dataset.of(new Sample(iota(2)), new Sample(iota(2)));
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> ds.batch(2).toList());
        assertMentions(e, "batch: cannot build a " + Sample.class.getName(), "got rank 2");
        DataPipelineException u = assertThrows(DataPipelineException.class, () -> ds.unbatch().toList());
        assertMentions(u, "unbatch: cannot build a " + Sample.class.getName(), "got rank 0");
    }

    @Test
    void tuplesOfDifferentSizesCannotBeBatched() {
        Dataset<TensorTuple> ds = Dataset.of(TensorTuple.of(iota(2), iota(2)), TensorTuple.of(iota(2), iota(2), iota(2)));
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> ds.batch(2).toList());
        assertMentions(e, "batch: element 1 has 3 components, element 0 had 2");
    }

    @Test
    void unbatchNeedsABatchAxisOfOneSize() {
        Dataset<Pair> scalarLabel = Dataset.of(new Pair(iota(2), iota(2)), new Pair(iota(2), Tensor.scalar(1f)));
        assertMentions(assertThrows(DataPipelineException.class, () -> scalarLabel.unbatch().toList()),
                "unbatch: element 1 component 1 is a scalar");
        Dataset<Pair> ragged = Dataset.of(new Pair(Tensor.zeros(2, 3), Tensor.zeros(3)));
        assertMentions(assertThrows(DataPipelineException.class, () -> ragged.unbatch().toList()),
                "unbatch: element 0 has components with different batch sizes: [2, 3] and [3]");
        Dataset<Pair> emptyFirst = Dataset.of(new Pair(Tensor.zeros(0, 2), Tensor.zeros(3)));
        assertMentions(assertThrows(DataPipelineException.class, () -> emptyFirst.unbatch().toList()),
                "unbatch: element 0 has components with different batch sizes: [0, 2] and [3]");
    }
}
