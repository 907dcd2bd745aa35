package dev.fluxion.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * tf.data's cache: the first complete pass fills it (a pass closed early leaves it empty); later passes read it.
 * The memory cache lives as long as this dataset object; the file cache is written to a temporary file renamed into
 * place at the end of the pass, so a file that exists is complete, and it serves later runs too.
 *
 * <p>Position: the upstream position at which the filling pass started, plus the element index (and byte offset
 * when reading a file; the upstream position too while filling). A restore in a process whose cache is empty first
 * fills it again from that same pass, so later passes read the same elements as in the interrupted run.
 */
final class Cache<E> extends Dataset<E> {
    private final Dataset<E> input;
    private final Path file; // null: memory
    private volatile Filled<E> memory;

    private record Filled<E>(List<E> elements, IteratorState start) {}

    Cache(Dataset<E> input, Path file) {
        this.input = input;
        this.file = file;
    }

    @Override
    public long cardinality() {
        return input.cardinality();
    }

    @Override
    Cursor<E> open(IteratorState state) {
        if (state == null) {
            Filled<E> f = memory;
            if (file == null && f != null) return new MemoryRead(f, 0);
            if (file != null && Files.isRegularFile(file)) return new FileRead(-1, 0);
            Cursor<E> in = input.open(null);
            return new Fill(in, Combinators.trySave(in), true);
        }
        state.expect("cache");
        if (state.get("mode") == 0) {
            // saved mid-fill: the uninterrupted run would have filled the cache with this pass, so fill it from the pass's
            // start and read on from the saved position (a pass that was not filling, or never ends, passes through)
            if (state.children().size() < 2 || input.cardinality() == INFINITE) return new Fill(input.open(state.child(0)), null, false);
            return reader(state.child(1), state.get("pos"), -1);
        }
        return reader(state.child(0), state.get("pos"), file == null ? -1 : state.get("offset"));
    }

    /** A reader at element {@code pos} (byte {@code offset} of the file, if known), filling the cache first if empty. */
    private Cursor<E> reader(IteratorState start, long pos, long offset) {
        if (file == null) {
            Filled<E> f = memory != null ? memory : refill(start);
            if (pos < 0 || pos > f.elements().size())
                throw new IllegalArgumentException("iterator state: cache position " + pos + " outside [0, " + f.elements().size() + "]");
            return new MemoryRead(f, pos);
        }
        if (!Files.isRegularFile(file)) refill(start);
        if (offset >= 0) return new FileRead(offset, pos);
        FileRead r = new FileRead(-1, 0);
        if (r.skip(pos) != pos) {
            r.close();
            throw new IllegalArgumentException("iterator state: cache position " + pos + " beyond the end of " + file);
        }
        return r;
    }

    /** Runs the filling pass from its saved start to the end (a restore after the cache was lost). */
    private Filled<E> refill(IteratorState start) {
        Fill f = new Fill(input.open(start), start, true);
        try {
            while (f.next() != null) {
                // the fill cursor records every element
            }
        } finally {
            f.close();
        }
        return memory;
    }

    private final class Fill extends Stages.Piped<E, E> {
        private final IteratorState start;
        private List<E> list;
        private Path tmp;
        private DataOutputStream out;
        private long count;
        private boolean completed;

        Fill(Cursor<E> in, IteratorState start, boolean record) {
            super(in);
            this.start = start;
            if (!record) return;
            if (file == null) {
                list = new ArrayList<>();
                return;
            }
            try {
                Path dir = file.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                tmp = dir.resolve(file.getFileName() + ".tmp-" + UUID.randomUUID());
                out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW), 1 << 16));
                ElementCodec.writeHeader(out);
                byte[] s = start == null ? new byte[0] : start.toBytes();
                out.writeInt(s.length);
                out.write(s);
            } catch (IOException e) {
                discard();
                throw new DataPipelineException("cache: cannot create " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public E next() {
            E x = in.next();
            try {
                if (x == null) {
                    if (!completed) complete();
                    return null;
                }
                if (list != null) list.add(x);
                if (out != null) ElementCodec.write(out, x);
            } catch (IOException e) {
                discard(); // clears tmp, so the message names the cache file
                throw new DataPipelineException("cache: writing " + file + " failed: " + e, e);
            }
            count++;
            return x;
        }

        private void complete() throws IOException {
            completed = true;
            if (list != null && memory == null) memory = new Filled<>(Collections.unmodifiableList(list), start);
            list = null;
            if (out != null) {
                ElementCodec.writeEnd(out, count);
                out.close();
                out = null;
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
                tmp = null;
            }
        }

        private void discard() {
            try {
                if (out != null) out.close();
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the temporary file is never read
            }
            out = null;
            tmp = null;
            list = null;
        }

        @Override
        public IteratorState save() {
            IteratorState.Builder b = IteratorState.builder("cache").put("mode", 0).put("pos", count).child(in.save());
            if ((list != null || out != null) && start != null) b.child(start); // this pass is filling the cache
            return b.build();
        }

        @Override
        public void close() {
            try {
                if (!completed) discard(); // a pass closed early does not fill the cache
            } finally {
                in.close();
            }
        }
    }

    private final class MemoryRead implements Cursor<E> {
        private final Filled<E> filled;
        private long pos;

        MemoryRead(Filled<E> filled, long pos) {
            this.filled = filled;
            this.pos = pos;
        }

        @Override
        public E next() {
            return pos < filled.elements().size() ? filled.elements().get((int) pos++) : null;
        }

        @Override
        public long skip(long n) {
            long d = Math.min(n, filled.elements().size() - pos);
            pos += d;
            return d;
        }

        @Override
        public IteratorState save() {
            if (filled.start() == null) throw new UnsaveableException("cache: the position of its input cannot be saved");
            return IteratorState.builder("cache").put("mode", 1).put("pos", pos).child(filled.start()).build();
        }

        @Override
        public void close() {}
    }

    private final class FileRead implements Cursor<E> {
        private final String name = file.toString();
        private final IteratorState start;
        private final ElementCodec.CountingInputStream counting;
        private final DataInputStream data;
        private long pos;
        private boolean ended;
        /** The offset of the end marker once read: the end's saved position, so that a restore reads the marker again. */
        private long endOffset;

        /** Opens the file at a byte offset ({@code -1}: the first element). */
        FileRead(long offset, long pos) {
            this.pos = pos;
            try {
                FileChannel ch = FileChannel.open(file);
                try {
                    DataInputStream header = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 4096));
                    int len;
                    try {
                        ElementCodec.readHeader(header, name);
                        len = header.readInt();
                    } catch (EOFException e) {
                        throw new DatasetFormatException(name, "truncated header: the file has only " + ch.size() + " bytes", e);
                    }
                    if (len < 0 || len > 1 << 26) throw new DatasetFormatException(name, "bad header length " + len);
                    byte[] s = header.readNBytes(len);
                    if (s.length != len) throw new DatasetFormatException(name, "truncated header");
                    try {
                        start = len == 0 ? null : IteratorState.fromBytes(s);
                    } catch (IllegalArgumentException e) {
                        throw new DatasetFormatException(name, "corrupt header: " + e.getMessage(), e);
                    }
                    long first = ElementCodec.HEADER_BYTES + 4L + len;
                    long at = offset < 0 ? first : offset;
                    if (at < first || at > ch.size()) throw new IllegalArgumentException("iterator state: offset " + at + " outside " + name);
                    ch.position(at);
                    InputStream raw = Channels.newInputStream(ch);
                    counting = new ElementCodec.CountingInputStream(new BufferedInputStream(raw, 1 << 16), at);
                    data = new DataInputStream(counting);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
            } catch (IOException e) {
                throw new DataPipelineException("cache: cannot read " + name + ": " + e.getMessage(), e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public E next() {
            if (ended) return null;
            try {
                long at = counting.count;
                Object o = ElementCodec.read(data, name, pos);
                if (o == null) {
                    ended = true;
                    endOffset = at;
                    return null;
                }
                pos++;
                return (E) o;
            } catch (IOException e) {
                throw new DataPipelineException("cache: " + e.getMessage(), e);
            }
        }

        @Override
        public IteratorState save() {
            if (start == null) throw new UnsaveableException("cache: the position of its input cannot be saved");
            return IteratorState.builder("cache").put("mode", 1).put("pos", pos).put("offset", ended ? endOffset : counting.count).child(start).build();
        }

        @Override
        public void close() {
            try {
                data.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
