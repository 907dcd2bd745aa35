package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The saved-position tree: values of any sign survive both serial forms, and equality compares the whole tree. */
class IteratorStateTest {
    private static IteratorState sample(long v) {
        return IteratorState.builder("zip").put("index", v).put("pair", new long[] {1, 2})
                .child(IteratorState.builder("range").put("index", 3).build()).child(IteratorState.builder("slices").build()).build();
    }

    @Test
    void everyLongRoundTripsThroughBytesAndJson() {
        long[] values = {0, 1, -1, 63, -64, 64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, -123_456_789_012L};
        IteratorState s = IteratorState.builder("enumerate").put("values", values).put("next", -5).build();
        for (IteratorState back : List.of(IteratorState.fromBytes(s.toBytes()), IteratorState.fromJson(s.toJson()))) {
            assertArrayEquals(values, back.getArray("values"));
            assertEquals(-5, back.get("next"));
            assertEquals("enumerate", back.kind());
            assertEquals(Set.of("values", "next"), back.keys());
        }
        // an enumerate counting from a negative start resumes there
        IteratorState mid;
        try (DataIterator<Indexed<Long>> it = Dataset.range(5).enumerate(-3).iterator()) {
            it.next();
            mid = IteratorState.fromBytes(it.save().toBytes());
        }
        try (DataIterator<Indexed<Long>> it = Dataset.range(5).enumerate(-3).iterator(mid)) {
            assertEquals(new Indexed<>(-2, 1L), it.next());
        }
    }

    @Test
    void equalityComparesKindValuesAndChildren() {
        IteratorState a = sample(7);
        assertEquals(a, sample(7));
        assertEquals(a.hashCode(), sample(7).hashCode());
        assertNotEquals(a, sample(8));
        assertNotEquals(a, IteratorState.builder("map").put("index", 7).put("pair", new long[] {1, 2}).child(a.child(0)).child(a.child(1)).build());
        assertNotEquals(a, IteratorState.builder("zip").put("index", 7).put("other", new long[] {1, 2}).child(a.child(0)).child(a.child(1)).build());
        assertNotEquals(a, IteratorState.builder("zip").put("index", 7).put("pair", new long[] {1, 2}).child(a.child(0)).build());
        assertNotEquals(a, IteratorState.builder("zip").put("index", 7).put("pair", new long[] {1, 3}).child(a.child(0)).child(a.child(1)).build());
        assertNotEquals(a, (Object) "zip");
        assertEquals(a.toJson(), a.toString());
        IteratorState big = IteratorState.builder("shuffle").put("buffer", new long[5000]).build();
        String text = big.toString();
        assertTrue(text.length() < 2100 && text.endsWith("chars)"), "a long state prints shortened: " + text.substring(1900));
    }
}
