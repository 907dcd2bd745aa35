package dev.fluxion.data;

import dev.fluxion.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongToIntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy, immutable input pipeline: Fluxion's counterpart of {@code tf.data.Dataset}. Every transformation returns
 * a new dataset and computes nothing until iterated; each iteration is one pass (an epoch), so a dataset can be
 * looped over again and again, and a shuffle reshuffles on each pass by default.
 *
 * <pre>{@code
 * var mnist = Datasets.mnist();
 * Dataset<Pair> train = Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y())
 *         .shuffle(60_000, 42).batch(128).prefetch(2);
 * for (int epoch = 0; epoch < 5; epoch++)
 *     try (DataIterator<Pair> it = train.iterator()) {
 *         while (it.hasNext()) step(it.next());
 *     }
 * }</pre>
 *
 * <p>Semantics follow tf.data: {@code repeat} then {@code batch} gives batches that straddle epochs; {@code shuffle}
 * after {@code repeat} mixes epochs, before it keeps them apart; the last partial batch is kept unless
 * {@code dropRemainder}; {@code prefetch} counts elements (batches, after {@code batch}). Elements are never null.
 * Iterators are {@link AutoCloseable} (closing stops prefetch and parallel-map threads), and their position can be
 * saved and restored exactly ({@link DataIterator#save()}, {@link #iterator(IteratorState)}).
 *
 * @param <E> the element type: a {@link Tensor}, {@link Pair}, {@link TensorTuple}, a record of tensors, or anything
 *            else (only {@code batch()}, {@code unbatch()} and {@code cache(Path)} need tensor elements)
 */
public abstract class Dataset<E> implements Iterable<E> {
    /** {@link #cardinality()} of a dataset that never ends (tf.data's value). */
    public static final long INFINITE = -1;
    /** {@link #cardinality()} when the size is not known without iterating (tf.data's value). */
    public static final long UNKNOWN = -2;
    /** Lets the library choose: for prefetch a buffer of 2, for map one worker per available processor. */
    public static final int AUTOTUNE = -1;

    Dataset() {} // the stages are this package's; users compose, they do not subclass

    /** Opens a cursor at the start of a pass, or at a saved position when {@code state} is not null. */
    abstract Cursor<E> open(IteratorState state);

    /** The number of elements, or {@link #INFINITE} or {@link #UNKNOWN}. Computed without iterating. */
    public abstract long cardinality();

    // ------------------------------------------------------------------ sources

    /** The rows of {@code x} along its first axis, as views (no copy). */
    public static Dataset<Tensor> fromTensorSlices(Tensor x) {
        return new Sources.Slices<>(new Tensor[] {x}, parts -> parts[0]);
    }

    /** Aligned rows of features and labels: element i is {@code Pair(x[i], y[i])}. */
    public static Dataset<Pair> fromTensorSlices(Tensor x, Tensor y) {
        return new Sources.Slices<>(new Tensor[] {x, y}, parts -> new Pair(parts[0], parts[1]));
    }

    /**
     * Aligned rows of a pair's tensors: element i is {@code Pair(x[i], y[i], sampleWeight[i])}, the weight left out when
     * the pair has none. This is how a dataset yields Keras' {@code (x, y, sample_weight)} triples for
     * {@code Model.fit} and {@code evaluate}: {@code fromTensorSlices(new Pair(x, y, w))}. (The three-tensor
     * {@code fromTensorSlices(x, y, w)} stays a {@link TensorTuple}.)
     *
     * @throws IllegalArgumentException when the tensors' first dimensions differ (all shapes named) or one is a scalar
     */
    public static Dataset<Pair> fromTensorSlices(Pair slices) {
        Objects.requireNonNull(slices, "slices");
        if (slices.sampleWeight() == null) return fromTensorSlices(slices.x(), slices.y());
        return new Sources.Slices<>(new Tensor[] {slices.x(), slices.y(), slices.sampleWeight()}, parts -> new Pair(parts[0], parts[1], parts[2]));
    }

    /** Aligned rows of any number of tensors (all with the same first dimension). */
    public static Dataset<TensorTuple> fromTensorSlices(Tensor... tensors) {
        return new Sources.Slices<>(tensors.clone(), parts -> new TensorTuple(Arrays.asList(parts)));
    }

    /** The elements of a collection or other iterable, re-read on each pass. */
    public static <T> Dataset<T> fromIterable(Iterable<? extends T> source) {
        return new Sources.FromIterable<>(Objects.requireNonNull(source, "source"));
    }

    /** The given elements, in order. */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <T> Dataset<T> of(T... elements) {
        return fromIterable(List.of(elements));
    }

    /**
     * A generator: each pass calls {@code supplier} for a fresh iterator (closed at the end if it is AutoCloseable).
     * Restoring a saved position replays the generator up to it, so it should yield the same elements every pass.
     */
    public static <T> Dataset<T> fromGenerator(Supplier<? extends Iterator<? extends T>> supplier) {
        return new Sources.Generator<>(Objects.requireNonNull(supplier, "supplier"));
    }

    /**
     * The lines of text files, one file after the other (tf.data's {@code TextLineDataset}): without their line ends,
     * strict UTF-8 (a malformed line is an error naming the file and line), gzip when a name ends in {@code .gz}.
     * Files are opened as they are reached; exact resume seeks to the saved line.
     */
    public static Dataset<String> textLines(Path... files) {
        return textLines(Arrays.asList(files));
    }

    /** As {@link #textLines(Path...)}. */
    public static Dataset<String> textLines(List<Path> files) {
        for (int i = 0; i < files.size(); i++) if (files.get(i) == null) throw new IllegalArgumentException("textLines: file " + i + " is null");
        return new TextLines(files);
    }

    /**
     * The files in {@code dir} whose names match {@code glob} ({@code "*.csv"}, {@code "part-*"}), sorted by name
     * (tf.data's {@code list_files}, listed once, now; shuffle the result for a random order). No match is an error.
     */
    public static Dataset<Path> listFiles(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        try (var stream = java.nio.file.Files.newDirectoryStream(dir, glob)) {
            for (Path p : stream) if (java.nio.file.Files.isRegularFile(p)) out.add(p);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("listFiles: cannot list " + dir + ": " + e, e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("listFiles: no file in " + dir + " matches '" + glob + "'");
        out.sort(null);
        return fromIterable(out);
    }

    /** 0, 1, ..., n-1. */
    public static Dataset<Long> range(long n) {
        return range(0, n, 1);
    }

    /** start, start+step, ... up to but excluding stop (step may be negative, not zero). */
    public static Dataset<Long> range(long start, long stop, long step) {
        return new Sources.Range(start, stop, step);
    }

    // ------------------------------------------------------------------ transformations

    /** Applies {@code fn} to each element, in order, in the iterating thread. */
    public <R> Dataset<R> map(Function<? super E, ? extends R> fn) {
        return new Stages.MapStage<>(this, Objects.requireNonNull(fn, "fn"));
    }

    /**
     * Applies {@code fn} on {@code parallelism} worker threads ({@link #AUTOTUNE}: one per processor). With
     * {@code deterministic} the output order is the input order; without it elements come as they finish, which keeps
     * workers busy when costs vary, at the price of a position that cannot be saved.
     */
    public <R> Dataset<R> map(Function<? super E, ? extends R> fn, int parallelism, boolean deterministic) {
        int p = parallelism == AUTOTUNE ? Runtime.getRuntime().availableProcessors() : parallelism;
        if (p < 1) throw new IllegalArgumentException("map parallelism must be >= 1 or AUTOTUNE, got " + parallelism);
        if (p == 1 && deterministic) return map(fn);
        return new ParallelMap<>(this, Objects.requireNonNull(fn, "fn"), p, deterministic);
    }

    /** Keeps the elements for which {@code predicate} is true. */
    public Dataset<E> filter(Predicate<? super E> predicate) {
        return new Stages.Filter<>(this, Objects.requireNonNull(predicate, "predicate"));
    }

    /**
     * Shuffles with a buffer of {@code bufferSize} elements: each output is drawn uniformly from the buffer and its
     * slot refilled from the input, so the shuffle is a uniform permutation when {@code bufferSize} is at least the
     * dataset's size, and only local otherwise. Reshuffles on each pass; the sequence of orders is a function of
     * {@code seed}.
     */
    public Dataset<E> shuffle(int bufferSize, long seed) {
        return shuffle(bufferSize, seed, true);
    }

    /** As {@link #shuffle(int, long)}; with {@code reshuffleEachIteration} false every pass has the same order. */
    public Dataset<E> shuffle(int bufferSize, long seed, boolean reshuffleEachIteration) {
        return new Shuffle<>(this, bufferSize, seed, reshuffleEachIteration);
    }

    /** A shuffle with a random seed: orders differ between program runs (pass a seed for exact resume across runs). */
    public Dataset<E> shuffle(int bufferSize) {
        return shuffle(bufferSize, new java.security.SecureRandom().nextLong(), true);
    }

    /** Stacks consecutive elements into batches of {@code size}; the last batch may be smaller. */
    public Dataset<E> batch(int size) {
        return batch(size, false);
    }

    /**
     * Stacks consecutive elements component by component into new tensors with a leading batch axis. Elements must
     * share shape and dtype per component (the error names both shapes). With {@code dropRemainder} a last partial
     * batch is dropped, so every batch has the same shape. Directly over {@code fromTensorSlices}, or a shuffle of it,
     * the rows are copied into each batch by position, without making the elements (the same batches).
     */
    public Dataset<E> batch(int size, boolean dropRemainder) {
        if (size < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        return new Combinators.Batch<E, E>(this, size, dropRemainder, Structures::collate, true);
    }

    /** Groups consecutive elements and combines each group with {@code collate} (for elements that are not tensors). */
    public <R> Dataset<R> batch(int size, boolean dropRemainder, Function<? super List<E>, ? extends R> collate) {
        if (size < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        Objects.requireNonNull(collate, "collate");
        return new Combinators.Batch<E, R>(this, size, dropRemainder, (list, first) -> collate.apply(list), false);
    }

    /**
     * Batches elements whose shapes differ (sequences of different lengths): each component is padded with zeros to
     * the longest element of its batch on every axis, then stacked; the last batch may be smaller.
     */
    public Dataset<E> paddedBatch(int size) {
        return paddedBatch(size, false, Padding.toLongest());
    }

    /**
     * tf.data's {@code padded_batch}: pads each component to the shape and with the value {@code padding} gives
     * (see {@link Padding}), then stacks. Elements must share their dtype and rank per component; one longer than a
     * fixed padded dimension is an error that names it. With {@code dropRemainder} a last partial batch is dropped.
     */
    public Dataset<E> paddedBatch(int size, boolean dropRemainder, Padding padding) {
        if (size < 1) throw new IllegalArgumentException("paddedBatch: batch size must be >= 1, got " + size);
        Objects.requireNonNull(padding, "padding");
        return new Combinators.Batch<E, E>(this, size, dropRemainder, padding::collate, false);
    }

    /**
     * tf.data's {@code group_by_window}: sorts elements into groups by {@code keyFunc}; as soon as a group holds
     * {@code windowSize} elements, {@code reduceFunc(key, window)} turns that window (a dataset of the group's elements,
     * in input order) into a dataset whose elements are given next. When the input ends, the groups still open are
     * reduced as they are, partial, in ascending key order. For example
     * {@code range(10).groupByWindow(x -> x % 2, (key, w) -> w.batch(5), 5)} gives [0, 2, 4, 6, 8] and [1, 3, 5, 7, 9].
     * The groups wait in memory; a saved position holds their elements' input ordinals, and a restore re-reads the
     * input from before the oldest element still waiting (so give the same key for the same element).
     */
    public <R> Dataset<R> groupByWindow(ToLongFunction<? super E> keyFunc,
            BiFunction<? super Long, ? super Dataset<E>, ? extends Dataset<? extends R>> reduceFunc, int windowSize) {
        if (windowSize < 1) throw new IllegalArgumentException("groupByWindow: windowSize must be >= 1, got " + windowSize);
        return groupByWindow(keyFunc, reduceFunc, key -> windowSize);
    }

    /**
     * As {@link #groupByWindow(ToLongFunction, BiFunction, int)}, with a window size per key ({@code window_size_func}),
     * asked once per key; a size below 1 is an error naming the key.
     */
    public <R> Dataset<R> groupByWindow(ToLongFunction<? super E> keyFunc,
            BiFunction<? super Long, ? super Dataset<E>, ? extends Dataset<? extends R>> reduceFunc, LongToIntFunction windowSizeFunc) {
        Objects.requireNonNull(keyFunc, "keyFunc");
        return new GroupByWindow<E, R>(this, (e, index) -> keyFunc.applyAsLong(e), Objects.requireNonNull(reduceFunc, "reduceFunc"),
                Objects.requireNonNull(windowSizeFunc, "windowSizeFunc"), "groupByWindow");
    }

    /**
     * tf.data's {@code bucket_by_sequence_length} with zero padding to each batch's longest element: see
     * {@link #bucketBySequenceLength(ToIntFunction, int[], int[], Padding, boolean, boolean)}.
     */
    public Dataset<E> bucketBySequenceLength(ToIntFunction<? super E> lengthFunc, int[] bucketBoundaries, int[] bucketBatchSizes) {
        return bucketBySequenceLength(lengthFunc, bucketBoundaries, bucketBatchSizes, Padding.toLongest(), false, false);
    }

    /**
     * tf.data's {@code bucket_by_sequence_length}: batches sequences of similar length together, so that little of each
     * batch is padding. The boundaries {@code b} (increasing, each >= 1) make {@code b.length + 1} buckets: bucket 0 holds
     * the lengths below {@code b[0]}, bucket i those in [{@code b[i-1]}, {@code b[i]}), the last those from
     * {@code b[b.length-1]} up. Each bucket fills a batch of {@code bucketBatchSizes[i]} elements, which is padded with
     * {@code padding} as {@link #paddedBatch(int, boolean, Padding)} pads; at the end of the input the partial batches
     * follow in bucket order, or are dropped with {@code dropRemainder}. It is
     * {@link #groupByWindow(ToLongFunction, BiFunction, LongToIntFunction)} keyed by bucket, as in tf.data.
     *
     * <p>With {@code padToBucketBoundary} every batch of bucket i is padded to length {@code b[i] - 1}, the longest its
     * bucket holds, so each bucket has one batch shape: the padding's {@code -1} dimensions, or, with
     * {@link Padding#toLongest()}, axis 0 of each component (the other axes pad to the batch's longest). An element
     * that falls in the last bucket, with no boundary above it, is then a {@link DataPipelineException}.
     *
     * @param lengthFunc the length of an element (usually its sequence's {@code dim(0)})
     * @throws IllegalArgumentException unless there is one batch size per bucket ({@code bucketBoundaries.length + 1}),
     *                                  the boundaries increase strictly from >= 1, and the batch sizes are >= 1
     */
    public Dataset<E> bucketBySequenceLength(ToIntFunction<? super E> lengthFunc, int[] bucketBoundaries, int[] bucketBatchSizes,
            Padding padding, boolean padToBucketBoundary, boolean dropRemainder) {
        Objects.requireNonNull(lengthFunc, "lengthFunc");
        Objects.requireNonNull(padding, "padding");
        return GroupByWindow.bucketBySequenceLength(this, lengthFunc, Objects.requireNonNull(bucketBoundaries, "bucketBoundaries"),
                Objects.requireNonNull(bucketBatchSizes, "bucketBatchSizes"), padding, padToBucketBoundary, dropRemainder);
    }

    /** Splits each element along its first axis into rows: the inverse of {@link #batch(int)}. */
    public Dataset<E> unbatch() {
        return new Combinators.Unbatch<>(this);
    }

    /**
     * Prepares up to {@code bufferSize} elements ahead on a background daemon thread ("fluxion-prefetch-N"), so that
     * data preparation overlaps the consumer's work. Counts elements: put it after {@code batch} to prefetch batches.
     */
    public Dataset<E> prefetch(int bufferSize) {
        int n = bufferSize == AUTOTUNE ? 2 : bufferSize;
        if (n < 1) throw new IllegalArgumentException("prefetch buffer must be >= 1 or AUTOTUNE, got " + bufferSize);
        return new Prefetch<>(this, n);
    }

    /**
     * Keeps the elements in memory after the first complete pass; later passes read them from memory. Put it after
     * expensive maps and before {@code shuffle}, since a cached pass replays one fixed order.
     */
    public Dataset<E> cache() {
        return new Cache<>(this, null);
    }

    /**
     * Caches to a file: the first complete pass writes {@code file} (atomically, through a temporary file); later
     * passes, also in later runs, read it. Elements must be tensors, Pairs (with or without sample weights) or
     * TensorTuples.
     */
    public Dataset<E> cache(Path file) {
        return new Cache<>(this, Objects.requireNonNull(file, "file"));
    }

    /** Repeats forever: passes follow each other without a boundary. */
    public Dataset<E> repeat() {
        return repeat(-1);
    }

    /** Repeats {@code count} times ({@code -1}: forever). */
    public Dataset<E> repeat(long count) {
        if (count < -1) throw new IllegalArgumentException("repeat count must be >= 0 or -1 (forever), got " + count);
        return new Combinators.Repeat<>(this, count);
    }

    /** At most the first {@code n} elements ({@code -1}: all). */
    public Dataset<E> take(long n) {
        if (n < -1) throw new IllegalArgumentException("take count must be >= 0 or -1 (all), got " + n);
        return new Stages.Take<>(this, n);
    }

    /** All but the first {@code n} elements ({@code -1}: skips all). */
    public Dataset<E> skip(long n) {
        if (n < -1) throw new IllegalArgumentException("skip count must be >= 0 or -1 (all), got " + n);
        return new Stages.Skip<>(this, n);
    }

    /**
     * The elements at positions {@code index}, {@code index + count}, {@code index + 2 count}, ...: worker
     * {@code index}'s share of {@code count} workers (tf.data's {@code shard}). Shard before shuffling, so that the
     * workers' shares do not overlap.
     */
    public Dataset<E> shard(long count, long index) {
        if (count < 1) throw new IllegalArgumentException("shard: the number of shards must be >= 1, got " + count);
        if (index < 0 || index >= count)
            throw new IllegalArgumentException("shard: index must be in 0.." + (count - 1) + " for " + count + " shards, got " + index);
        return new Stages.Shard<>(this, count, index);
    }

    /**
     * Maps each element to a dataset and gives their elements one dataset after the other (tf.data's
     * {@code flat_map}): {@code interleave(fn, 1, 1)}.
     */
    public <R> Dataset<R> flatMap(Function<? super E, ? extends Dataset<? extends R>> fn) {
        return new Interleave<E, R>(this, Objects.requireNonNull(fn, "fn"), 1, 1, "flatMap");
    }

    /**
     * Maps each element to a dataset and interleaves them (tf.data's {@code interleave}): {@code cycleLength}
     * datasets are open at once and take turns giving {@code blockLength} elements each; when one ends, the next
     * input element's dataset takes its place. Reading several files at once is the usual use:
     * {@code files.interleave(f -> Dataset.fromTensorSlices(load(f)), 4, 1)}. The datasets are read in the calling thread.
     */
    public <R> Dataset<R> interleave(Function<? super E, ? extends Dataset<? extends R>> fn, int cycleLength, int blockLength) {
        if (cycleLength < 1) throw new IllegalArgumentException("interleave: cycleLength must be >= 1, got " + cycleLength);
        if (blockLength < 1) throw new IllegalArgumentException("interleave: blockLength must be >= 1, got " + blockLength);
        return new Interleave<E, R>(this, Objects.requireNonNull(fn, "fn"), cycleLength, blockLength, "interleave");
    }

    /**
     * Elements drawn at random from {@code datasets} with probabilities proportional to {@code weights} (tf.data's
     * {@code sample_from_datasets}): mixing sources, or balancing classes with one dataset per class. A dataset that
     * ends drops out and the draws renormalize over the rest, until all have ended. The draws are a function of
     * {@code seed} and differ on each pass, like a shuffle's.
     */
    public static <T> Dataset<T> sampleFromDatasets(List<? extends Dataset<? extends T>> datasets, double[] weights, long seed) {
        return sampleFromDatasets(datasets, weights, seed, false);
    }

    /** As {@link #sampleFromDatasets(List, double[], long)}; with {@code stopOnEmptyDataset} the first dataset to end ends it. */
    public static <T> Dataset<T> sampleFromDatasets(List<? extends Dataset<? extends T>> datasets, double[] weights, long seed,
            boolean stopOnEmptyDataset) {
        return DirectedInterleave.sampling(datasets, Objects.requireNonNull(weights, "weights"), seed, stopOnEmptyDataset);
    }

    /**
     * Each element from the dataset that the next element of {@code choices} names by index (tf.data's
     * {@code choose_from_datasets}, which stops when a chosen dataset has ended).
     */
    public static <T> Dataset<T> chooseFromDatasets(List<? extends Dataset<? extends T>> datasets, Dataset<Long> choices) {
        return chooseFromDatasets(datasets, choices, true);
    }

    /** As {@link #chooseFromDatasets(List, Dataset)}; without {@code stopOnEmptyDataset} a choice of an ended dataset is skipped. */
    public static <T> Dataset<T> chooseFromDatasets(List<? extends Dataset<? extends T>> datasets, Dataset<Long> choices,
            boolean stopOnEmptyDataset) {
        return DirectedInterleave.choosing(datasets, choices, stopOnEmptyDataset);
    }

    /** Pairs elements of this and {@code other} with {@code combiner}; ends with the shorter one. */
    public <B, R> Dataset<R> zip(Dataset<B> other, BiFunction<? super E, ? super B, ? extends R> combiner) {
        return new Combinators.Zip<>(this, Objects.requireNonNull(other, "other"), Objects.requireNonNull(combiner, "combiner"));
    }

    /** Zips a dataset of features with one of labels into (x, y) pairs. */
    public static Dataset<Pair> zip(Dataset<Tensor> x, Dataset<Tensor> y) {
        return x.zip(y, Pair::new);
    }

    /** This dataset's elements, then {@code other}'s. */
    public Dataset<E> concatenate(Dataset<? extends E> other) {
        return new Combinators.Concat<>(this, Objects.requireNonNull(other, "other"));
    }

    /** Each element with its index, counting from 0. */
    public Dataset<Indexed<E>> enumerate() {
        return enumerate(0);
    }

    /** Each element with its index, counting from {@code start}. */
    public Dataset<Indexed<E>> enumerate(long start) {
        return new Stages.Enumerate<>(this, start);
    }

    // ------------------------------------------------------------------ iteration

    /** A new pass from the start. Close it (try-with-resources) if you may stop before the end. */
    @Override
    public DataIterator<E> iterator() {
        return new DataIterator<>(open(null));
    }

    /**
     * An iterator positioned where a saved iterator of this pipeline was: it yields exactly the elements the saved one
     * would have yielded next. The pipeline must be built the same way (same stages, seeds and sources).
     */
    public DataIterator<E> iterator(IteratorState state) {
        return new DataIterator<>(open(Objects.requireNonNull(state, "state")));
    }

    /** Runs {@code action} on each element of one pass, closing the iterator even on an exception. */
    @Override
    public void forEach(Consumer<? super E> action) {
        try (DataIterator<E> it = iterator()) {
            while (it.hasNext()) action.accept(it.next());
        }
    }

    /** One pass as a sequential stream; close the stream (try-with-resources) if it may not be consumed to the end. */
    public Stream<E> stream() {
        DataIterator<E> it = iterator();
        long n = cardinality();
        Spliterator<E> sp = n >= 0
                ? Spliterators.spliterator(it, n, Spliterator.ORDERED | Spliterator.NONNULL)
                : Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(sp, false).onClose(it::close);
    }

    /** All elements of one pass in a list (refused for an infinite dataset). */
    public List<E> toList() {
        if (cardinality() == INFINITE) throw new IllegalStateException("toList: the dataset is infinite; take(n) first");
        List<E> out = new ArrayList<>();
        forEach(out::add);
        return out;
    }
}
