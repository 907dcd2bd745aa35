package dev.fluxion.cuda;

/** A CUDA, NVRTC or cuBLAS call returned an error; the message names the call and the library's error name. */
public final class CudaException extends RuntimeException {
    private final String call;
    private final int code;

    public CudaException(String call, int code, String errorName, String detail) {
        super(call + " failed: " + errorName + " (" + code + ")" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.code = code;
    }

    /** The native function that failed, e.g. {@code cuMemAlloc_v2}. */
    public String call() {
        return call;
    }

    /** The raw status code (CUresult, nvrtcResult or cublasStatus_t). */
    public int code() {
        return code;
    }
}
