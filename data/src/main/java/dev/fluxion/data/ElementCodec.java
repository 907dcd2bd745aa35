package dev.fluxion.data;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.ArrayStorage;
import dev.fluxion.cpu.Layouts;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The element format of {@code cache(Path)} files: magic "FXDC", a version, then per element a tag (1 tensor,
 * 2 pair, 3 tuple, 4 pair with sample weights) and its tensors (dtype code, rank, dimensions, big-endian values), and a final tag 0 with the
 * element count, so that a truncated file is detected rather than read as a shorter data set.
 */
final class ElementCodec {
    private ElementCodec() {}

    static final byte[] MAGIC = {'F', 'X', 'D', 'C'};
    static final int VERSION = 1;
    static final int HEADER_BYTES = 5;
    private static final int MAX_RANK = 32;

    static void writeHeader(DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeByte(VERSION);
    }

    static void readHeader(DataInputStream in, String file) throws IOException {
        byte[] m = new byte[5];
        in.readFully(m);
        if (m[0] != 'F' || m[1] != 'X' || m[2] != 'D' || m[3] != 'C')
            throw new DatasetFormatException(file, "not a Fluxion dataset cache (expected magic FXDC)");
        if (m[4] != VERSION) throw new DatasetFormatException(file, "cache version " + m[4] + " is not supported (expected " + VERSION + ")");
    }

    static void writeEnd(DataOutputStream out, long count) throws IOException {
        out.writeByte(0);
        out.writeLong(count);
    }

    static void write(DataOutputStream out, Object e) throws IOException {
        switch (e) {
            case Tensor t -> {
                out.writeByte(1);
                writeTensor(out, t);
            }
            case Pair p -> {
                out.writeByte(p.hasSampleWeight() ? 4 : 2);
                writeTensor(out, p.x());
                writeTensor(out, p.y());
                if (p.hasSampleWeight()) writeTensor(out, p.sampleWeight());
            }
            case TensorTuple t -> {
                out.writeByte(3);
                out.writeInt(t.size());
                for (Tensor c : t.tensors()) writeTensor(out, c);
            }
            default -> throw new DataPipelineException("cache(Path) stores Tensor, Pair and TensorTuple elements, got "
                    + e.getClass().getName() + "; use cache() in memory for other types");
        }
    }

    /** The next element, or null at the end marker (after checking the count). */
    static Object read(DataInputStream in, String file, long index) throws IOException {
        int tag;
        try {
            tag = in.readUnsignedByte();
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "truncated: the file ends at element " + index + " without its end marker");
        }
        try {
            return switch (tag) {
                case 0 -> {
                    long count = in.readLong();
                    if (count != index) throw new DatasetFormatException(file, "end marker says " + count + " elements, found " + index);
                    yield null;
                }
                case 1 -> readTensor(in, file, index);
                case 2 -> new Pair(readTensor(in, file, index), readTensor(in, file, index));
                case 4 -> new Pair(readTensor(in, file, index), readTensor(in, file, index), readTensor(in, file, index));
                case 3 -> {
                    int n = in.readInt();
                    if (n < 1 || n > 1 << 16) throw new DatasetFormatException(file, "element " + index + ": bad tuple size " + n);
                    List<Tensor> parts = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) parts.add(readTensor(in, file, index));
                    yield new TensorTuple(parts);
                }
                default -> throw new DatasetFormatException(file, "element " + index + ": unknown tag " + tag + " (corrupt file)");
            };
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "truncated inside element " + index);
        }
    }

    private static int code(DType t) {
        return switch (t) {
            case FLOAT32 -> 1;
            case FLOAT64 -> 2;
            case INT32 -> 3;
            case INT64 -> 4;
            case BOOL -> 5;
        };
    }

    private static void writeTensor(DataOutputStream out, Tensor t) throws IOException {
        int[] shape = t.shape();
        out.writeByte(code(t.dtype()));
        out.writeByte(shape.length);
        for (int d : shape) out.writeInt(d);
        Object a = ArrayStorage.allocate(t.dtype(), t.size()).array();
        Layouts.copyInto(t.device().equals(dev.fluxion.Device.CPU) ? t : t.to(dev.fluxion.Device.CPU), a, 0);
        ByteBuffer b = ByteBuffer.allocate(t.size() * t.dtype().byteSize());
        switch (a) {
            case float[] f -> b.asFloatBuffer().put(f);
            case double[] f -> b.asDoubleBuffer().put(f);
            case int[] f -> b.asIntBuffer().put(f);
            case long[] f -> b.asLongBuffer().put(f);
            case boolean[] f -> {
                for (boolean v : f) b.put((byte) (v ? 1 : 0));
            }
            default -> throw new IllegalStateException();
        }
        out.write(b.array());
    }

    private static Tensor readTensor(DataInputStream in, String file, long index) throws IOException {
        int code = in.readUnsignedByte();
        DType dtype = switch (code) {
            case 1 -> DType.FLOAT32;
            case 2 -> DType.FLOAT64;
            case 3 -> DType.INT32;
            case 4 -> DType.INT64;
            case 5 -> DType.BOOL;
            default -> throw new DatasetFormatException(file, "element " + index + ": unknown dtype code " + code + " (corrupt file)");
        };
        int rank = in.readUnsignedByte();
        if (rank > MAX_RANK) throw new DatasetFormatException(file, "element " + index + ": tensor rank " + rank + " exceeds " + MAX_RANK + " (corrupt file)");
        int[] shape = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readInt();
            if (shape[i] < 0) throw new DatasetFormatException(file, "element " + index + ": negative dimension " + shape[i] + " (corrupt file)");
            size *= shape[i];
            if (size * dtype.byteSize() > Integer.MAX_VALUE - 16) throw new DatasetFormatException(file, "element " + index + ": tensor too large (corrupt file)");
        }
        byte[] raw = new byte[(int) size * dtype.byteSize()];
        in.readFully(raw);
        ByteBuffer b = ByteBuffer.wrap(raw);
        ArrayStorage s = ArrayStorage.allocate(dtype, (int) size);
        switch (s.array()) {
            case float[] f -> b.asFloatBuffer().get(f);
            case double[] f -> b.asDoubleBuffer().get(f);
            case int[] f -> b.asIntBuffer().get(f);
            case long[] f -> b.asLongBuffer().get(f);
            case boolean[] f -> {
                for (int i = 0; i < f.length; i++) f[i] = raw[i] != 0;
            }
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(s, shape);
    }

    /** Counts the bytes read through it, so a reader knows the offset of each element for a saved position. */
    static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in, long start) {
            super(in);
            this.count = start;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }
    }
}
