package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;

/**
 * Turns integer ids into dense vectors (Keras {@code Embedding}): input [batch, ...] of ids in [0, inputDim),
 * output [batch, ..., outputDim]. The table is initialized uniformly in [-0.05, 0.05) as in Keras. Float inputs are
 * truncated to int32. With {@link #maskZero} id 0 is padding: the output carries the mask {@code ids != 0} (see
 * {@link dev.fluxion.nn.Masks}), so that recurrent layers, average pooling and the loss skip padded steps.
 */
public class Embedding extends Layer {
    private final int inputDim, outputDim;
    private Initializer initializer = Initializers.randomUniform();
    private Regularizer regularizer;
    private Variable embeddings;
    private boolean maskZero;

    public Embedding(int inputDim, int outputDim) {
        super(null);
        if (inputDim <= 0 || outputDim <= 0)
            throw new IllegalArgumentException("Embedding: inputDim and outputDim must be positive, got " + inputDim + " and " + outputDim);
        this.inputDim = inputDim;
        this.outputDim = outputDim;
    }

    public Embedding embeddingsInitializer(Initializer i) { initializer = i; return this; }
    public Embedding embeddingsRegularizer(Regularizer r) { regularizer = r; return this; }
    /** Treats id 0 as padding and attaches the mask {@code ids != 0} to the output (Keras' {@code mask_zero}). */
    public Embedding maskZero(boolean on) { maskZero = on; return this; }

    /** The table [inputDim, outputDim]. */
    public Variable embeddings() { return embeddings; }

    @Override
    protected void build(int[] inputShape) {
        embeddings = addWeight("embeddings", new int[] {inputDim, outputDim}, initializer, true, regularizer, null);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return ArrayOps.gather(embeddings.value(), ids(x), 0);
    }

    private static Tensor ids(Tensor x) {
        return x.dtype().isInteger() ? x : Ops.cast(x, DType.INT32);
    }

    @Override
    protected boolean supportsMasking() {
        return maskZero;
    }

    @Override
    protected Tensor computeMask(Tensor x, Tensor mask) {
        Tensor ids = ids(x);
        return Ops.notEqual(ids, Ops.zerosOf(ids));
    }
}
