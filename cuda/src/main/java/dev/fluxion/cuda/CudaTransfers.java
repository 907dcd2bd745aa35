package dev.fluxion.cuda;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.cuda.codegen.MovementKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Host-device copies. Data is staged through an off-heap segment (FFM downcalls cannot take Java arrays) and
 * copied asynchronously on the device's stream, then the stream is synchronized before the staging memory goes
 * away; uploads of up to 64 bytes go in a kernel's parameters instead, without waiting. Bool is one byte per
 * element (0 or 1) on both sides.
 */
final class CudaTransfers {
    private CudaTransfers() {}

    static Tensor toDevice(CudaContext ctx, Tensor host) {
        Tensor result = CudaKernels.allocate(ctx, new dev.fluxion.TensorType(host.dtype(), host.shape(), ctx.device()));
        toDeviceInto(ctx, host, result);
        return result;
    }

    /**
     * Copies a host tensor into an existing contiguous device tensor of its size. Up to
     * {@link MovementKernels#SMALL_UPLOAD_BYTES} bytes (scalars, random keys) travel in a kernel's parameters,
     * asynchronously; larger copies are staged and synchronize the stream before the staging memory goes away.
     */
    static void toDeviceInto(CudaContext ctx, Tensor host, Tensor result) {
        int n = host.size();
        if (n == 0) return;
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staged = switch (host.dtype()) {
                case FLOAT32 -> a.allocateFrom(JAVA_FLOAT, host.toFloatArray());
                case FLOAT64 -> a.allocateFrom(JAVA_DOUBLE, host.toDoubleArray());
                case INT32 -> a.allocateFrom(JAVA_INT, host.toIntArray());
                case INT64 -> a.allocateFrom(JAVA_LONG, host.toLongArray());
                case BOOL -> {
                    boolean[] b = host.toBooleanArray();
                    MemorySegment s = a.allocate(b.length);
                    for (int i = 0; i < b.length; i++) s.set(JAVA_BYTE, i, (byte) (b[i] ? 1 : 0));
                    yield s;
                }
            };
            long address = CudaKernels.storage(result).address(result.offset());
            if (staged.byteSize() <= MovementKernels.SMALL_UPLOAD_BYTES) {
                int[] words = new int[MovementKernels.SMALL_UPLOAD_BYTES / 4];
                MemorySegment.ofArray(words).copyFrom(staged);
                int count = (int) staged.byteSize();
                CudaKernels.launch(ctx, MovementKernels.smallUpload(), 1, 32, args -> args.addPointer(address).addIntStruct(words).addInt(count));
                return;
            }
            ctx.driver().copyHostToDeviceAsync(address, staged, staged.byteSize(), ctx.stream());
            ctx.synchronize();
        }
    }

    static Tensor toHost(CudaContext ctx, Tensor device) {
        Tensor c = CudaKernels.contiguous(ctx, device);
        int n = c.size();
        int[] shape = c.shape();
        DType t = c.dtype();
        if (n == 0) return Tensor.zeros(t, shape);
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staged = a.allocate((long) n * t.byteSize(), 8);
            ctx.driver().copyDeviceToHostAsync(staged, CudaKernels.storage(c).address(c.offset()), staged.byteSize(), ctx.stream());
            ctx.synchronize();
            return switch (t) {
                case FLOAT32 -> Tensor.of(staged.toArray(JAVA_FLOAT), shape);
                case FLOAT64 -> Tensor.of(staged.toArray(JAVA_DOUBLE), shape);
                case INT32 -> Tensor.of(staged.toArray(JAVA_INT), shape);
                case INT64 -> Tensor.of(staged.toArray(JAVA_LONG), shape);
                case BOOL -> {
                    boolean[] b = new boolean[n];
                    for (int i = 0; i < n; i++) b[i] = staged.get(ValueLayout.JAVA_BYTE, i) != 0;
                    yield Tensor.of(b, shape);
                }
            };
        }
    }
}
