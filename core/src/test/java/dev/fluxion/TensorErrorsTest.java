package dev.fluxion;

import dev.fluxion.cpu.ArrayStorage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.ErrorMessages.assertMentions;

/** Tensor factories, storages, device and dtype names, and devices without a backend: clear errors. */
class TensorErrorsTest {
    @Test
    void raggedMatrixNamesTheRow() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.matrix(new float[][] {{1, 2}, {3, 4}, {5}}));
        assertMentions(e, "matrix", "row 2 has 1 elements", "row 0 has 2");
    }

    @Test
    void wrappingATooSmallStorageNamesBothSizes() {
        var storage = new ArrayStorage(DType.FLOAT32, new float[5]);
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(storage, new int[] {2, 3}));
        assertMentions(e, "storage of 5 elements", "[2,3]");
    }

    @Test
    void storageArrayMustMatchItsDtype() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ArrayStorage(DType.FLOAT32, new double[2]));
        assertMentions(e, "float32", "float[]", "double[]");
        var f = assertThrows(IllegalArgumentException.class, () -> new ArrayStorage(DType.BOOL, new int[2]));
        assertMentions(f, "bool", "boolean[]", "int[]");
    }

    @Test
    void unknownDeviceNamesTheText() {
        for (String text : new String[] {"gpu", "cuda:", "cuda:x", "CPU"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Device.parse(text), text);
            assertMentions(e, "unknown device '" + text + "'", "cpu, cuda or cuda:N");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:-1"));
        assertMentions(e, "device index", "-1");
    }

    @Test
    void unknownDtypeNamesTheText() {
        var e = assertThrows(IllegalArgumentException.class, () -> DType.parse("float16"));
        assertMentions(e, "unknown dtype 'float16'", "float32, float64, int32, int64 or bool");
    }

    @Test
    void deviceWithoutABackendIsAClearError() {
        // core alone has no CUDA backend on its class path
        var e = assertThrows(IllegalStateException.class, () -> Tensor.vector(1, 2).to(Device.cuda(0)));
        assertMentions(e, "no backend for device cuda:0", "cuda backend module");
        Variable w = new Variable(Tensor.vector(1, 2), "w");
        var f = assertThrows(IllegalStateException.class, () -> w.moveTo(Device.cuda(1)));
        assertMentions(f, "no backend for device cuda:1");
        assertEquals(Device.CPU, w.value().device(), "a failed move leaves the variable where it was");
    }
}
