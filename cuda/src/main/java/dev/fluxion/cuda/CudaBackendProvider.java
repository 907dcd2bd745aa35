package dev.fluxion.cuda;

import dev.fluxion.Device;
import dev.fluxion.backend.Backend;
import dev.fluxion.backend.Backends;

/**
 * Registers the CUDA backend with core's {@link Backends} through {@link java.util.ServiceLoader}
 * ({@code META-INF/services}): with this module on the class path, {@code Device.cuda(0)} reaches a
 * {@link CudaBackend} when a driver is present, and a {@link CudaUnavailableException} listing where the
 * libraries were looked for otherwise.
 */
public final class CudaBackendProvider implements Backends.BackendProvider {
    @Override
    public String kind() {
        return "cuda";
    }

    @Override
    public Backend open(Device device) {
        return CudaBackend.open(device);
    }
}
