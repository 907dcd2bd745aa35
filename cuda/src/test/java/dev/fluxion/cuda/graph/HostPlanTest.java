package dev.fluxion.cuda.graph;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Whole training steps executed on the host with their generated CUDA C, through one byte array laid out as the
 * executable's device block, against the CPU graph function from the same state: kernels, their argument wiring,
 * the memory plan, the fixed buffers, the escape copies and the variable write-back (by copy or in place) together.
 */
class HostPlanTest {
    @Test
    void trainingStepsRunThroughTheirGeneratedKernelsAndArenaGiveTheCpuResults() throws Exception {
        for (boolean sequences : new boolean[] {false, true})
        for (TrainingSteps.Traced t : List.of(TrainingSteps.mlpAdam(false), TrainingSteps.regressionMomentum(), TrainingSteps.swap(),
                TrainingSteps.oldValuesReadLate())) {
            LaunchPlan plan = new LaunchPlan(t.graph(), sequences);
            List<Tensor> before = t.variables().stream().map(Variable::value).toList();
            HostArenaRunner.Result host = new HostArenaRunner(plan, MemoryPlan.of(plan)).run(t.tensorArgs());
            Tensor[] expected = t.call(); // the CPU executable, from the same variables
            for (int i = 0; i < expected.length; i++) assertClose(t.name() + " output " + i, expected[i], host.outputs()[i]);
            assertEquals(t.graph().variableWrites().keySet(), host.variables().keySet(), t.name());
            for (Variable v : t.graph().variableWrites().keySet()) {
                assertClose(t.name() + " " + v.name(), v.value(), host.variables().get(v));
                int index = t.variables().indexOf(v);
                assertFalse(java.util.Arrays.equals(before.get(index).toDoubleArray(), v.value().toDoubleArray()), v.name() + " did not change");
            }
        }
    }

    private static void assertClose(String label, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), label);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double tol = expected.dtype() == dev.fluxion.DType.FLOAT64 ? 1e-12 : 2e-5;
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), label + " at " + i);
    }
}
