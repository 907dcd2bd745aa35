package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.ErrorMessages.assertMentions;

/**
 * Graph functions called with bad arguments, returning what they cannot, or leaking their symbolic tensors: each
 * error names the function and what was wrong.
 */
class GraphFunctionErrorsTest {
    /** A symbolic tensor kept from a finished trace of a function named "leaky". */
    private static Tensor leakedSymbolicTensor() {
        Tensor[] kept = new Tensor[1];
        Fx.function("leaky", (Tensor x) -> {
            kept[0] = x.mul(2);
            return x;
        }).call(Tensor.vector(1, 2));
        assertTrue(kept[0].isSymbolic());
        return kept[0];
    }

    @Test
    void tensorBodyCalledWithAPlainValueNamesTheArgument() {
        var f = Fx.function("scale", (Tensor x) -> x.mul(2));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call("not a tensor"));
        assertMentions(e, "scale", "argument 0 must be a Tensor, got String");
        var g = assertThrows(IllegalArgumentException.class, () -> f.call((Object) null));
        assertMentions(g, "scale", "argument 0 must be a Tensor, got null");
    }

    @Test
    void argumentsThatAreNeitherTensorsNorPlainValuesAreRejected() {
        var f = Fx.functionOf("step", args -> (Tensor) args[0]);
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.vector(1), new Variable(Tensor.vector(1), "w")));
        assertMentions(e, "step", "tensors or plain Java values", "dev.fluxion.Variable");
    }

    @Test
    void inputSignatureArgumentCountMustMatch() {
        var f = Fx.functionOf("pair", args -> ((Tensor) args[0]).add((Tensor) args[1]))
                .withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 3), TensorSpec.of(DType.FLOAT32, -1, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(2, 3)));
        assertMentions(e, "pair", "input signature has 2 tensors", "passed 1 arguments");
    }

    @Test
    void inputSignatureArgumentsMustBeTensors() {
        var f = Fx.functionOf("scaled", args -> ((Tensor) args[0]).mul(2)).withInputSignature(TensorSpec.of(DType.FLOAT32, -1));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(3));
        assertMentions(e, "scaled", "every argument must be a Tensor", "argument 0 is Integer");
    }

    @Test
    void unknownBatchDimensionMustAgreeAcrossArguments() {
        var f = Fx.function("sum2", (Tensor x, Tensor y) -> x.add(y))
                .withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 3), TensorSpec.of(DType.FLOAT32, -1, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(2, 3), Tensor.zeros(4, 3)));
        assertMentions(e, "sum2", "unknown batch dimension is 2", "4 in argument 1");
    }

    @Test
    void reshapeMustKeepTheKnownPartWithAnUnknownBatch() {
        var f = Fx.function("regroup", (Tensor x) -> x.reshape(-1, 4)).withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(4, 3)));
        assertMentions(e, "regroup", "reshape", "[-1,3]", "[-1,4]", "keep 3 elements");
    }

    @Test
    void returnValuesMustBeTensorsOrCollectionsOfThem() {
        var e = assertThrows(IllegalArgumentException.class, () -> Fx.function("text", (Tensor x) -> "done").call(Tensor.vector(1)));
        assertMentions(e, "text", "must return a Tensor", "java.lang.String");
        var f = assertThrows(IllegalArgumentException.class, () -> Fx.function("mixed", (Tensor x) -> List.of(x, 1)).call(Tensor.vector(1)));
        assertMentions(f, "mixed", "must hold tensors", "java.lang.Integer");
        Map<String, Tensor> withNull = new HashMap<>();
        withNull.put("loss", null);
        var g = assertThrows(IllegalArgumentException.class, () -> Fx.function("map", (Tensor x) -> withNull).call(Tensor.vector(1)));
        assertMentions(g, "map", "must hold tensors", "got null");
        var h = assertThrows(IllegalArgumentException.class, () -> Fx.function("each", (Tensor x) -> 1.5).callEach(Tensor.zeros(2, 3)));
        assertMentions(h, "each", "must return a Tensor", "java.lang.Double");
    }

    @Test
    void returnedArrayWithANullIsRejectedLikeAList() {
        // used to fail with a NullPointerException from the graph builder
        var f = Fx.function("pair_out", (Tensor x) -> new Tensor[] {x, null});
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.vector(1)));
        assertMentions(e, "pair_out", "must hold tensors", "got null");
        var g = Fx.function("list_out", (Tensor x) -> Arrays.asList(x, null));
        var h = assertThrows(IllegalArgumentException.class, () -> g.call(Tensor.vector(1)));
        assertMentions(h, "list_out", "must hold tensors", "got null");
    }

    @Test
    void symbolicTensorUsedEagerlyNamesTheOp() {
        Tensor leaked = leakedSymbolicTensor();
        var e = assertThrows(IllegalStateException.class, () -> leaked.add(Tensor.vector(1, 2)));
        assertMentions(e, "add", "symbolic tensor from a graph function outside of it");
    }

    @Test
    void symbolicTensorOfAnotherFunctionUsedWhileTracing() {
        Tensor leaked = leakedSymbolicTensor();
        var f = Fx.function("consumer", (Tensor x) -> x.add(leaked));
        var e = assertThrows(IllegalStateException.class, () -> f.call(Tensor.vector(1, 2)));
        assertMentions(e, "consumer", "symbolic tensor from another graph function");
    }

    @Test
    void symbolicTensorOfAnotherFunctionIsRejectedHoweverManyNodesTheTraceHas() {
        Tensor leaked = leakedSymbolicTensor();
        for (int arity = 1; arity <= 4; arity++) {
            var f = Fx.functionOf("consumer" + arity, args -> ((Tensor) args[0]).add(leaked));
            Object[] args = new Object[arity];
            Arrays.fill(args, Tensor.vector(1, 2));
            var e = assertThrows(IllegalStateException.class, () -> f.call(args));
            assertMentions(e, "consumer" + arity, "symbolic tensor from another graph function");
        }
    }

    @Test
    void symbolicTensorPassedAsAnArgument() {
        Tensor leaked = leakedSymbolicTensor();
        var e = assertThrows(IllegalArgumentException.class, () -> Fx.function("plain", (Tensor x) -> x.add(1)).call(leaked));
        assertMentions(e, "plain", "symbolic tensor of another graph function");
        // with an input signature the argument used to reach the compiled graph and fail there, naming no argument
        var f = Fx.function("signed", (Tensor x) -> x.add(1)).withInputSignature(TensorSpec.of(DType.FLOAT32, 2));
        var g = assertThrows(IllegalArgumentException.class, () -> f.call(leaked));
        assertMentions(g, "signed", "argument 0", "symbolic tensor of another graph function");
    }

    @Test
    void variableCannotTakeASymbolicValueOutsideItsFunction() {
        Variable w = new Variable(Tensor.vector(5, 6), "w");
        Tensor leaked = leakedSymbolicTensor();
        // used to succeed, leaving the variable without a value
        var e = assertThrows(IllegalArgumentException.class, () -> w.assign(leaked));
        assertMentions(e, "assign", "variable 'w'", "symbolic tensor");
        assertArrayEquals(new float[] {5, 6}, w.value().toFloatArray(), "the variable keeps its value");
        var f = Fx.function("assigner", (Tensor x) -> {
            w.assign(leaked);
            return x;
        });
        var g = assertThrows(IllegalStateException.class, () -> f.call(Tensor.vector(1, 2)));
        assertMentions(g, "assigner", "symbolic tensor from another graph function");
    }

    @Test
    void variableInitialValueMustNotBeSymbolic() {
        var f = Fx.function("builder", (Tensor x) -> new Variable(x.mul(2), "kernel").value());
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.vector(1)));
        assertMentions(e, "builder", "variable 'kernel'", "symbolic tensor", "initScope");
    }
}
