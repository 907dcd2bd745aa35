package dev.fluxion.cuda;

import dev.fluxion.Device;
import dev.fluxion.cuda.memory.CachingAllocator;
import dev.fluxion.cuda.memory.RawDeviceMemory;

import java.lang.foreign.MemorySegment;

/**
 * One CUDA device as the backend uses it: the primary context, one non-blocking stream on which every kernel,
 * copy and cuBLAS call is issued (so work is ordered without events, which the caching allocator relies on), the
 * caching allocator, the compiled-kernel cache and lazily created cuBLAS and cuDNN handles.
 */
public final class CudaContext {
    /** CUDA_ERROR_OUT_OF_MEMORY. */
    private static final int OUT_OF_MEMORY = 2;

    private final Device device;
    private final CudaRuntime runtime;
    private final int handle;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final CachingAllocator allocator;
    private final KernelCache kernels;
    private final String name;
    private final int major, minor, multiprocessors;
    private final ThreadLocal<Boolean> currentOnThread = ThreadLocal.withInitial(() -> false);
    /**
     * Held while a CUDA graph is captured on the stream: {@link #synchronize} from another thread (a compiled graph
     * released by the garbage collector's cleaner, say) waits for the capture to end instead of invalidating it.
     */
    private final java.util.concurrent.locks.ReentrantLock capturing = new java.util.concurrent.locks.ReentrantLock();
    private Cublas cublas;
    private Cudnn cudnn;
    private boolean cudnnLooked;
    private MatmulPrecision matmulPrecision = MatmulPrecision.fromSystemProperty();

    CudaContext(CudaRuntime runtime, Device device) {
        this.runtime = runtime;
        this.device = device;
        CudaDriver d = runtime.driver();
        int count = d.deviceCount();
        if (device.index() >= count)
            throw new CudaUnavailableException("device " + device + " does not exist: the driver reports " + count + " CUDA device(s)");
        this.handle = d.device(device.index());
        this.context = d.retainPrimaryContext(handle);
        currentOnThread.set(true);
        this.name = d.deviceName(handle);
        this.major = d.attribute(handle, CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR);
        this.minor = d.attribute(handle, CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR);
        this.multiprocessors = d.attribute(handle, CudaDriver.ATTR_MULTIPROCESSOR_COUNT);
        this.stream = d.createStream(CudaDriver.STREAM_NON_BLOCKING);
        this.allocator = new CachingAllocator(new RawDeviceMemory() {
            @Override
            public long allocate(long bytes) {
                makeCurrent();
                try {
                    return d.memAlloc(bytes);
                } catch (CudaException e) {
                    if (e.code() == OUT_OF_MEMORY) return 0;
                    throw e;
                }
            }

            @Override
            public void free(long pointer) {
                makeCurrent();
                d.memFree(pointer);
            }
        });
        this.kernels = new KernelCache(this);
    }

    /** Makes this device's context current on the calling thread (CUDA contexts are per thread). */
    public void makeCurrent() {
        if (!currentOnThread.get()) {
            runtime.driver().setCurrent(context);
            currentOnThread.set(true);
        }
    }

    public Device device() {
        return device;
    }

    public CudaDriver driver() {
        return runtime.driver();
    }

    CudaRuntime runtime() {
        return runtime;
    }

    public MemorySegment stream() {
        return stream;
    }

    public CachingAllocator allocator() {
        return allocator;
    }

    KernelCache kernels() {
        return kernels;
    }

    public int computeMajor() {
        return major;
    }

    public int computeMinor() {
        return minor;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    /** Waits for all work issued on this device's stream (after any capture another thread is making on it). */
    public void synchronize() {
        makeCurrent();
        capturing.lock();
        try {
            runtime.driver().synchronize(stream);
        } finally {
            capturing.unlock();
        }
    }

    /**
     * Runs {@code capture} (a cuStreamBeginCapture ... cuStreamEndCapture on this context's stream) while other
     * threads' {@link #synchronize} waits: synchronizing a stream that is being captured invalidates the capture.
     */
    public <T> T capturing(java.util.function.Supplier<T> capture) {
        capturing.lock();
        try {
            return capture.get();
        } finally {
            capturing.unlock();
        }
    }

    /** The cuBLAS handle, bound to this device's stream, in the math mode of the current {@link #matmulPrecision()}. */
    synchronized Cublas cublas() {
        if (cublas == null) {
            makeCurrent();
            cublas = runtime.newCublas();
            cublas.setStream(stream);
            cublas.setMathMode(matmulPrecision == MatmulPrecision.TF32 ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH);
        }
        return cublas;
    }

    /**
     * cuDNN bound to this device's stream, or null where it is not installed or {@code -Dfluxion.cuda.cudnn=false}
     * turns it off: convolutions then run as im2col and cuBLAS GEMMs.
     */
    synchronized Cudnn cudnn() {
        if (!cudnnLooked) {
            cudnnLooked = true;
            if (!"false".equals(System.getProperty("fluxion.cuda.cudnn"))) {
                makeCurrent();
                cudnn = runtime.newCudnn();
                if (cudnn != null) cudnn.setStream(stream);
            }
        }
        return cudnn;
    }

    /** What runs this device's float32 convolutions, and how many geometries it took so far (for logs and benchmarks). */
    public String convolutions() {
        Cudnn c = cudnn();
        return c == null ? "im2col and cuBLAS (no cuDNN)" : c.toString();
    }

    /** How float32 matrix products run on this device (float32 unless {@code -Dfluxion.cuda.matmulPrecision} says otherwise). */
    public synchronized MatmulPrecision matmulPrecision() {
        return matmulPrecision;
    }

    /**
     * Changes how float32 matrix products run from now on. A graph function's captured CUDA graph keeps the kernels
     * it recorded: set the precision before the first call of a compiled step.
     */
    public synchronized void setMatmulPrecision(MatmulPrecision precision) {
        matmulPrecision = java.util.Objects.requireNonNull(precision);
        if (cublas != null) cublas.setMathMode(precision == MatmulPrecision.TF32 ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH);
    }

    @Override
    public String toString() {
        return device + " (" + name + ", compute capability " + major + "." + minor + ", " + multiprocessors + " SMs)";
    }
}
