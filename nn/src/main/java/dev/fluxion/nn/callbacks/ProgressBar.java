package dev.fluxion.nn.callbacks;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A Keras-style progress bar ({@code tf.keras.utils.Progbar}), usable on its own in a custom loop:
 * <pre>{@code
 * var bar = new ProgressBar(469, "Epoch 1/10");
 * for (...) bar.update(Map.of("loss", loss));        // next step; or update(step, values)
 * bar.finish(Map.of("val_loss", valLoss));
 * }</pre>
 * prints {@code  12/469 [>.............................] - ETA: 5s - loss: 0.4231}. Values are averaged over the
 * steps since the bar began, weighted by the steps each update covers, except the names given as stateful (already
 * running averages, such as a compiled model's loss and metrics), which are shown as given.
 *
 * <p>On a terminal ({@code System.console() != null}) the line is redrawn in place with a carriage return, at most every
 * 50 ms. Elsewhere (a log file, CI) it prints plain lines only when progress crosses another 10% or 30 s have passed,
 * plus the final line, so logs stay short. In {@link Style#SUMMARY} mode (Keras' verbose 2) it prints only the final line.
 */
public final class ProgressBar {
    /** How the bar is drawn. */
    public enum Style {
        /** redrawn in place with carriage returns */
        TERMINAL,
        /** plain lines at a low rate */
        LINES,
        /** only the final line, without the bar */
        SUMMARY
    }

    private static final int WIDTH = 30;
    private static final long TERMINAL_INTERVAL_NS = 50_000_000L;
    private static final long LINES_INTERVAL_NS = 30_000_000_000L;

    private final long total;
    private final String title;
    private final PrintStream out;
    private final Style style;
    private final Set<String> stateful;
    private final LongSupplier clock;
    private final long start;
    private final Map<String, double[]> sums = new LinkedHashMap<>(); // name -> {weighted sum, weight}, or {value, -1} if stateful
    private long seen;
    private long firstStepDone = -1; // time when step 1 ended, so the ETA excludes the first (tracing) step
    private long lastDraw = Long.MIN_VALUE;
    private int lastDecile = 0;
    private int lastLength;
    private boolean titled;
    private boolean finished;

    /** A bar over {@code total} steps ({@code <= 0}: unknown), titled (may be null), printing to System.out. */
    public ProgressBar(long total, String title) {
        this(total, title, System.out, System.console() != null ? Style.TERMINAL : Style.LINES, Set.of());
    }

    public ProgressBar(long total, String title, PrintStream out, Style style, Set<String> statefulMetrics) {
        this(total, title, out, style, statefulMetrics, System::nanoTime);
    }

    /** With an explicit clock (nanoseconds), for tests. */
    public ProgressBar(long total, String title, PrintStream out, Style style, Set<String> statefulMetrics, LongSupplier clock) {
        this.total = total;
        this.title = title;
        this.out = out;
        this.style = style;
        this.stateful = Set.copyOf(statefulMetrics);
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** Records one more step. */
    public void update(Map<String, Double> values) {
        update(seen + 1, values);
    }

    /** Records progress up to step {@code current} (1-based count of steps done) with the latest values. */
    public void update(long current, Map<String, Double> values) {
        if (finished) throw new IllegalStateException("progress bar already finished");
        long steps = Math.max(current - seen, 1);
        for (var e : values.entrySet()) {
            double v = e.getValue() == null ? Double.NaN : e.getValue();
            if (stateful.contains(e.getKey())) sums.put(e.getKey(), new double[] {v, -1});
            else {
                double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
                if (s[1] < 0) {
                    s[0] = 0;
                    s[1] = 0;
                }
                s[0] += v * steps;
                s[1] += steps;
            }
        }
        long now = clock.getAsLong();
        if (seen == 0 && current >= 1) firstStepDone = now;
        seen = current;
        boolean complete = total > 0 && current >= total; // the final line comes from finish()
        switch (style) {
            case TERMINAL -> {
                if (!complete && (lastDraw == Long.MIN_VALUE || now - lastDraw >= TERMINAL_INTERVAL_NS)) {
                    drawInPlace(line(now, false));
                    lastDraw = now;
                }
            }
            case LINES -> {
                int decile = total > 0 ? (int) (10 * current / total) : 0;
                if (complete) break;
                if (decile > lastDecile || (lastDraw == Long.MIN_VALUE ? now - start : now - lastDraw) >= LINES_INTERVAL_NS) {
                    printTitle();
                    out.println(line(now, false));
                    out.flush();
                    lastDraw = now;
                    lastDecile = Math.max(lastDecile, decile);
                }
            }
            case SUMMARY -> {}
        }
    }

    /** Ends the bar: prints the final line with the averages and {@code extra} values (e.g. validation results). */
    public void finish(Map<String, Double> extra) {
        if (finished) return;
        finished = true;
        for (var e : extra.entrySet()) sums.put(e.getKey(), new double[] {e.getValue() == null ? Double.NaN : e.getValue(), -1});
        String l = line(clock.getAsLong(), true);
        if (style == Style.TERMINAL) {
            drawInPlace(l);
            out.println();
        } else {
            printTitle();
            out.println(l);
        }
        out.flush();
    }

    /** The current averaged values (stateful ones as last given). */
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        sums.forEach((k, s) -> m.put(k, s[1] < 0 ? s[0] : s[1] == 0 ? Double.NaN : s[0] / s[1]));
        return m;
    }

    private void printTitle() {
        if (!titled && title != null && !title.isEmpty()) out.println(title);
        titled = true;
    }

    private void drawInPlace(String l) {
        if (!titled && title != null && !title.isEmpty()) {
            out.println(title);
            titled = true;
        }
        StringBuilder sb = new StringBuilder("\r").append(l);
        for (int i = l.length(); i < lastLength; i++) sb.append(' ');
        lastLength = l.length();
        out.print(sb);
        out.flush();
    }

    private String line(long now, boolean last) {
        StringBuilder sb = new StringBuilder();
        double elapsed = (now - start) / 1e9;
        if (style == Style.SUMMARY) {
            sb.append(total > 0 ? total + "/" + total : seen + "/Unknown");
        } else if (total > 0) {
            int digits = Long.toString(total).length();
            sb.append(String.format(Locale.ROOT, "%" + digits + "d/%d [", seen, total));
            // Keras' bar, except that the head '>' shows from the first step
            int prog = (int) (WIDTH * Math.min(seen, total) / total);
            if (seen >= total) sb.append("=".repeat(WIDTH));
            else {
                prog = Math.max(prog, 1);
                sb.append("=".repeat(prog - 1)).append('>').append(".".repeat(WIDTH - prog));
            }
            sb.append(']');
        } else {
            sb.append(String.format(Locale.ROOT, "%7d/Unknown", seen));
        }
        if (last) {
            sb.append(" - ").append(Math.round(elapsed)).append('s');
            if (seen > 0) {
                double perStep = elapsed / seen;
                if (perStep >= 1) sb.append(String.format(Locale.ROOT, " %.0fs/step", perStep));
                else if (perStep >= 1e-3) sb.append(String.format(Locale.ROOT, " %.0fms/step", perStep * 1e3));
                else sb.append(String.format(Locale.ROOT, " %.0fus/step", perStep * 1e6));
            }
        } else if (total > 0) {
            double perStep;
            if (seen > 1 && firstStepDone >= 0) perStep = (now - firstStepDone) / 1e9 / (seen - 1);
            else perStep = seen > 0 ? elapsed / seen : 0;
            long eta = Math.round(perStep * (total - seen));
            sb.append(" - ETA: ").append(formatEta(eta));
        }
        values().forEach((k, v) -> sb.append(" - ").append(k).append(": ").append(formatValue(v)));
        return sb.toString();
    }

    static String formatEta(long s) {
        if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        if (s >= 60) return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        return s + "s";
    }

    /** Keras' number format: 4 decimals, or scientific notation for magnitudes at or below 1e-3. */
    public static String formatValue(double v) {
        return Math.abs(v) > 1e-3 || Double.isNaN(v) || Double.isInfinite(v) ? String.format(Locale.ROOT, "%.4f", v)
                : v == 0 ? "0.0000e+00" : String.format(Locale.ROOT, "%.4e", v);
    }
}
