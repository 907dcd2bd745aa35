package dev.fluxion.cuda;

/**
 * How float32 matrix products (matmul, and convolutions, which are GEMMs here) run on a CUDA device. Float64 is
 * never affected. Set per device with {@link CudaContext#setMatmulPrecision} or for all devices with
 * {@code -Dfluxion.cuda.matmulPrecision=float32|tf32|bfloat16|float16}.
 */
public enum MatmulPrecision {
    /** Float32 throughout, as on the CPU (the default). */
    FLOAT32,
    /** TF32 tensor cores: operands rounded to 10 mantissa bits, float32 accumulation (PyTorch's allow_tf32). */
    TF32,
    /**
     * Mixed precision: operands rounded to bfloat16 (8 mantissa bits, float32's range), products accumulated and
     * stored in float32 — weights, activations and every other op stay float32, like Keras's "mixed_bfloat16"
     * policy restricted to the matrix products. bfloat16 keeps float32's exponent, so no loss scaling is needed.
     */
    BFLOAT16,
    /**
     * Mixed precision with IEEE float16 operands (10 mantissa bits, range ±65504), float32 accumulation and output.
     * Values beyond the range become infinities and tiny ones lose precision, so train with loss scaling
     * ({@code optimizer.lossScaling()}), which skips the steps whose gradients overflowed.
     */
    FLOAT16;

    /** The precision named by {@code -Dfluxion.cuda.matmulPrecision}, float32 when unset. */
    static MatmulPrecision fromSystemProperty() {
        String value = System.getProperty("fluxion.cuda.matmulPrecision", "float32");
        return switch (value.toLowerCase()) {
            case "float32", "fp32" -> FLOAT32;
            case "tf32" -> TF32;
            case "bfloat16", "bf16" -> BFLOAT16;
            case "float16", "fp16" -> FLOAT16;
            default -> throw new IllegalArgumentException("-Dfluxion.cuda.matmulPrecision=" + value + ": expected float32, tf32, bfloat16 or float16");
        };
    }
}
