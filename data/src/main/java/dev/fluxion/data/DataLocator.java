package dev.fluxion.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the loaders of {@link Datasets} look for data set files, in this order:
 * <ol>
 *   <li>the directory named by the data set's variable ({@code FLUXION_MNIST_DIR}, {@code FLUXION_FASHION_MNIST_DIR},
 *       {@code FLUXION_CIFAR10_DIR}, {@code FLUXION_CIFAR100_DIR});</li>
 *   <li>{@code $FLUXION_DATA_DIR/<name>};</li>
 *   <li>the cache, {@code ~/.fluxion/datasets/<name>};</li>
 *   <li>system directories ({@code /usr/share/datasets/<name>}: Debian's {@code dataset-fashion-mnist} installs there);</li>
 *   <li>for MNIST, the copy bundled in this library;</li>
 *   <li>a download from the canonical location into the cache, verified by its published MD5.</li>
 * </ol>
 * A directory named explicitly (by a variable) must hold every file; the others are skipped when incomplete. The
 * environment, home and system directories are injectable, so tests need not touch real variables. Immutable.
 */
public final class DataLocator {
    private final Function<String, String> env;
    private final Path home;
    private final List<Path> systemDirs;
    private final boolean classpath;
    private final boolean downloads;
    private final Map<String, List<URI>> mirrors;

    private DataLocator(Function<String, String> env, Path home, List<Path> systemDirs, boolean classpath, boolean downloads,
                        Map<String, List<URI>> mirrors) {
        this.env = env;
        this.home = home;
        this.systemDirs = systemDirs;
        this.classpath = classpath;
        this.downloads = downloads;
        this.mirrors = mirrors;
    }

    /** The real environment, {@code user.home}, {@code /usr/share/datasets}, bundled copies and downloads on. */
    public static DataLocator defaults() {
        return new DataLocator(System::getenv, Path.of(System.getProperty("user.home")), List.of(Path.of("/usr/share/datasets")),
                true, true, Map.of());
    }

    /** Reads variables through {@code lookup} instead of the process environment. */
    public DataLocator withEnvironment(Function<String, String> lookup) {
        return new DataLocator(Objects.requireNonNull(lookup), home, systemDirs, classpath, downloads, mirrors);
    }

    /** Uses {@code dir}/.fluxion/datasets as the cache. */
    public DataLocator withHome(Path dir) {
        return new DataLocator(env, Objects.requireNonNull(dir), systemDirs, classpath, downloads, mirrors);
    }

    /** Replaces the system directories searched (each holds one folder per data set). */
    public DataLocator withSystemDirs(List<Path> dirs) {
        return new DataLocator(env, home, List.copyOf(dirs), classpath, downloads, mirrors);
    }

    /** Whether the copies bundled on the classpath may be used. */
    public DataLocator withBundled(boolean allowed) {
        return new DataLocator(env, home, systemDirs, allowed, downloads, mirrors);
    }

    /** Whether missing data may be downloaded. */
    public DataLocator withDownloads(boolean allowed) {
        return new DataLocator(env, home, systemDirs, classpath, allowed, mirrors);
    }

    /** Downloads data set {@code name} ("mnist", "fashion-mnist", "cifar10", "cifar100") from {@code baseUrl} instead. */
    public DataLocator withMirror(String name, URI baseUrl) {
        Map<String, List<URI>> m = new HashMap<>(mirrors);
        m.put(name, List.of(baseUrl));
        return new DataLocator(env, home, systemDirs, classpath, downloads, Map.copyOf(m));
    }

    /** The cache directory of a data set: {@code <home>/.fluxion/datasets/<name>}. */
    public Path cacheDir(String name) {
        return home.resolve(".fluxion").resolve("datasets").resolve(name);
    }

    /** Where a data set's files are read from. */
    interface FileSource {
        InputStream open(String file) throws IOException;

        /** The path or resource name of a file, for messages. */
        String describe(String file);

        /** The directory or classpath folder, for messages. */
        String where();
    }

    /** The files in {@code dir} (or its spec subfolders), each also accepted gzip-compressed as name + ".gz". */
    record DirSource(Path dir, DatasetSpec spec) implements FileSource {
        Path find(String file) {
            List<Path> roots = new ArrayList<>(List.of(dir));
            for (String s : spec.subdirs()) roots.add(dir.resolve(s));
            for (Path r : roots)
                for (String name : List.of(file, file + ".gz")) {
                    Path p = r.resolve(name);
                    if (Files.isRegularFile(p)) return p;
                }
            return null;
        }

        List<String> missing() {
            return spec.files().stream().filter(f -> find(f) == null).toList();
        }

        @Override
        public InputStream open(String file) throws IOException {
            Path p = find(file);
            if (p == null) throw new FileNotFoundException(dir.resolve(file) + " (or " + file + ".gz) not found");
            return Files.newInputStream(p);
        }

        @Override
        public String where() {
            return dir.toString();
        }

        @Override
        public String describe(String file) {
            Path p = find(file);
            return p == null ? dir.resolve(file).toString() : p.toString();
        }
    }

    /** The bundled gzip-compressed copies on the classpath. */
    record ResourceSource(String prefix) implements FileSource {
        boolean complete(DatasetSpec spec) {
            return spec.files().stream().allMatch(f -> DataLocator.class.getClassLoader().getResource(prefix + f + ".gz") != null);
        }

        @Override
        public InputStream open(String file) throws IOException {
            InputStream in = DataLocator.class.getClassLoader().getResourceAsStream(prefix + file + ".gz");
            if (in == null) throw new FileNotFoundException("classpath:" + prefix + file + ".gz not found");
            return in;
        }

        @Override
        public String describe(String file) {
            return "classpath:" + prefix + file + ".gz";
        }

        @Override
        public String where() {
            return "classpath:" + prefix;
        }
    }

    /** A directory the caller named: it must hold every file. */
    static DirSource explicit(DatasetSpec spec, Path dir, String how) throws IOException {
        DirSource s = new DirSource(dir, spec);
        if (!Files.isDirectory(dir)) throw new FileNotFoundException(spec.title() + ": " + how + " " + dir + " is not a directory");
        List<String> missing = s.missing();
        if (!missing.isEmpty())
            throw new FileNotFoundException(spec.title() + ": " + how + " " + dir + " lacks " + missing + " (each may also be gzip-compressed, with .gz)");
        return s;
    }

    /** Finds a data set, downloading it into the cache as the last resort. */
    FileSource locate(DatasetSpec spec) throws IOException {
        List<String> looked = new ArrayList<>();
        String specific = env.apply(spec.envVar());
        if (specific != null && !specific.isBlank()) return explicit(spec, Path.of(specific), "$" + spec.envVar() + " =");
        looked.add("$" + spec.envVar() + " (unset)");
        String general = env.apply("FLUXION_DATA_DIR");
        if (general != null && !general.isBlank()) {
            Path d = Path.of(general).resolve(spec.name());
            if (Files.isDirectory(d)) return explicit(spec, d, "$FLUXION_DATA_DIR/" + spec.name() + " =");
            looked.add(d.toString());
        } else {
            looked.add("$FLUXION_DATA_DIR (unset)");
        }
        DirSource cache = new DirSource(cacheDir(spec.name()), spec);
        if (cache.missing().isEmpty()) return cache;
        looked.add(cache.dir().toString());
        for (Path sys : systemDirs) {
            DirSource s = new DirSource(sys.resolve(spec.name()), spec);
            if (s.missing().isEmpty()) return s;
            looked.add(s.dir().toString());
        }
        if (classpath && spec.resourceDir() != null) {
            ResourceSource r = new ResourceSource(spec.resourceDir());
            if (r.complete(spec)) return r;
            looked.add("classpath:" + spec.resourceDir());
        }
        if (!downloads)
            throw new FileNotFoundException(spec.title() + " not found (looked in " + String.join(", ", looked)
                    + ") and downloads are off; set $" + spec.envVar() + " to a directory holding " + spec.files());
        download(mirrors.containsKey(spec.name()) ? spec.withMirrors(mirrors.get(spec.name())) : spec, cache.dir(), looked);
        List<String> missing = cache.missing();
        if (!missing.isEmpty()) throw new DatasetFormatException(cache.dir().toString(), "the download did not provide " + missing);
        return cache;
    }

    /** Tries each mirror in turn; a checksum mismatch is reported as such if no mirror succeeds. */
    private static void download(DatasetSpec spec, Path dir, List<String> looked) throws IOException {
        IOException failure = null;
        for (URI base : spec.mirrors()) {
            try {
                for (DatasetSpec.Download d : spec.downloads()) {
                    Path target = dir.resolve(d.file());
                    Downloads.fetch(base.resolve(d.file()), target, d.md5());
                    if (d.archive()) {
                        Downloads.unpack(target, dir, new HashSet<>(spec.files()));
                        Files.deleteIfExists(target);
                    }
                }
                return;
            } catch (IOException e) {
                if (failure == null || (e instanceof DatasetFormatException && !(failure instanceof DatasetFormatException))) {
                    if (failure != null) e.addSuppressed(failure);
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof DatasetFormatException) throw failure;
        throw new IOException(spec.title() + ": not found (looked in " + String.join(", ", looked) + ") and the download from "
                + spec.mirrors() + " failed: " + (failure == null ? "no mirror" : describe(failure))
                + "; set $" + spec.envVar() + " to a directory holding " + spec.files(), failure);
    }

    /** An exception as a reader needs it: some (UnresolvedAddressException, ...) carry no message, only a type. */
    private static String describe(Throwable e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) return e.getCause() != null ? type + " (" + describe(e.getCause()) + ")" : type;
        return message;
    }
}
