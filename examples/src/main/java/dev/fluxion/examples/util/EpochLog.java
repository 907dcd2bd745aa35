package dev.fluxion.examples.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-epoch results of a custom loop: printed as one line per epoch and appended to a CSV file (header from the first
 * epoch's keys), and kept in memory for callers (tests, comparisons).
 */
public final class EpochLog {
    private final Path csv;
    private final List<Map<String, Double>> rows = new ArrayList<>();
    private List<String> columns;

    /** Starts a fresh CSV file at {@code csv} (replacing an old one). */
    public EpochLog(Path csv) throws IOException {
        this.csv = csv;
        if (csv.getParent() != null) Files.createDirectories(csv.getParent());
        Files.deleteIfExists(csv);
    }

    /** Records epoch {@code epoch} (1-based) of {@code epochs}: prints it and appends a CSV row. */
    public void record(int epoch, int epochs, Map<String, Double> values) throws IOException {
        Map<String, Double> row = new LinkedHashMap<>(values);
        rows.add(row);
        StringBuilder line = new StringBuilder("epoch " + epoch + "/" + epochs + ":");
        row.forEach((k, v) -> line.append(' ').append(k).append('=').append(String.format(Locale.ROOT, "%.5f", v)));
        System.out.println(line);
        StringBuilder out = new StringBuilder();
        if (columns == null) {
            columns = List.copyOf(row.keySet());
            out.append("epoch,").append(String.join(",", columns)).append('\n');
        }
        out.append(epoch);
        for (String c : columns) out.append(',').append(row.getOrDefault(c, Double.NaN));
        out.append('\n');
        Files.writeString(csv, out, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The recorded epochs, in order. */
    public List<Map<String, Double>> rows() {
        return List.copyOf(rows);
    }

    public Path file() {
        return csv;
    }
}
