package io.nnfrust.cli;

import io.nnfrust.util.NnfrustException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The command line's edge for library errors: the library names its parameters ("restarts must be >= 1"), the
 * user gave flags; a message that starts with a parameter's name is given back naming the flag instead.
 */
final class ParameterFlags {
    private final Map<String, String> flags;

    /** @param flags flag by parameter name, for example {@code restarts -> --restarts} */
    ParameterFlags(Map<String, String> flags) {
        this.flags = Map.copyOf(flags);
    }

    /** {@code build}'s value; its error, when it names a parameter of the map first, names the flag. */
    <T> T build(Supplier<T> build) {
        try {
            return build.get();
        } catch (NnfrustException e) {
            throw map(e);
        }
    }

    NnfrustException map(NnfrustException e) {
        String msg = e.getMessage();
        for (var f : flags.entrySet()) {
            if (msg.startsWith(f.getKey() + " ")) {
                return new NnfrustException(
                        f.getValue() + msg.substring(f.getKey().length()));
            }
        }
        return e;
    }

    /** {@code build}'s value; its error, whatever it says, is prefixed with {@code flag}. */
    static <T> T of(String flag, Supplier<T> build) {
        try {
            return build.get();
        } catch (NnfrustException e) {
            throw new NnfrustException(flag + ": " + e.getMessage());
        }
    }
}
