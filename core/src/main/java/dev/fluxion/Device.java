package dev.fluxion;

/** Where a tensor lives: {@code cpu} or {@code cuda:N}. Ops never copy between devices silently. */
public record Device(String kind, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (!kind.equals("cpu") && !kind.equals("cuda")) throw new IllegalArgumentException("unknown device kind '" + kind + "'");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    /** The N-th CUDA device. */
    public static Device cuda(int index) {
        return new Device("cuda", index);
    }

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static Device parse(String text) {
        if (text.equals("cpu")) return CPU;
        if (text.equals("cuda")) return cuda(0);
        if (text.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(text.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown device '" + text + "' (expected cpu, cuda or cuda:N)", e);
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "' (expected cpu, cuda or cuda:N)");
    }

    @Override
    public String toString() {
        return kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
