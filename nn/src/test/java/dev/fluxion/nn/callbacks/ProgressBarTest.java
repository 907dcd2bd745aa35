package dev.fluxion.nn.callbacks;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressBarTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void nonTerminalPrintsFewPlainLines() {
        ProgressBar bar = new ProgressBar(469, "Epoch 1/10", out, ProgressBar.Style.LINES, Set.of(), now::get);
        for (int step = 1; step <= 469; step++) {
            now.addAndGet(10_000_000L); // 10 ms per step
            bar.update(step, Map.of("loss", 1.0 / step));
        }
        bar.finish(Map.of("val_loss", 0.5));
        String t = text();
        assertFalse(t.contains("\r"), "no carriage returns in a log file");
        String[] lines = t.split("\n");
        assertEquals("Epoch 1/10", lines[0]);
        assertTrue(lines.length <= 12, "one line per 10% at most, plus title and final: " + lines.length + "\n" + t);
        assertTrue(lines[1].matches(" 4[67]/469 \\[={2}>\\.{27}] - ETA: 4s - loss: \\d\\.\\d{4}"), lines[1]);
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("469/469 [==============================] - 5s 10ms/step - loss: "), last);
        assertTrue(last.endsWith(" - val_loss: 0.5000"), last);
        // the displayed loss is the step-weighted mean of the values given
        double mean = 0;
        for (int s = 1; s <= 469; s++) mean += 1.0 / s;
        assertTrue(last.contains(String.format(java.util.Locale.ROOT, "loss: %.4f", mean / 469)), last);
    }

    private static Map<String, Double> ordered(double loss, double acc) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", acc);
        return m;
    }

    @Test
    void terminalRedrawsWithCarriageReturn() {
        ProgressBar bar = new ProgressBar(3, null, out, ProgressBar.Style.TERMINAL, Set.of("accuracy"), now::get);
        now.addAndGet(1_000_000_000L);
        bar.update(ordered(0.5, 0.25));
        now.addAndGet(1_000_000_000L);
        bar.update(ordered(0.25, 0.5));
        now.addAndGet(1_000_000_000L);
        bar.update(ordered(0.0, 0.75));
        bar.finish(Map.of());
        String t = text();
        assertTrue(t.startsWith("\r1/3 [=========>....................] - ETA: 2s - loss: 0.5000 - accuracy: 0.2500"), t);
        assertTrue(t.contains("\r2/3 [===================>..........] - ETA: 1s - loss: 0.3750 - accuracy: 0.5000"), t);
        assertFalse(t.contains("ETA: 0s"), t);
        assertTrue(t.endsWith("\r3/3 [==============================] - 3s 1s/step - loss: 0.2500 - accuracy: 0.7500\n"), t);
    }

    @Test
    void firstStepAndKerasNumberFormat() {
        ProgressBar bar = new ProgressBar(469, null, out, ProgressBar.Style.TERMINAL, Set.of(), now::get);
        now.addAndGet(5_000_000_000L); // a slow first (tracing) step is not extrapolated
        bar.update(Map.of("loss", 0.4231));
        for (int i = 2; i <= 12; i++) {
            now.addAndGet(10_000_000L);
            bar.update(i, Map.of("loss", 0.4231));
        }
        assertTrue(text().contains(" 11/469 [>.............................] - ETA: 5s - loss: 0.4231"), text());
        assertEquals("1.0000e-04", ProgressBar.formatValue(1e-4));
        assertEquals("0.0012", ProgressBar.formatValue(0.00123));
        assertEquals("1:01:01", ProgressBar.formatEta(3661));
        assertEquals("2:05", ProgressBar.formatEta(125));
    }

    @Test
    void summaryStyleAndUnknownTotal() {
        ProgressBar bar = new ProgressBar(-1, "Epoch 2/2", out, ProgressBar.Style.SUMMARY, Set.of(), now::get);
        for (int i = 0; i < 5; i++) {
            now.addAndGet(2_000_000L);
            bar.update(Map.of("loss", 1.0));
        }
        bar.finish(Map.of());
        assertEquals("Epoch 2/2\n5/Unknown - 0s 2ms/step - loss: 1.0000\n", text());
    }
}
