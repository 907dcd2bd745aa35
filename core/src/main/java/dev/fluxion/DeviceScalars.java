package dev.fluxion;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 0-d constants on accelerator devices, made once per (device, dtype, value) instead of once per use: each would
 * otherwise be a host-to-device copy in every step. The cached tensors are immutable and held beyond allocation
 * scopes; the cache is bounded and simply starts over when full (dropped entries go back through their storage's
 * fallback release).
 */
final class DeviceScalars {
    private DeviceScalars() {}

    private static final int CAPACITY = 4096;

    private record Key(Device device, DType dtype, long bits) {}

    private static final Map<Key, Tensor> CACHE = new ConcurrentHashMap<>();

    /** {@code hostScalar} (a concrete 0-d CPU tensor) on {@code device}, exactly (no round trip through double). */
    static Tensor on(Tensor hostScalar, Device device) {
        DType dtype = hostScalar.dtype();
        long bits = switch (dtype) {
            case FLOAT32, FLOAT64 -> Double.doubleToRawLongBits(hostScalar.item());
            case INT32, INT64 -> hostScalar.toLongArray()[0];
            case BOOL -> hostScalar.item() != 0 ? 1 : 0;
        };
        Key key = new Key(device, dtype, bits);
        Tensor cached = CACHE.get(key);
        if (cached != null) return cached;
        Tensor moved = hostScalar.to(device);
        moved.storage().holdBeyondScopes();
        if (CACHE.size() >= CAPACITY) CACHE.clear();
        CACHE.put(key, moved);
        return moved;
    }

    /**
     * PyTorch's rule for host scalars: concrete 0-d CPU inputs of an op whose other inputs live on one accelerator
     * move there, so {@code x.mul(Tensor.scalar(2))} works on any device. Returns {@code inputs} itself when nothing
     * moves. Symbolic and larger CPU tensors never move: mixing them with device tensors stays an error.
     */
    static Tensor[] followDevice(Tensor[] inputs) {
        Device target = null;
        for (Tensor t : inputs)
            if (t != null && !t.device().equals(Device.CPU)) {
                target = t.device();
                break;
            }
        if (target == null) return inputs;
        Tensor[] out = inputs;
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (t == null || t.isSymbolic() || !t.device().equals(Device.CPU) || t.shape().length != 0) continue;
            if (out == inputs) out = inputs.clone();
            out[i] = on(t, target);
        }
        return out;
    }
}
