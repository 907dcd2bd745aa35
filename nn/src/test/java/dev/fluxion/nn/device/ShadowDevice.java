package dev.fluxion.nn.device;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.backend.Backend;
import dev.fluxion.backend.Backends;
import dev.fluxion.backend.Storage;
import dev.fluxion.graph.Executable;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.GraphCompiler;
import dev.fluxion.graph.Node;
import dev.fluxion.graph.RandomKeys;
import dev.fluxion.ops.Op;

import java.util.Map;

/**
 * A test double of an accelerator: tensors on {@link #DEVICE} hold CPU arrays behind a storage that says it lives
 * elsewhere, and every op runs the CPU kernels after checking that all its inputs are on this device. So the
 * device-placement logic (weights moved with {@code moveTo}, optimizer state, host scalars following their op,
 * random keys, metrics, batches and predictions in {@code fit}) runs in CI, without a GPU, and gives the CPU's bits.
 * Graph functions on it are interpreted op by op through the dispatcher. Registered for the kind "cuda" in this
 * module's tests only (the cuda module is not on their class path); {@link #DEVICE} is {@code cuda:7}.
 */
public final class ShadowDevice implements Backend, GraphCompiler {
    public static final Device DEVICE = Device.cuda(7);

    /** The provider the tests' {@code META-INF/services} registers. */
    public static final class Provider implements Backends.BackendProvider {
        @Override
        public String kind() {
            return "cuda";
        }

        @Override
        public Backend open(Device device) {
            return new ShadowDevice(device);
        }
    }

    /** CPU memory that claims to be on the shadow device. */
    record ShadowStorage(Storage inner, Device device) implements Storage {
        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public int size() {
            return inner.size();
        }
    }

    private final Device device;

    ShadowDevice(Device device) {
        this.device = device;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Tensor execute(Op op, Tensor[] inputs, TensorType out) {
        Tensor[] host = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) host[i] = unwrap(op.name(), inputs[i]);
        return wrap(Backends.cpu().execute(op, host, new TensorType(out.dtype(), out.shape(), Device.CPU)));
    }

    @Override
    public Tensor copyFrom(Tensor source) {
        return wrap(source.contiguous());
    }

    @Override
    public Tensor toHost(Tensor source) {
        return unwrap("to(cpu)", source);
    }

    private Tensor unwrap(String op, Tensor t) {
        if (!(t.storage() instanceof ShadowStorage s) || !s.device().equals(device))
            throw new AssertionError(op + ": an input on " + t.device() + " reached " + device);
        return Tensor.wrap(s.inner(), t.shape(), t.strides(), t.offset());
    }

    private Tensor wrap(Tensor host) {
        return Tensor.wrap(new ShadowStorage(host.storage(), device), host.shape(), host.strides(), host.offset());
    }

    /** Runs the traced graph op by op on this device (tapes paused, as for any graph function). */
    @Override
    public Executable compile(String name, Graph graph) {
        return inputs -> Dispatcher.initScope(() -> {
            RandomKeys keys = RandomKeys.draw(graph);
            Map<Node, Tensor> values = new java.util.HashMap<>();
            for (Node n : graph.nodes()) {
                Tensor v = switch (n.kind()) {
                    case INPUT -> inputs[n.inputIndex()];
                    case CONSTANT -> n.constant().device().equals(device) ? n.constant() : n.constant().to(device);
                    case VARIABLE -> n.variable().value();
                    case RANDOM_KEY -> Tensor.of(keys.of(n), 2).to(device);
                    case OP -> Dispatcher.apply(n.op(), java.util.Arrays.stream(n.inputs()).map(values::get).toArray(Tensor[]::new));
                };
                values.put(n, v);
            }
            graph.variableWrites().forEach((variable, node) -> variable.assign(values.get(node)));
            return graph.outputs().stream().map(values::get).toArray(Tensor[]::new);
        });
    }
}
