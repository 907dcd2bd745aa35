package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Masks;

import java.util.List;

/**
 * The elementwise product of two or more inputs (Keras {@code Multiply}), broadcast as {@link ElementwiseMerge}.
 * With masks, as Keras 3: a masked-out step of an input counts as 1, so it leaves the product of the real ones; when
 * every input has a mask, the output is real where any input is (the masks ORed) and 0 elsewhere; when only some
 * have one, the output mask is where all of those are real (the base rule).
 */
public class Multiply extends ElementwiseMerge {
    @Override
    protected Tensor combine(List<Tensor> aligned, List<Tensor> original, int[] outShape) {
        boolean allMasked = original.stream().allMatch(x -> Masks.of(x) != null);
        Tensor product = null, real = null;
        for (int i = 0; i < aligned.size(); i++) {
            Tensor x = aligned.get(i);
            Tensor m = spreadMask(original.get(i), x.shape());
            if (m != null) {
                x = Ops.where(m, x, Ops.onesOf(x));
                if (allMasked) real = real == null ? m : Ops.logicalOr(ArrayOps.broadcastTo(real, outShape), ArrayOps.broadcastTo(m, outShape));
            }
            product = product == null ? x : product.mul(x);
        }
        if (!allMasked) return product;
        product = ArrayOps.broadcastTo(product, outShape);
        real = ArrayOps.broadcastTo(real, outShape);
        Tensor out = Ops.where(real, product, Ops.zerosOf(product));
        return Masks.attach(out, stepMask(real, Masks.of(original.get(0))));
    }
}
