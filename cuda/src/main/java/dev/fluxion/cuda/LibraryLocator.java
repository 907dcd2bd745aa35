package dev.fluxion.cuda;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Finds the CUDA libraries the usual ways, in this order:
 * <ol>
 *   <li>{@code -Dfluxion.cuda.path} or the {@code FLUXION_CUDA_LIBS} environment variable: folders (or library
 *       files) separated by the path separator, searched first;</li>
 *   <li>{@code CUDA_HOME} and {@code CUDA_PATH}: their {@code lib64}, {@code lib} and {@code targets/x86_64-linux/lib};</li>
 *   <li>the dynamic linker's cache, read from {@code /sbin/ldconfig -p};</li>
 *   <li>{@code LD_LIBRARY_PATH};</li>
 *   <li>standard install folders: {@code /usr/local/nvidia/lib64}, {@code /usr/local/cuda*}, the distribution's lib
 *       folders and WSL's {@code /usr/lib/wsl/lib}.</li>
 * </ol>
 * When nothing matches, {@link CudaUnavailableException} lists every place it looked. The environment is injected so
 * tests can run the search against fake folders and a fake linker cache.
 */
public final class LibraryLocator {
    public static final String PATH_PROPERTY = "fluxion.cuda.path";
    public static final String PATH_ENV = "FLUXION_CUDA_LIBS";

    /** What the search reads from the outside world. */
    public record Environment(Function<String, String> env, Function<String, String> property, Supplier<String> ldconfigOutput,
                              List<Path> standardFolders) {
        /** The real process environment, system properties, {@code ldconfig -p} and standard folders. */
        public static Environment system() {
            return new Environment(System::getenv, System::getProperty, LibraryLocator::runLdconfig, LibraryLocator.standardFolders(Path.of("/")));
        }
    }

    private final Environment environment;

    public LibraryLocator(Environment environment) {
        this.environment = environment;
    }

    /** The path of {@code library}, or a {@link CudaUnavailableException} listing the places searched. */
    public Path locate(CudaLibrary library) {
        List<String> looked = new ArrayList<>();
        for (Path folder : explicitAndEnvFolders(looked)) {
            Optional<Path> hit = searchFolderOrFile(folder, library);
            if (hit.isPresent()) return hit.get();
        }
        String cache = environment.ldconfigOutput().get();
        looked.add(cache == null ? "the ld.so cache (ldconfig -p could not be run)" : "the ld.so cache (ldconfig -p)");
        if (cache != null) {
            Optional<Path> hit = fromLdconfig(cache, library);
            if (hit.isPresent()) return hit.get();
        }
        for (Path folder : laterFolders(looked)) {
            Optional<Path> hit = searchFolderOrFile(folder, library);
            if (hit.isPresent()) return hit.get();
        }
        String hint = library == CudaLibrary.DRIVER
                ? "libcuda comes with the NVIDIA driver; this machine seems to have no driver (or no GPU)"
                : "lib" + library.stem() + " comes with the CUDA toolkit (or the nvidia-" + library.stem() + " packages)";
        throw new CudaUnavailableException("CUDA is not available: lib" + library.stem() + " (" + String.join(" or ", library.fileNames())
                + ") was not found. " + hint + ". Looked in: " + String.join(", ", looked) + ". Set " + PATH_ENV + " or -D" + PATH_PROPERTY
                + " to the folder that holds it. Everything else keeps working on the CPU.");
    }

    private List<Path> explicitAndEnvFolders(List<String> looked) {
        List<Path> folders = new ArrayList<>();
        for (String[] source : new String[][] {{"-D" + PATH_PROPERTY, environment.property().apply(PATH_PROPERTY)},
                                               {PATH_ENV, environment.env().apply(PATH_ENV)}}) {
            if (source[1] == null || source[1].isBlank()) continue;
            for (String part : source[1].split(File.pathSeparator)) {
                if (part.isBlank()) continue;
                folders.add(Path.of(part));
                looked.add(part + " (" + source[0] + ")");
            }
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = environment.env().apply(var);
            if (home == null || home.isBlank()) continue;
            for (String sub : List.of("lib64", "lib", "targets/x86_64-linux/lib")) {
                folders.add(Path.of(home, sub));
                looked.add(Path.of(home, sub) + " ($" + var + ")");
            }
        }
        return folders;
    }

    private List<Path> laterFolders(List<String> looked) {
        LinkedHashSet<Path> folders = new LinkedHashSet<>();
        String ld = environment.env().apply("LD_LIBRARY_PATH");
        if (ld != null)
            for (String part : ld.split(File.pathSeparator))
                if (!part.isBlank() && folders.add(Path.of(part))) looked.add(part + " ($LD_LIBRARY_PATH)");
        for (Path p : environment.standardFolders()) if (folders.add(p)) looked.add(p.toString());
        return List.copyOf(folders);
    }

    /** A folder searched for the preferred names, then any version; or a library file named directly. */
    static Optional<Path> searchFolderOrFile(Path folder, CudaLibrary library) {
        if (Files.isRegularFile(folder) && library.matches(folder.getFileName().toString())) return Optional.of(folder);
        if (!Files.isDirectory(folder)) return Optional.empty();
        for (String name : library.fileNames()) {
            Path p = folder.resolve(name);
            if (Files.exists(p)) return Optional.of(p);
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> library.matches(p.getFileName().toString())).sorted(Comparator.reverseOrder()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The library's entry in {@code ldconfig -p} output (lines like {@code libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1}),
     * preferring the names of {@link CudaLibrary#fileNames} in order and 64-bit entries.
     */
    static Optional<Path> fromLdconfig(String output, CudaLibrary library) {
        List<String[]> entries = new ArrayList<>();
        for (String line : output.split("\n")) {
            int arrow = line.indexOf("=>");
            if (arrow < 0) continue;
            String left = line.substring(0, arrow).trim();
            String name = left.contains(" ") ? left.substring(0, left.indexOf(' ')) : left;
            if (!library.matches(name)) continue;
            if (left.contains("(") && !left.contains("x86-64") && !left.contains("AArch64")) continue; // a 32-bit entry
            entries.add(new String[] {name, line.substring(arrow + 2).trim()});
        }
        for (String preferred : library.fileNames())
            for (String[] e : entries) if (e[0].equals(preferred)) return Optional.of(Path.of(e[1]));
        return entries.isEmpty() ? Optional.empty() : Optional.of(Path.of(entries.getFirst()[1]));
    }

    /** Standard folders under {@code root}: the NVIDIA container runtime's, every /usr/local/cuda*, the distribution's. */
    public static List<Path> standardFolders(Path root) {
        List<Path> folders = new ArrayList<>();
        folders.add(root.resolve("usr/local/nvidia/lib64"));
        List<Path> cudas = new ArrayList<>();
        cudas.add(root.resolve("usr/local/cuda"));
        try (Stream<Path> local = Files.list(root.resolve("usr/local"))) {
            local.filter(p -> p.getFileName().toString().startsWith("cuda-")).sorted(Comparator.reverseOrder()).forEach(cudas::add);
        } catch (IOException | RuntimeException e) {
            // no /usr/local: nothing to add
        }
        for (Path c : cudas) {
            folders.add(c.resolve("lib64"));
            folders.add(c.resolve("targets/x86_64-linux/lib"));
        }
        for (String s : List.of("usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib", "usr/lib/wsl/lib")) folders.add(root.resolve(s));
        return folders;
    }

    /** {@code /sbin/ldconfig -p}, or null when it cannot be run. */
    static String runLdconfig() {
        for (String exe : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (!Files.isExecutable(Path.of(exe))) continue;
            try {
                Process p = new ProcessBuilder(exe, "-p").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** A map-backed environment function, for tests and tools. */
    public static Function<String, String> fromMap(Map<String, String> map) {
        return map::get;
    }
}
