package dev.fluxion.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's command line: help lists every example; mistakes give exit code 2 and one line saying what is wrong. */
class LauncherTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int launch(String... args) {
        return Launcher.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String errLines() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void helpListsEveryRegisteredExampleWithItsDescription() {
        assertEquals(0, launch("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertFalse(ExampleRegistry.all().isEmpty());
        for (Example e : ExampleRegistry.all()) {
            assertTrue(help.contains(e.name()), "help lacks " + e.name() + ":\n" + help);
            assertTrue(help.contains(e.description()), "help lacks the description of " + e.name() + ":\n" + help);
        }
        for (String option : new String[] {"--dataset", "--epochs", "--batch-size", "--mode", "--output", "--max-steps", "--seed"})
            assertTrue(help.contains(option), "help lacks " + option);
    }

    @Test
    void unknownExampleExitsWith2AndNamesIt() {
        assertEquals(2, launch("no-such-example"));
        assertEquals(1, errLines().lines().count(), errLines());
        assertTrue(errLines().contains("unknown example 'no-such-example'"), errLines());
        assertTrue(errLines().contains("keras-fit"), "should list the known names: " + errLines());
    }

    @Test
    void missingExampleExitsWith2() {
        assertEquals(2, launch());
        assertTrue(errLines().contains("no example given"), errLines());
    }

    @Test
    void nonNumericEpochsExitsWith2() {
        assertEquals(2, launch("keras-fit", "--epochs", "many"));
        assertEquals(1, errLines().lines().count(), errLines());
        assertTrue(errLines().contains("--epochs") && errLines().contains("many"), errLines());
    }

    @Test
    void zeroEpochsExitsWith2() {
        assertEquals(2, launch("keras-fit", "--epochs", "0"));
        assertTrue(errLines().contains("epochs must be at least 1, got 0"), errLines());
    }

    @Test
    void badModeAndDatasetExitWith2() {
        assertEquals(2, launch("graph-loop", "--mode", "turbo"));
        assertTrue(errLines().contains("--mode") && errLines().contains("turbo"), errLines());
        err.reset();
        assertEquals(2, launch("graph-loop", "--dataset", "imagenet"));
        assertTrue(errLines().contains("unknown dataset 'imagenet'"), errLines());
    }

    @Test
    void unknownOptionExitsWith2() {
        assertEquals(2, launch("keras-fit", "--learning-rate", "1"));
        assertTrue(errLines().contains("--learning-rate"), errLines());
    }
}
