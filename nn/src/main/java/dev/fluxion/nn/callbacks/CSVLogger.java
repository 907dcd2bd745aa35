package dev.fluxion.nn.callbacks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Streams epoch results to a CSV file (Keras' CSVLogger): a header {@code epoch,<sorted keys>} then one row per epoch,
 * flushed after each row. With {@code append}, rows are added to an existing file without repeating the header.
 */
public final class CSVLogger extends Callback {
    private final Path file;
    private final String separator;
    private final boolean append;
    private BufferedWriter out;
    private List<String> keys;

    public CSVLogger(String filename) {
        this(Path.of(filename), ",", false);
    }

    public CSVLogger(Path file, String separator, boolean append) {
        this.file = file;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        try {
            boolean hasContent = append && Files.exists(file) && Files.size(file) > 0;
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            keys = null;
            if (hasContent) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (!lines.isEmpty()) {
                    String[] h = lines.get(0).split(java.util.regex.Pattern.quote(separator));
                    keys = new ArrayList<>(List.of(h).subList(1, h.length));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot open " + file, e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            if (keys == null) {
                keys = new ArrayList<>(logs.keySet());
                keys.sort(null);
                out.write("epoch");
                for (String k : keys) out.write(separator + k);
                out.newLine();
            }
            StringBuilder sb = new StringBuilder().append(epoch);
            for (String k : keys) {
                Double v = logs.get(k);
                sb.append(separator).append(v == null ? "NA" : v.toString());
            }
            out.write(sb.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + file, e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        try {
            if (out != null) out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot close " + file, e);
        } finally {
            out = null;
        }
    }
}
