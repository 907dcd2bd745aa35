package dev.fluxion.backend;

import dev.fluxion.Device;
import dev.fluxion.cpu.CpuBackend;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the backend of a device. The CPU backend is built in; others (CUDA) are discovered at run time through
 * {@link ServiceLoader} of {@link BackendProvider}, and asking for a device nobody provides is a clear error.
 */
public final class Backends {
    private Backends() {}

    private static final Backend CPU = new CpuBackend();
    private static final Map<Device, Backend> OTHERS = new ConcurrentHashMap<>();

    /** Supplies the backend of one kind of device when the machine has it. */
    public interface BackendProvider {
        /** The device kind served, e.g. "cuda". */
        String kind();

        /** The backend for a device of this kind; throws with a reason if the device is not usable here. */
        Backend open(Device device);
    }

    /** The CPU backend. */
    public static Backend cpu() {
        return CPU;
    }

    /** The backend of a device, opening it on first use. */
    public static Backend get(Device device) {
        if (device.equals(Device.CPU)) return CPU;
        return OTHERS.computeIfAbsent(device, d -> {
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class))
                if (p.kind().equals(d.kind())) return p.open(d);
            throw new IllegalStateException("no backend for device " + d + ": the " + d.kind()
                    + " backend module is not on the class path (everything else keeps working on the CPU)");
        });
    }
}
