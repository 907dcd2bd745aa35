package dev.fluxion.cuda;

/**
 * CUDA cannot be used on this machine: a library (driver, NVRTC, cuBLAS) was not found, or the driver reports no
 * device. The message says where Fluxion looked; everything else keeps working on the CPU.
 */
public final class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String message) {
        super(message);
    }

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
