package dev.fluxion.cuda;

import java.util.List;

/** The native libraries the CUDA backend loads, with the file names each is published under (newest first). */
public enum CudaLibrary {
    /** The driver API; installed with the NVIDIA driver, not the toolkit. */
    DRIVER("cuda", List.of("libcuda.so.1", "libcuda.so")),
    NVRTC("nvrtc", List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so")),
    CUBLAS("cublas", List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so")),
    /** Optional: convolutions use it where it is installed (cuDNN 9), else im2col and cuBLAS. */
    CUDNN("cudnn", List.of("libcudnn.so.9", "libcudnn.so"));

    private final String stem;
    private final List<String> fileNames;

    CudaLibrary(String stem, List<String> fileNames) {
        this.stem = stem;
        this.fileNames = fileNames;
    }

    /** The preferred file names, tried in order in every folder searched. */
    public List<String> fileNames() {
        return fileNames;
    }

    /** Whether a file name is this library, any version ({@code libnvrtc.so.13.0.48} yes, {@code libnvrtc-builtins.so} no). */
    public boolean matches(String fileName) {
        String base = "lib" + stem + ".so";
        return fileName.equals(base) || fileName.startsWith(base + ".") && fileName.substring(base.length() + 1).matches("[0-9.]+");
    }

    /** The short name used in messages and properties: cuda, nvrtc, cublas, cudnn. */
    public String stem() {
        return stem;
    }
}
