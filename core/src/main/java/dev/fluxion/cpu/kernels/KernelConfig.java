package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Start-up choices of the CPU kernels, read once from system properties:
 * <ul>
 *   <li>{@code fluxion.simd} ({@code true} by default): {@code false} forces the plain scalar twin of every kernel;</li>
 *   <li>{@code fluxion.vectorBits} (preferred width by default): 128, 256 or 512 forces a narrower Vector API species;</li>
 *   <li>{@code fluxion.threads} (the number of cores by default): the kernels' thread count.</li>
 * </ul>
 * Results never depend on the thread count: kernels partition work into fixed-size chunks, not per thread.
 */
public final class KernelConfig {
    private KernelConfig() {}

    /** Whether the Vector API kernels are used (else the scalar twins). */
    public static final boolean SIMD = Boolean.parseBoolean(System.getProperty("fluxion.simd", "true"));

    /** The float species every SIMD kernel uses. */
    public static final VectorSpecies<Float> FLOATS = floatSpecies();

    /** Threads the kernels may use, the caller included. */
    public static final int THREADS =
            Math.max(1, Integer.getInteger("fluxion.threads", Runtime.getRuntime().availableProcessors()));

    private static VectorSpecies<Float> floatSpecies() {
        String bits = System.getProperty("fluxion.vectorBits");
        if (bits == null) return FloatVector.SPECIES_PREFERRED;
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException(
                    "fluxion.vectorBits must be 128, 256 or 512, got " + bits);
        };
    }
}
