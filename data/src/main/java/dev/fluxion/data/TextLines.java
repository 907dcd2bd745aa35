package dev.fluxion.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * tf.data's {@code TextLineDataset}: the lines of text files, one file after the other, without their line ends
 * ({@code \n} or {@code \r\n}), decoded as strict UTF-8; files ending in {@code .gz} are read through gzip. A saved
 * position is the file, the line and, for plain files, the byte offset, so a restore seeks straight there (a gzip
 * file is read again up to the line).
 */
final class TextLines extends Dataset<String> {
    private final List<Path> files;

    TextLines(List<Path> files) {
        this.files = List.copyOf(files);
    }

    @Override
    public long cardinality() {
        return files.isEmpty() ? 0 : UNKNOWN;
    }

    @Override
    Cursor<String> open(IteratorState state) {
        if (state == null) return new LineCursor(0, 0, 0);
        state.expect("text_lines");
        long file = state.get("file");
        if (file < 0 || file > files.size())
            throw new IllegalArgumentException("iterator state: text_lines file " + file + " outside [0, " + files.size() + "]");
        return new LineCursor((int) file, state.get("line"), state.get("offset"));
    }

    private final class LineCursor implements Cursor<String> {
        private int file;
        private long line; // lines read from the current file
        private long offset; // bytes read from the current file (before decompression)
        private InputStream in;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private byte[] buf = new byte[256];

        LineCursor(int file, long line, long offset) {
            this.file = file;
            if (file < files.size()) openAt(line, offset);
        }

        private boolean gzip(Path p) {
            return p.getFileName().toString().endsWith(".gz");
        }

        /** Opens the current file positioned after {@code lines} lines ({@code offset} bytes in a plain file). */
        private void openAt(long lines, long bytes) {
            Path p = files.get(file);
            try {
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                if (gzip(p)) {
                    in = new BufferedInputStream(new GZIPInputStream(Channels.newInputStream(ch), 65536), 65536);
                    line = 0;
                    offset = 0;
                    for (long k = 0; k < lines; k++)
                        if (readLine() == null)
                            throw new IllegalArgumentException("iterator state: " + p + " has " + k + " lines, the state is after line " + lines);
                } else {
                    if (bytes < 0 || bytes > ch.size())
                        throw new IllegalArgumentException("iterator state: offset " + bytes + " outside " + p + " (" + ch.size() + " bytes)");
                    ch.position(bytes);
                    in = new BufferedInputStream(Channels.newInputStream(ch), 65536);
                    line = lines;
                    offset = bytes;
                }
            } catch (IOException e) {
                throw new DataPipelineException("textLines: cannot read " + p + ": " + e, e);
            }
        }

        /** The next line of the current file, or null at its end. */
        private String readLine() throws IOException {
            int n = 0, b;
            while ((b = in.read()) >= 0) {
                offset++;
                if (b == '\n') break;
                if (n == buf.length) buf = java.util.Arrays.copyOf(buf, 2 * n);
                buf[n++] = (byte) b;
            }
            if (b < 0 && n == 0) return null;
            if (n > 0 && buf[n - 1] == '\r') n--;
            line++;
            try {
                CharBuffer text = utf8.reset().decode(ByteBuffer.wrap(buf, 0, n));
                return text.toString();
            } catch (CharacterCodingException e) {
                throw new DataPipelineException("textLines: " + files.get(file) + " line " + line + " is not valid UTF-8", e);
            }
        }

        @Override
        public String next() {
            while (file < files.size()) {
                try {
                    String s = readLine();
                    if (s != null) return s;
                } catch (IOException e) {
                    throw new DataPipelineException("textLines: cannot read " + files.get(file) + " after line " + line + ": " + e, e);
                }
                closeFile();
                file++;
                line = 0;
                offset = 0;
                if (file < files.size()) openAt(0, 0);
            }
            return null;
        }

        @Override
        public IteratorState save() {
            return IteratorState.builder("text_lines").put("file", file).put("line", line).put("offset", offset).build();
        }

        private void closeFile() {
            try {
                if (in != null) in.close();
            } catch (IOException e) {
                throw new UncheckedIOException("textLines: cannot close " + files.get(file), e);
            } finally {
                in = null;
            }
        }

        @Override
        public void close() {
            if (file < files.size()) closeFile();
        }
    }
}
