package dev.fluxion.cuda;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.backend.Backends;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** How Device.cuda(0) reaches this module, and what a machine without CUDA says. */
class DeviceSelectionTest {
    @Test
    void withoutADriverDeviceCudaGivesTheClearUnavailableError() {
        assumeFalse(CudaRuntime.isAvailable(), "this machine has CUDA; the GPU suite covers it");
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> Backends.get(Device.cuda(0)));
        assertTrue(e.getMessage().contains("libcuda") && e.getMessage().contains("Looked in"), e.getMessage());
        // the same error through the tensor API, and again on a second try (the failure is remembered, not retried)
        CudaUnavailableException again = assertThrows(CudaUnavailableException.class, () -> Tensor.zeros(3).to(Device.parse("cuda:0")));
        assertEquals(e.getMessage(), again.getMessage());
        // and the CPU keeps working
        assertEquals(6.0, Tensor.of(new float[] {1, 2, 3}, 3).sum().item());
    }

    @Test
    void theProviderIsRegisteredForTheCudaKind() {
        var providers = java.util.ServiceLoader.load(Backends.BackendProvider.class).stream().map(java.util.ServiceLoader.Provider::type).toList();
        assertTrue(providers.contains(CudaBackendProvider.class), providers.toString());
        assertEquals("cuda", new CudaBackendProvider().kind());
    }

    @Test
    void mixedDeviceOperandsAreAnErrorNamingBothDevices() {
        TensorType cpu = new TensorType(DType.FLOAT32, new int[] {2, 3}, Device.CPU);
        TensorType gpu = new TensorType(DType.FLOAT32, new int[] {2, 3}, Device.cuda(0));
        for (Op op : new Op[] {new Op.Binary(BinaryFn.ADD), new Op.MatMul(false, true)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.infer(cpu, gpu));
            assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0") && e.getMessage().startsWith(op.name()), e.getMessage());
        }
        TensorType mask = new TensorType(DType.BOOL, new int[] {2, 3}, Device.cuda(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Op.Where().infer(mask, gpu, gpu));
        assertTrue(e.getMessage().contains("cuda:1") && e.getMessage().contains("cuda:0"), e.getMessage());
    }
}
