package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.layers.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.*;

class ModelsTest {
    private static Conv2D conv(int filters) {
        return new Conv2D(filters, 3).padding("same").useBias(false);
    }

    static Sequential seedModel() {
        return Sequential.of(Input.shape(32, 32, 3),
                conv(32), new BatchNormalization(), Activation.elu(), new MaxPooling2D(2),
                conv(64), new BatchNormalization(), Activation.elu(), new MaxPooling2D(2),
                conv(128), new BatchNormalization(), Activation.elu(), new MaxPooling2D(2),
                new Flatten(), new Dense(512, Activation.elu()), new Dense(10, Activation.softmax()));
    }

    @Test
    void seedCifarModelSummaryCounts() {
        Sequential model = seedModel();
        assertTrue(model.isBuilt(), "a leading Input builds the model at once");
        String s = Summary.render(model);
        assertTrue(s.contains("Total params: 1,148,138"), s);
        assertTrue(s.contains("Trainable params: 1,147,690"), s);
        assertTrue(s.contains("Non-trainable params: 448"), s);
        assertTrue(s.contains("(Conv2D)") && s.contains("(None, 32, 32, 32)") && s.contains("(None, 4, 4, 128)")
                && s.contains("(None, 2048)") && s.contains("(None, 10)") && s.contains("1,049,088"), s);
        assertTrue(s.startsWith("Model: \"" + model.name() + "\""), s);
        assertEquals(1_148_138, model.countParams());
        assertEquals(3 * 2 + 2 * 2 + 3, model.trainableVariables().size());
        assertEquals(6, model.nonTrainableVariables().size());
        assertArrayEquals(new int[] {-1, 10}, model.outputShape());
    }

    @Test
    void sequentialBuildsLazilyWithoutInput() {
        Sequential model = new Sequential().add(new Dense(4, "relu")).add(new Dense(2));
        assertFalse(model.layers().get(0).isBuilt());
        assertThrows(IllegalStateException.class, () -> Summary.render(model));
        Tensor y = model.call(TestData.f32(1, 3, 5));
        assertArrayEquals(new int[] {3, 2}, y.shape());
        assertEquals(5 * 4 + 4 + 4 * 2 + 2, model.countParams());
        assertTrue(Summary.render(model).contains("Total params: 34"));
    }

    @Test
    void sequentialChecksItsInputShape() {
        Sequential model = Sequential.of(Input.shape(4), new Dense(2));
        var e = assertThrows(IllegalArgumentException.class, () -> model.call(TestData.f32(1, 3, 5)));
        assertTrue(e.getMessage().contains("(None, 4)") && e.getMessage().contains("[3,5]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Input.shape(6), new Dense(2), new Conv2D(1, 3)));
        assertTrue(e2.getMessage().contains("rank 4"), e2.getMessage());
    }

    @Test
    void functionalWithSharedLayerMultiInputAndOutput() {
        KerasTensor a = Input.shape(3), b = Input.shape(3);
        Dense shared = new Dense(4, "tanh");
        KerasTensor ha = shared.apply(a), hb = shared.apply(b);
        assertArrayEquals(new int[] {-1, 4}, ha.shape());
        KerasTensor merged = new Concatenate().apply(ha, hb);
        assertArrayEquals(new int[] {-1, 8}, merged.shape());
        Dense head = new Dense(1);
        KerasTensor out1 = head.apply(merged);
        KerasTensor out2 = new Add().apply(ha, hb);
        Functional model = Functional.of(List.of(a, b), List.of(out1, out2));

        assertEquals(4, model.layers().size(), "shared layer listed once");
        assertEquals(3 * 4 + 4 + 8 + 1, model.countParams(), "shared layer's weights counted once");
        assertEquals(4, model.trainableVariables().size());

        Tensor xa = TestData.f32(1, 2, 3), xb = TestData.f32(2, 2, 3);
        List<Tensor> ys = model.callAll(List.of(xa, xb), false);
        Tensor fa = shared.call(xa), fb = shared.call(xb);
        Tensor expected1 = head.call(dev.fluxion.ArrayOps.concat(-1, fa, fb));
        assertClose(expected1.toDoubleArray(), ys.get(0).toDoubleArray(), 1e-6);
        assertClose(fa.add(fb).toDoubleArray(), ys.get(1).toDoubleArray(), 1e-6);
        assertThrows(IllegalStateException.class, () -> model.call(List.of(xa, xb), false), "two outputs need callAll");

        String s = Summary.render(model);
        assertTrue(s.contains("(InputLayer)") && s.contains("Total params: 25") && s.contains("Connected to"), s);
        assertTrue(s.contains("['" + a.inputName() + "[0][0]', '" + b.inputName() + "[0][0]']"), s);
        assertTrue(s.contains("['" + shared.name() + "[0][0]', '" + shared.name() + "[1][0]']"), s);

        // gradients reach the shared kernel through both branches
        try (GradientTape tape = new GradientTape()) {
            Tensor loss = model.callAll(List.of(xa, xb), true).get(0).sum();
            List<Tensor> g = tape.gradient(loss, model.trainableVariables());
            for (Tensor t : g) assertNotNull(t);
        }
    }

    @Test
    void functionalSingleInputAndNestedModel() {
        KerasTensor in = Input.shape(4, 4, 1);
        KerasTensor h = new Conv2D(2, 3).padding("same").activation("relu").apply(in);
        h = new GlobalAveragePooling2D().apply(h);
        Functional inner = Functional.of(in, new Dense(3).apply(h));
        KerasTensor in2 = Input.shape(4, 4, 1);
        Functional outer = Functional.of(in2, new Dense(1).apply(inner.apply(in2)));
        Tensor x = TestData.f32(3, 2, 4, 4, 1);
        assertArrayEquals(new int[] {2, 1}, outer.call(x).shape());
        assertEquals(inner.countParams() + 4, outer.countParams());
        var e = assertThrows(IllegalArgumentException.class, () -> outer.call(TestData.f32(3, 2, 5, 4, 1)));
        assertTrue(e.getMessage().contains("(None, 4, 4, 1)"), e.getMessage());
        KerasTensor stray = Input.shape(4, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> Functional.of(in2, new Add().apply(inner.apply(in2), inner.apply(stray))));
    }

    @Test
    void embeddingInFunctionalModel() {
        KerasTensor ids = Input.shape(DType.INT32, 5);
        KerasTensor h = new Embedding(20, 3).apply(ids);
        assertArrayEquals(new int[] {-1, 5, 3}, h.shape());
        Functional model = Functional.of(ids, new Dense(2).apply(new Flatten().apply(h)));
        assertArrayEquals(new int[] {2, 2}, model.call(Tensor.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 5)).shape());
    }

    /** A subclassed model: sublayers registered with track(). */
    static final class TwoLayer extends Model {
        final Dense hidden = track(new Dense(4, "relu").kernelInitializer(Initializers.glorotUniform(1L)));
        final Dropout dropout = track(new Dropout(0.5, 3));
        final Dense out = track(new Dense(2).kernelInitializer(Initializers.glorotUniform(2L)));

        TwoLayer() {
            super("two_layer");
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return out.call(dropout.call(hidden.call(x, training), training), training);
        }
    }

    @Test
    void subclassedModelTracksSublayers() {
        TwoLayer m = new TwoLayer();
        Tensor x = TestData.f32(5, 3, 6);
        Tensor y = m.call(x);
        assertClose(m.out.call(m.hidden.call(x)).toDoubleArray(), y.toDoubleArray(), 1e-6);
        assertEquals(3, m.layers().size());
        assertEquals(4, m.trainableVariables().size());
        assertEquals(6 * 4 + 4 + 4 * 2 + 2, m.countParams());
        String s = Summary.render(m);
        assertTrue(s.contains("Model: \"two_layer\"") && s.contains("(Dropout)") && s.contains("Total params: 38"), s);
        m.setTrainable(false);
        assertEquals(0, m.trainableVariables().size());
        assertEquals(4, m.nonTrainableVariables().size());
    }

    private static Sequential bnModel() {
        return Sequential.of(Input.shape(4),
                new Dense(6).kernelInitializer(Initializers.glorotUniform(11L)).biasInitializer(Initializers.randomNormal(0, 0.1, 12L)),
                new BatchNormalization(), Activation.relu(),
                new Dense(3).kernelInitializer(Initializers.glorotUniform(13L)));
    }

    @Test
    void sequentialInGraphFunctionMatchesEagerIncludingBatchNormUpdates() {
        Sequential eager = bnModel(), graph = bnModel();
        GraphFunction<Tensor> step = Fx.function("forward", (Tensor x) -> graph.call(x, true));
        GraphFunction<Tensor> infer = Fx.function("infer", (Tensor x) -> graph.call(x, false));
        for (int i = 0; i < 3; i++) {
            Tensor x = TestData.f32(100 + i, 5, 4);
            assertClose(eager.call(x, true).toDoubleArray(), step.call(x).toDoubleArray(), 1e-5);
            List<Variable> ev = eager.nonTrainableVariables(), gv = graph.nonTrainableVariables();
            assertEquals(2, gv.size());
            for (int k = 0; k < ev.size(); k++)
                assertClose(ev.get(k).value().toDoubleArray(), gv.get(k).value().toDoubleArray(), 1e-5);
        }
        assertEquals(1, step.tracingCount(), "the moving-average update runs every call without retracing");
        BatchNormalization bn = (BatchNormalization) graph.layers().get(1);
        for (double v : bn.movingVariance().value().toDoubleArray()) assertNotEquals(1.0, v, 1e-9);
        Tensor x = TestData.f32(200, 5, 4);
        assertClose(eager.call(x, false).toDoubleArray(), infer.call(x).toDoubleArray(), 1e-5);
    }

    @Test
    void lazyModelBuildsInsideGraphFunction() {
        Sequential lazy = Sequential.of(new Dense(3, "relu"), new Dropout(0.5, 1), new Dense(1));
        GraphFunction<Tensor> f = Fx.function("lazy", (Tensor x) -> lazy.call(x, true));
        Tensor x = TestData.f32(3, 4, 2);
        Tensor y1 = f.call(x), y2 = f.call(x);
        assertArrayEquals(new int[] {4, 1}, y1.shape());
        assertTrue(lazy.isBuilt());
        assertEquals(2 * 3 + 3 + 3 + 1, lazy.countParams());
        assertFalse(java.util.Arrays.equals(y1.toFloatArray(), y2.toFloatArray()), "dropout draws a fresh mask per call");
        assertArrayEquals(lazy.call(x, false).toFloatArray(), Fx.function("lazy_infer", (Tensor t) -> lazy.call(t, false)).call(x).toFloatArray(), 1e-6f);
    }

    @Test
    void autoNamesFollowKeras() {
        assertEquals("conv2d", Layer.baseName(Conv2D.class));
        assertEquals("batch_normalization", Layer.baseName(BatchNormalization.class));
        assertEquals("max_pooling2d", Layer.baseName(MaxPooling2D.class));
        assertEquals("global_average_pooling2d", Layer.baseName(GlobalAveragePooling2D.class));
        Dense d1 = new Dense(1), d2 = new Dense(1);
        assertNotEquals(d1.name(), d2.name());
        assertTrue(d1.name().startsWith("dense"));
        d1.call(Tensor.ones(1, 2));
        assertEquals(d1.name() + "/kernel", d1.kernel().name());
    }

    @Test
    void sequentialNestedInFunctionalAndFloat64Default() {
        DType before = Layer.defaultDtype();
        try {
            Layer.setDefaultDtype(DType.FLOAT64);
            Sequential block = Sequential.of(new Dense(3, "relu"), new Dense(2));
            KerasTensor in = Input.shape(DType.FLOAT64, 4);
            Functional model = Functional.of(in, new Add().apply(block.apply(in), new Dense(2).apply(in)));
            Tensor y = model.call(TestData.f64(4, 2, 4));
            assertEquals(DType.FLOAT64, y.dtype());
            assertEquals(DType.FLOAT64, block.trainableVariables().get(0).dtype());
            assertEquals(4 * 3 + 3 + 3 * 2 + 2 + 4 * 2 + 2, model.countParams());
        } finally {
            Layer.setDefaultDtype(before);
        }
        assertEquals(DType.FLOAT32, new Dense(1).dtype());
    }

    @Test
    void regularizerLossesAndConstraintsInsideGraphFunction() {
        Dense d = new Dense(2).kernelRegularizer(dev.fluxion.nn.regularizers.Regularizer.l2(0.5))
                .kernelConstraint(dev.fluxion.nn.constraints.Constraint.clip(0.1));
        Sequential model = Sequential.of(Input.shape(3), d);
        GraphFunction<Tensor> f = Fx.function("loss", (Tensor x) -> {
            Tensor loss = model.call(x, true).sum();
            for (Tensor l : model.losses()) loss = loss.add(l);
            return loss;
        });
        Tensor x = TestData.f32(1, 2, 3);
        double k2 = d.kernel().value().square().sum().item();
        assertEquals(model.call(x).sum().item() + 0.5 * k2, f.call(x).item(), 1e-4);
        GraphFunction<Tensor> project = Fx.function("project", (Tensor t) -> {
            Constraints.apply(d.kernel());
            return d.kernel().value().add(t);
        });
        project.call(Tensor.scalar(0));
        for (double v : d.kernel().value().toDoubleArray()) assertTrue(Math.abs(v) <= 0.1 + 1e-7);
    }
}
