package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check every error-path test makes: the exception's message names the op and the offending values. */
public final class ErrorMessages {
    private ErrorMessages() {}

    /** Fails unless {@code e}'s message contains every fragment. */
    public static void assertMentions(Throwable e, String... fragments) {
        for (String f : fragments) assertTrue(e.getMessage() != null && e.getMessage().contains(f), "'" + f + "' missing in: " + e.getMessage());
    }
}
