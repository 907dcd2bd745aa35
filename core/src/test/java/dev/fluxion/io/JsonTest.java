package dev.fluxion.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Json, the reader behind safetensors headers and iterator states, against Jackson (strict settings) as the reference: random documents
 * parse to the same values, malformed ones are rejected by both, and what Json writes reads back unchanged.
 */
class JsonTest {
    private static final ObjectMapper REFERENCE = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    @Test
    void randomDocumentsParseLikeTheReference() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            String text = document(r, 0);
            assertSameValue(REFERENCE.readTree(text), Json.parse(text), text);
        }
    }

    @Test
    void malformedDocumentsAreRejectedByBothWithAnOffset() {
        String[] bad = {"{", "[1,]", "{\"a\":1,}", "[1 2]", "01", "-", "-01", "1.", ".5", "1e", "1e+", "+1",
                "NaN", "Infinity", "tru", "nul", "'a'", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\tb\"",
                "{\"a\" 1}", "{1:2}", "{\"a\":1 \"b\":2}", "[1]]", "{} {}", "/* c */ 1", "[1] // c",
                "{\"k\":1,\"k\":2}"};
        for (String text : bad) {
            assertThrows(Exception.class, () -> REFERENCE.readTree(text), "the reference accepts " + text);
            var e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
        }
        for (String empty : new String[] {"", " \n"}) // the reference's tree reader returns a "missing" node here
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse(empty)).getMessage().contains("end of input"));
        // this reader's own limit (the reference allows 1000 levels): 512 levels parse, 513 do not
        assertEquals(1, ((List<?>) Json.parse("[".repeat(512) + "1" + "]".repeat(512))).size());
        var deep = assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(513) + "1" + "]".repeat(513)));
        assertTrue(deep.getMessage().contains("nested deeper than 512"), deep.getMessage());
        // the limit counts arrays and objects, whatever the innermost one holds
        assertEquals(1, ((List<?>) Json.parse("[".repeat(512) + "]".repeat(512))).size());
        for (String tooDeep : new String[] {"[".repeat(513) + "]".repeat(513), "[".repeat(512) + "{}" + "]".repeat(512),
                "{\"a\":".repeat(513) + "1" + "}".repeat(513)}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Json.parse(tooDeep), tooDeep.substring(0, 8));
            assertTrue(e.getMessage().contains("nested deeper than 512"), e.getMessage());
        }
    }

    @Test
    void escapesAndNumbersAtTheEdges() {
        assertEquals("é/😀\u0001\"\\", Json.parse("\"\\u00e9\\/\\ud83d\\ude00\\u0001\\\"\\\\\""));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals(-0.0, Json.parse("-0.0"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(1.5e-7, Json.parse("15E-8"));
        assertEquals(List.of(), Json.parse(" [ ] "));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @Test
    void errorsGiveTheOffsetOfTheOffendingCharacter() {
        String[][] cases = {
                {"{\"a\":1 \"b\":2}", "invalid JSON at offset 7: expected ',' or '}'"},
                {"[1 2]", "invalid JSON at offset 3: expected ',' or ']'"},
                {"\"a\tb\"", "invalid JSON at offset 2: unescaped control character in a string"},
                {"\"\\x\"", "invalid JSON at offset 2: bad escape '\\x'"},
                {"{\"a\":1", "invalid JSON at offset 6: unexpected end of input in an object"},
                {"[1", "invalid JSON at offset 2: unexpected end of input in an array"},
                {"[", "invalid JSON at offset 1: unexpected end of input"},
                {"{\"a\"", "invalid JSON at offset 4: expected ':'"},
                {"\"\\", "invalid JSON at offset 2: unterminated escape"},
                {"\"\\u12\"", "invalid JSON at offset 3: truncated \\u escape"},
                {"\"\\u00e9", "invalid JSON at offset 7: unterminated string"},
        };
        for (String[] c : cases)
            assertEquals(c[1], assertThrows(IllegalArgumentException.class, () -> Json.parse(c[0]), c[0]).getMessage(), c[0]);
    }

    @Test
    void whitespaceAndSpacesAreAcceptedWhereJsonAllowsThem() {
        assertEquals(Map.of(), Json.parse("{ \n}"));
        assertEquals(Map.of("a", 1L, "b", List.of(2L)), Json.parse("{\"a\" : 1 ,\n \"b\":[ 2 ] }"));
        assertEquals("a b", Json.parse("\"a b\""));
        assertEquals("\"a b\\u0001\"", Json.write("a b\u0001"));
        assertEquals("[1.5,2.0,3]", Json.write(List.of(1.5f, 2.0, 3)));
    }

    @Test
    void writtenValuesReadBackUnchanged() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 1000; i++) {
            Object value = Json.parse(document(r, 0));
            String written = Json.write(value);
            assertEquals(value, Json.parse(written), written);
            assertSameValue(REFERENCE.readTree(written), value, written); // and it is JSON to others too
        }
    }

    @Test
    void nonFiniteNumbersAndNonStringKeysCannotBeWritten() {
        var e = assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(1.0, Double.NaN)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        var k = assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "one")));
        assertTrue(k.getMessage().contains("keys must be strings"), k.getMessage());
    }

    /** A random valid document: nested objects and arrays, escaped strings, numbers in every JSON form. */
    private static String document(Random r, int depth) {
        int kind = depth >= 4 ? 2 + r.nextInt(5) : r.nextInt(7);
        String ws = r.nextInt(4) == 0 ? " \n\t\r".substring(r.nextInt(4)) : "";
        return ws + switch (kind) {
            case 0 -> {
                StringBuilder sb = new StringBuilder("{");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    sb.append(string(r)).append(i == 0 ? "" : ws).append(':').append(document(r, depth + 1));
                }
                // random keys may repeat, which is an error to both readers: such an object becomes {}
                yield withoutDuplicateKeys(sb.append('}').toString());
            }
            case 1 -> {
                StringBuilder sb = new StringBuilder("[");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) sb.append(i > 0 ? "," : "").append(document(r, depth + 1));
                yield sb.append(']').toString();
            }
            case 2, 3 -> string(r);
            case 4 -> number(r);
            case 5 -> r.nextBoolean() ? "true" : "false";
            default -> r.nextBoolean() ? "null" : number(r);
        } + ws;
    }

    private static String withoutDuplicateKeys(String object) {
        try {
            REFERENCE.readTree(object);
            return object;
        } catch (Exception duplicate) {
            return "{}";
        }
    }

    private static String string(Random r) {
        StringBuilder sb = new StringBuilder("\"");
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(8)) {
                case 0 -> sb.append("\\u").append(String.format("%04x", r.nextInt(0x10000) & ~0x800)); // no lone surrogates
                case 1 -> sb.append('\\').append("\"\\/bfnrt".charAt(r.nextInt(8)));
                case 2 -> sb.appendCodePoint(0x80 + r.nextInt(0xD000));
                case 3 -> sb.append("😀");
                default -> sb.append((char) ('a' + r.nextInt(26)));
            }
        }
        return sb.append('"').toString();
    }

    private static String number(Random r) {
        StringBuilder sb = new StringBuilder();
        if (r.nextBoolean()) sb.append('-');
        sb.append(r.nextInt(5) == 0 ? "0" : String.valueOf(1 + (long) (r.nextDouble() * Math.pow(10, r.nextInt(19)))));
        if (r.nextInt(3) == 0) sb.append('.').append(r.nextInt(100000));
        if (r.nextInt(4) == 0) sb.append("eE".charAt(r.nextInt(2))).append(r.nextBoolean() ? "" : r.nextBoolean() ? "+" : "-").append(r.nextInt(40));
        return sb.toString();
    }

    /** Whether Json's value equals the reference's tree: the same structure, strings and numbers. */
    private static void assertSameValue(JsonNode ref, Object value, String text) {
        switch (value) {
            case null -> assertTrue(ref.isNull(), text);
            case Map<?, ?> m -> {
                assertTrue(ref.isObject(), text);
                assertEquals(ref.size(), m.size(), text);
                List<String> keys = new ArrayList<>();
                for (Iterator<String> it = ref.fieldNames(); it.hasNext(); ) keys.add(it.next());
                assertEquals(keys, new ArrayList<>(m.keySet()), "key order: " + text);
                for (String k : keys) assertSameValue(ref.get(k), m.get(k), text);
            }
            case List<?> l -> {
                assertTrue(ref.isArray(), text);
                assertEquals(ref.size(), l.size(), text);
                for (int i = 0; i < l.size(); i++) assertSameValue(ref.get(i), l.get(i), text);
            }
            case String s -> assertEquals(ref.textValue(), s, text);
            case Boolean b -> assertEquals(ref.booleanValue(), b, text);
            case Long n -> assertEquals(ref.bigIntegerValue(), BigInteger.valueOf(n), text);
            case BigInteger n -> assertEquals(ref.bigIntegerValue(), n, text);
            case Double d -> assertTrue(ref.decimalValue().doubleValue() == d, text); // -0.0 reads back as 0 there
            default -> fail("unexpected value type " + value.getClass() + " for " + text);
        }
        if (value instanceof Long || value instanceof BigInteger) assertTrue(ref.isIntegralNumber(), text);
        if (value instanceof Double) assertTrue(ref.isFloatingPointNumber() || ref.isBigDecimal(), text);
    }
}
