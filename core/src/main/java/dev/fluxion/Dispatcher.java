package dev.fluxion;

import dev.fluxion.backend.Backends;
import dev.fluxion.ops.Op;

/**
 * The one dispatch point of every primitive. It infers and validates the output type with the op's shape rule,
 * asks the current {@link Interpreter} to produce the result (eagerly on the inputs' device by default, or as a
 * graph node while tracing), then lets every active {@link GradientTape} record the call. Eager and traced code
 * therefore share semantics and error messages.
 */
public final class Dispatcher {
    private Dispatcher() {}

    /**
     * Produces the output of a primitive, eagerly or symbolically. The default methods are the eager behaviour of
     * the stateful parts (variables and random keys) that a graph tracer intercepts.
     */
    public interface Interpreter {
        Tensor execute(Op op, Tensor[] inputs, TensorType out);

        /** The tensor a read of {@code variable} yields; eagerly its current value. */
        default Tensor readVariable(Variable variable, Tensor current) {
            return current;
        }

        /** Records an assignment; returns false when the variable should simply store the value (eager). */
        default boolean assignVariable(Variable variable, Tensor value) {
            return false;
        }

        /** Called when a variable is created, so a tracer can enforce TensorFlow's "create only once" rule. */
        default void variableCreated(Variable variable) {}

        /**
         * The key of a random request of the given shape from {@code rng}, on the device that will draw the numbers;
         * eagerly it is taken and the counter advanced.
         */
        default Tensor randomKey(dev.fluxion.random.Rng rng, int[] shape, Device device) {
            long[] key = rng.take(Shapes.size(shape));
            Tensor host = Tensor.of(key, 2);
            return device.equals(Device.CPU) ? host : host.to(device);
        }
    }

    private static final Interpreter EAGER = (op, inputs, out) -> {
        for (Tensor t : inputs)
            if (t.isSymbolic())
                throw new IllegalStateException(op.name() + ": got a symbolic tensor from a graph function outside of it; "
                        + "return values from the function instead of keeping its intermediate tensors");
        return Backends.get(out.device()).execute(op, inputs, out);
    };

    private static final ThreadLocal<Interpreter> CURRENT = ThreadLocal.withInitial(() -> EAGER);

    /** Applies a primitive to its inputs. */
    public static Tensor apply(Op op, Tensor... inputs) {
        inputs = DeviceScalars.followDevice(inputs);
        TensorType[] types = new TensorType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) throw new IllegalArgumentException(op.name() + ": input " + i + " is null");
            types[i] = inputs[i].type();
        }
        TensorType out = op.infer(types);
        Tensor result = CURRENT.get().execute(op, inputs, out);
        GradientTape.recordOnActiveTapes(op, inputs, result);
        return result;
    }

    /**
     * Runs {@code body} eagerly even inside a graph function being traced, with tapes paused: the place for
     * one-time initialization such as variables' initial values (TensorFlow's {@code init_scope}).
     */
    public static <T> T initScope(java.util.function.Supplier<T> body) {
        try (var paused = GradientTape.pauseAll()) {
            return with(EAGER, body);
        }
    }

    /** Whether ops run eagerly on this thread (no graph function is being traced). */
    public static boolean isEager() {
        return CURRENT.get() == EAGER;
    }

    /** The interpreter in force on this thread. */
    public static Interpreter current() {
        return CURRENT.get();
    }

    /** Runs {@code body} with another interpreter in force on this thread (the tracer uses this). */
    public static <T> T with(Interpreter interpreter, java.util.function.Supplier<T> body) {
        Interpreter previous = CURRENT.get();
        CURRENT.set(interpreter);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
        }
    }
}
