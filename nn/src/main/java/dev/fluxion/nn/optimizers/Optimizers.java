package dev.fluxion.nn.optimizers;

/** Factories with Keras' defaults, and lookup by Keras name. */
public final class Optimizers {
    private Optimizers() {}

    public static SGD sgd(double learningRate) { return new SGD(learningRate); }
    public static SGD sgd(double learningRate, double momentum, boolean nesterov) { return new SGD(learningRate, momentum, nesterov); }
    public static Adam adam(double learningRate) { return new Adam(learningRate); }
    public static AdamW adamW(double learningRate, double weightDecay) { return new AdamW(learningRate, weightDecay); }
    public static RMSprop rmsprop(double learningRate) { return new RMSprop(learningRate); }
    public static Adagrad adagrad(double learningRate) { return new Adagrad(learningRate); }

    /** "sgd", "adam", "adamw", "nadam", "rmsprop", "adagrad", "adamax", "adadelta", "lion" with Keras' default settings. */
    public static Optimizer get(String name) {
        return switch (name.toLowerCase()) {
            case "sgd" -> new SGD();
            case "adam" -> new Adam();
            case "adamw" -> new AdamW();
            case "rmsprop" -> new RMSprop();
            case "adagrad" -> new Adagrad();
            case "adamax" -> new Adamax();
            case "nadam" -> new Nadam();
            case "adadelta" -> new Adadelta();
            case "lion" -> new Lion();
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: sgd, adam, adamw, nadam, rmsprop, adagrad, adamax, adadelta, lion");
        };
    }
}
