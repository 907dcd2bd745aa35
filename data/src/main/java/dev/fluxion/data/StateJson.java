package dev.fluxion.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A recursive-descent reader for the one JSON shape {@link IteratorState#toJson()} writes. */
final class StateJson {
    private static final int MAX_DEPTH = 256;
    private final String s;
    private int pos;

    StateJson(String s) {
        this.s = s;
    }

    IteratorState node(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        String kind = null;
        Map<String, long[]> values = new LinkedHashMap<>();
        List<IteratorState> children = new ArrayList<>();
        expect('{');
        if (!peek('}')) {
            do {
                String field = string();
                expect(':');
                switch (field) {
                    case "kind" -> kind = string();
                    case "values" -> values(values);
                    case "children" -> {
                        expect('[');
                        if (!peek(']')) {
                            do children.add(node(depth + 1)); while (take(','));
                        }
                        expect(']');
                    }
                    default -> throw error("unexpected field \"" + field + "\"");
                }
            } while (take(','));
        }
        expect('}');
        if (kind == null) throw error("missing \"kind\"");
        return IteratorState.fromParts(kind, values, children);
    }

    private void values(Map<String, long[]> out) {
        expect('{');
        if (!peek('}')) {
            do {
                String key = string();
                expect(':');
                expect('[');
                List<Long> list = new ArrayList<>();
                if (!peek(']')) {
                    do list.add(number()); while (take(','));
                }
                expect(']');
                if (out.put(key, list.stream().mapToLong(Long::longValue).toArray()) != null) throw error("duplicate key \"" + key + "\"");
            } while (take(','));
        }
        expect('}');
    }

    void end() {
        skipSpace();
        if (pos != s.length()) throw error("trailing characters");
    }

    private long number() {
        skipSpace();
        int start = pos;
        if (pos < s.length() && s.charAt(pos) == '-') pos++;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        try {
            return Long.parseLong(s.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("expected an integer");
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("short \\u escape");
                    try {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    static void quote(StringBuilder sb, String v) {
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private boolean peek(char c) {
        skipSpace();
        return pos < s.length() && s.charAt(pos) == c;
    }

    private boolean take(char c) {
        if (!peek(c)) return false;
        pos++;
        return true;
    }

    private void expect(char c) {
        if (!take(c)) throw error("expected '" + c + "'");
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed iterator state JSON at offset " + pos + ": " + what);
    }
}
