package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import static dev.fluxion.data.ErrorMessages.assertMentions;

/** A damaged or foreign saved iterator state raises IllegalArgumentException saying what is wrong with it. */
class IteratorStateErrorsTest {
    /** The binary form around {@code body}: magic, version 1, the body and a valid CRC32, as a foreign writer makes it. */
    private static byte[] withValidCrc(byte... body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'F', 'X', 'I', 'S', 1});
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(out.toByteArray());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    @Test
    void builderRefusesADuplicateKey() {
        IteratorState.Builder b = IteratorState.builder("mystage").put("index", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.put("index", new long[] {2}));
        assertMentions(e, "duplicate key 'index'", "'mystage'");
    }

    @Test
    void childOutOfRangeNamesTheNodeAndTheIndex() {
        IteratorState s = IteratorState.builder("zip").child(IteratorState.builder("range").build()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.child(1));
        assertMentions(e, "'zip'", "1 children", "no child 1");
        // restoring a hand-written state that lacks its upstream's node
        IteratorState noChild = IteratorState.builder("batch").put("index", 0).build();
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> Dataset.range(4).batch(2, false, l -> l).iterator(noChild));
        assertMentions(r, "'batch'", "0 children", "no child 0");
    }

    @Test
    void bytesWithoutTheMagicAreRefused() {
        IllegalArgumentException shortInput = assertThrows(IllegalArgumentException.class, () -> IteratorState.fromBytes(new byte[] {'F', 'X'}));
        assertMentions(shortInput, "not a Fluxion iterator state", "FXIS");
        byte[] json = IteratorState.builder("range").put("index", 1).build().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        IllegalArgumentException jsonAsBytes = assertThrows(IllegalArgumentException.class, () -> IteratorState.fromBytes(json));
        assertMentions(jsonAsBytes, "FXIS");
    }

    @Test
    void aBodyThatEndsInsideAValueIsTruncated() {
        // kind "x" and nothing after it: the count of values is missing, though the CRC matches
        byte[] bytes = withValidCrc((byte) 1, (byte) 'x');
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IteratorState.fromBytes(bytes));
        assertMentions(e, "iterator state is truncated", bytes.length + " bytes");
    }

    @Test
    void aNumberLongerThanTenBytesIsMalformed() {
        byte[] body = new byte[11];
        java.util.Arrays.fill(body, 0, 10, (byte) 0x80); // every byte says "more follows"
        byte[] bytes = withValidCrc(body);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IteratorState.fromBytes(bytes));
        assertMentions(e, "malformed number", "at byte 5");
    }

    @Test
    void aValidStateStillRoundTrips() {
        IteratorState s = IteratorState.builder("batch").put("index", -7).put("rng", new long[] {Long.MIN_VALUE, 3})
                .child(IteratorState.builder("range").put("index", 300).build()).build();
        assertEquals(s, IteratorState.fromBytes(s.toBytes()));
        assertEquals(s, IteratorState.fromJson(s.toJson()));
    }

    @Test
    void malformedJsonFormsNameThePlaceAndTheProblem() {
        String[][] cases = {
            {"{\"kind\":\"x\",\"values\":{\"a\":[1,}}", "malformed iterator state JSON", "offset"},
            {"[1]", "at state", "expected an object"},
            {"{\"values\":{}}", "at state", "missing \"kind\""},
            {"{\"kind\":\"x\",\"extra\":1}", "at state", "unexpected field \"extra\""},
            {"{\"kind\":\"x\",\"values\":{\"a\":[1.5]}}", "value \"a\"", "1.5", "not a 64-bit integer"},
            {"{\"kind\":\"x\",\"values\":{\"a\":[9223372036854775808]}}", "not a 64-bit integer"},
            {"{\"kind\":\"x\",\"values\":{\"a\":1}}", "value \"a\" must be an array"},
            {"{\"kind\":\"x\",\"children\":[{\"kind\":\"y\"},{\"kind\":3}]}", "at state.children[1]", "missing \"kind\""},
            {"{\"kind\":\"x\",\"values\":{\"a\":[1],\"a\":[2]}}", "duplicate key"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IteratorState.fromJson(c[0]), c[0]);
            assertMentions(e, java.util.Arrays.copyOfRange(c, 1, c.length));
        }
    }
}
