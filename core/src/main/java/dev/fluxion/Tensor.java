package dev.fluxion;

import dev.fluxion.backend.Storage;
import dev.fluxion.cpu.ArrayStorage;
import dev.fluxion.cpu.Layouts;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;

/**
 * An immutable n-dimensional array. Its layout (shape, strides, offset) is kept apart from its {@link Storage},
 * so reshape, transpose, slicing and broadcasting are views without copies where the layout allows.
 *
 * <p>Every operation goes through {@link Dispatcher#apply}: eagerly on the tensor's device, recorded by any active
 * {@link GradientTape}, or captured by the graph tracer when the tensor is symbolic. The instance methods here are
 * the common ones; {@link Ops}, {@link ArrayOps} and {@link NnOps} hold the complete set.
 */
public final class Tensor {
    private final TensorType type;
    private final Storage storage; // null for a symbolic tensor (graph tracing)
    private final int[] strides;
    private final int offset;
    private final Object symbol; // the graph node of a symbolic tensor
    private final boolean contiguous; // computed once: kernels ask on every call
    /** The variable whose current value this is, or null; lets tapes watch trainable variables automatically. */
    Variable variable;

    Tensor(TensorType type, Storage storage, int[] strides, int offset, Object symbol) {
        this.type = type;
        this.storage = storage;
        this.strides = strides;
        this.offset = offset;
        this.symbol = symbol;
        this.contiguous = storage != null && Layouts.isContiguous(type.shape(), strides);
    }

    /** A concrete tensor over a storage with the given layout (for backends). */
    public static Tensor wrap(Storage storage, int[] shape, int[] strides, int offset) {
        return new Tensor(new TensorType(storage.dtype(), shape, storage.device()), storage, strides.clone(), offset, null);
    }

    /** A contiguous concrete tensor over a whole storage (for backends). */
    public static Tensor wrap(Storage storage, int[] shape) {
        if (Shapes.size(shape) > storage.size())
            throw new IllegalArgumentException("storage of " + storage.size() + " elements is too small for shape " + Shapes.format(shape));
        return wrap(storage, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** A symbolic tensor: a placeholder for a value computed by a graph (used by the tracer). */
    public static Tensor symbolic(TensorType type, Object symbol) {
        return new Tensor(type, null, null, 0, symbol);
    }

    // ---------------------------------------------------------------- creation

    /** A float32 tensor of the given shape from row-major data (copied). */
    public static Tensor of(float[] data, int... shape) {
        return fromArray(DType.FLOAT32, data.clone(), data.length, shape);
    }

    /** A float64 tensor of the given shape from row-major data (copied). */
    public static Tensor of(double[] data, int... shape) {
        return fromArray(DType.FLOAT64, data.clone(), data.length, shape);
    }

    /** An int32 tensor of the given shape from row-major data (copied). */
    public static Tensor of(int[] data, int... shape) {
        return fromArray(DType.INT32, data.clone(), data.length, shape);
    }

    /** An int64 tensor of the given shape from row-major data (copied). */
    public static Tensor of(long[] data, int... shape) {
        return fromArray(DType.INT64, data.clone(), data.length, shape);
    }

    /** A bool tensor of the given shape from row-major data (copied). */
    public static Tensor of(boolean[] data, int... shape) {
        return fromArray(DType.BOOL, data.clone(), data.length, shape);
    }

    /** A 1-d float32 tensor. */
    public static Tensor vector(float... data) {
        return of(data, data.length);
    }

    /** A 2-d float32 tensor from rows of equal length. */
    public static Tensor matrix(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols)
                throw new IllegalArgumentException("matrix: row " + i + " has " + rows[i].length + " elements, row 0 has " + cols);
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromArray(DType.FLOAT32, flat, flat.length, rows.length, cols);
    }

    /** A 0-d float32 tensor. */
    public static Tensor scalar(float value) {
        return fromArray(DType.FLOAT32, new float[] {value}, 1);
    }

    /** A 0-d tensor of the given dtype holding {@code value} (converted). */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    private static Tensor fromArray(DType dtype, Object array, int length, int... shape) {
        int[] s = Shapes.check("tensor", shape);
        if (Shapes.size(s) != length)
            throw new IllegalArgumentException("tensor: " + length + " values cannot fill shape " + Shapes.format(s) + " (" + Shapes.size(s) + " elements)");
        return wrap(new ArrayStorage(dtype, array), s);
    }

    /** A tensor of the given shape filled with {@code value}. */
    public static Tensor full(double value, DType dtype, int... shape) {
        int[] s = Shapes.check("full", shape);
        ArrayStorage st = ArrayStorage.allocate(dtype, Shapes.size(s));
        if (value != 0) Layouts.fill(st, value);
        return wrap(st, s);
    }

    /** float32 zeros. */
    public static Tensor zeros(int... shape) {
        return full(0, DType.FLOAT32, shape);
    }

    /** float32 ones. */
    public static Tensor ones(int... shape) {
        return full(1, DType.FLOAT32, shape);
    }

    /** Zeros of the given dtype. */
    public static Tensor zeros(DType dtype, int... shape) {
        return full(0, dtype, shape);
    }

    /** Ones of the given dtype. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    /** Zeros with this tensor's dtype and shape. */
    public Tensor zerosLike() {
        return filledLike(0);
    }

    /** Ones with this tensor's dtype and shape. */
    public Tensor onesLike() {
        return filledLike(1);
    }

    private Tensor filledLike(double value) {
        if (!Shapes.hasUnknown(shape())) {
            Tensor host = full(value, dtype(), shape());
            if (device().equals(Device.CPU)) return host;
            return shape().length == 0 ? DeviceScalars.on(host, device()) : host.to(device());
        }
        return ArrayOps.broadcastTo(Ops.constantLike(value, this), shape()); // sized when the graph runs
    }

    /** start, start+step, ... before stop (NumPy's arange; an empty tensor when the range is empty). */
    public static Tensor arange(double start, double stop, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange: step must be nonzero, got " + step);
        long n = Math.max(0, (long) Math.ceil((stop - start) / step));
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + n + " elements is too many");
        ArrayStorage st = ArrayStorage.allocate(dtype, (int) n);
        for (int i = 0; i < n; i++) st.setDouble(i, start + i * step);
        return wrap(st, new int[] {(int) n});
    }

    /** 0, 1, ..., n-1 as int32. */
    public static Tensor arange(int n) {
        return arange(0, n, 1, DType.INT32);
    }

    /** {@code num} evenly spaced float32 values from start to stop inclusive. */
    public static Tensor linspace(double start, double stop, int num) {
        if (num < 0) throw new IllegalArgumentException("linspace: num must be >= 0, got " + num);
        float[] v = new float[num];
        for (int i = 0; i < num; i++) v[i] = (float) (num == 1 ? start : start + (stop - start) * i / (num - 1));
        return of(v, num);
    }

    /** The n x n float32 identity matrix. */
    public static Tensor eye(int n) {
        float[] v = new float[Shapes.size(Shapes.check("eye", new int[] {n, n}))];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        return of(v, n, n);
    }

    // ---------------------------------------------------------------- properties

    public TensorType type() {
        return type;
    }

    public DType dtype() {
        return type.dtype();
    }

    public int[] shape() {
        return type.shape();
    }

    /** Size of one dimension (negative counts from the end). */
    public int dim(int axis) {
        return type.dim(Shapes.axis("dim", axis, type.rank()));
    }

    public int rank() {
        return type.rank();
    }

    public int size() {
        return type.size();
    }

    public Device device() {
        return type.device();
    }

    /** Whether this is a placeholder in a graph being traced rather than a concrete value. */
    public boolean isSymbolic() {
        return storage == null;
    }

    /** The graph node of a symbolic tensor (null for concrete ones). */
    public Object symbol() {
        return symbol;
    }

    /** The storage of a concrete tensor (for backends). */
    public Storage storage() {
        requireConcrete("storage");
        return storage;
    }

    /** Element strides of the layout (for backends). */
    public int[] strides() {
        requireConcrete("strides");
        return strides.clone();
    }

    /** Element offset of the layout into the storage (for backends). */
    public int offset() {
        return offset;
    }

    /** Whether the layout is row-major contiguous (dimensions of size 1 ignored). */
    public boolean isContiguous() {
        requireConcrete("isContiguous");
        return contiguous;
    }

    private void requireConcrete(String what) {
        if (storage == null)
            throw new IllegalStateException(what + ": " + type + " is a symbolic tensor inside a graph function being traced; "
                    + "it has no value yet. Compute with Fluxion ops instead, or use Fx.print to see values at run time");
    }

    // ---------------------------------------------------------------- reading values

    /** The single value of a tensor with one element, as a double. */
    public double item() {
        requireConcrete("item");
        if (size() != 1) throw new IllegalArgumentException("item: tensor of shape " + Shapes.format(shape()) + " has " + size() + " elements, not 1");
        return ((ArrayStorage) host().storage).getDouble(host().offset);
    }

    /** Values in row-major order, converted to float. */
    public float[] toFloatArray() {
        return (float[]) Layouts.toArray(host(), DType.FLOAT32);
    }

    /** Values in row-major order, converted to double. */
    public double[] toDoubleArray() {
        return (double[]) Layouts.toArray(host(), DType.FLOAT64);
    }

    /** Values in row-major order, converted to int. */
    public int[] toIntArray() {
        return (int[]) Layouts.toArray(host(), DType.INT32);
    }

    /** Values in row-major order, converted to long. */
    public long[] toLongArray() {
        return (long[]) Layouts.toArray(host(), DType.INT64);
    }

    /** Values in row-major order as booleans (nonzero is true). */
    public boolean[] toBooleanArray() {
        return (boolean[]) Layouts.toArray(host(), DType.BOOL);
    }

    /** This tensor with its values on the CPU. */
    private Tensor host() {
        requireConcrete("reading values");
        if (!device().equals(Device.CPU)) return to(Device.CPU);
        return this;
    }

    /** A copy on another device (no-op if already there). */
    public Tensor to(Device target) {
        requireConcrete("to");
        if (device().equals(target)) return this;
        Tensor host = device().equals(Device.CPU) ? this : dev.fluxion.backend.Backends.get(device()).toHost(this);
        return target.equals(Device.CPU) ? host : dev.fluxion.backend.Backends.get(target).copyFrom(host);
    }

    /** A contiguous copy, or this tensor if it is already contiguous. */
    public Tensor contiguous() {
        requireConcrete("contiguous");
        return isContiguous() && offset == 0 ? this : Layouts.contiguous(this);
    }

    @Override
    public String toString() {
        if (storage == null) return "Tensor(symbolic " + type + ")";
        return TensorFormat.format(this);
    }

    // ---------------------------------------------------------------- common ops (see Ops, ArrayOps, NnOps)

    public Tensor add(Tensor other) { return Ops.add(this, other); }
    public Tensor add(double other) { return Ops.add(this, Ops.constantLike(other, this)); }
    public Tensor sub(Tensor other) { return Ops.sub(this, other); }
    public Tensor sub(double other) { return Ops.sub(this, Ops.constantLike(other, this)); }
    public Tensor mul(Tensor other) { return Ops.mul(this, other); }
    public Tensor mul(double other) { return Ops.mul(this, Ops.constantLike(other, this)); }
    public Tensor div(Tensor other) { return Ops.div(this, other); }
    public Tensor div(double other) { return Ops.div(this, Ops.constantLike(other, this)); }
    public Tensor pow(Tensor other) { return Ops.pow(this, other); }
    public Tensor pow(double other) { return Ops.pow(this, Ops.constantLike(other, this)); }
    public Tensor neg() { return Ops.unary(UnaryFn.NEG, this); }
    public Tensor abs() { return Ops.unary(UnaryFn.ABS, this); }
    public Tensor exp() { return Ops.unary(UnaryFn.EXP, this); }
    public Tensor log() { return Ops.unary(UnaryFn.LOG, this); }
    public Tensor sqrt() { return Ops.unary(UnaryFn.SQRT, this); }
    public Tensor square() { return Ops.unary(UnaryFn.SQUARE, this); }
    public Tensor tanh() { return Ops.unary(UnaryFn.TANH, this); }
    public Tensor sigmoid() { return Ops.unary(UnaryFn.SIGMOID, this); }
    public Tensor relu() { return Ops.unary(UnaryFn.RELU, this); }
    public Tensor maximum(Tensor other) { return Ops.binary(BinaryFn.MAX, this, other); }
    public Tensor minimum(Tensor other) { return Ops.binary(BinaryFn.MIN, this, other); }
    public Tensor eq(Tensor other) { return Ops.binary(BinaryFn.EQ, this, other); }
    public Tensor gt(Tensor other) { return Ops.binary(BinaryFn.GT, this, other); }
    public Tensor lt(Tensor other) { return Ops.binary(BinaryFn.LT, this, other); }
    public Tensor cast(DType to) { return Ops.cast(this, to); }

    /** Sum of all elements (0-d). */
    public Tensor sum() { return Ops.reduce(ReduceFn.SUM, this, null, false); }
    /** Sum over the given axes (negative counts from the end). */
    public Tensor sum(int[] axes, boolean keepDims) { return Ops.reduce(ReduceFn.SUM, this, axes, keepDims); }
    /** Mean of all elements (0-d). */
    public Tensor mean() { return Ops.mean(this, null, false); }
    public Tensor mean(int[] axes, boolean keepDims) { return Ops.mean(this, axes, keepDims); }
    public Tensor max() { return Ops.reduce(ReduceFn.MAX, this, null, false); }
    public Tensor max(int axis, boolean keepDims) { return Ops.reduce(ReduceFn.MAX, this, new int[] {axis}, keepDims); }
    public Tensor min() { return Ops.reduce(ReduceFn.MIN, this, null, false); }
    public Tensor argmax(int axis) { return Ops.argmax(this, axis, false); }

    public Tensor matmul(Tensor other) { return Ops.matmul(this, other); }
    /** Reshape; one dimension may be -1 and is inferred. */
    public Tensor reshape(int... shape) { return ArrayOps.reshape(this, shape); }
    /** Reverses the axes (matrix transpose for rank 2). */
    public Tensor transpose() { return ArrayOps.transpose(this); }
    public Tensor transpose(int... perm) { return ArrayOps.transpose(this, perm); }
    public Tensor broadcastTo(int... shape) { return ArrayOps.broadcastTo(this, shape); }
    /** Slices along axis 0: rows [from, to). */
    public Tensor slice(int from, int to) { return ArrayOps.slice(this, 0, from, to, 1); }
    /** Row i along axis 0, with that axis removed. */
    public Tensor get(int i) { return ArrayOps.index(this, 0, i); }
    public Tensor flatten() { return ArrayOps.reshape(this, -1); }
    public Tensor softmax(int axis) { return NnOps.softmax(this, axis); }
    public Tensor logSoftmax(int axis) { return NnOps.logSoftmax(this, axis); }
}
