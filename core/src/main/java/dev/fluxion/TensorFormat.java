package dev.fluxion;

/**
 * NumPy-style text for tensors: nested brackets, aligned columns, and "..." past 1000 elements (the first and
 * last three entries of each long axis), e.g. {@code tensor([[1, 2], [3, 4]], float32[2,2])}.
 */
final class TensorFormat {
    private TensorFormat() {}

    private static final int SUMMARY_THRESHOLD = 1000;
    private static final int EDGE = 3;

    static String format(Tensor t) {
        Tensor host = t.device().equals(Device.CPU) ? t : t.to(Device.CPU);
        double[] values = host.dtype() == DType.INT64 ? null : host.toDoubleArray();
        long[] longs = host.dtype() == DType.INT64 ? host.toLongArray() : null;
        int[] shape = t.shape();
        boolean summarize = t.size() > SUMMARY_THRESHOLD;
        int n = t.size();
        String[] cells = new String[n];
        int width = 0;
        for (int i = 0; i < n; i++) {
            cells[i] = longs != null ? Long.toString(longs[i]) : cell(values[i], t.dtype());
            width = Math.max(width, cells[i].length());
        }
        StringBuilder sb = new StringBuilder("tensor(");
        int indent = sb.length();
        append(sb, cells, width, shape, 0, 0, indent, summarize);
        return sb.append(", ").append(t.dtype()).append(Shapes.format(shape))
                .append(t.device().equals(Device.CPU) ? "" : ", " + t.device()).append(')').toString();
    }

    private static String cell(double v, DType dtype) {
        return switch (dtype) {
            case BOOL -> v != 0 ? "true" : "false";
            case INT32 -> Long.toString((long) v);
            case FLOAT32 -> Float.toString((float) v);
            default -> Double.toString(v);
        };
    }

    private static void append(StringBuilder sb, String[] cells, int width, int[] shape, int axis, int offset, int indent, boolean summarize) {
        if (axis == shape.length) {
            String c = cells[offset];
            sb.append(" ".repeat(width - c.length())).append(c);
            return;
        }
        int stride = 1;
        for (int i = axis + 1; i < shape.length; i++) stride *= shape[i];
        sb.append('[');
        int n = shape[axis];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(axis == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + axis + 1));
                i = n - EDGE;
            }
            append(sb, cells, width, shape, axis + 1, offset + i * stride, indent, summarize);
            if (i < n - 1) sb.append(axis == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + axis + 1));
        }
        sb.append(']');
    }
}
