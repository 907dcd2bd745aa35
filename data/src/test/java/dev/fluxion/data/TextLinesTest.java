package dev.fluxion.data;

import static dev.fluxion.data.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** textLines and listFiles: lines of plain and gzip files, line ends, UTF-8, resume, and the errors. */
class TextLinesTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve(name);
        Files.write(p, name.endsWith(".gz") ? TestData.gzip(bytes) : bytes);
        return p;
    }

    @Test
    void linesOfEachFileInOrder() throws IOException {
        Path a = write("a.txt", "first\r\nsecond\n\nfourth, no end");
        Path b = write("b.txt.gz", "zürich\nkyōto\n");
        Path empty = write("c.txt", "");
        assertEquals(List.of("first", "second", "", "fourth, no end", "zürich", "kyōto"), Dataset.textLines(a, empty, b).toList());
        assertEquals(List.of(), Dataset.textLines(empty).toList());
        assertEquals(0, Dataset.textLines(List.of()).cardinality());
        assertEquals(Dataset.UNKNOWN, Dataset.textLines(a).cardinality());
    }

    @Test
    void resumesAtEveryLine() throws IOException {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 300; i++) big.append("line ").append(i).append(i % 7 == 0 ? "\r\n" : "\n");
        Path plain = write("big.txt", big.toString()), zipped = write("big.txt.gz", "α\nβ\nγ\n");
        TestData.resumesAtEveryCut(() -> Dataset.textLines(zipped, plain, zipped));
    }

    @Test
    void listFilesSortsMatchesAndFeedsInterleave() throws IOException {
        write("part-2.csv", "c\nd\n");
        write("part-1.csv", "a\nb\n");
        write("notes.txt", "skip me\n");
        Files.createDirectory(dir.resolve("sub.csv"));
        Dataset<Path> files = Dataset.listFiles(dir, "*.csv");
        assertEquals(List.of(dir.resolve("part-1.csv"), dir.resolve("part-2.csv")), files.toList(), "files only, sorted");
        assertEquals(List.of("a", "c", "b", "d"), files.interleave(Dataset::textLines, 2, 1).toList());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.listFiles(dir, "*.json")), "listFiles", "no file in", "'*.json'");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.listFiles(dir.resolve("missing"), "*")), "listFiles: cannot list", "missing");
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path missing = dir.resolve("gone.txt");
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.textLines(missing).toList()), "textLines: cannot read", "gone.txt");
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.textLines(bad).toList()), "latin1.txt line 2 is not valid UTF-8");
        Path notGzip = write("plain.gz", "");
        Files.writeString(notGzip, "not gzip at all");
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.textLines(notGzip).toList()), "textLines: cannot read", "plain.gz");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.textLines(bad, null)), "textLines: file 1 is null");
        IteratorState far = IteratorState.builder("text_lines").put("file", 0).put("line", 5).put("offset", 999).build();
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.textLines(bad).iterator(far)), "offset 999 outside", "latin1.txt");
    }
}
