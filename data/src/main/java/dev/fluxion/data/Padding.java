package dev.fluxion.data;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import dev.fluxion.cpu.Layouts;
import java.util.Arrays;
import java.util.List;

/**
 * How {@link Dataset#paddedBatch(int, boolean, Padding)} pads elements of different shapes to one batch shape: per
 * component, a padded shape (a dimension of {@code -1} pads to the longest element of the batch on that axis) and a
 * padding value. The data sits in the leading corner of each padded row, as in tf.data's {@code padded_batch}.
 *
 * <pre>{@code
 * Padding.toLongest()                                   // every axis to the batch's longest, padded with 0
 * Padding.shapes(new int[] {50}, new int[] {})          // (tokens, label): tokens padded to 50, the label a scalar
 *        .withValues(-1, 0)                             // tokens padded with -1
 * }</pre>
 *
 * Fixed dimensions with {@code dropRemainder} give every batch the same shape, so a graph function traces once.
 *
 * <p>A {@link Pair} with sample weights has three components (x, y, sampleWeight): a per-example weight is 0-d and
 * needs no padding ({@code new int[] {}}); per-step weights of a sequence are padded like the other components, with
 * 0 by default, so that padded steps weigh nothing in the loss.
 */
public final class Padding {
    private final int[][] shapes; // null: every axis of every component to the batch's longest
    private final Number[] values; // null: zeros (false for bool)
    private final int leading; // >= 0, with shapes null: axis 0 of every component padded to this length (a bucket's)

    private Padding(int[][] shapes, Number[] values, int leading) {
        this.shapes = shapes;
        this.values = values;
        this.leading = leading;
    }

    /** Every axis of every component padded to the longest element of its batch, with zeros. */
    public static Padding toLongest() {
        return new Padding(null, null, -1);
    }

    /**
     * One padded shape per component of the elements, in order (a single one for tensor elements). A dimension of
     * {@code -1} pads to the batch's longest on that axis; any other dimension is the size every batch gets, and an
     * element longer than it is an error (elements are never truncated).
     */
    public static Padding shapes(int[]... perComponent) {
        if (perComponent.length == 0) throw new IllegalArgumentException("paddedBatch: give at least one padded shape");
        int[][] copy = new int[perComponent.length][];
        for (int c = 0; c < copy.length; c++) {
            copy[c] = perComponent[c].clone();
            for (int d : copy[c])
                if (d < -1)
                    throw new IllegalArgumentException("paddedBatch: a padded dimension must be >= 0, or -1 for the batch's longest, got "
                            + Arrays.toString(copy[c]) + " for component " + c);
        }
        return new Padding(copy, null, -1);
    }

    /**
     * The padding value of each component, in order (one value pads every component). A value must be exact in its
     * component's dtype: whole for integers, 0 or 1 for bool.
     */
    public Padding withValues(Number... perComponent) {
        if (perComponent.length == 0) throw new IllegalArgumentException("paddedBatch: give at least one padding value");
        for (Number v : perComponent) if (v == null) throw new IllegalArgumentException("paddedBatch: a padding value is null");
        return new Padding(shapes, perComponent.clone(), leading);
    }

    /**
     * This padding with every dimension that would pad to the batch's longest fixed at {@code length} instead:
     * bucketBySequenceLength's padToBucketBoundary, where tf.data fills the dimensions of unknown size. Those are the
     * {@code -1} dimensions of given shapes; without shapes, elements carry no static shape that tells which axes vary,
     * so it is axis 0 of every component that has one (the sequence axis), the other axes still padding to the longest.
     */
    Padding unknownDimensionsTo(int length) {
        if (shapes == null) return new Padding(null, values, length);
        int[][] fixed = new int[shapes.length][];
        for (int c = 0; c < fixed.length; c++) {
            fixed[c] = shapes[c].clone();
            for (int a = 0; a < fixed[c].length; a++) if (fixed[c][a] < 0) fixed[c][a] = length;
        }
        return new Padding(fixed, values, -1);
    }

    /** Pads and stacks each component of {@code elements}, the batch starting at input element {@code firstIndex}. */
    <E> E collate(List<E> elements, long firstIndex) {
        E template = elements.getFirst();
        int k = Structures.flatten(template, "paddedBatch").length;
        if (shapes != null && shapes.length != k)
            throw new DataPipelineException("paddedBatch: " + shapes.length + " padded shapes for elements of " + k + " components");
        if (values != null && values.length != 1 && values.length != k)
            throw new DataPipelineException("paddedBatch: " + values.length + " padding values for elements of " + k + " components");
        Tensor[][] columns = new Tensor[k][elements.size()];
        for (int i = 0; i < elements.size(); i++) {
            Tensor[] parts = Structures.flatten(elements.get(i), "paddedBatch");
            if (parts.length != k)
                throw Structures.componentCountMismatch("paddedBatch", elements.get(i), firstIndex + i, parts.length, firstIndex, k);
            for (int c = 0; c < k; c++) columns[c][i] = parts[c];
        }
        Tensor[] padded = new Tensor[k];
        for (int c = 0; c < k; c++) padded[c] = pad(columns[c], c, firstIndex);
        return Structures.rebuild(template, padded, "paddedBatch");
    }

    /** The rows of one component padded to the component's batch shape and stacked. */
    private Tensor pad(Tensor[] rows, int component, long firstIndex) {
        Tensor first = rows[0];
        DType dtype = first.dtype();
        int rank = first.rank();
        for (int i = 1; i < rows.length; i++)
            if (rows[i].dtype() != dtype || rows[i].rank() != rank)
                throw new DataPipelineException("paddedBatch: component " + component + " of element " + (firstIndex + i) + " is "
                        + describe(rows[i]) + " but element " + firstIndex + " had " + describe(first)
                        + "; padding needs one dtype and rank per component");
        int[] rowShape = rowShape(rows, component, firstIndex);
        int rowSize = dev.fluxion.Shapes.size(rowShape);
        long total = (long) rowSize * rows.length;
        if (total > Integer.MAX_VALUE - 16)
            throw new DataPipelineException("paddedBatch: " + total + " elements do not fit in one tensor");
        ArrayStorage out = ArrayStorage.allocate(dtype, (int) total);
        fill(out.array(), value(component, dtype));
        int[] rowStrides = dev.fluxion.Shapes.contiguousStrides(rowShape);
        for (int i = 0; i < rows.length; i++) copyCorner(rows[i], out.array(), i * rowSize, rowStrides);
        int[] shape = new int[rank + 1];
        shape[0] = rows.length;
        System.arraycopy(rowShape, 0, shape, 1, rank);
        return Tensor.wrap(out, shape);
    }

    /** The padded shape of one row: the fixed dimensions, and the longest element's where they are -1. */
    private int[] rowShape(Tensor[] rows, int component, long firstIndex) {
        int rank = rows[0].rank();
        int[] fixed = shapes != null ? shapes[component] : leading >= 0 && rank > 0 ? leadingAxis(rank) : null;
        if (fixed != null && fixed.length != rank)
            throw new DataPipelineException("paddedBatch: padded shape " + Arrays.toString(fixed) + " for component " + component
                    + " has rank " + fixed.length + " but element " + firstIndex + " is " + describe(rows[0]));
        int[] shape = new int[rank];
        for (int a = 0; a < rank; a++) {
            int longest = 0;
            for (Tensor r : rows) longest = Math.max(longest, r.dim(a));
            shape[a] = fixed == null || fixed[a] < 0 ? longest : fixed[a];
        }
        for (int i = 0; i < rows.length; i++)
            for (int a = 0; a < rank; a++)
                if (rows[i].dim(a) > shape[a])
                    throw new DataPipelineException("paddedBatch: component " + component + " of element " + (firstIndex + i) + " is "
                            + describe(rows[i]) + ", longer than the padded shape " + Arrays.toString(fixed) + " on axis " + a
                            + " (padding never truncates)");
        return shape;
    }

    /** Axis 0 fixed at {@link #leading}, the others to the longest. */
    private int[] leadingAxis(int rank) {
        int[] shape = new int[rank];
        Arrays.fill(shape, -1);
        shape[0] = leading;
        return shape;
    }

    /** The padding value of a component, checked to be exact in its dtype. */
    private Number value(int component, DType dtype) {
        if (values == null) return 0;
        Number v = values[values.length == 1 ? 0 : component];
        double d = v.doubleValue();
        boolean exact = switch (dtype) {
            case FLOAT32, FLOAT64 -> true;
            case INT32 -> d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
            case INT64 -> v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                    || (d == Math.rint(d) && Math.abs(d) < 0x1p63);
            case BOOL -> d == 0 || d == 1;
        };
        if (!exact)
            throw new DataPipelineException("paddedBatch: padding value " + v + " for component " + component + " is not exact in "
                    + dtype + (dtype == DType.BOOL ? " (give 0 or 1)" : ""));
        return v;
    }

    private static void fill(Object array, Number v) {
        switch (array) {
            case float[] a -> { if (Float.floatToRawIntBits(v.floatValue()) != 0) Arrays.fill(a, v.floatValue()); }
            case double[] a -> { if (Double.doubleToRawLongBits(v.doubleValue()) != 0) Arrays.fill(a, v.doubleValue()); }
            case int[] a -> { if (v.intValue() != 0) Arrays.fill(a, v.intValue()); }
            case long[] a -> { if (v.longValue() != 0) Arrays.fill(a, v.longValue()); }
            case boolean[] a -> { if (v.doubleValue() != 0) Arrays.fill(a, true); }
            default -> throw new IllegalStateException("paddedBatch: no fill for " + array.getClass().getSimpleName());
        }
    }

    /** Copies {@code t} into the leading corner of a row at {@code base} laid out with {@code rowStrides}. */
    private static void copyCorner(Tensor t, Object dst, int base, int[] rowStrides) {
        int n = t.size();
        if (n == 0) return;
        Object src;
        int srcOff;
        Tensor cpu = t.device().equals(Device.CPU) ? t : t.to(Device.CPU);
        if (cpu.storage() instanceof ArrayStorage s && cpu.isContiguous()) {
            src = s.array();
            srcOff = cpu.offset();
        } else {
            src = ArrayStorage.allocate(cpu.dtype(), n).array();
            srcOff = 0;
            Layouts.copyInto(cpu, src, 0);
        }
        int rank = t.rank();
        if (rank == 0) {
            System.arraycopy(src, srcOff, dst, base, 1);
            return;
        }
        int run = t.dim(rank - 1);
        int[] index = new int[rank - 1]; // odometer over the leading axes
        for (int done = 0; done < n; done += run) {
            int at = base;
            for (int a = 0; a < rank - 1; a++) at += index[a] * rowStrides[a];
            System.arraycopy(src, srcOff + done, dst, at, run);
            for (int a = rank - 2; a >= 0 && ++index[a] == t.dim(a); a--) index[a] = 0;
        }
    }

    private static String describe(Tensor t) {
        return t.dtype() + Arrays.toString(t.shape());
    }
}
