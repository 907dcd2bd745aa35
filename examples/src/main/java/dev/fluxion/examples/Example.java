package dev.fluxion.examples;

/** One runnable example of the walk-through; the {@link Launcher} finds it by {@link #name()}. */
public interface Example {
    /** The name used on the command line, e.g. {@code keras-fit} or {@code wgan-gp}. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /** Runs the example with the launcher's options, writing its outputs under {@code options.outputDir()}. */
    void run(ExampleOptions options) throws Exception;
}
