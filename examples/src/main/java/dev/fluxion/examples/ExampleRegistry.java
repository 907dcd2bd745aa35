package dev.fluxion.examples;

import dev.fluxion.examples.article.BestCheckpointExample;
import dev.fluxion.examples.article.CustomLoopExample;
import dev.fluxion.examples.article.DatasetLoopExample;
import dev.fluxion.examples.article.GraphLoopExample;
import dev.fluxion.examples.article.KerasFitExample;
import dev.fluxion.examples.article.ProgressLoopExample;

import java.util.List;
import java.util.Optional;

/** Every example the launcher can run, in the order {@code --help} lists them. */
public final class ExampleRegistry {
    private ExampleRegistry() {}

    public static List<Example> all() {
        // an array initializer, so every entry may end with a comma
        return List.of(new Example[] {
                // the seed article, step by step
                new KerasFitExample(),
                new CustomLoopExample(),
                new DatasetLoopExample(),
                new ProgressLoopExample(),
                new BestCheckpointExample(),
                new GraphLoopExample(),
                // beyond the article
                new dev.fluxion.examples.gan.Dcgan(),
                new dev.fluxion.examples.gan.Wgan(),
                new dev.fluxion.examples.gan.WganGp(),
                new dev.fluxion.examples.beyond.GradientAccumulation(),
                new dev.fluxion.examples.beyond.CustomTrainStep(),
                new dev.fluxion.examples.beyond.SequenceRows(),
                new dev.fluxion.examples.beyond.MaskedRows(),
                new dev.fluxion.examples.beyond.RowTransformer(),
        });
    }

    public static Optional<Example> find(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
