package dev.fluxion;

import org.junit.jupiter.api.Test;

import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.ErrorMessages.assertMentions;

/** Fx.whileLoop and Fx.cond with bad conditions, bodies or loop variables, eagerly and while tracing. */
class FxErrorsTest {
    private static final Function<Tensor[], Tensor> BELOW_10 = v -> Ops.less(v[0], Tensor.scalar(10f));

    private static Tensor[] loop(UnaryOperator<Tensor[]> body) {
        return Fx.whileLoop(BELOW_10, body, new Tensor[] {Tensor.scalar(0f)}, 20);
    }

    @Test
    void eagerLoopPastMaximumIterationsFails() {
        var e = assertThrows(IllegalStateException.class,
                () -> Fx.whileLoop(BELOW_10, v -> new Tensor[] {v[0].add(1)}, new Tensor[] {Tensor.scalar(0f)}, 3));
        assertMentions(e, "while_loop", "maximumIterations = 3");
    }

    @Test
    void bodyReturningAnotherNumberOfValuesIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> loop(v -> new Tensor[] {v[0].add(1), v[0]}));
        assertMentions(e, "while_loop", "body returned 2 values for 1 loop variables");
    }

    @Test
    void bodyChangingALoopVariablesTypeIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> loop(v -> new Tensor[] {v[0].add(1).cast(DType.FLOAT64)}));
        assertMentions(e, "while_loop", "loop variable 0", "float32[]", "float64[]");
        var f = assertThrows(IllegalArgumentException.class, () -> loop(v -> new Tensor[] {v[0].add(Tensor.zeros(2))}));
        assertMentions(f, "while_loop", "loop variable 0", "float32[2]");
    }

    @Test
    void nullsFromTheBodyOrConditionAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> loop(v -> null));
        assertMentions(e, "while_loop", "body returned null");
        var f = assertThrows(IllegalArgumentException.class, () -> loop(v -> new Tensor[] {null}));
        assertMentions(f, "while_loop", "null for loop variable 0");
        var g = assertThrows(IllegalArgumentException.class,
                () -> Fx.whileLoop(v -> null, v -> v, new Tensor[] {Tensor.scalar(0f)}, 3));
        assertMentions(g, "while_loop", "condition is null");
        var h = assertThrows(IllegalArgumentException.class,
                () -> Fx.whileLoop(BELOW_10, v -> v, new Tensor[] {Tensor.scalar(0f), null}, 3));
        assertMentions(h, "while_loop", "loop variable 1 is null");
        var i = assertThrows(IllegalArgumentException.class, () -> Fx.cond(null, () -> Tensor.scalar(1f), () -> Tensor.scalar(2f)));
        assertMentions(i, "cond", "condition is null");
    }

    @Test
    void conditionMustBeAScalarBool() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Fx.whileLoop(v -> v[0], v -> v, new Tensor[] {Tensor.scalar(0f)}, 3));
        assertMentions(e, "while_loop", "0-d bool", "float32[]");
        var f = assertThrows(IllegalArgumentException.class,
                () -> Fx.whileLoop(v -> Ops.less(v[0], Tensor.vector(1, 2)), v -> v, new Tensor[] {Tensor.scalar(0f)}, 3));
        assertMentions(f, "while_loop", "0-d bool", "bool[2]");
        var g = assertThrows(IllegalArgumentException.class, () -> Fx.cond(Tensor.scalar(1f), () -> Tensor.scalar(1f), () -> Tensor.scalar(2f)));
        assertMentions(g, "cond", "0-d bool", "float32[]");
        var h = assertThrows(IllegalArgumentException.class,
                () -> Fx.cond(Tensor.of(new boolean[] {true, false}, 2), () -> Tensor.scalar(1f), () -> Tensor.scalar(2f)));
        assertMentions(h, "cond", "0-d bool", "bool[2]");
    }

    @Test
    void tracedLoopAndCondReportTheSameErrorsUnderTheFunctionsName() {
        var body = Fx.function("traced_loop", (Tensor x) ->
                Fx.whileLoop(BELOW_10, v -> new Tensor[] {v[0], v[0]}, new Tensor[] {x}, 3)[0]);
        var e = assertThrows(IllegalArgumentException.class, () -> body.call(Tensor.scalar(0f)));
        assertMentions(e, "traced_loop", "while_loop", "body returned 2 values for 1 loop variables");
        var cond = Fx.function("traced_cond", (Tensor x) -> Fx.cond(x, () -> x, () -> x.neg()));
        var f = assertThrows(IllegalArgumentException.class, () -> cond.call(Tensor.scalar(1f)));
        assertMentions(f, "traced_cond", "cond", "0-d bool", "float32[]");
    }
}
