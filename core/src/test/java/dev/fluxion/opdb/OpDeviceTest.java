package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Device;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every op of the database on another device against its float64 reference, exactly as {@link OpForwardTest} runs
 * them on the CPU (the same samples, views, dtypes and tolerances; inputs copied to the device, outputs back). Runs
 * with {@code -Dfluxion.opdb.device=cuda:0} and that device's backend on the class path, as the cuda module's GPU
 * suite does; skipped otherwise.
 */
@Tag("gpu")
class OpDeviceTest {
    private static Device device() {
        String name = System.getProperty("fluxion.opdb.device");
        assumeTrue(name != null, "set -Dfluxion.opdb.device (e.g. cuda:0) to run the op database on a device");
        Device device = Device.parse(name);
        try {
            dev.fluxion.backend.Backends.get(device);
        } catch (RuntimeException unavailable) {
            assumeTrue(false, device + " is not available here: " + unavailable.getMessage());
        }
        return device;
    }

    @TestFactory
    Stream<DynamicNode> float32() {
        return OpForwardTest.floating(DType.FLOAT32, device());
    }

    @TestFactory
    Stream<DynamicNode> float64() {
        return OpForwardTest.floating(DType.FLOAT64, device());
    }

    @TestFactory
    Stream<DynamicNode> integersAndBool() {
        return OpForwardTest.integersAndBool(device());
    }

    @TestFactory
    Stream<DynamicNode> fixedDtypes() {
        return OpForwardTest.fixedDtypes(device());
    }
}
