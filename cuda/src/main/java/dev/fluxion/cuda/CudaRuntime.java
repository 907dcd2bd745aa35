package dev.fluxion.cuda;

import java.nio.file.Path;

/**
 * The process-wide CUDA libraries: found once by {@link LibraryLocator}, bound once. The driver and NVRTC are
 * needed by every device; cuBLAS is bound on first use (only matmul needs it), cuDNN too, where it is installed. A failure to find or initialize the
 * driver is remembered, so every later attempt fails fast with the same clear message.
 */
public final class CudaRuntime {
    private static volatile CudaRuntime instance;
    private static volatile RuntimeException failure;

    private final LibraryLocator locator;
    private final CudaDriver driver;
    private final Nvrtc nvrtc;

    private CudaRuntime(LibraryLocator locator) {
        this.locator = locator;
        Path libcuda = locator.locate(CudaLibrary.DRIVER);
        this.driver = new CudaDriver(libcuda);
        this.nvrtc = new Nvrtc(locator.locate(CudaLibrary.NVRTC));
    }

    /** The runtime, or a {@link CudaUnavailableException} saying where the libraries were looked for. */
    public static CudaRuntime get() {
        if (instance != null) return instance;
        synchronized (CudaRuntime.class) {
            if (instance != null) return instance;
            if (failure != null) throw failure;
            try {
                instance = new CudaRuntime(new LibraryLocator(LibraryLocator.Environment.system()));
                return instance;
            } catch (CudaUnavailableException e) {
                failure = e;
                throw e;
            } catch (CudaException e) { // e.g. cuInit: CUDA_ERROR_NO_DEVICE
                failure = new CudaUnavailableException("CUDA is not available: the driver was found but " + e.getMessage(), e);
                throw failure;
            }
        }
    }

    /** Whether CUDA can be used here (loads the libraries on first call). */
    public static boolean isAvailable() {
        try {
            return get().driver.deviceCount() > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public CudaDriver driver() {
        return driver;
    }

    public Nvrtc nvrtc() {
        return nvrtc;
    }

    /** A new cuBLAS handle (one per device context); cuBLAS is located on first call. */
    public Cublas newCublas() {
        return new Cublas(locator.locate(CudaLibrary.CUBLAS));
    }

    /**
     * A new cuDNN handle (one per device context), or null where cuDNN is not installed or cannot be used (said
     * once on standard error): it is optional, convolutions then run as im2col and cuBLAS GEMMs.
     */
    public Cudnn newCudnn() {
        try {
            return new Cudnn(locator.locate(CudaLibrary.CUDNN));
        } catch (CudaUnavailableException | CudaException e) {
            System.err.println("fluxion: convolutions run as im2col and cuBLAS GEMMs: " + e.getMessage());
            return null;
        }
    }
}
