package dev.fluxion.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal reader of (ustar, GNU or pax) tar streams, enough to unpack the CIFAR archives: 512-byte headers with
 * the name (plus the ustar prefix, a GNU long name or a pax path), an octal size and a type flag, followed by the
 * data padded to 512 bytes. A truncated archive raises {@link DatasetFormatException}.
 */
final class Tar {
    private static final int BLOCK = 512;
    private final InputStream in;
    private final String name;
    private long remaining; // data bytes of the current entry not yet consumed
    private long padding;

    /** One entry: its path in the archive, its type flag ('0' or NUL for a regular file) and its size. */
    record Entry(String path, char type, long size) {
        boolean isFile() {
            return type == '0' || type == '\0';
        }

        /** The last path component. */
        String baseName() {
            String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return p.substring(p.lastIndexOf('/') + 1);
        }
    }

    Tar(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** The next entry, or null at the end of the archive; skips what is left of the previous one. */
    Entry next() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length == 0) return null; // some writers omit the end blocks
            if (h.length < BLOCK) throw new DatasetFormatException(name, "truncated tar header: " + h.length + " of 512 bytes");
            if (isZero(h)) return null;
            checkSum(h);
            char type = (char) h[156];
            long size = octal(h, 124, 12);
            String path = longName != null ? longName : path(h);
            longName = null;
            if (type == 'L' || type == 'x' || type == 'g') { // a GNU long name or pax header describes the next entry
                byte[] data = readData(size);
                if (type == 'L') longName = cString(data, 0, data.length);
                else if (type == 'x') longName = paxPath(data);
                continue;
            }
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            return new Entry(path, type, size);
        }
    }

    /** The data of the current entry (read it fully before calling {@link #next()}). */
    InputStream data() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw new DatasetFormatException(name, "truncated: the archive ends inside an entry (" + remaining + " bytes missing)");
                remaining -= n;
                return n;
            }
        };
    }

    private byte[] readData(long size) throws IOException {
        if (size > 1 << 20) throw new DatasetFormatException(name, "tar extension header of " + size + " bytes is implausibly large");
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw new DatasetFormatException(name, "truncated tar extension header: " + data.length + " of " + size + " bytes");
        skipFully((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) throw new DatasetFormatException(name, "truncated: the archive ends inside an entry (" + n + " bytes missing)");
                k = 1;
            }
            n -= k;
        }
    }

    private String path(byte[] h) {
        String base = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? base : prefix + "/" + base;
    }

    private static String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String rec : text.split("\n")) {
            int sp = rec.indexOf(' ');
            if (sp >= 0 && rec.startsWith("path=", sp + 1)) return rec.substring(sp + 6);
        }
        return null;
    }

    private void checkSum(byte[] h) throws DatasetFormatException {
        long stored = octal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        if (sum != stored) throw new DatasetFormatException(name, "corrupt tar header: checksum expected " + stored + ", found " + sum);
    }

    private long octal(byte[] h, int off, int len) throws DatasetFormatException {
        if ((h[off] & 0x80) != 0) throw new DatasetFormatException(name, "tar entry uses base-256 sizes, which this reader does not support");
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte b = h[i];
            if (b == 0 || b == ' ') {
                if (v == 0 && i < off + len - 1 && b == ' ') continue; // leading spaces
                break;
            }
            if (b < '0' || b > '7') throw new DatasetFormatException(name, "corrupt tar header: bad octal digit '" + (char) b + "'");
            v = v * 8 + (b - '0');
        }
        return v;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }
}
