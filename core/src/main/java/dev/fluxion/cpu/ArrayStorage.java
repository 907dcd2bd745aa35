package dev.fluxion.cpu;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.backend.Storage;

/**
 * CPU storage: a Java primitive array (float[], double[], int[], long[] or boolean[] by dtype). Plain heap memory,
 * so nothing native can leak.
 */
public record ArrayStorage(DType dtype, Object array) implements Storage {
    public ArrayStorage {
        Class<?> expected = switch (dtype) {
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case INT32 -> int[].class;
            case INT64 -> long[].class;
            case BOOL -> boolean[].class;
        };
        if (array.getClass() != expected)
            throw new IllegalArgumentException("storage of " + dtype + " needs " + expected.getSimpleName() + ", got " + array.getClass().getSimpleName());
    }

    /** Allocates zeroed storage (from the installed {@link BufferPool} when one is, see there). */
    public static ArrayStorage allocate(DType dtype, int size) {
        BufferPool pool = BufferPool.current();
        return new ArrayStorage(dtype, pool == null ? newArray(dtype, size) : pool.take(dtype, size, true));
    }

    /**
     * Allocates storage whose every element the caller is about to write: a recycled array is not zeroed first.
     * Only for kernels that overwrite their whole output.
     */
    public static ArrayStorage allocateForOverwrite(DType dtype, int size) {
        BufferPool pool = BufferPool.current();
        return new ArrayStorage(dtype, pool == null ? newArray(dtype, size) : pool.take(dtype, size, false));
    }

    static Object newArray(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new float[size];
            case FLOAT64 -> new double[size];
            case INT32 -> new int[size];
            case INT64 -> new long[size];
            case BOOL -> new boolean[size];
        };
    }

    static DType dtypeOf(Object array) {
        return switch (array) {
            case float[] a -> DType.FLOAT32;
            case double[] a -> DType.FLOAT64;
            case int[] a -> DType.INT32;
            case long[] a -> DType.INT64;
            case boolean[] a -> DType.BOOL;
            default -> throw new IllegalArgumentException("not a storage array: " + array.getClass());
        };
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public int size() {
        return java.lang.reflect.Array.getLength(array);
    }

    /** Element i as a double (int64 beyond 2^53 loses precision: use {@link #getLong} for exact integers). */
    public double getDouble(int i) {
        return switch (array) {
            case float[] a -> a[i];
            case double[] a -> a[i];
            case int[] a -> a[i];
            case long[] a -> a[i];
            case boolean[] a -> a[i] ? 1 : 0;
            default -> throw new IllegalStateException();
        };
    }

    /** Element i as a long (floating values truncate toward zero). */
    public long getLong(int i) {
        return switch (array) {
            case float[] a -> (long) a[i];
            case double[] a -> (long) a[i];
            case int[] a -> a[i];
            case long[] a -> a[i];
            case boolean[] a -> a[i] ? 1 : 0;
            default -> throw new IllegalStateException();
        };
    }

    /** Stores a double into element i, converting to the storage's dtype (bool: nonzero is true). */
    public void setDouble(int i, double v) {
        switch (array) {
            case float[] a -> a[i] = (float) v;
            case double[] a -> a[i] = v;
            case int[] a -> a[i] = (int) v;
            case long[] a -> a[i] = (long) v;
            case boolean[] a -> a[i] = v != 0;
            default -> throw new IllegalStateException();
        }
    }

    /** Stores a long into element i exactly (for integer dtypes). */
    public void setLong(int i, long v) {
        switch (array) {
            case float[] a -> a[i] = v;
            case double[] a -> a[i] = v;
            case int[] a -> a[i] = (int) v;
            case long[] a -> a[i] = v;
            case boolean[] a -> a[i] = v != 0;
            default -> throw new IllegalStateException();
        }
    }
}
