package dev.fluxion.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Runs any registered {@link Example}: {@code Launcher <example> [--dataset mnist] [--epochs 3] ...}; {@code --help}
 * lists the examples. Exit codes: 0 done, 1 the example failed, 2 a bad command line (one line on stderr says why).
 * A failure prints one line too; {@code -Dfluxion.examples.trace=true} adds its stack trace.
 */
@Command(name = "run.sh", sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs one example of the Fluxion walk-through.")
public final class Launcher implements Callable<Integer> {
    private static final ExampleOptions DEFAULTS = ExampleOptions.defaults();
    private static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "cifar10");

    @Parameters(index = "0", arity = "0..1", paramLabel = "EXAMPLE", description = "the example to run (listed below)")
    private String example;

    @Option(names = "--dataset", paramLabel = "NAME", description = "mnist, fashion-mnist or cifar10 (default: ${DEFAULT-VALUE})")
    private String dataset = DEFAULTS.dataset();

    @Option(names = "--epochs", paramLabel = "N", description = "passes over the training set (default: ${DEFAULT-VALUE})")
    private int epochs = DEFAULTS.epochs();

    @Option(names = "--batch-size", paramLabel = "N", description = "samples per step (default: ${DEFAULT-VALUE})")
    private int batchSize = DEFAULTS.batchSize();

    @Option(names = "--mode", paramLabel = "MODE", description = "eager or graph: how keras-fit and graph-loop run their steps; fit counts as graph (default: graph)")
    private ExampleOptions.Mode mode = DEFAULTS.mode();

    @Option(names = "--output", paramLabel = "DIR", description = "where outputs go (default: ${DEFAULT-VALUE})")
    private Path output = DEFAULTS.outputDir();

    @Option(names = "--max-steps", paramLabel = "N", description = "steps per epoch at most; 0 = whole epochs (default: ${DEFAULT-VALUE})")
    private long maxSteps = DEFAULTS.maxStepsPerEpoch();

    @Option(names = "--seed", paramLabel = "N", description = "seeds weights and shuffling (default: ${DEFAULT-VALUE})")
    private long seed = DEFAULTS.seed();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and the list of examples")
    private boolean help;

    private PrintStream err = System.err;

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Parses {@code args} and runs the example; returns the exit code (testable without exiting the JVM). */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        System.setProperty("java.awt.headless", "true");   // plots are written to files; no display needed
        Launcher launcher = new Launcher();
        launcher.err = err;
        CommandLine cli = new CommandLine(launcher)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler((e, a) -> usageError(err, e.getMessage()));
        // a section of its own rather than the footer: picocli would re-wrap the table's lines
        List<String> sections = new ArrayList<>(cli.getHelpSectionKeys());
        sections.add(sections.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER), "examples");
        cli.getHelpSectionMap().put("examples", help -> examplesList());
        cli.setHelpSectionKeys(sections);
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        if (example == null) return usageError(err, "no example given; choose one of " + names());
        Example chosen = ExampleRegistry.find(example).orElse(null);
        if (chosen == null) return usageError(err, "unknown example '" + example + "'; choose one of " + names());
        if (!DATASETS.contains(dataset))
            return usageError(err, "unknown dataset '" + dataset + "'; choose one of " + String.join(", ", DATASETS));
        ExampleOptions options;
        try {
            options = new ExampleOptions(dataset, epochs, batchSize, mode, output, maxSteps, seed);
        } catch (IllegalArgumentException e) {
            return usageError(err, e.getMessage());
        }
        try {
            chosen.run(options);
            return 0;
        } catch (Exception e) {
            err.println("error: " + chosen.name() + " failed: " + e);
            if (Boolean.getBoolean("fluxion.examples.trace")) e.printStackTrace(err);
            return 1;
        }
    }

    private static int usageError(PrintStream err, String message) {
        err.println("error: " + message + " (see --help)");
        return 2;
    }

    private static String names() {
        return ExampleRegistry.all().stream().map(Example::name).collect(Collectors.joining(", "));
    }

    private static String examplesList() {
        int width = ExampleRegistry.all().stream().mapToInt(e -> e.name().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder(System.lineSeparator()).append("Examples:").append(System.lineSeparator());
        for (Example e : ExampleRegistry.all())
            sb.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", e.name(), e.description()));
        sb.append(System.lineSeparator())
                .append("For example: run.sh graph-loop --dataset fashion-mnist --epochs 5 --output out/graph-loop")
                .append(System.lineSeparator());
        return sb.toString();
    }
}
