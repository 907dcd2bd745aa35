package dev.fluxion.nn.device;

import dev.fluxion.Device;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.layers.GaussianDropout;
import dev.fluxion.nn.layers.GaussianNoise;
import dev.fluxion.nn.layers.SpatialDropout1D;
import dev.fluxion.nn.layers.SpatialDropout2D;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.*;

/** The noise layers draw on their input's device and give the CPU's numbers there, eagerly and in a graph function. */
class NoiseLayersDeviceTest {
    @Test
    void noiseOnADeviceIsTheCpusNoise() {
        List<LongFunction<Layer>> makers = List.of(s -> new SpatialDropout1D(0.4, s), s -> new SpatialDropout2D(0.4, s), s -> new GaussianNoise(0.7, s),
                s -> new GaussianDropout(0.4, s));
        for (LongFunction<Layer> make : makers) {
            Layer cpu = make.apply(3), moved = make.apply(3), traced = make.apply(3);
            String name = cpu.getClass().getSimpleName();
            Tensor x = cpu instanceof SpatialDropout2D ? TestData.f32(1, 2, 3, 4, 5) : TestData.f32(1, 2, 6, 5);
            Tensor onDevice = x.to(ShadowDevice.DEVICE);
            var step = Fx.function("noise", (Tensor t) -> traced.call(t, true));
            for (int i = 0; i < 2; i++) {
                float[] expected = cpu.call(x, true).toFloatArray();
                Tensor eager = moved.call(onDevice, true);
                assertEquals(ShadowDevice.DEVICE, eager.device(), name);
                assertArrayEquals(expected, eager.toFloatArray(), name + " eager call " + i);
                Tensor compiled = step.call(onDevice);
                assertEquals(ShadowDevice.DEVICE, compiled.device(), name);
                assertArrayEquals(expected, compiled.toFloatArray(), 1e-6f, name + " graph call " + i);
            }
            assertEquals(Device.CPU, x.device());
        }
    }
}
