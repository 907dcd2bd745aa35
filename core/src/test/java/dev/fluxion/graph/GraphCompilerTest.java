package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.backend.Backend;
import dev.fluxion.backend.Storage;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** GraphFunction hands a graph to the graph compiler of the device its inputs and variables live on, else the CPU. */
class GraphCompilerTest {
    private static final Device GPU = Device.cuda(0);

    /** Storage on a device this machine need not have: tracing only reads tensor types. */
    private record FakeStorage(Device device, DType dtype, int size) implements Storage {}

    private static class PlainBackend implements Backend {
        public Device device() { return GPU; }
        public Tensor execute(Op op, Tensor[] inputs, TensorType out) { throw new AssertionError("nothing runs here"); }
        public Tensor copyFrom(Tensor source) { throw new AssertionError(); }
        public Tensor toHost(Tensor source) { throw new AssertionError(); }
    }

    private static final class CompilingBackend extends PlainBackend implements GraphCompiler {
        final List<Graph> compiled = new ArrayList<>();
        final Executable executable = inputs -> new Tensor[0];

        public Executable compile(String name, Graph optimized) {
            compiled.add(optimized);
            return executable;
        }
    }

    /** The optimized graph of {@code body} traced for inputs of the given types. */
    private static Graph trace(Function<Tensor[], Tensor[]> body, TensorType... inputs) {
        Tracer tracer = new Tracer("f", true);
        Tensor[] symbolic = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) symbolic[i] = tracer.input(i, inputs[i]);
        Tensor[] out = Dispatcher.with(tracer, () -> body.apply(symbolic));
        return Passes.optimize(tracer.finish(out));
    }

    private static TensorType f32(Device d, int... shape) {
        return new TensorType(DType.FLOAT32, shape, d);
    }

    @Test
    void aGraphOnADeviceWhoseBackendCompilesGraphsGoesToThatCompiler() {
        Variable v = new Variable(Tensor.wrap(new FakeStorage(GPU, DType.FLOAT32, 3), new int[] {3}), "v");
        Graph g = trace(in -> new Tensor[] {in[0].mul(v.value()).sum()}, f32(GPU, 3));
        assertEquals(GPU, GraphFunction.deviceOf(g));
        CompilingBackend gpu = new CompilingBackend();
        List<Device> asked = new ArrayList<>();
        Executable e = GraphFunction.compile("f", g, d -> { asked.add(d); return gpu; });
        assertSame(gpu.executable, e);
        assertEquals(List.of(g), gpu.compiled);
        assertEquals(List.of(GPU), asked);
    }

    @Test
    void aBackendWithoutACompilerACpuGraphAndMixedDevicesGetTheCpuExecutable() {
        Graph onGpu = trace(in -> new Tensor[] {in[0].square()}, f32(GPU, 3));
        assertInstanceOf(CpuExecutable.class, GraphFunction.compile("f", onGpu, d -> new PlainBackend()));

        Graph onCpu = trace(in -> new Tensor[] {in[0].square()}, f32(Device.CPU, 3));
        assertInstanceOf(CpuExecutable.class, GraphFunction.compile("f", onCpu, d -> { throw new AssertionError("asked for " + d); }));

        Graph mixed = trace(in -> new Tensor[] {in[0].square(), in[1].square()}, f32(Device.CPU, 3), f32(GPU, 3));
        assertNull(GraphFunction.deviceOf(mixed));
        assertInstanceOf(CpuExecutable.class, GraphFunction.compile("f", mixed, d -> new CompilingBackend()));
    }

    @Test
    void cpuGraphFunctionsStillRunOnTheCpuExecutable() {
        var f = Fx.function("square_sum", (Tensor x) -> x.square().sum());
        assertEquals(14.0, f.call(Tensor.vector(1, 2, 3)).item());
        assertTrue(f.describe().contains("CPU plan"), f.describe());
    }
}
