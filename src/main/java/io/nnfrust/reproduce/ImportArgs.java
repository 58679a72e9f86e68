package io.nnfrust.reproduce;

import io.nnfrust.model.ImportOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Import options as the arguments of an nnfrust command line, in the spelling every command accepts. */
final class ImportArgs {
    private ImportArgs() {}

    /**
     * {@code [--input-size H W] --add A --pool-weight P --batchnorm B} in the spelling of the options' help
     * (merge|node, geometric|max, fold|node).
     */
    static List<String> of(ImportOptions o) {
        List<String> a = new ArrayList<>();
        if (o.overridesInput()) {
            a.addAll(List.of("--input-size", Integer.toString(o.inputHeight()), Integer.toString(o.inputWidth())));
        }
        a.addAll(List.of(
                "--add",
                o.add().name().toLowerCase(Locale.ROOT),
                "--pool-weight",
                switch (o.poolWeight()) {
                    case GEOMETRIC -> "geometric";
                    case MAX_SIDE -> "max";
                },
                "--batchnorm",
                o.batchNorm().name().toLowerCase(Locale.ROOT)));
        return a;
    }
}
