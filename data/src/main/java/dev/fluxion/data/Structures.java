package dev.fluxion.data;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import dev.fluxion.cpu.Layouts;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;

/**
 * Elements as structures of tensors: a {@link Tensor}, a {@link Pair}, a {@link TensorTuple}, or any record whose
 * components are all tensors. Batching and unbatching work component by component; rows are taken as views and
 * batches are assembled by copying rows straight into one new array.
 */
final class Structures {
    private Structures() {}

    /** Accessors and canonical constructor of a record made only of tensors (null when the class is not one). */
    private record RecordShape(Method[] accessors, Constructor<?> constructor) {}

    private static final ClassValue<RecordShape> RECORDS = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            if (!type.isRecord()) return null;
            RecordComponent[] rc = type.getRecordComponents();
            Method[] acc = new Method[rc.length];
            Class<?>[] types = new Class<?>[rc.length];
            for (int i = 0; i < rc.length; i++) {
                if (rc[i].getType() != Tensor.class) return null;
                acc[i] = rc[i].getAccessor();
                acc[i].setAccessible(true);
                types[i] = Tensor.class;
            }
            try {
                Constructor<?> c = type.getDeclaredConstructor(types);
                c.setAccessible(true);
                return new RecordShape(acc, c);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /** The tensors of an element, in order. */
    static Tensor[] flatten(Object e, String op) {
        return switch (e) {
            case Tensor t -> new Tensor[] {t};
            case Pair p -> p.sampleWeight() == null ? new Tensor[] {p.x(), p.y()} : new Tensor[] {p.x(), p.y(), p.sampleWeight()};
            case TensorTuple t -> t.tensors().toArray(Tensor[]::new);
            default -> {
                RecordShape rs = RECORDS.get(e.getClass());
                if (rs == null)
                    throw new DataPipelineException(op + " needs elements made of tensors (Tensor, Pair, TensorTuple or a record of "
                            + "Tensor components), got " + e.getClass().getName() + "; map the elements to tensors first, or pass a collate function");
                Tensor[] out = new Tensor[rs.accessors.length];
                try {
                    for (int i = 0; i < out.length; i++) out[i] = (Tensor) rs.accessors[i].invoke(e);
                } catch (IllegalAccessException | InvocationTargetException x) {
                    throw new DataPipelineException(op + ": cannot read the components of " + e.getClass().getName() + ": " + cause(x), x);
                }
                yield out;
            }
        };
    }

    /** An element of the same structure as {@code template} made of {@code parts}. */
    @SuppressWarnings("unchecked")
    static <E> E rebuild(E template, Tensor[] parts, String op) {
        Object out = switch (template) {
            case Tensor t -> parts[0];
            case Pair p -> new Pair(parts[0], parts[1], parts.length > 2 ? parts[2] : null);
            case TensorTuple t -> new TensorTuple(Arrays.asList(parts));
            default -> {
                try {
                    yield RECORDS.get(template.getClass()).constructor.newInstance((Object[]) parts);
                } catch (ReflectiveOperationException x) {
                    throw new DataPipelineException(op + ": cannot build a " + template.getClass().getName() + " from its components: " + cause(x), x);
                }
            }
        };
        return (E) out;
    }

    /** What a reflective call failed with: the accessor's or constructor's own exception where there is one. */
    private static Throwable cause(ReflectiveOperationException x) {
        return x instanceof InvocationTargetException t && t.getCause() != null ? t.getCause() : x;
    }

    /** Row views of one tensor along axis 0, made without the op dispatcher; the layout is read once. */
    static final class Rows {
        private final Tensor t;
        private final ArrayStorage storage; // null when not on the CPU: fall back to Tensor.get
        private final int[] shape;
        private final int[] strides;
        private final int offset;
        private final int stride0;
        /** Whether each row is one run of a CPU array, so that rows can be gathered by arraycopy. */
        private final boolean contiguousRows;

        Rows(Tensor t) {
            this.t = t;
            this.storage = t.storage() instanceof ArrayStorage s ? s : null;
            int[] sh = t.shape();
            int[] st = t.strides();
            this.shape = Arrays.copyOfRange(sh, 1, sh.length);
            this.strides = Arrays.copyOfRange(st, 1, st.length);
            this.offset = t.offset();
            this.stride0 = st[0];
            this.contiguousRows = storage != null && Layouts.isContiguous(shape, strides);
        }

        Tensor row(int i) {
            return storage == null ? t.get(i) : Tensor.wrap(storage, shape, strides, offset + i * stride0);
        }

        /**
         * The rows at the first {@code count} positions stacked into one new contiguous tensor, as {@link #stack}
         * stacks their views; null when the rows are not contiguous runs of a CPU array.
         */
        Tensor gather(long[] positions, int count) {
            if (!contiguousRows) return null;
            int rowSize = dev.fluxion.Shapes.size(shape);
            ArrayStorage out = batchStorage(t.dtype(), rowSize, count);
            Object src = storage.array(), dst = out.array();
            for (int i = 0; i < count; i++)
                System.arraycopy(src, offset + (int) positions[i] * stride0, dst, i * rowSize, rowSize);
            return Tensor.wrap(out, batchShape(count, shape));
        }
    }

    /** Stacks tensors of one shape and dtype into a new contiguous tensor with a leading axis. */
    static Tensor stack(List<Tensor> rows, int component, long firstIndex) {
        Tensor first = rows.getFirst();
        int[] shape = first.shape();
        DType dtype = first.dtype();
        int rowSize = first.size();
        for (int i = 1; i < rows.size(); i++) {
            Tensor r = rows.get(i);
            if (r.dtype() != dtype || !hasShape(r, shape))
                throw new DataPipelineException("batch: cannot batch tensors with different shapes or dtypes in component " + component
                        + ": element " + firstIndex + " had " + dtype + Arrays.toString(shape) + " and element " + (firstIndex + i)
                        + " had " + r.dtype() + Arrays.toString(r.shape()));
        }
        ArrayStorage out = batchStorage(dtype, rowSize, rows.size());
        Object dst = out.array();
        for (int i = 0; i < rows.size(); i++) {
            Tensor r = onCpu(rows.get(i));
            if (r.storage() instanceof ArrayStorage src && r.isContiguous()) System.arraycopy(src.array(), r.offset(), dst, i * rowSize, rowSize);
            else Layouts.copyInto(r, dst, i * rowSize);
        }
        return Tensor.wrap(out, batchShape(rows.size(), shape));
    }

    /** A new array for {@code count} rows of {@code rowSize} elements. */
    private static ArrayStorage batchStorage(DType dtype, int rowSize, int count) {
        long total = (long) rowSize * count;
        if (total > Integer.MAX_VALUE - 16) throw new DataPipelineException("batch: " + total + " elements do not fit in one tensor");
        return ArrayStorage.allocate(dtype, (int) total);
    }

    /** A row shape with a leading axis of {@code count}. */
    private static int[] batchShape(int count, int[] rowShape) {
        int[] out = new int[rowShape.length + 1];
        out[0] = count;
        System.arraycopy(rowShape, 0, out, 1, rowShape.length);
        return out;
    }

    /** Whether {@code t} has this shape (without copying its shape, as a check per batched row would). */
    private static boolean hasShape(Tensor t, int[] shape) {
        if (t.rank() != shape.length) return false;
        for (int i = 0; i < shape.length; i++) if (t.dim(i) != shape[i]) return false;
        return true;
    }

    private static Tensor onCpu(Tensor t) {
        return t.device().equals(Device.CPU) ? t : t.to(Device.CPU);
    }

    /** The default collation: stacks each component of the elements. */
    static <E> E collate(List<E> elements, long firstIndex) {
        E template = elements.getFirst();
        int k = flatten(template, "batch").length;
        List<List<Tensor>> columns = new java.util.ArrayList<>(k);
        for (int c = 0; c < k; c++) columns.add(new java.util.ArrayList<>(elements.size()));
        for (int i = 0; i < elements.size(); i++) {
            Tensor[] parts = flatten(elements.get(i), "batch");
            if (parts.length != k) throw componentCountMismatch("batch", elements.get(i), firstIndex + i, parts.length, firstIndex, k);
            for (int c = 0; c < k; c++) columns.get(c).add(parts[c]);
        }
        Tensor[] stacked = new Tensor[k];
        for (int c = 0; c < k; c++) stacked[c] = stack(columns.get(c), c, firstIndex);
        return rebuild(template, stacked, "batch");
    }

    /**
     * The error for elements of one batch with different component counts; for Pairs, that is one with sample weights
     * and one without, which cannot share a batch (the weights would not line up with the examples).
     */
    static DataPipelineException componentCountMismatch(String op, Object element, long index, int count, long firstIndex, int firstCount) {
        String why = element instanceof Pair p
                ? " (element " + (p.hasSampleWeight() ? index + " has a sample weight and element " + firstIndex
                        : firstIndex + " has a sample weight and element " + index) + " has none; give every Pair a weight or none)"
                : "";
        return new DataPipelineException(op + ": element " + index + " has " + count + " components, element " + firstIndex + " had "
                + firstCount + why);
    }

    /** The rows of a batched element, as views. */
    static <E> E[] split(E batch, long index) {
        Tensor[] parts = flatten(batch, "unbatch");
        int n = -1;
        for (int c = 0; c < parts.length; c++) {
            if (parts[c].rank() == 0)
                throw new DataPipelineException("unbatch: element " + index + " component " + c + " is a scalar; it has no batch axis");
            int d = parts[c].shape()[0];
            if (n >= 0 && d != n)
                throw new DataPipelineException("unbatch: element " + index + " has components with different batch sizes: "
                        + Arrays.toString(parts[0].shape()) + " and " + Arrays.toString(parts[c].shape()));
            n = d;
        }
        Rows[] views = new Rows[parts.length];
        for (int c = 0; c < parts.length; c++) views[c] = new Rows(parts[c]);
        @SuppressWarnings("unchecked")
        E[] rows = (E[]) new Object[n];
        for (int i = 0; i < n; i++) {
            Tensor[] r = new Tensor[parts.length];
            for (int c = 0; c < parts.length; c++) r[c] = views[c].row(i);
            rows[i] = rebuild(batch, r, "unbatch");
        }
        return rows;
    }
}
