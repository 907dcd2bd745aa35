package dev.fluxion.nn.callbacks;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A callback from lambdas (Keras' LambdaCallback): {@code LambdaCallback.builder().onEpochEnd((e, logs) -> ...).build()}. */
public final class LambdaCallback extends Callback {
    private BiConsumer<Integer, Map<String, Double>> epochBegin, epochEnd, batchBegin, batchEnd;
    private Consumer<Map<String, Double>> trainBegin, trainEnd;

    private LambdaCallback() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Sets the lambdas; unset hooks do nothing. */
    public static final class Builder {
        private final LambdaCallback c = new LambdaCallback();

        public Builder onEpochBegin(BiConsumer<Integer, Map<String, Double>> f) { c.epochBegin = f; return this; }
        public Builder onEpochEnd(BiConsumer<Integer, Map<String, Double>> f) { c.epochEnd = f; return this; }
        public Builder onBatchBegin(BiConsumer<Integer, Map<String, Double>> f) { c.batchBegin = f; return this; }
        public Builder onBatchEnd(BiConsumer<Integer, Map<String, Double>> f) { c.batchEnd = f; return this; }
        public Builder onTrainBegin(Consumer<Map<String, Double>> f) { c.trainBegin = f; return this; }
        public Builder onTrainEnd(Consumer<Map<String, Double>> f) { c.trainEnd = f; return this; }

        public LambdaCallback build() {
            return c;
        }
    }

    @Override public void onEpochBegin(int epoch, Map<String, Double> logs) { if (epochBegin != null) epochBegin.accept(epoch, logs); }
    @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { if (epochEnd != null) epochEnd.accept(epoch, logs); }
    @Override public void onTrainBatchBegin(int batch, Map<String, Double> logs) { if (batchBegin != null) batchBegin.accept(batch, logs); }
    @Override public void onTrainBatchEnd(int batch, Map<String, Double> logs) { if (batchEnd != null) batchEnd.accept(batch, logs); }
    @Override public void onTrainBegin(Map<String, Double> logs) { if (trainBegin != null) trainBegin.accept(logs); }
    @Override public void onTrainEnd(Map<String, Double> logs) { if (trainEnd != null) trainEnd.accept(logs); }
}
