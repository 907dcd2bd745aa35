package dev.fluxion.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer, enough for safetensors headers, checkpoint metadata and iterator states (no
 * dependency).
 *
 * <p>Values map to {@code Map<String, Object>} (insertion-ordered; duplicate keys are an error), {@code List<Object>},
 * {@code String}, {@code Long} (integers; {@code BigInteger} when they do not fit), {@code Double} (numbers with a
 * fraction or exponent), {@code Boolean} and {@code null}. Anything outside RFC 8259 (trailing commas, comments,
 * single quotes, leading zeros, unescaped control characters, trailing content) is rejected with
 * {@link IllegalArgumentException} giving the character offset. Nesting is limited to 512 levels (an iterator state
 * takes two per pipeline stage).
 */
public final class Json {
    private static final int MAX_DEPTH = 512;

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value that must span the whole text (whitespace aside). */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != text.length()) throw p.error("unexpected trailing content");
        return v;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
            else break;
        }
    }

    /** A value inside {@code depth} arrays and objects: one more would be nested deeper than the limit. */
    private Object value(int depth) {
        if (pos >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(pos);
        if ((c == '{' || c == '[') && depth >= MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) throw error("expected '" + word + "'");
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            ws();
            if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a string key");
            int keyAt = pos;
            String key = string();
            ws();
            expect(':');
            ws();
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            m.put(key, v);
            ws();
            if (pos >= s.length()) throw error("unexpected end of input in an object");
            char c = s.charAt(pos++);
            if (c == '}') return m;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> a = new ArrayList<>();
        ws();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return a;
        }
        while (true) {
            ws();
            a.add(value(depth + 1));
            ws();
            if (pos >= s.length()) throw error("unexpected end of input in an array");
            char c = s.charAt(pos++);
            if (c == ']') return a;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private void expect(char c) {
        if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
        pos++;
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) {
                pos--;
                throw error("unescaped control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated \\u escape");
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos++), 16);
                        if (d < 0) throw error("bad \\u escape");
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                }
                default -> {
                    pos--;
                    throw error("bad escape '\\" + e + "'");
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        if (s.charAt(pos) == '-') pos++;
        if (pos >= s.length()) throw error("truncated number");
        if (s.charAt(pos) == '0') {
            pos++;
            if (pos < s.length() && Character.isDigit(s.charAt(pos))) throw error("leading zero in a number");
        } else if (Character.isDigit(s.charAt(pos))) {
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        } else {
            throw error("bad number");
        }
        boolean integral = true;
        if (pos < s.length() && s.charAt(pos) == '.') {
            integral = false;
            pos++;
            int d = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (pos == d) throw error("digits expected after '.'");
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
            int d = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (pos == d) throw error("digits expected in the exponent");
        }
        String text = s.substring(start, pos);
        if (!integral) return Double.parseDouble(text);
        BigInteger b = new BigInteger(text);
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    // ------------------------------------------------------------------ writing

    /** Writes a value built of the types {@link #parse} returns (plus Integer, Float and other Numbers). */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String str -> quote(sb, str);
            case Boolean b -> sb.append(b);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f);
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                    quote(sb, k);
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON cannot hold " + d);
        sb.append(d);
    }

    /** Appends {@code str} as a JSON string literal. */
    public static void quote(StringBuilder sb, String str) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
