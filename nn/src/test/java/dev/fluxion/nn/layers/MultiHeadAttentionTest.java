package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static dev.fluxion.nn.TestData.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Functional;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.KerasTensor;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.Summary;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MultiHeadAttention against Keras 3's definition written out in float64 loops here: per head, Q = query·Wq + bq,
 * K and V likewise, scores Q·K^T / sqrt(keyDim), softmax over the key steps that the combined mask allows (a row that
 * allows none gets zeros, which is what Keras' -1e9 fill followed by multiplying by the mask gives), then the
 * probabilities times V and the output projection.
 */
class MultiHeadAttentionTest {

    /** The layer's weight {@code part} ("query/kernel", ...) as doubles, or null when absent. */
    private static double[] w(MultiHeadAttention mha, String part) {
        for (Variable v : mha.variables()) if (v.name().equals(mha.name() + "/" + part)) return v.value().toDoubleArray();
        return null;
    }

    /**
     * The reference: out [B, T, O] and probs [B, H, T, S]. {@code allowed} [B, T, S] (null: all); {@code drop}
     * [B, H, T, S] multiplies the probabilities before they average the values (null: no dropout).
     */
    private static double[][] reference(MultiHeadAttention mha, double[] q, double[] k, double[] v, int b, int t, int s, int fq, int fk, int fv,
                                        boolean[] allowed, double[] drop) {
        MultiHeadAttention l = mha;
        int h = mha.numHeads(), dk = mha.keyDim(), dv = mha.valueDim();
        double[] wq = w(l, "query/kernel"), wk = w(l, "key/kernel"), wv = w(l, "value/kernel"), wo = w(l, "attention_output/kernel");
        double[] bq = w(l, "query/bias"), bk = w(l, "key/bias"), bv = w(l, "value/bias"), bo = w(l, "attention_output/bias");
        int o = wo.length / (h * dv);
        double[] out = new double[b * t * o], probs = new double[b * h * t * s];
        for (int n = 0; n < b; n++) {
            double[][] ctx = new double[t][h * dv];
            for (int head = 0; head < h; head++) {
                double[][] qh = project(q, wq, bq, n, t, fq, h, head, dk), kh = project(k, wk, bk, n, s, fk, h, head, dk),
                        vh = project(v, wv, bv, n, s, fv, h, head, dv);
                for (int i = 0; i < t; i++) {
                    double[] sc = new double[s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        for (int d = 0; d < dk; d++) sc[j] += qh[i][d] * kh[j][d];
                        sc[j] /= Math.sqrt(dk);
                        if (ok(allowed, n, i, j, t, s)) max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) sum += ok(allowed, n, i, j, t, s) ? Math.exp(sc[j] - max) : 0;
                    for (int j = 0; j < s; j++) {
                        int at = ((n * h + head) * t + i) * s + j;
                        probs[at] = ok(allowed, n, i, j, t, s) ? Math.exp(sc[j] - max) / sum : 0;
                        double p = probs[at] * (drop == null ? 1 : drop[at]);
                        for (int d = 0; d < dv; d++) ctx[i][head * dv + d] += p * vh[j][d];
                    }
                }
            }
            for (int i = 0; i < t; i++)
                for (int c = 0; c < o; c++) {
                    double y = bo == null ? 0 : bo[c];
                    for (int hd = 0; hd < h * dv; hd++) y += ctx[i][hd] * wo[hd * o + c];
                    out[(n * t + i) * o + c] = y;
                }
        }
        return new double[][] {out, probs};
    }

    private static boolean ok(boolean[] allowed, int n, int i, int j, int t, int s) {
        return allowed == null || allowed[(n * t + i) * s + j];
    }

    /** Example n's steps of x [B, steps, f] projected by head {@code head} of kernel [f, H, dim] and bias [H, dim]. */
    private static double[][] project(double[] x, double[] kernel, double[] bias, int n, int steps, int f, int h, int head, int dim) {
        double[][] p = new double[steps][dim];
        for (int i = 0; i < steps; i++)
            for (int d = 0; d < dim; d++) {
                double acc = bias == null ? 0 : bias[head * dim + d];
                for (int c = 0; c < f; c++) acc += x[(n * steps + i) * f + c] * kernel[(c * h + head) * dim + d];
                p[i][d] = acc;
            }
        return p;
    }

    /** Gives every bias random values, so that a missing bias term shows. */
    private static void randomBiases(MultiHeadAttention mha) {
        long seed = 100;
        for (Variable v : mha.variables()) if (v.name().endsWith("/bias")) v.assign(f64(seed++, v.shape()));
    }

    private static double[] arr(Tensor x) {
        return x.toDoubleArray();
    }

    @Test
    void selfAttentionMatchesTheReferenceWithKerasWeightLayout() {
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 3));
        Tensor x = f64(1, 2, 4, 5);
        Tensor y = mha.call(x, x);
        assertArrayEquals(new int[] {2, 4, 5}, y.shape(), "the output has the query's features by default");
        List<String> names = mha.variables().stream().map(Variable::name).toList();
        String n = mha.name();
        assertEquals(List.of(n + "/query/kernel", n + "/query/bias", n + "/key/kernel", n + "/key/bias", n + "/value/kernel", n + "/value/bias",
                n + "/attention_output/kernel", n + "/attention_output/bias"), names);
        assertArrayEquals(new int[] {5, 2, 3}, mha.variables().get(0).shape());
        assertArrayEquals(new int[] {2, 3}, mha.variables().get(1).shape());
        assertArrayEquals(new int[] {2, 3, 5}, mha.variables().get(6).shape());
        assertArrayEquals(new int[] {5}, mha.variables().get(7).shape());
        assertEquals(3 * (5 * 2 * 3 + 2 * 3) + 2 * 3 * 5 + 5, mha.countParams(), "Keras' count for MultiHeadAttention(2, 3) on 5 features: 143");
        for (Variable v : mha.variables())
            if (v.name().endsWith("/bias")) assertTrue(java.util.Arrays.stream(v.value().toDoubleArray()).allMatch(d -> d == 0), "biases start at zero");
        randomBiases(mha);
        double[] xv = arr(x);
        double[][] ref = reference(mha, xv, xv, xv, 2, 4, 4, 5, 5, 5, null, null);
        List<Tensor> both = mha.callWithScores(x, x, null, null, false);
        assertClose(ref[0], arr(both.get(0)), 1e-12);
        assertArrayEquals(new int[] {2, 2, 4, 4}, both.get(1).shape());
        assertClose(ref[1], arr(both.get(1)), 1e-12);
        assertClose(ref[0], arr(mha.call(List.of(x, x), false)), 1e-12);
    }

    @Test
    void crossAttentionWithAKeyValueDimAndOutputShape() {
        MultiHeadAttention mha = dbl(new MultiHeadAttention(3, 2).valueDim(4).outputShape(7));
        Tensor q = f64(2, 2, 3, 4), k = f64(3, 2, 5, 2), v = f64(4, 2, 5, 6);
        Tensor y = mha.call(q, v, k, null, false);
        assertArrayEquals(new int[] {2, 3, 7}, y.shape());
        assertArrayEquals(new int[] {2, 3, 2}, mha.variables().get(2).shape(), "key kernel [key features, heads, keyDim]");
        assertArrayEquals(new int[] {6, 3, 4}, mha.variables().get(4).shape(), "value kernel [value features, heads, valueDim]");
        assertArrayEquals(new int[] {3, 4, 7}, mha.variables().get(6).shape());
        randomBiases(mha);
        double[][] ref = reference(mha, arr(q), arr(k), arr(v), 2, 3, 5, 4, 2, 6, null, null);
        assertClose(ref[0], arr(mha.call(q, v, k, null, false)), 1e-12);

        MultiHeadAttention noBias = dbl(new MultiHeadAttention(2, 2).useBias(false));
        Tensor y2 = noBias.call(q, v);
        assertEquals(4, noBias.variables().size(), "kernels only");
        assertClose(reference(noBias, arr(q), arr(v), arr(v), 2, 3, 5, 4, 6, 6, null, null)[0], arr(y2), 1e-12);
    }

    @Test
    void anAttentionMaskLimitsWhatEachQueryStepSees() {
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 2));
        Tensor q = f64(5, 2, 3, 4), v = f64(6, 2, 4, 4);
        boolean[] allowed = new boolean[2 * 3 * 4];
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < allowed.length; i++) allowed[i] = r.nextBoolean();
        for (int j = 0; j < 4; j++) allowed[(1 * 3 + 2) * 4 + j] = false; // example 1, query step 2 sees nothing
        allowed[0] = true;
        mha.call(q, v);
        randomBiases(mha);
        double[][] ref = reference(mha, arr(q), arr(v), arr(v), 2, 3, 4, 4, 4, 4, allowed, null);
        List<Tensor> got = mha.callWithScores(q, v, null, Tensor.of(allowed, 2, 3, 4), false);
        assertClose(ref[0], arr(got.get(0)), 1e-12);
        assertClose(ref[1], arr(got.get(1)), 1e-12);
        double[] p = arr(got.get(1));
        for (int h = 0; h < 2; h++)
            for (int j = 0; j < 4; j++) assertEquals(0.0, p[((1 * 2 + h) * 3 + 2) * 4 + j], "a fully masked row has zero weights (Keras 3's Softmax)");
        // a float mask counts nonzero as "attend", as Keras casts it to bool
        double[] asNumbers = new double[allowed.length];
        for (int i = 0; i < allowed.length; i++) asNumbers[i] = allowed[i] ? 1 : 0;
        assertClose(ref[0], arr(mha.call(q, v, null, Tensor.of(asNumbers, 2, 3, 4), false)), 1e-12);
        // a mask of batch 1 applies to every example
        boolean[] first = java.util.Arrays.copyOf(allowed, 12), tiled = new boolean[24];
        System.arraycopy(first, 0, tiled, 0, 12);
        System.arraycopy(first, 0, tiled, 12, 12);
        assertClose(reference(mha, arr(q), arr(v), arr(v), 2, 3, 4, 4, 4, 4, tiled, null)[0],
                arr(mha.call(q, v, null, Tensor.of(first, 1, 3, 4), false)), 1e-12);
    }

    private static boolean[] causal(int b, int t, int s) {
        boolean[] m = new boolean[b * t * s];
        for (int n = 0; n < b; n++) for (int i = 0; i < t; i++) for (int j = 0; j < s; j++) m[(n * t + i) * s + j] = j <= i;
        return m;
    }

    @Test
    void theCausalMaskIsLowerTriangular() {
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 3).useCausalMask(true));
        Tensor x = f64(7, 2, 4, 3);
        mha.call(x, x);
        randomBiases(mha);
        double[][] ref = reference(mha, arr(x), arr(x), arr(x), 2, 4, 4, 3, 3, 3, causal(2, 4, 4), null);
        List<Tensor> got = mha.callWithScores(x, x, null, null, false);
        assertClose(ref[0], arr(got.get(0)), 1e-12);
        assertClose(ref[1], arr(got.get(1)), 1e-12);
        // the first step attends to itself only: its output does not depend on later steps
        assertEquals(1.0, arr(got.get(1))[0], 1e-12);
        // with T != S: query step i sees key steps 0..i (Keras' row index >= column index)
        Tensor q = f64(8, 2, 2, 3), v = f64(9, 2, 5, 3);
        assertClose(reference(mha, arr(q), arr(v), arr(v), 2, 2, 5, 3, 3, 3, causal(2, 2, 5), null)[0], arr(mha.call(q, v)), 1e-12);
        // and it is ANDed with an attention mask
        boolean[] given = new boolean[2 * 4 * 4];
        java.util.Arrays.fill(given, true);
        given[(0 * 4 + 3) * 4 + 1] = false;
        boolean[] both = causal(2, 4, 4);
        both[(0 * 4 + 3) * 4 + 1] = false;
        assertClose(reference(mha, arr(x), arr(x), arr(x), 2, 4, 4, 3, 3, 3, both, null)[0],
                arr(mha.call(x, x, null, Tensor.of(given, 2, 4, 4), false)), 1e-12);
    }

    @Test
    void kerasMasksOfQueryAndValueCombineByAndAndTheOutputCarriesTheQueryMask() {
        Embedding emb = dbl(new Embedding(9, 4).maskZero(true));
        Tensor ids = Tensor.of(new int[] {3, 1, 4, 0, 0, 5, 0, 2, 6, 7}, 2, 5); // a hole in example 1: masks need not be prefixes
        Tensor x = emb.call(ids);
        Tensor mask = Masks.of(x);
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 2).useCausalMask(false));
        mha.call(x, x);
        randomBiases(mha);
        boolean[] real = new boolean[10];
        int[] idv = ids.toIntArray();
        for (int i = 0; i < 10; i++) real[i] = idv[i] != 0;
        boolean[] allowed = new boolean[2 * 5 * 5];
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) allowed[(n * 5 + i) * 5 + j] = real[n * 5 + i] && real[n * 5 + j];
        double[] xv = arr(x);
        Tensor y = mha.call(x, x);
        assertClose(reference(mha, xv, xv, xv, 2, 5, 5, 4, 4, 4, allowed, null)[0], arr(y), 1e-12);
        assertArrayEquals(mask.toBooleanArray(), Masks.of(y).toBooleanArray(), "the output carries the query's mask");
        assertArrayEquals(mask.toBooleanArray(), Masks.of(mha.callWithScores(x, x, null, null, false).get(0)).toBooleanArray());

        // cross-attention over a Masking-marked value: only the value's steps are masked; the query has no mask
        Tensor raw = Tensor.of(new double[] {1, 2, 0, 0, 3, 1, 0, 0, 0, 0, 2, 2}, 2, 3, 2);
        Tensor value = dbl(new Masking()).call(raw);
        Tensor q = f64(11, 2, 2, 4);
        MultiHeadAttention cross = dbl(new MultiHeadAttention(1, 3));
        Tensor out = cross.call(q, value);
        assertNull(Masks.of(out), "no query mask, no output mask");
        boolean[] vr = {true, false, true, false, false, true}, allowed2 = new boolean[2 * 2 * 3];
        for (int n = 0; n < 2; n++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) allowed2[(n * 2 + i) * 3 + j] = vr[n * 3 + j];
        assertClose(reference(cross, arr(q), arr(value), arr(value), 2, 2, 3, 4, 2, 2, allowed2, null)[0], arr(out), 1e-12);
        // a key with a mask of its own is ANDed too (the key mask, [B, 1, S])
        Tensor key = dbl(new Masking()).call(Tensor.of(new double[] {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1}, 2, 3, 2));
        boolean[] kr = {true, true, false, false, true, true}, allowed3 = new boolean[12];
        for (int n = 0; n < 2; n++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) allowed3[(n * 2 + i) * 3 + j] = vr[n * 3 + j] && kr[n * 3 + j];
        assertClose(reference(cross, arr(q), arr(key), arr(value), 2, 2, 3, 4, 2, 2, allowed3, null)[0],
                arr(cross.call(q, value, key, null, false)), 1e-12);
    }

    @Test
    void dropoutActsOnTheProbabilitiesInTrainingOnlyAndFollowsTheSeed() {
        Tensor x = f64(12, 2, 3, 4);
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 2).dropout(0.5).seed(3));
        Tensor plain = mha.call(x, x);
        randomBiases(mha);
        double[][] ref = reference(mha, arr(x), arr(x), arr(x), 2, 3, 3, 4, 4, 4, null, null);
        assertClose(ref[0], arr(mha.call(x, x)), 1e-12);
        assertArrayEquals(new int[] {2, 3, 4}, plain.shape());
        long[] state = mha.rng().state();
        List<Tensor> trained = mha.callWithScores(x, x, null, null, true);
        mha.rng().setState(state);
        double[] keep = arr(NnOps.dropout(Tensor.ones(DType.FLOAT64, 2, 2, 3, 3), 0.5, mha.rng())); // the same draws: 0 or 2
        assertClose(reference(mha, arr(x), arr(x), arr(x), 2, 3, 3, 4, 4, 4, null, keep)[0], arr(trained.get(0)), 1e-12);
        assertClose(ref[1], arr(trained.get(1)), 1e-12); // the scores returned are those before dropout, as in Keras
        assertFalse(java.util.Arrays.equals(ref[0], arr(trained.get(0))));
        // the seed holds in either order of the options
        MultiHeadAttention a = new MultiHeadAttention(2, 2).dropout(0.3).seed(5), b = new MultiHeadAttention(2, 2).seed(5).dropout(0.3);
        assertArrayEquals(a.rng().state(), b.rng().state());
        Rng.setGlobalSeed(4);
        long[] s1 = new MultiHeadAttention(1, 1).dropout(0.2).rng().state();
        Rng.setGlobalSeed(4);
        assertArrayEquals(s1, new MultiHeadAttention(1, 1).dropout(0.2).rng().state(), "unseeded: from Rng.global(), as Dropout");
        assertNull(new MultiHeadAttention(1, 1).rng(), "no dropout, no generator drawn");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 2).valueDim(3));
        Variable q = new Variable(f64(20, 2, 3, 3), "q"), k = new Variable(f64(21, 2, 4, 2), "k"), v = new Variable(f64(22, 2, 4, 3), "v");
        boolean[] allowed = new boolean[2 * 3 * 4];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < allowed.length; i++) allowed[i] = r.nextInt(4) != 0;
        Tensor mask = Tensor.of(allowed, 2, 3, 4), weights = f64(23, 2, 3, 3);
        java.util.function.Supplier<Tensor> loss = () -> mha.call(q.value(), v.value(), k.value(), mask, false).mul(weights).sum();
        loss.get();
        randomBiases(mha);
        List<Variable> vars = new ArrayList<>(mha.trainableVariables());
        assertEquals(8, vars.size());
        vars.addAll(List.of(q, k, v));
        TestData.checkGradients(loss, vars, 1e-6);
        // self-attention: the gradient of an input used as query, key and value sums the three paths
        MultiHeadAttention self = dbl(new MultiHeadAttention(1, 2).useCausalMask(true));
        Variable x = new Variable(f64(24, 1, 3, 2), "x");
        Tensor wx = f64(25, 1, 3, 2);
        TestData.checkGradients(() -> self.call(x.value(), x.value()).mul(wx).sum(), List.of(x), 1e-6);
    }

    @Test
    void aGraphFunctionComputesWhatTheEagerCallDoes() {
        MultiHeadAttention mha = new MultiHeadAttention(2, 4).useCausalMask(true);
        Tensor q = TestData.f32(30, 3, 5, 6), v = TestData.f32(31, 3, 7, 6);
        boolean[] allowed = new boolean[3 * 5 * 7];
        for (int i = 0; i < allowed.length; i++) allowed[i] = i % 3 != 1;
        Tensor m = Tensor.of(allowed, 3, 5, 7);
        Tensor eager = mha.call(q, v, null, m, false);
        var f = Fx.function("mha", (Tensor a, Tensor b) -> mha.call(a, b, null, m, false));
        assertClose(arr(eager), arr(f.call(q, v)), 1e-6);
        assertClose(arr(eager), arr(f.call(q, v)), 1e-6); // the traced function again
    }

    /** The README's transformer block, small: ids -> Embedding(maskZero) -> self-attention + Add + LayerNormalization -> feed-forward + Add + LayerNormalization -> average -> Dense. */
    private static Functional tinyModel() {
        KerasTensor ids = Input.shape(DType.INT32, 6);
        KerasTensor x = new Embedding(8, 8).maskZero(true).apply(ids);
        KerasTensor h = new LayerNormalization().apply(new Add().apply(x, new MultiHeadAttention(2, 4).apply(x, x)));
        KerasTensor ff = new Dense(8).apply(new Dense(16, Activation.relu()).apply(h));
        KerasTensor y = new LayerNormalization().apply(new Add().apply(h, ff));
        return Functional.of(ids, new Dense(1).apply(new GlobalAveragePooling1D().apply(y)));
    }

    /** Ids 1..7 with trailing padding; the target is the fraction of ids that are 7 among the real ones. */
    private static Tensor[] tinyData(int n) {
        java.util.Random r = new java.util.Random(1);
        int[] ids = new int[n * 6];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int len = 2 + r.nextInt(5), sevens = 0;
            for (int j = 0; j < len; j++) {
                ids[i * 6 + j] = 1 + r.nextInt(7);
                if (ids[i * 6 + j] == 7) sevens++;
            }
            y[i] = (float) sevens / len;
        }
        return new Tensor[] {Tensor.of(ids, n, 6), Tensor.of(y, n, 1)};
    }

    @Test
    void aFunctionalTransformerBlockTrainsWithFitAndItsWeightsRoundTrip(@TempDir Path dir) {
        Rng.setGlobalSeed(2);
        Functional model = tinyModel();
        String table = Summary.render(model);
        assertTrue(table.contains("(MultiHeadAttention)") && table.contains("(None, 6, 8)") && table.contains("288"), table);
        Tensor[] data = tinyData(64);
        model.compile(new Adam(0.01), new MeanSquaredError());
        History h = model.fit(data[0], data[1], Fit.epochs(15).batchSize(16).shuffle(false).verbose(0));
        List<Double> losses = h.get("loss");
        assertTrue(losses.get(losses.size() - 1) < 0.5 * losses.get(0), "the loss falls: " + losses);

        Path file = dir.resolve("mha.safetensors");
        model.saveWeights(file);
        Functional fresh = tinyModel();
        fresh.loadWeights(file);
        assertClose(arr(model.call(data[0])), arr(fresh.call(data[0])), 0);
    }

    @Test
    void paddedStepsChangeNothingInTheFunctionalModel() {
        Rng.setGlobalSeed(3);
        Functional model = tinyModel();
        Tensor shortSeq = Tensor.of(new int[] {3, 7, 2, 0, 0, 0}, 1, 6);
        // the real steps' outputs do not depend on the padded steps' embeddings: change the padding row's vector
        double before = model.call(shortSeq).item();
        Variable table = model.trainableVariables().get(0);
        double[] t = table.value().toDoubleArray();
        for (int j = 0; j < 8; j++) t[j] = 5 + j; // id 0's row
        table.assign(Tensor.of(t, 8, 8).cast(DType.FLOAT32));
        assertEquals(before, model.call(shortSeq).item(), 1e-6);
    }

    @Test
    void functionalCallsTakeQueryValueKeyAndMaskInThatOrderAndStepsOfAnySize() {
        KerasTensor q = Input.shape(3, 4), v = Input.shape(5, 6), k = Input.shape(5, 2), m = Input.shape(DType.BOOL, 3, 5);
        MultiHeadAttention mha = dbl(new MultiHeadAttention(2, 3).outputShape(7));
        KerasTensor out = mha.apply(q, v, k, m);
        assertArrayEquals(new int[] {-1, 3, 7}, out.shape());
        Functional model = Functional.of(List.of(q, v, k, m), List.of(out));
        Tensor tq = TestData.f32(50, 2, 3, 4), tv = TestData.f32(51, 2, 5, 6), tk = TestData.f32(52, 2, 5, 2); // the model (float32) casts its inputs
        boolean[] allowed = new boolean[30];
        for (int i = 0; i < 30; i++) allowed[i] = i % 4 != 0;
        Tensor tm = Tensor.of(allowed, 2, 3, 5);
        randomBiases(mha);
        assertClose(reference(mha, arr(tq), arr(tk), arr(tv), 2, 3, 5, 4, 2, 6, allowed, null)[0],
                arr(model.call(List.of(tq, tv, tk, tm), false)), 1e-12);
        // unknown numbers of steps: the output's steps follow the query's
        KerasTensor x = Input.shape(-1, 4);
        assertArrayEquals(new int[] {-1, -1, 4}, new MultiHeadAttention(1, 2).useCausalMask(true).apply(x, x).shape());
    }

    /** A subclassed model that calls the layer in its own forward. */
    static final class Encoder extends Model {
        final MultiHeadAttention mha = track(new MultiHeadAttention(2, 3));
        final Dense head = track(new Dense(2));

        Encoder() {
            super("encoder");
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return head.call(mha.call(x, x, training), training);
        }
    }

    @Test
    void worksInsideASubclassedModel() {
        Encoder enc = new Encoder();
        Tensor x = TestData.f32(40, 2, 3, 5);
        Tensor y = enc.call(x);
        assertArrayEquals(new int[] {2, 3, 2}, y.shape());
        assertEquals(10, enc.trainableVariables().size(), "the attention's 8 weights and the Dense's 2");
        assertClose(arr(enc.head.call(enc.mha.call(x, x))), arr(y), 0);
    }

    /** Initializers, regularizers and constraints reach the kernels and biases they name; options freeze once built. */
    @Test
    void weightOptionsReachTheirWeightsAndFreezeOnceBuilt() {
        var kernelNorm = dev.fluxion.nn.constraints.Constraint.clip(-0.5, 0.5);
        var biasNonNeg = dev.fluxion.nn.constraints.Constraint.nonNeg();
        MultiHeadAttention mha = new MultiHeadAttention(2, 3).valueDim(2).outputShape(5).dropout(0)
                .kernelInitializer(dev.fluxion.nn.initializers.Initializers.constant(0.25))
                .biasInitializer(dev.fluxion.nn.initializers.Initializers.constant(-1))
                .kernelRegularizer(dev.fluxion.nn.regularizers.Regularizer.l2(0.1))
                .biasRegularizer(dev.fluxion.nn.regularizers.Regularizer.l2(0.01))
                .kernelConstraint(kernelNorm).biasConstraint(biasNonNeg);
        assertEquals(0.0, mha.dropoutRate());
        mha.call(Tensor.ones(1, 2, 4), Tensor.ones(1, 3, 4));
        double penalty = 0;
        for (Variable v : mha.variables()) {
            boolean kernel = v.name().endsWith("/kernel");
            for (float x : v.value().toFloatArray()) assertEquals(kernel ? 0.25f : -1f, x, v.name());
            assertEquals(kernel ? kernelNorm : biasNonNeg, dev.fluxion.nn.Constraints.get(v), v.name());
            penalty += (kernel ? 0.1 * 0.0625 : 0.01) * v.value().size();
        }
        double losses = 0;
        for (Tensor l : mha.losses()) losses += l.item();
        assertEquals(8, mha.losses().size(), "one penalty per kernel and bias");
        assertEquals(penalty, losses, 1e-5);
        assertMentions(assertThrows(IllegalStateException.class, () -> mha.valueDim(4)), mha.name(), "before the layer is built");
        assertMentions(assertThrows(IllegalStateException.class, () -> mha.outputShape(4)), mha.name(), "before the layer is built");
        assertMentions(assertThrows(IllegalStateException.class, () -> mha.kernelInitializer(dev.fluxion.nn.initializers.Initializers.zeros())),
                mha.name(), "before the layer is built");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(Tensor.ones(1, 2, 4), Tensor.ones(1, 3, 4), Tensor.ones(1, 3, 6), null, false)),
                mha.name(), "key", "4 features", "[1,3,6]");
    }

    @Test
    void errorsNameTheLayerAndTheShapes() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(0, 4)), "MultiHeadAttention", "numHeads 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(2, -1)), "MultiHeadAttention", "keyDim -1");
        MultiHeadAttention opts = new MultiHeadAttention(2, 2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> opts.valueDim(0)), opts.name(), "valueDim", "0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> opts.dropout(1.0)), opts.name(), "dropout", "1.0");

        MultiHeadAttention rank = new MultiHeadAttention(2, 2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rank.call(Tensor.ones(2, 4), Tensor.ones(2, 3, 4))),
                rank.name(), "query", "rank 3", "[2,4]");
        MultiHeadAttention one = new MultiHeadAttention(2, 2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> one.call(Tensor.ones(2, 3, 4))), one.name(), "one input");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Sequential.of(Input.shape(3, 4), new MultiHeadAttention(1, 1))),
                "one input");

        MultiHeadAttention mha = new MultiHeadAttention(2, 2);
        Tensor q = Tensor.ones(2, 3, 4), v = Tensor.ones(2, 5, 4);
        mha.call(q, v);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(q, Tensor.ones(3, 5, 4))), mha.name(), "batch", "[2,3,4]", "[3,5,4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(q, Tensor.ones(2, 5, 6))), mha.name(), "value", "4 features", "[2,5,6]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(Tensor.ones(2, 3, 5), v)), mha.name(), "query", "4 features", "[2,3,5]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(q, v, Tensor.ones(2, 4, 4), null, false)),
                mha.name(), "same number of steps", "[2,4,4]", "[2,5,4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(q, v, null, Tensor.ones(DType.BOOL, 2, 5, 3), false)),
                mha.name(), "attention mask", "[2,3,5]", "[2,5,3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> mha.call(q, v, null, Tensor.ones(DType.BOOL, 2, 3), false)),
                mha.name(), "attention mask", "[2,3]");
        assertMentions(assertThrows(IllegalStateException.class, () -> mha.useBias(false)), mha.name(), "before the layer is built");
        // symbolic inputs are checked the same way
        MultiHeadAttention sym = new MultiHeadAttention(1, 2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> sym.apply(Input.shape(3, 4), Input.shape(5))), sym.name(), "value", "rank 3");
    }
}
