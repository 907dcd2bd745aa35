package dev.fluxion;

import java.util.Arrays;

/**
 * Shape arithmetic shared by the op rules, the backends and the tests. Shapes are int[]. Inside a graph function
 * traced with an input signature a dimension may be {@link #UNKNOWN} (the signature's unknown batch size); concrete
 * tensors never have one.
 */
public final class Shapes {
    private Shapes() {}

    /** An unknown dimension (the batch size of an input signature, resolved per call). */
    public static final int UNKNOWN = -1;

    /** Number of elements (1 for a 0-d shape, 0 if any dimension is 0, UNKNOWN if a dimension is unknown). */
    public static int size(int[] shape) {
        long n = 1;
        boolean unknown = false;
        for (int d : shape) {
            if (d == UNKNOWN) {
                unknown = true;
                continue;
            }
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + format(shape) + " has more than 2^31-1 elements");
        }
        return unknown && n != 0 ? UNKNOWN : (int) n;
    }

    /** Product of the known dimensions (the element count per unit of the unknown one). */
    public static long knownSize(int[] shape) {
        long n = 1;
        for (int d : shape) if (d != UNKNOWN) n *= d;
        return n;
    }

    /** Whether a dimension is unknown. */
    public static boolean hasUnknown(int[] shape) {
        for (int d : shape) if (d == UNKNOWN) return true;
        return false;
    }

    /** The shape with every unknown dimension replaced by {@code value}. */
    public static int[] resolve(int[] shape, int value) {
        int[] out = shape.clone();
        for (int i = 0; i < out.length; i++) if (out[i] == UNKNOWN) out[i] = value;
        return out;
    }

    /** Row-major contiguous strides. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * NumPy broadcasting of two shapes, or null if they are incompatible. An unknown dimension stays unknown against
     * 1 or another unknown one, and is taken to equal a known size other than 1 (checked when the graph runs).
     */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else if (da == UNKNOWN) out[i] = db;
            else if (db == UNKNOWN) out[i] = da;
            else return null;
        }
        return out;
    }

    /** Whether {@code from} broadcasts to {@code to} (NumPy rules, right-aligned; unknown matches unknown). */
    public static boolean broadcastsTo(int[] from, int[] to) {
        if (from.length > to.length) return false;
        for (int i = 0; i < from.length; i++) {
            int f = from[from.length - 1 - i], t = to[to.length - 1 - i];
            if (f != t && f != 1) return false;
        }
        return true;
    }

    /** Normalizes a possibly negative axis against a rank, naming the op on error. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a tensor of rank " + rank);
        return a;
    }

    /** Normalizes, validates and sorts a list of axes (null means every axis; an empty array stays empty). */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes == null) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axis(op, axes[i], rank);
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++)
            if (out[i] == out[i - 1]) throw new IllegalArgumentException(op + ": axis " + out[i] + " repeated in " + Arrays.toString(axes));
        return out;
    }

    /** Shape as [d0,d1,...]. */
    public static String format(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }

    /** Shape of a type as [None,784]: an unknown batch dimension prints as None, like Keras. */
    public static String formatType(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(shape[i] == UNKNOWN ? "None" : String.valueOf(shape[i]));
        }
        return sb.append(']').toString();
    }

    /** Validates a shape given by a user (no negative dimensions). */
    public static int[] check(String op, int[] shape) {
        for (int d : shape)
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + format(shape)
                    + (d == UNKNOWN ? " (an unknown batch dimension from an input signature cannot size a new tensor; "
                    + "derive it from an input, e.g. with zerosLike or broadcastTo)" : ""));
        size(shape);
        return shape.clone();
    }

    /** Validates a shape that may hold the unknown batch dimension (for ops inside a graph function). */
    public static int[] checkAllowingUnknown(String op, int[] shape) {
        for (int d : shape)
            if (d < 0 && d != UNKNOWN) throw new IllegalArgumentException(op + ": negative dimension in shape " + format(shape));
        size(shape);
        return shape.clone();
    }
}
