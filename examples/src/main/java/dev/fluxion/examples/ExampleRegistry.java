package dev.fluxion.examples;

import java.util.List;
import java.util.Optional;

/** Every example the launcher can run, in the order {@code --help} lists them. */
public final class ExampleRegistry {
    private ExampleRegistry() {}

    public static List<Example> all() {
        return List.of(
                // the seed article, step by step
                // beyond the article
        );
    }

    public static Optional<Example> find(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
