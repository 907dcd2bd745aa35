package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * One op of the database (PyTorch's OpInfo): the function under test, its float64 reference, sample inputs,
 * tolerances, autodiff capabilities, claimed dtypes and error inputs. The generic tests in this package consume it.
 *
 * <p>Inputs whose {@link Input#dtype} is null are the op's "floating" inputs: the forward tests run them as
 * float32 and as float64, the gradient tests as float64, and the dtype-claim test with every dtype.
 */
record OpInfo(
        String name,
        String family,
        OpFn fn,
        RefFn ref,
        List<Sample> samples,
        double rtol32, double atol32,
        double rtol64, double atol64,
        boolean differentiable,
        boolean secondOrder,
        double gradRtol, double gradAtol,
        Set<DType> dtypes,
        boolean intExact,
        String errorName,
        BiFunction<DType, Args, DType> outDType,
        List<ErrorInput> errors,
        boolean cannotFail) {

    /** The function under test: inputs to outputs (most ops have one output). */
    @FunctionalInterface
    interface OpFn {
        Tensor[] apply(Tensor[] in, Args a);
    }

    @FunctionalInterface
    interface OpFn1 {
        Tensor apply(Tensor[] in, Args a);
    }

    /** The float64 reference: inputs (already rounded to the dtype under test) to outputs. */
    @FunctionalInterface
    interface RefFn {
        Nd[] apply(Nd[] in, Args a);
    }

    @FunctionalInterface
    interface RefFn1 {
        Nd apply(Nd[] in, Args a);
    }

    /** How an input tensor is laid out in memory; its logical values are always those of the sample. */
    enum Layout {
        /** A fresh row-major tensor. */
        CONTIGUOUS,
        /** A transpose view (last two axes swapped) of a row-major tensor. */
        TRANSPOSED,
        /** A step-2 slice, at offset 1, of a larger tensor along the last axis (filler in between). */
        STRIDED,
        /** A step -1 slice of a larger tensor along axis 0 (so a negative stride and a nonzero offset). */
        REVERSED,
        /**
         * A broadcast (stride 0) view along axis 0 of a one-row tensor: the values must repeat along axis 0, so
         * samples with it are forward-only (a finite-difference perturbation of one element would break that).
         */
        EXPANDED
    }

    /** One input of a sample: values, dtype (null: the floating dtype under test) and layout. */
    record Input(Nd values, DType dtype, Layout layout) {
        static Input f(Nd v) { return new Input(v, null, Layout.CONTIGUOUS); }
        static Input f(Nd v, Layout l) { return new Input(v, null, l); }
        static Input fixed(Nd v, DType t) { return new Input(v, t, Layout.CONTIGUOUS); }
        static Input fixed(Nd v, DType t, Layout l) { return new Input(v, t, l); }

        boolean floating() { return dtype == null; }

        @Override
        public String toString() {
            return (dtype == null ? "" : dtype.toString()) + Arrays.toString(values.shape).replace(" ", "")
                    + (layout == Layout.CONTIGUOUS ? "" : " " + layout.name().toLowerCase());
        }
    }

    /** A sample: a label, keyword arguments and inputs; {@code grad} says whether gradient checks use it. */
    record Sample(String label, Args args, List<Input> inputs, boolean grad) {
        /** Samples with inputs of more than this many elements are forward-only (keeps finite differences fast). */
        static final int GRAD_LIMIT = 40;

        static Sample of(String label, Args args, Input... in) {
            boolean small = true;
            for (Input i : in) small &= i.values.size() <= GRAD_LIMIT;
            return new Sample(label, args, List.of(in), small);
        }

        Sample forwardOnly() {
            return new Sample(label, args, inputs, false);
        }

        boolean hasFloating() {
            for (Input i : inputs) if (i.floating()) return true;
            return false;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(label).append(" (");
            for (int i = 0; i < inputs.size(); i++) sb.append(i > 0 ? ", " : "").append(inputs.get(i));
            sb.append(')');
            if (!args.isEmpty()) sb.append(' ').append(args);
            return sb.toString();
        }
    }

    /** An input that must fail: the call, the exception type and a regex searched in the message. */
    record ErrorInput(String label, Class<? extends Throwable> type, String regex, java.util.concurrent.Callable<?> call) {}

    /** Keyword arguments of a sample (axes, keepDims, strides, ...). */
    static final class Args {
        static final Args NONE = new Args(Map.of());
        private final Map<String, Object> map;

        private Args(Map<String, Object> map) {
            this.map = map;
        }

        static Args of(Object... kv) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
            return new Args(m);
        }

        boolean isEmpty() { return map.isEmpty(); }
        Object get(String k) {
            if (!map.containsKey(k)) throw new IllegalArgumentException("sample has no argument '" + k + "'");
            return map.get(k);
        }
        int i(String k) { return (Integer) get(k); }
        double d(String k) { return ((Number) get(k)).doubleValue(); }
        boolean b(String k) { return (Boolean) get(k); }
        int[] ints(String k) { return (int[]) get(k); }
        DType dtype(String k) { return (DType) get(k); }
        boolean has(String k) { return map.containsKey(k); }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("{");
            map.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=')
                    .append(v instanceof int[] a ? Arrays.toString(a) : v instanceof int[][] p ? Arrays.deepToString(p) : String.valueOf(v)));
            return sb.append('}').toString();
        }
    }

    static Builder op(String name, String family) {
        return new Builder(name, family);
    }

    /** Fluent construction with the defaults the generic tests assume. */
    static final class Builder {
        private final String name, family;
        private OpFn fn;
        private RefFn ref;
        private final List<Sample> samples = new ArrayList<>();
        private double rtol32 = 1e-5, atol32 = 1e-6, rtol64 = 1e-12, atol64 = 1e-12;
        private boolean differentiable = true, secondOrder;
        private double gradRtol = 1e-4, gradAtol = 1e-6;
        private Set<DType> dtypes = EnumSet.of(DType.FLOAT32, DType.FLOAT64);
        private boolean intExact;
        private String errorName;
        private BiFunction<DType, Args, DType> outDType = (t, a) -> t;
        private final List<ErrorInput> errors = new ArrayList<>();
        private boolean cannotFail;

        private Builder(String name, String family) {
            this.name = name;
            this.family = family;
        }

        Builder fn(OpFn f) { fn = f; return this; }
        Builder fn1(OpFn1 f) { fn = (in, a) -> new Tensor[] {f.apply(in, a)}; return this; }
        Builder ref(RefFn r) { ref = r; return this; }
        Builder ref1(RefFn1 r) { ref = (in, a) -> new Nd[] {r.apply(in, a)}; return this; }
        Builder sample(Sample s) { samples.add(s); return this; }
        Builder samples(List<Sample> s) { samples.addAll(s); return this; }
        Builder sample(String label, Args args, Input... in) { return sample(Sample.of(label, args, in)); }
        Builder sample(String label, Input... in) { return sample(Sample.of(label, Args.NONE, in)); }
        /** Float32 forward tolerances (default rtol 1e-5, atol 1e-6). */
        Builder tol32(double rtol, double atol) { rtol32 = rtol; atol32 = atol; return this; }
        /** Float64 forward tolerances (default 1e-12 both). */
        Builder tol64(double rtol, double atol) { rtol64 = rtol; atol64 = atol; return this; }
        Builder notDifferentiable() { differentiable = false; return this; }
        /** Second-order gradients (gradient of a gradient) are checked too. */
        Builder secondOrder() { secondOrder = true; return this; }
        Builder gradTol(double rtol, double atol) { gradRtol = rtol; gradAtol = atol; return this; }
        /** Dtypes the floating inputs may have (default float32 and float64). */
        Builder dtypes(DType... t) { dtypes = EnumSet.copyOf(Arrays.asList(t)); return this; }
        /** The float64 reference is exact for integer inputs too (checked by the dtype-claim test). */
        Builder intExact() { intExact = true; return this; }
        /** Regex for the op name that error messages must contain (default: the op name). */
        Builder errorName(String regex) { errorName = regex; return this; }
        Builder outDType(BiFunction<DType, Args, DType> f) { outDType = f; return this; }
        Builder error(String label, Class<? extends Throwable> type, String regex, java.util.concurrent.Callable<?> call) {
            errors.add(new ErrorInput(label, type, regex, call));
            return this;
        }
        Builder iae(String label, String regex, java.util.concurrent.Callable<?> call) { return error(label, IllegalArgumentException.class, regex, call); }
        /** The op has no failing inputs (so no error inputs are expected). */
        Builder cannotFail() { cannotFail = true; return this; }

        OpInfo build() {
            if (fn == null || ref == null) throw new IllegalStateException(name + ": needs fn and ref");
            return new OpInfo(name, family, fn, ref, List.copyOf(samples), rtol32, atol32, rtol64, atol64,
                    differentiable, secondOrder && differentiable, gradRtol, gradAtol, dtypes, intExact,
                    errorName != null ? errorName : java.util.regex.Pattern.quote(name), outDType, List.copyOf(errors), cannotFail);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
