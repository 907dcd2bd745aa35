package dev.fluxion.data;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * tf.data's {@code sample_from_datasets} and {@code choose_from_datasets}: each element comes from the input a
 * selector names, either drawn at random with the inputs' weights, or read from a dataset of indices. An input that
 * ends is dropped (a random draw then renormalizes over the inputs left), or ends the whole dataset when
 * {@code stopOnEmpty}.
 */
final class DirectedInterleave<E> extends Dataset<E> {
    private final List<? extends Dataset<? extends E>> inputs;
    private final double[] weights; // null: choices
    private final long seed;
    private final Dataset<Long> choices; // null: random draws
    private final boolean stopOnEmpty;
    private final String op;
    private final AtomicLong passes = new AtomicLong();

    private DirectedInterleave(List<? extends Dataset<? extends E>> inputs, double[] weights, long seed, Dataset<Long> choices,
            boolean stopOnEmpty, String op) {
        this.inputs = List.copyOf(inputs);
        this.weights = weights;
        this.seed = seed;
        this.choices = choices;
        this.stopOnEmpty = stopOnEmpty;
        this.op = op;
    }

    static <E> DirectedInterleave<E> sampling(List<? extends Dataset<? extends E>> inputs, double[] weights, long seed, boolean stopOnEmpty) {
        checkInputs("sampleFromDatasets", inputs);
        if (weights.length != inputs.size())
            throw new IllegalArgumentException("sampleFromDatasets: " + weights.length + " weights for " + inputs.size() + " datasets");
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i]))
                throw new IllegalArgumentException("sampleFromDatasets: weight " + i + " is " + weights[i] + "; weights must be finite and >= 0");
            total += weights[i];
        }
        if (total == 0) throw new IllegalArgumentException("sampleFromDatasets: the weights are all 0");
        return new DirectedInterleave<>(inputs, weights.clone(), seed, null, stopOnEmpty, "sampleFromDatasets");
    }

    static <E> DirectedInterleave<E> choosing(List<? extends Dataset<? extends E>> inputs, Dataset<Long> choices, boolean stopOnEmpty) {
        checkInputs("chooseFromDatasets", inputs);
        if (choices == null) throw new IllegalArgumentException("chooseFromDatasets: the choice dataset is null");
        return new DirectedInterleave<>(inputs, null, 0, choices, stopOnEmpty, "chooseFromDatasets");
    }

    private static void checkInputs(String op, List<?> inputs) {
        if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException(op + ": give at least one dataset");
        for (int i = 0; i < inputs.size(); i++) if (inputs.get(i) == null) throw new IllegalArgumentException(op + ": dataset " + i + " is null");
    }

    @Override
    public long cardinality() {
        boolean anyInfinite = false, allKnown = true;
        long sum = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (weights != null && weights[i] == 0) continue; // never drawn
            long n = inputs.get(i).cardinality();
            if (n == INFINITE) anyInfinite = true;
            else if (n == UNKNOWN) allKnown = false;
            else sum += n;
        }
        if (choices != null || stopOnEmpty) return UNKNOWN;
        if (anyInfinite) return INFINITE;
        return allKnown ? sum : UNKNOWN;
    }

    private Xoroshiro rngFor(long pass) {
        return Xoroshiro.seeded(Xoroshiro.splitMix(seed) ^ Xoroshiro.splitMix(~pass));
    }

    @Override
    Cursor<E> open(IteratorState state) {
        int n = inputs.size();
        if (state == null) {
            long pass = weights == null ? 0 : passes.getAndIncrement();
            return new DirectedCursor(pass, weights == null ? null : rngFor(pass), choices == null ? null : choices.open(null),
                    new boolean[n], false, null);
        }
        state.expect(op);
        long[] done = state.getArray("exhausted");
        if (done.length != n)
            throw new IllegalArgumentException("iterator state: " + op + " saved over " + done.length + " datasets, this pipeline has " + n);
        boolean[] exhausted = new boolean[n];
        for (int i = 0; i < n; i++) exhausted[i] = done[i] != 0;
        long pass = state.get("pass");
        Xoroshiro rng = null;
        if (weights != null) {
            long[] s = state.getArray("rng");
            rng = Xoroshiro.fromState(s[0], s[1]);
            passes.accumulateAndGet(pass + 1, Math::max);
        }
        int child = 0;
        Cursor<Long> chooser = choices == null ? null : choices.open(state.child(child++));
        IteratorState[] saved = new IteratorState[n];
        for (int i = 0; i < n; i++) if (!exhausted[i]) saved[i] = state.child(child++);
        DirectedCursor c = new DirectedCursor(pass, rng, chooser, exhausted, state.get("ended") != 0, saved);
        if (chooser != null) c.choicesRead = state.get("choices");
        return c;
    }

    private final class DirectedCursor implements Cursor<E> {
        private final long pass;
        private final Xoroshiro rng;
        private final Cursor<Long> chooser;
        private final boolean[] exhausted;
        private final Cursor<?>[] open;
        private boolean ended;
        private long choicesRead;

        DirectedCursor(long pass, Xoroshiro rng, Cursor<Long> chooser, boolean[] exhausted, boolean ended, IteratorState[] saved) {
            this.pass = pass;
            this.rng = rng;
            this.chooser = chooser;
            this.exhausted = exhausted;
            this.ended = ended;
            this.open = new Cursor<?>[exhausted.length];
            for (int i = 0; i < open.length; i++) if (!exhausted[i]) open[i] = inputs.get(i).open(saved == null ? null : saved[i]);
        }

        @Override
        @SuppressWarnings("unchecked")
        public E next() {
            while (!ended && live() > 0) {
                int i = rng != null ? draw() : choose();
                if (i < 0) break;
                if (exhausted[i]) {
                    if (stopOnEmpty) break;
                    continue; // a choice of an input that has ended: the next choice
                }
                E x = (E) open[i].next();
                if (x != null) return x;
                exhausted[i] = true;
                open[i].close();
                open[i] = null;
                if (stopOnEmpty) break;
            }
            ended = true;
            return null;
        }

        private int live() {
            int n = 0;
            for (boolean e : exhausted) if (!e) n++;
            return n;
        }

        /** An input drawn with probability proportional to its weight among those left; -1 when none is left. */
        private int draw() {
            double total = 0;
            for (int i = 0; i < weights.length; i++) if (!exhausted[i]) total += weights[i];
            if (total == 0) return -1;
            double u = (rng.nextLong() >>> 11) * 0x1.0p-53 * total;
            int last = -1;
            for (int i = 0; i < weights.length; i++) {
                if (exhausted[i] || weights[i] == 0) continue;
                last = i;
                if (u < weights[i]) return i;
                u -= weights[i];
            }
            return last; // rounding at the top end
        }

        /** The next index of the choice dataset; -1 at its end. */
        private int choose() {
            Long c = chooser.next();
            if (c == null) return -1;
            long k = choicesRead++;
            if (c < 0 || c >= inputs.size())
                throw new DataPipelineException("chooseFromDatasets: choice " + k + " is " + c + ", but there are " + inputs.size()
                        + " datasets (indices 0.." + (inputs.size() - 1) + ")");
            return (int) (long) c;
        }

        @Override
        public IteratorState save() {
            long[] done = new long[exhausted.length];
            for (int i = 0; i < done.length; i++) done[i] = exhausted[i] ? 1 : 0;
            IteratorState.Builder b = IteratorState.builder(op).put("pass", pass).put("exhausted", done).put("ended", ended ? 1 : 0);
            if (rng != null) b.put("rng", rng.state());
            if (chooser != null) b.put("choices", choicesRead).child(chooser.save());
            for (Cursor<?> c : open) if (c != null) b.child(c.save());
            return b.build();
        }

        @Override
        public void requestStop() {
            if (chooser != null) chooser.requestStop();
            for (Cursor<?> c : open) if (c != null) c.requestStop();
        }

        @Override
        public void close() {
            if (chooser != null) chooser.close();
            for (int i = 0; i < open.length; i++)
                if (open[i] != null) {
                    open[i].close();
                    open[i] = null;
                }
        }
    }
}
