package dev.fluxion.cuda;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks FFM bindings against a library's real C declarations: g++ evaluates one static_assert per bound function
 * that its return and argument list match the Java descriptor class by class (pointer, 4-, 8- or 1-byte integer,
 * float), and that the bound name is not a macro (a macro would name another ABI's symbol).
 */
final class HeaderSignatures {
    private HeaderSignatures() {}

    private static char code(MemoryLayout l) {
        if (l == null) return 'V';
        if (l instanceof java.lang.foreign.AddressLayout) return 'A';
        if (l.equals(ValueLayout.JAVA_INT)) return 'I';
        if (l.equals(ValueLayout.JAVA_LONG)) return 'J';
        if (l.equals(ValueLayout.JAVA_BYTE)) return 'B';
        throw new IllegalArgumentException("unexpected layout " + l);
    }

    /**
     * The g++ output when the bindings disagree with {@code header} (under {@code include}), or null when they all
     * match. With {@code addressesAsLongs}, a pointer argument may be bound as a 64-bit integer (device pointers).
     */
    static String mismatches(List<NativeBinder.Signature> sigs, Path include, String header, boolean addressesAsLongs) throws Exception {
        StringBuilder src = new StringBuilder("#include <" + header + ">\n" + """
                #include <array>
                #include <cstddef>
                #include <type_traits>
                template <class T> constexpr char cat() {
                  if constexpr (std::is_void_v<T>) return 'V';
                  else if constexpr (std::is_pointer_v<T>) return 'A';
                  else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) return sizeof(T) == 8 ? 'J' : sizeof(T) == 4 ? 'I' : sizeof(T) == 1 ? 'B' : '?';
                  else return '?';
                }
                template <class R, class... A> constexpr auto sig(R (*)(A...)) { return std::array<char, sizeof...(A) + 1>{cat<R>(), cat<A>()...}; }
                template <std::size_t N> constexpr bool same(std::array<char, N> actual, const char (&expected)[N + 1], bool longForPointer) {
                  for (std::size_t i = 0; i < N; i++)
                    if (actual[i] != expected[i] && !(longForPointer && i > 0 && expected[i] == 'J' && actual[i] == 'A')) return false;
                  return true;
                }
                """);
        for (NativeBinder.Signature s : sigs) {
            StringBuilder expected = new StringBuilder().append(code(s.returns()));
            for (MemoryLayout a : s.arguments()) expected.append(code(a));
            src.append("#ifdef ").append(s.name()).append("\n#error \"").append(s.name()).append(" is a macro in ").append(header)
                    .append(": bind the symbol it names\"\n#endif\n");
            src.append("static_assert(same(sig(&").append(s.name()).append("), \"").append(expected).append("\", ").append(addressesAsLongs)
                    .append("), \"").append(s.name()).append(": the Java descriptor does not match ").append(header).append("\");\n");
        }
        Path dir = Files.createTempDirectory("fluxion-sigs");
        Path cpp = dir.resolve("sigs.cpp");
        Files.writeString(cpp, src);
        Process p = new ProcessBuilder("/usr/bin/g++", "-std=c++20", "-fsyntax-only", "-Wno-deprecated-declarations", "-I" + include,
                "-I/usr/local/cuda-13.0/include", cpp.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        Files.delete(cpp);
        Files.delete(dir);
        return rc == 0 ? null : log;
    }
}
