package dev.fluxion.cuda.codegen;

/** One generated {@code extern "C" __global__} kernel: its unique name and its source (without the prelude). */
public record KernelSource(String name, String code) {
    /** The kernel alone as a complete translation unit for NVRTC: prelude then kernel. */
    public String translationUnit() {
        return KernelPrelude.source() + "\n" + code;
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, KernelSource> BY_NAME = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The kernel named {@code name}, generating its source the first time only: names are unique per source, and
     * eager execution asks for the same few kernels on every step, where formatting the source each time would cost
     * more than launching it.
     */
    public static KernelSource memo(String name, java.util.function.Supplier<String> code) {
        KernelSource known = BY_NAME.get(name);
        return known != null ? known : BY_NAME.computeIfAbsent(name, n -> new KernelSource(n, code.get()));
    }

    /** Several kernels in one translation unit (one NVRTC or nvcc run for all of them); names must be distinct. */
    public static String translationUnit(Iterable<KernelSource> kernels) {
        StringBuilder sb = new StringBuilder(KernelPrelude.source());
        java.util.Set<String> names = new java.util.HashSet<>();
        for (KernelSource k : kernels) {
            if (!names.add(k.name())) throw new IllegalArgumentException("duplicate kernel name " + k.name());
            sb.append('\n').append(k.code());
        }
        return sb.toString();
    }
}
