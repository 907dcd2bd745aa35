package dev.fluxion.cpu;

/** Dtype conversion between contiguous arrays: floats to ints truncate toward zero, nonzero becomes true. */
final class Casts {
    private Casts() {}

    static void convert(Object src, Object dst, int n) {
        switch (dst) {
            case float[] d -> {
                switch (src) {
                    case double[] s -> { for (int i = 0; i < n; i++) d[i] = (float) s[i]; }
                    case int[] s -> { for (int i = 0; i < n; i++) d[i] = s[i]; }
                    case long[] s -> { for (int i = 0; i < n; i++) d[i] = s[i]; }
                    case boolean[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] ? 1f : 0f; }
                    case float[] s -> System.arraycopy(s, 0, d, 0, n);
                    default -> throw new IllegalStateException();
                }
            }
            case double[] d -> {
                switch (src) {
                    case float[] s -> { for (int i = 0; i < n; i++) d[i] = s[i]; }
                    case int[] s -> { for (int i = 0; i < n; i++) d[i] = s[i]; }
                    case long[] s -> { for (int i = 0; i < n; i++) d[i] = s[i]; }
                    case boolean[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; }
                    case double[] s -> System.arraycopy(s, 0, d, 0, n);
                    default -> throw new IllegalStateException();
                }
            }
            case int[] d -> {
                switch (src) {
                    case float[] s -> { for (int i = 0; i < n; i++) d[i] = (int) s[i]; }
                    case double[] s -> { for (int i = 0; i < n; i++) d[i] = (int) s[i]; }
                    case long[] s -> { for (int i = 0; i < n; i++) d[i] = (int) s[i]; }
                    case boolean[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; }
                    case int[] s -> System.arraycopy(s, 0, d, 0, n);
                    default -> throw new IllegalStateException();
                }
            }
            case long[] d -> {
                switch (src) {
                    case float[] s -> { for (int i = 0; i < n; i++) d[i] = (long) s[i]; }
                    case double[] s -> { for (int i = 0; i < n; i++) d[i] = (long) s[i]; }
                    case int[] s -> { for (int i = 0; i < n; i++) d[i] = s[i]; }
                    case boolean[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; }
                    case long[] s -> System.arraycopy(s, 0, d, 0, n);
                    default -> throw new IllegalStateException();
                }
            }
            case boolean[] d -> {
                switch (src) {
                    case float[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] != 0; }
                    case double[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] != 0; }
                    case int[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] != 0; }
                    case long[] s -> { for (int i = 0; i < n; i++) d[i] = s[i] != 0; }
                    case boolean[] s -> System.arraycopy(s, 0, d, 0, n);
                    default -> throw new IllegalStateException();
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
