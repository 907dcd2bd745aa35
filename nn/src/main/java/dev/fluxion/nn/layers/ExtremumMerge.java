package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Masks;

import java.util.List;

/**
 * The base of {@link Maximum} and {@link Minimum}, which have no neutral element to put in masked-out steps. As in
 * Keras 3, inputs are folded left to right, and at each step a masked-out element takes the other side's value, so
 * that only real values compete; while every input so far has a mask, the masks are ORed, and when all inputs have
 * one the output is real where any input is. Otherwise the output mask is where all masked inputs are real (the base
 * rule).
 */
public abstract class ExtremumMerge extends ElementwiseMerge {
    protected ExtremumMerge() {}

    /** The elementwise operation of two tensors. */
    protected abstract Tensor pair(Tensor a, Tensor b);

    @Override
    protected final Tensor combine(List<Tensor> aligned, List<Tensor> original, int[] outShape) {
        Tensor out = null, outMask = null;
        for (int i = 0; i < aligned.size(); i++) {
            Tensor x = aligned.get(i);
            Tensor m = spreadMask(original.get(i), x.shape());
            if (out == null) {
                out = x;
                outMask = m;
                continue;
            }
            int[] s = broadcast(out.shape(), x.shape());
            if (m != null) x = Ops.where(ArrayOps.broadcastTo(m, s), ArrayOps.broadcastTo(x, s), ArrayOps.broadcastTo(out, s));
            if (outMask != null) out = Ops.where(ArrayOps.broadcastTo(outMask, s), ArrayOps.broadcastTo(out, s), ArrayOps.broadcastTo(x, s));
            outMask = m != null && outMask != null ? Ops.logicalOr(ArrayOps.broadcastTo(outMask, s), ArrayOps.broadcastTo(m, s)) : null;
            out = pair(out, x);
        }
        if (outMask == null) return out;
        return Masks.attach(out, stepMask(outMask, Masks.of(original.get(0))));
    }

    private static int[] broadcast(int[] a, int[] b) {
        int[] s = new int[a.length];
        for (int i = 0; i < s.length; i++) s[i] = a[i] == 1 ? b[i] : a[i];
        return s;
    }
}
