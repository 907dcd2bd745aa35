package dev.fluxion.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The CUDA driver API functions the backend uses, bound with {@code java.lang.foreign}. Every CUresult is checked;
 * a failure throws {@link CudaException} naming the call and the driver's error name (cuGetErrorName). Handles
 * (contexts, streams, modules, functions, graphs) are kept as {@link MemorySegment} addresses, device pointers as
 * {@code long} (CUdeviceptr is a 64-bit integer). The symbol names (the _v2 variants) are the ones the probe in the
 * design notes ran against driver 580 / CUDA 13; this class itself has only been compiled, not run, on a GPU.
 */
public final class CudaDriver {
    /** CUdevice_attribute values used here. */
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16, ATTR_COMPUTE_CAPABILITY_MAJOR = 75, ATTR_COMPUTE_CAPABILITY_MINOR = 76;
    /** cuStreamCreate flag: do not synchronize with the legacy default stream. */
    public static final int STREAM_NON_BLOCKING = 1;
    /** cuStreamBeginCapture modes. */
    public static final int CAPTURE_MODE_GLOBAL = 0, CAPTURE_MODE_THREAD_LOCAL = 1, CAPTURE_MODE_RELAXED = 2;

    private final MethodHandle cuEventCreate, cuEventRecord, cuEventElapsedTime, cuEventDestroy;
    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName, cuDeviceGetAttribute,
            cuDeviceTotalMem, cuPrimaryCtxRetain, cuPrimaryCtxRelease, cuCtxSetCurrent, cuCtxSynchronize,
            cuMemAlloc, cuMemFree, cuMemGetInfo, cuMemcpyHtoD, cuMemcpyDtoH, cuMemcpyDtoD, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync,
            cuMemcpyDtoDAsync, cuMemsetD8Async, cuModuleLoadData, cuModuleUnload, cuModuleGetFunction, cuLaunchKernel,
            cuStreamCreate, cuStreamDestroy, cuStreamSynchronize, cuStreamBeginCapture, cuStreamEndCapture,
            cuGraphInstantiate, cuGraphLaunch, cuGraphDestroy, cuGraphGetNodes, cuGraphExecDestroy, cuGetErrorName, cuGetErrorString;

    /** Binds the driver at {@code path} and calls cuInit(0). */
    public CudaDriver(Path path) {
        this(new NativeBinder(path));
        check("cuInit", call(() -> (int) cuInit.invokeExact(0)));
    }

    /** The name and signature of every driver function bound (tests check them against cuda.h). */
    static java.util.List<NativeBinder.Signature> signatures() {
        return NativeBinder.signaturesBoundBy(CudaDriver::new);
    }

    private CudaDriver(NativeBinder b) {
        cuInit = b.bind("cuInit", JAVA_INT, JAVA_INT);
        cuDriverGetVersion = b.bind("cuDriverGetVersion", JAVA_INT, ADDRESS);
        cuDeviceGetCount = b.bind("cuDeviceGetCount", JAVA_INT, ADDRESS);
        cuDeviceGet = b.bind("cuDeviceGet", JAVA_INT, ADDRESS, JAVA_INT);
        cuDeviceGetName = b.bind("cuDeviceGetName", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = b.bind("cuDeviceGetAttribute", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = b.bind("cuDeviceTotalMem_v2", JAVA_INT, ADDRESS, JAVA_INT);
        cuPrimaryCtxRetain = b.bind("cuDevicePrimaryCtxRetain", JAVA_INT, ADDRESS, JAVA_INT);
        cuPrimaryCtxRelease = b.bind("cuDevicePrimaryCtxRelease_v2", JAVA_INT, JAVA_INT);
        cuCtxSetCurrent = b.bind("cuCtxSetCurrent", JAVA_INT, ADDRESS);
        cuCtxSynchronize = b.bind("cuCtxSynchronize", JAVA_INT);
        cuMemAlloc = b.bind("cuMemAlloc_v2", JAVA_INT, ADDRESS, JAVA_LONG);
        cuMemFree = b.bind("cuMemFree_v2", JAVA_INT, JAVA_LONG);
        cuMemGetInfo = b.bind("cuMemGetInfo_v2", JAVA_INT, ADDRESS, ADDRESS);
        cuMemcpyHtoD = b.bind("cuMemcpyHtoD_v2", JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = b.bind("cuMemcpyDtoH_v2", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemcpyDtoD = b.bind("cuMemcpyDtoD_v2", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        cuMemcpyHtoDAsync = b.bind("cuMemcpyHtoDAsync_v2", JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        cuMemcpyDtoHAsync = b.bind("cuMemcpyDtoHAsync_v2", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemcpyDtoDAsync = b.bind("cuMemcpyDtoDAsync_v2", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemsetD8Async = b.bind("cuMemsetD8Async", JAVA_INT, JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS);
        cuModuleLoadData = b.bind("cuModuleLoadData", JAVA_INT, ADDRESS, ADDRESS);
        cuModuleUnload = b.bind("cuModuleUnload", JAVA_INT, ADDRESS);
        cuModuleGetFunction = b.bind("cuModuleGetFunction", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuLaunchKernel = b.bind("cuLaunchKernel", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuStreamCreate = b.bind("cuStreamCreate", JAVA_INT, ADDRESS, JAVA_INT);
        cuStreamDestroy = b.bind("cuStreamDestroy_v2", JAVA_INT, ADDRESS);
        cuStreamSynchronize = b.bind("cuStreamSynchronize", JAVA_INT, ADDRESS);
        cuStreamBeginCapture = b.bind("cuStreamBeginCapture_v2", JAVA_INT, ADDRESS, JAVA_INT);
        cuStreamEndCapture = b.bind("cuStreamEndCapture", JAVA_INT, ADDRESS, ADDRESS);
        cuGraphInstantiate = b.bind("cuGraphInstantiateWithFlags", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
        cuGraphLaunch = b.bind("cuGraphLaunch", JAVA_INT, ADDRESS, ADDRESS);
        cuGraphDestroy = b.bind("cuGraphDestroy", JAVA_INT, ADDRESS);
        cuGraphGetNodes = b.bind("cuGraphGetNodes", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuGraphExecDestroy = b.bind("cuGraphExecDestroy", JAVA_INT, ADDRESS);
        cuEventCreate = b.bind("cuEventCreate", JAVA_INT, ADDRESS, JAVA_INT);
        cuEventRecord = b.bind("cuEventRecord", JAVA_INT, ADDRESS, ADDRESS);
        cuEventElapsedTime = b.bind("cuEventElapsedTime_v2", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuEventDestroy = b.bind("cuEventDestroy_v2", JAVA_INT, ADDRESS);
        cuGetErrorName = b.bind("cuGetErrorName", JAVA_INT, JAVA_INT, ADDRESS);
        cuGetErrorString = b.bind("cuGetErrorString", JAVA_INT, JAVA_INT, ADDRESS);
    }

    /** A native call returning a status code. */
    @FunctionalInterface
    interface StatusCall {
        int run() throws Throwable;
    }

    static int call(StatusCall c) {
        try {
            return c.run();
        } catch (Throwable t) {
            throw NativeBinder.rethrow(t);
        }
    }

    /** Throws {@link CudaException} unless {@code status} is CUDA_SUCCESS. */
    void check(String call, int status) {
        if (status == 0) return;
        throw new CudaException(call, status, errorText(cuGetErrorName, status), errorText(cuGetErrorString, status));
    }

    private static String errorText(MethodHandle h, int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int rc = (int) h.invokeExact(status, p);
            return rc == 0 ? p.get(ADDRESS, 0).reinterpret(1024).getString(0) : "CUresult " + status;
        } catch (Throwable t) {
            return "CUresult " + status;
        }
    }

    // ---- devices and contexts -------------------------------------------------------------------------------------

    public int driverVersion() {
        return readInt("cuDriverGetVersion", p -> (int) cuDriverGetVersion.invokeExact(p));
    }

    public int deviceCount() {
        return readInt("cuDeviceGetCount", p -> (int) cuDeviceGetCount.invokeExact(p));
    }

    /** The CUdevice handle of ordinal {@code index}. */
    public int device(int index) {
        return readInt("cuDeviceGet", p -> (int) cuDeviceGet.invokeExact(p, index));
    }

    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256);
            check("cuDeviceGetName", call(() -> (int) cuDeviceGetName.invokeExact(name, 256, device)));
            return name.getString(0);
        }
    }

    public int attribute(int device, int attribute) {
        return readInt("cuDeviceGetAttribute", p -> (int) cuDeviceGetAttribute.invokeExact(p, attribute, device));
    }

    public long totalMemory(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", call(() -> (int) cuDeviceTotalMem.invokeExact(p, device)));
            return p.get(JAVA_LONG, 0);
        }
    }

    /** Retains the device's primary context (the one the runtime API and cuBLAS share) and makes it current. */
    public MemorySegment retainPrimaryContext(int device) {
        MemorySegment ctx = readAddress("cuDevicePrimaryCtxRetain", p -> (int) cuPrimaryCtxRetain.invokeExact(p, device));
        setCurrent(ctx);
        return ctx;
    }

    public void releasePrimaryContext(int device) {
        check("cuDevicePrimaryCtxRelease_v2", call(() -> (int) cuPrimaryCtxRelease.invokeExact(device)));
    }

    /** Makes {@code ctx} current on the calling thread (CUDA contexts are per thread). */
    public void setCurrent(MemorySegment ctx) {
        check("cuCtxSetCurrent", call(() -> (int) cuCtxSetCurrent.invokeExact(ctx)));
    }

    public void synchronizeContext() {
        check("cuCtxSynchronize", call(() -> (int) cuCtxSynchronize.invokeExact()));
    }

    // ---- memory ---------------------------------------------------------------------------------------------------

    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check("cuMemAlloc_v2(" + bytes + " bytes)", call(() -> (int) cuMemAlloc.invokeExact(p, bytes)));
            return p.get(JAVA_LONG, 0);
        }
    }

    public void memFree(long pointer) {
        check("cuMemFree_v2", call(() -> (int) cuMemFree.invokeExact(pointer)));
    }

    /** {free, total} bytes of the current context's device. */
    public long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", call(() -> (int) cuMemGetInfo.invokeExact(free, total)));
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    public void copyHostToDevice(long dst, MemorySegment src, long bytes) {
        check("cuMemcpyHtoD_v2", call(() -> (int) cuMemcpyHtoD.invokeExact(dst, src, bytes)));
    }

    public void copyDeviceToHost(MemorySegment dst, long src, long bytes) {
        check("cuMemcpyDtoH_v2", call(() -> (int) cuMemcpyDtoH.invokeExact(dst, src, bytes)));
    }

    public void copyDeviceToDevice(long dst, long src, long bytes) {
        check("cuMemcpyDtoD_v2", call(() -> (int) cuMemcpyDtoD.invokeExact(dst, src, bytes)));
    }

    /** Asynchronous on {@code stream}; {@code src} must stay valid (ideally page-locked) until the stream syncs. */
    public void copyHostToDeviceAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        check("cuMemcpyHtoDAsync_v2", call(() -> (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream)));
    }

    public void copyDeviceToHostAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoHAsync_v2", call(() -> (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream)));
    }

    public void copyDeviceToDeviceAsync(long dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoDAsync_v2", call(() -> (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream)));
    }

    public void memsetAsync(long dst, byte value, long bytes, MemorySegment stream) {
        check("cuMemsetD8Async", call(() -> (int) cuMemsetD8Async.invokeExact(dst, value, bytes, stream)));
    }

    // ---- modules and launches -------------------------------------------------------------------------------------

    /** Loads a PTX (NUL-terminated) or CUBIN image. */
    public MemorySegment loadModule(MemorySegment image) {
        return readAddress("cuModuleLoadData", p -> (int) cuModuleLoadData.invokeExact(p, image));
    }

    public void unloadModule(MemorySegment module) {
        check("cuModuleUnload", call(() -> (int) cuModuleUnload.invokeExact(module)));
    }

    public MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cname = a.allocateFrom(name);
            return readAddress("cuModuleGetFunction(" + name + ")", p -> (int) cuModuleGetFunction.invokeExact(p, module, cname));
        }
    }

    /** cuLaunchKernel with a 1-D grid; {@code params} is the void*[] of pointers to each argument. */
    public void launch(String name, MemorySegment function, int grid, int block, int sharedBytes, MemorySegment stream, MemorySegment params) {
        check("cuLaunchKernel(" + name + ", grid " + grid + ", block " + block + ")", call(() -> (int) cuLaunchKernel.invokeExact(
                function, grid, 1, 1, block, 1, 1, sharedBytes, stream, params, MemorySegment.NULL)));
    }

    // ---- streams and graphs ---------------------------------------------------------------------------------------

    public MemorySegment createStream(int flags) {
        return readAddress("cuStreamCreate", p -> (int) cuStreamCreate.invokeExact(p, flags));
    }

    public void destroyStream(MemorySegment stream) {
        check("cuStreamDestroy_v2", call(() -> (int) cuStreamDestroy.invokeExact(stream)));
    }

    public void synchronize(MemorySegment stream) {
        check("cuStreamSynchronize", call(() -> (int) cuStreamSynchronize.invokeExact(stream)));
    }

    public void beginCapture(MemorySegment stream, int mode) {
        check("cuStreamBeginCapture_v2", call(() -> (int) cuStreamBeginCapture.invokeExact(stream, mode)));
    }

    /** Ends a capture and returns the captured CUgraph. */
    public MemorySegment endCapture(MemorySegment stream) {
        return readAddress("cuStreamEndCapture", p -> (int) cuStreamEndCapture.invokeExact(stream, p));
    }

    public MemorySegment instantiateGraph(MemorySegment graph) {
        return readAddress("cuGraphInstantiateWithFlags", p -> (int) cuGraphInstantiate.invokeExact(p, graph, 0L));
    }

    public void launchGraph(MemorySegment exec, MemorySegment stream) {
        check("cuGraphLaunch", call(() -> (int) cuGraphLaunch.invokeExact(exec, stream)));
    }

    public void destroyGraph(MemorySegment graph) {
        check("cuGraphDestroy", call(() -> (int) cuGraphDestroy.invokeExact(graph)));
    }

    /** The number of nodes in a graph (cuGraphGetNodes with no array only counts them). */
    public long graphNodeCount(MemorySegment graph) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(JAVA_LONG);
            check("cuGraphGetNodes", call(() -> (int) cuGraphGetNodes.invokeExact(graph, MemorySegment.NULL, count)));
            return count.get(JAVA_LONG, 0);
        }
    }

    public void destroyGraphExec(MemorySegment exec) {
        check("cuGraphExecDestroy", call(() -> (int) cuGraphExecDestroy.invokeExact(exec)));
    }

    // ---- events (device-side timing) -----------------------------------------------------------------------------

    /** A new event (CU_EVENT_DEFAULT: it records time). */
    public MemorySegment createEvent() {
        return readAddress("cuEventCreate", p -> (int) cuEventCreate.invokeExact(p, 0));
    }

    /** Marks the point in {@code stream}'s work where the event completes. */
    public void recordEvent(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", call(() -> (int) cuEventRecord.invokeExact(event, stream)));
    }

    /** Milliseconds of device time between two completed events. */
    public float elapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            check("cuEventElapsedTime_v2", call(() -> (int) cuEventElapsedTime.invokeExact(ms, start, end)));
            return ms.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0);
        }
    }

    public void destroyEvent(MemorySegment event) {
        check("cuEventDestroy_v2", call(() -> (int) cuEventDestroy.invokeExact(event)));
    }

    // ---- out-parameter helpers ------------------------------------------------------------------------------------

    @FunctionalInterface
    interface OutCall {
        int run(MemorySegment out) throws Throwable;
    }

    private int readInt(String name, OutCall c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            check(name, call(() -> c.run(p)));
            return p.get(JAVA_INT, 0);
        }
    }

    private MemorySegment readAddress(String name, OutCall c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check(name, call(() -> c.run(p)));
            return p.get(ADDRESS, 0);
        }
    }
}
