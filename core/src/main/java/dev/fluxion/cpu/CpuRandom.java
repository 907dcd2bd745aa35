package dev.fluxion.cpu;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.ops.Op;
import dev.fluxion.random.Philox;

/** The Random primitive on the CPU: Philox4x32-10 keyed by the (seed, counter) input. */
final class CpuRandom {
    private CpuRandom() {}

    static Tensor generate(Op.Random r, Tensor key, TensorType out) {
        long[] k = key.toLongArray();
        ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        int n = out.size();
        switch (dst.array()) {
            case float[] f -> {
                switch (r.kind()) {
                    case UNIFORM -> Philox.uniform(k[0], k[1], f, 0, n);
                    case NORMAL -> Philox.normal(k[0], k[1], f, 0, n);
                    case TRUNCATED_NORMAL -> Philox.truncatedNormal(k[0], k[1], f, 0, n);
                }
            }
            case double[] d -> {
                switch (r.kind()) {
                    case UNIFORM -> Philox.uniform(k[0], k[1], d, 0, n);
                    case NORMAL -> Philox.normal(k[0], k[1], d, 0, n);
                    case TRUNCATED_NORMAL -> Philox.truncatedNormal(k[0], k[1], d, 0, n);
                }
            }
            default -> throw new IllegalStateException("random: unsupported dtype " + out.dtype());
        }
        return Tensor.wrap(dst, out.shape());
    }
}
