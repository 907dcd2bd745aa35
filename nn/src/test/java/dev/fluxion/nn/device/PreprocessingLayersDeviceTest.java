package dev.fluxion.nn.device;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.layers.Normalization;
import dev.fluxion.nn.layers.Rescaling;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Normalization (adapted or fixed statistics) and Rescaling moved to a device compute there the CPU's values. */
class PreprocessingLayersDeviceTest {
    @Test
    void movedLayersComputeOnTheDevice() {
        Tensor x = TestData.f32(1, 6, 4).mul(3).add(1);
        Tensor onDevice = x.to(ShadowDevice.DEVICE);
        Normalization adapted = new Normalization().adapt(x), fixed = new Normalization().mean(1, 2, 3, 4).variance(2);
        Rescaling rescale = new Rescaling(0.5, 2);
        float[][] expected = {adapted.call(x).toFloatArray(), fixed.call(x).toFloatArray(), rescale.call(x).toFloatArray()};
        adapted.moveTo(ShadowDevice.DEVICE);
        fixed.moveTo(ShadowDevice.DEVICE);
        assertEquals(ShadowDevice.DEVICE, adapted.adaptedMean().value().device());
        assertEquals(ShadowDevice.DEVICE, fixed.meanValue().device());
        var layers = new dev.fluxion.nn.Layer[] {adapted, fixed, rescale};
        for (int i = 0; i < layers.length; i++) {
            var layer = layers[i];
            Tensor eager = layer.call(onDevice);
            assertEquals(ShadowDevice.DEVICE, eager.device());
            assertArrayEquals(expected[i], eager.toFloatArray(), 1e-6f, layer.name());
            Tensor compiled = Fx.function("pre_" + i, (Tensor t) -> layer.call(t)).call(onDevice);
            assertEquals(ShadowDevice.DEVICE, compiled.device());
            assertArrayEquals(expected[i], compiled.toFloatArray(), 1e-6f, layer.name());
        }
        // a layer built but not adapted moves its mean 0 and variance 1 and passes its input through there
        Normalization unadapted = new Normalization();
        unadapted.apply(dev.fluxion.nn.Input.shape(4));
        unadapted.moveTo(ShadowDevice.DEVICE);
        assertArrayEquals(onDevice.toFloatArray(), unadapted.call(onDevice).toFloatArray());
    }
}
