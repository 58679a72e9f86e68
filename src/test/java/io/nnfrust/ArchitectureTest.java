package io.nnfrust;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;

/**
 * The package layers of docs/architecture.md, checked on the compiled main classes: each layer imports only the
 * layers below it, every class belongs to a layer, and there are no cycles between packages.
 */
@AnalyzeClasses(packages = "io.nnfrust", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** A layer: its name and its packages (below io.nnfrust). */
    private record Layer(String name, String... packages) {}

    /**
     * The layers from the bottom up; the layers of one row do not import each other. Within the engines layer the
     * packages may import each other (bounds uses frustration's spin glass), without cycles.
     */
    private static final List<List<Layer>> TIERS = List.of(
            List.of(new Layer("util", "util"), new Layer("stats", "stats")),
            List.of(new Layer("graph", "graph")),
            List.of(new Layer("model", "model")),
            List.of(new Layer("onnx", "onnx")),
            List.of(new Layer("zoo", "zoo")),
            List.of(new Layer("load", "load")),
            List.of(new Layer("engines", "frustration", "nullmodel", "bounds", "active", "monotonicity", "inference")),
            List.of(new Layer("experiment", "experiment")),
            List.of(new Layer("reproduce", "reproduce")),
            List.of(new Layer("report", "report")),
            List.of(new Layer("cli", "cli")));

    @ArchTest
    static final ArchRule eachLayerImportsOnlyTheLayersBelowIt = layers();

    @ArchTest
    static final ArchRule noCyclesBetweenPackages =
            slices().matching("io.nnfrust.(*)..").should().beFreeOfCycles();

    private static ArchRule layers() {
        LayeredArchitecture a = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitectureIgnoring(JavaClass.Predicates.simpleName(
                        "package-info")); // the root package's Javadoc (the paper's citation)
        for (List<Layer> tier : TIERS) {
            for (Layer l : tier) {
                String[] packages = new String[l.packages().length];
                for (int i = 0; i < packages.length; i++) {
                    packages[i] = "io.nnfrust." + l.packages()[i] + "..";
                }
                a = a.layer(l.name()).definedBy(packages);
            }
        }
        List<String> below = new ArrayList<>();
        for (List<Layer> tier : TIERS) {
            for (Layer l : tier) {
                a = below.isEmpty()
                        ? a.whereLayer(l.name()).mayNotAccessAnyLayer()
                        : a.whereLayer(l.name()).mayOnlyAccessLayers(below.toArray(String[]::new));
            }
            tier.forEach(l -> below.add(l.name()));
        }
        return a.because("docs/architecture.md: each layer imports only the layers below it");
    }
}
