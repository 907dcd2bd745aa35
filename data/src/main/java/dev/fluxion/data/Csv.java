package dev.fluxion.data;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads numeric CSV files with a header line into tensors: the features as float32 {@code [rows, columns]} and,
 * when a label column is named, the labels as a vector. Fields are split on the delimiter; surrounding spaces and
 * one pair of surrounding double quotes are removed (quoted fields may not contain the delimiter). Blank lines are
 * skipped. A ragged row, an empty or non-numeric cell, or a missing label column raise
 * {@link DatasetFormatException} with the file, line and column.
 */
public final class Csv {
    private Csv() {}

    /**
     * How to read a CSV file. Build from {@link #defaults()} with the {@code with...} methods.
     *
     * @param delimiter      the field separator
     * @param labelColumn    the header name of the label column, or null for none
     * @param labelType      INT32 (class indices; values must be whole numbers), INT64, FLOAT32 or FLOAT64
     * @param featureColumns the feature columns to keep, in this order; empty: every column but the label
     */
    public record Options(char delimiter, String labelColumn, DType labelType, List<String> featureColumns) {
        public Options {
            Objects.requireNonNull(labelType, "labelType");
            if (labelType == DType.BOOL) throw new IllegalArgumentException("CSV labels cannot be bool");
            featureColumns = List.copyOf(featureColumns);
        }

        /** Comma-separated, no label column, int32 labels, all columns as features. */
        public static Options defaults() {
            return new Options(',', null, DType.INT32, List.of());
        }

        public Options withDelimiter(char d) {
            return new Options(d, labelColumn, labelType, featureColumns);
        }

        public Options withLabel(String column) {
            return new Options(delimiter, column, labelType, featureColumns);
        }

        public Options withLabel(String column, DType type) {
            return new Options(delimiter, column, type, featureColumns);
        }

        public Options withFeatures(String... columns) {
            return new Options(delimiter, labelColumn, labelType, List.of(columns));
        }
    }

    /**
     * A CSV file as tensors.
     *
     * @param featureNames the header names of the feature columns, in tensor order
     * @param features     float32 {@code [rows, featureNames.size()]}
     * @param labels       the label column ({@code [rows]}), or null when no label column was requested
     */
    public record Table(List<String> featureNames, Tensor features, Tensor labels) {
        /** Features and labels as a pair, for {@link Dataset#fromTensorSlices(Tensor, Tensor)}. */
        public Pair pair() {
            if (labels == null) throw new IllegalStateException("no label column was read; use Csv.Options.withLabel(name)");
            return new Pair(features, labels);
        }
    }

    /** All columns as float32 features. */
    public static Table read(Path file) throws IOException {
        return read(file, Options.defaults());
    }

    public static Table read(Path file, Options options) throws IOException {
        String name = file.toString();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = r.readLine();
            int lineNo = 1;
            while (headerLine != null && headerLine.isBlank()) {
                headerLine = r.readLine();
                lineNo++;
            }
            if (headerLine == null) throw new DatasetFormatException(name, "empty file: expected a header line");
            if (headerLine.startsWith("\uFEFF")) headerLine = headerLine.substring(1);
            List<String> header = split(headerLine, options.delimiter());
            int label = -1;
            if (options.labelColumn() != null) {
                label = indexOf(header, options.labelColumn(), name);
            }
            int[] feat;
            List<String> names = new ArrayList<>();
            if (options.featureColumns().isEmpty()) {
                List<Integer> cols = new ArrayList<>();
                for (int i = 0; i < header.size(); i++)
                    if (i != label) {
                        cols.add(i);
                        names.add(header.get(i));
                    }
                feat = cols.stream().mapToInt(Integer::intValue).toArray();
            } else {
                feat = new int[options.featureColumns().size()];
                for (int i = 0; i < feat.length; i++) {
                    feat[i] = indexOf(header, options.featureColumns().get(i), name);
                    names.add(header.get(feat[i]));
                }
            }
            FloatBuilder x = new FloatBuilder();
            List<Double> y = new ArrayList<>();
            int rows = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                List<String> cells = split(line, options.delimiter());
                if (cells.size() != header.size())
                    throw new DatasetFormatException(name, "line " + lineNo + ": expected " + header.size() + " fields (as in the header), found " + cells.size());
                for (int c : feat) x.add((float) number(cells.get(c), name, lineNo, header.get(c)));
                if (label >= 0) y.add(number(cells.get(label), name, lineNo, header.get(label)));
                rows++;
            }
            Tensor features = Tensor.wrap(new ArrayStorage(DType.FLOAT32, x.toArray()), new int[] {rows, feat.length});
            Tensor labels = label < 0 ? null : labels(y, options.labelType(), name, header.get(label));
            return new Table(List.copyOf(names), features, labels);
        }
    }

    private static int indexOf(List<String> header, String column, String file) throws DatasetFormatException {
        int i = header.indexOf(column);
        if (i < 0) throw new DatasetFormatException(file, "no column named '" + column + "'; the header has " + header);
        if (header.lastIndexOf(column) != i) throw new DatasetFormatException(file, "the header names column '" + column + "' twice");
        return i;
    }

    private static Tensor labels(List<Double> y, DType type, String file, String column) throws DatasetFormatException {
        int n = y.size();
        Object a = ArrayStorage.allocate(type, n).array();
        for (int i = 0; i < n; i++) {
            double v = y.get(i);
            switch (a) {
                case int[] ia -> ia[i] = (int) whole(v, Integer.MIN_VALUE, Integer.MAX_VALUE, file, column, i);
                case long[] la -> la[i] = whole(v, Long.MIN_VALUE, Long.MAX_VALUE, file, column, i);
                case float[] fa -> fa[i] = (float) v;
                case double[] da -> da[i] = v;
                default -> throw new IllegalStateException();
            }
        }
        return Tensor.wrap(new ArrayStorage(type, a), new int[] {n});
    }

    private static long whole(double v, long min, long max, String file, String column, int row) throws DatasetFormatException {
        if (v != Math.rint(v) || v < min || v > max)
            throw new DatasetFormatException(file, "data row " + (row + 1) + ", column '" + column + "': label " + v
                    + " is not a whole number in range, as integer labels must be (use a float label type for regression)");
        return (long) v;
    }

    private static double number(String cell, String file, int line, String column) throws DatasetFormatException {
        if (cell.isEmpty()) throw new DatasetFormatException(file, "line " + line + ", column '" + column + "': empty cell, expected a number");
        char last = cell.charAt(cell.length() - 1);
        try {
            if (last == 'd' || last == 'D' || last == 'f' || last == 'F') throw new NumberFormatException(); // Java suffixes are not CSV
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, "line " + line + ", column '" + column + "': expected a number, found '" + cell + "'");
        }
    }

    private static List<String> split(String line, char delimiter) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == delimiter) {
                String f = line.substring(start, i).strip();
                if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) f = f.substring(1, f.length() - 1).strip();
                out.add(f);
                start = i + 1;
            }
        }
        return out;
    }

    /** A growable float array, so large files need no boxing. */
    private static final class FloatBuilder {
        private float[] a = new float[1024];
        private int n;

        void add(float v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
