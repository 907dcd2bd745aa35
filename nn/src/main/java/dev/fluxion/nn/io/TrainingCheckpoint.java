package dev.fluxion.nn.io;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.IteratorState;
import dev.fluxion.random.Rng;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Everything an exact resume needs, in one crash-safe, checksummed file: model weights, optimizer variables
 * (iterations and slots), the epoch and step counters, named random-generator states, the data iterator's saved
 * position and free-form string state (for example a callback's best value).
 *
 * <p>The file is a valid safetensors file (tensors {@code model/<variable name>} and
 * {@code optimizer/<index>/<variable name>}; counters, RNG states, the base64 iterator state and a CRC32C of the whole
 * file in {@code __metadata__}), so Python tools can inspect it. It is written with {@link AtomicFiles} (temporary
 * file, {@code force}, atomic rename, directory fsync): a crash mid-save leaves the previous checkpoint intact. On
 * load the checksum is verified first; a damaged file raises {@link SafetensorsException} naming the file.
 */
public final class TrainingCheckpoint {
    public static final String FORMAT = "fluxion.training-checkpoint/1";
    private static final String CRC_KEY = "crc32c";
    private static final String CRC_PLACEHOLDER = "00000000";
    private static final byte[] CRC_PATTERN = ("\"" + CRC_KEY + "\":\"").getBytes(StandardCharsets.US_ASCII);

    private final Map<String, Tensor> weights;
    private final List<Map.Entry<String, Tensor>> optimizer;
    private final int epoch;
    private final long step;
    private final Map<String, long[]> rngs;
    private final byte[] iterator;
    private final Map<String, String> extra;

    /**
     * @param weights   model variable values by variable name
     * @param optimizer optimizer variables in {@code Optimizer.variables()} order, as (name, value)
     * @param epoch     the number of completed epochs (training resumes at this 0-based epoch index)
     * @param step      the number of completed training steps
     * @param rngs      named generator states ({@link Rng#state()})
     * @param iterator  the data iterator's saved position, or null
     * @param extra     free-form string state, or empty
     */
    public TrainingCheckpoint(Map<String, Tensor> weights, List<Map.Entry<String, Tensor>> optimizer, int epoch, long step,
                              Map<String, long[]> rngs, IteratorState iterator, Map<String, String> extra) {
        this.weights = new LinkedHashMap<>(weights);
        this.optimizer = List.copyOf(optimizer);
        this.epoch = epoch;
        this.step = step;
        this.rngs = new LinkedHashMap<>(rngs);
        this.iterator = iterator == null ? null : iterator.toBytes();
        this.extra = new LinkedHashMap<>(extra);
    }

    /** Captures current values (copies of the tensors, which are immutable) of the given variables and generators. */
    public static TrainingCheckpoint capture(List<Variable> modelVariables, List<Variable> optimizerVariables, int epoch, long step,
                                             Map<String, Rng> rngs, IteratorState iterator, Map<String, String> extra) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (Variable v : modelVariables)
            if (w.put(v.name(), v.value()) != null)
                throw new IllegalArgumentException("checkpoint: two model variables are named '" + v.name() + "'; variable names must be unique");
        List<Map.Entry<String, Tensor>> o = new ArrayList<>();
        for (Variable v : optimizerVariables) o.add(Map.entry(v.name(), v.value()));
        Map<String, long[]> r = new LinkedHashMap<>();
        rngs.forEach((k, g) -> r.put(k, g.state()));
        return new TrainingCheckpoint(w, o, epoch, step, r, iterator, extra == null ? Map.of() : extra);
    }

    public Map<String, Tensor> weights() {
        return weights;
    }

    public List<Map.Entry<String, Tensor>> optimizerVariables() {
        return optimizer;
    }

    public int epoch() {
        return epoch;
    }

    public long step() {
        return step;
    }

    public Map<String, long[]> rngStates() {
        return rngs;
    }

    /** The saved data-iterator position, or null when none was saved. */
    public IteratorState iteratorState() {
        return iterator == null ? null : IteratorState.fromBytes(iterator);
    }

    public Map<String, String> extra() {
        return extra;
    }

    /**
     * Assigns the saved values to the variables and generators. Every saved model weight must match a variable by name
     * and shape, optimizer variables by position and shape, every named generator must be in the checkpoint. Everything
     * is checked before anything is assigned: on a mismatch the variables and generators keep their values.
     */
    public void restore(List<Variable> modelVariables, List<Variable> optimizerVariables, Map<String, Rng> rngGenerators) {
        if (optimizerVariables.size() != optimizer.size())
            throw new IllegalStateException("checkpoint: it holds " + optimizer.size() + " optimizer variables, the optimizer has "
                    + optimizerVariables.size() + " (is it the same optimizer, and built?)");
        for (int i = 0; i < optimizer.size(); i++) {
            Variable v = optimizerVariables.get(i);
            Tensor t = optimizer.get(i).getValue();
            if (!Arrays.equals(v.shape(), t.shape()) || v.dtype() != t.dtype())
                throw new IllegalStateException("checkpoint: optimizer variable " + i + " '" + v.name() + "' is " + v.type() + " but the checkpoint holds '"
                        + optimizer.get(i).getKey() + "' " + t.type());
        }
        for (String name : rngGenerators.keySet())
            if (!rngs.containsKey(name)) throw new IllegalStateException("checkpoint: no state for random generator '" + name + "' (has " + rngs.keySet() + ")");
        Weights.assign("checkpoint", weights, modelVariables); // checks all weights before assigning any
        for (int i = 0; i < optimizer.size(); i++) {
            Variable v = optimizerVariables.get(i);
            v.assign(optimizer.get(i).getValue().to(v.type().device())); // files load to the host
        }
        for (var e : rngGenerators.entrySet()) e.getValue().setState(rngs.get(e.getKey()));
    }

    // ------------------------------------------------------------------ file form

    /** Writes the checkpoint atomically (temporary file in the same directory, fsync, rename, directory fsync). */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    /** The file bytes: a safetensors file whose metadata holds the state and a CRC32C of the whole file. */
    public byte[] toBytes() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        weights.forEach((k, v) -> tensors.put("model/" + k, v));
        for (int i = 0; i < optimizer.size(); i++) tensors.put(String.format("optimizer/%04d/%s", i, optimizer.get(i).getKey()), optimizer.get(i).getValue());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(CRC_KEY, CRC_PLACEHOLDER);
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("step", Long.toString(step));
        rngs.forEach((k, s) -> meta.put("rng:" + k, s[0] + "," + s[1]));
        if (iterator != null) meta.put("iterator", Base64.getEncoder().encodeToString(iterator));
        extra.forEach((k, v) -> meta.put("extra:" + k, v));
        byte[] bytes = Safetensors.serialize(tensors, meta);
        int at = indexOf(bytes, CRC_PATTERN) + CRC_PATTERN.length;
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        byte[] hex = String.format("%08x", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, bytes, at, 8);
        return bytes;
    }

    /** Reads a checkpoint, verifying its checksum before anything else. */
    public static TrainingCheckpoint read(Path file) throws IOException {
        return fromBytes(AtomicFiles.readAll(file), file.toString());
    }

    /** Parses checkpoint bytes; {@code source} names the file in errors. */
    public static TrainingCheckpoint fromBytes(byte[] bytes, String source) throws SafetensorsException {
        int at = indexOf(bytes, CRC_PATTERN);
        if (at < 0 || at + CRC_PATTERN.length + 9 > bytes.length)
            throw new SafetensorsException(source + ": not a Fluxion training checkpoint, or its header is corrupt (no checksum found)");
        at += CRC_PATTERN.length;
        String stored = new String(bytes, at, 8, StandardCharsets.US_ASCII);
        byte[] copy = bytes.clone();
        System.arraycopy(CRC_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII), 0, copy, at, 8);
        CRC32C crc = new CRC32C();
        crc.update(copy);
        String actual = String.format("%08x", crc.getValue());
        if (!actual.equals(stored))
            throw new SafetensorsException(source + ": checkpoint is corrupt: CRC32C stored " + stored + ", computed " + actual
                    + " (a torn or damaged write; use an older checkpoint)");
        Safetensors.Contents c = Safetensors.deserialize(bytes, source);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format")))
            throw new SafetensorsException(source + ": not a Fluxion training checkpoint (format " + meta.get("format") + ", expected " + FORMAT + ")");
        try {
            Map<String, Tensor> w = new LinkedHashMap<>();
            java.util.TreeMap<String, Map.Entry<String, Tensor>> opt = new java.util.TreeMap<>();
            for (var e : c.tensors().entrySet()) {
                String k = e.getKey();
                if (k.startsWith("model/")) w.put(k.substring(6), e.getValue());
                else if (k.startsWith("optimizer/")) {
                    int slash = k.indexOf('/', 10);
                    opt.put(k.substring(10, slash), Map.entry(k.substring(slash + 1), e.getValue()));
                } else throw new SafetensorsException(source + ": unexpected tensor '" + k + "' in a training checkpoint");
            }
            Map<String, long[]> rngs = new LinkedHashMap<>();
            Map<String, String> extra = new LinkedHashMap<>();
            for (var e : meta.entrySet()) {
                if (e.getKey().startsWith("rng:")) {
                    String[] p = e.getValue().split(",");
                    rngs.put(e.getKey().substring(4), new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])});
                } else if (e.getKey().startsWith("extra:")) extra.put(e.getKey().substring(6), e.getValue());
            }
            IteratorState it = meta.containsKey("iterator") ? IteratorState.fromBytes(Base64.getDecoder().decode(meta.get("iterator"))) : null;
            return new TrainingCheckpoint(w, new ArrayList<>(opt.values()), Integer.parseInt(meta.get("epoch")), Long.parseLong(meta.get("step")),
                    rngs, it, extra);
        } catch (RuntimeException e) {
            throw new SafetensorsException(source + ": malformed training checkpoint: " + e.getMessage(), e);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        int limit = (int) Math.min(hay.length - (long) needle.length, 8 + Safetensors.MAX_HEADER_SIZE);
        outer:
        for (int i = 8; i <= limit; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
