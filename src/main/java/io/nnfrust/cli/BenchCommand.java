package io.nnfrust.cli;

import com.sun.management.OperatingSystemMXBean;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.PerEdgeConvolutionBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.inference.InferenceBenchmark;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.InferenceSession.Precision;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.zoo.Zoo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nnfrust bench product}: time of y = A x plus z = A^T x, matrix-free, per model. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks.",
        subcommands = {
            BenchCommand.Product.class,
            BenchCommand.Frustration.class,
            BenchCommand.Null.class,
            BenchCommand.Inference.class
        })
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(
            name = "product",
            mixinStandardHelpOptions = true,
            description = {
                "Time one full A*x plus A^T*x on each model (edges per second), sequential and parallel;",
                "with --vectors, products with several vectors at once."
            })
    static final class Product implements Callable<Integer> {
        @Option(
                names = "--models",
                split = ",",
                paramLabel = "MODEL",
                description = "Models (default: every zoo network).")
        List<String> models;

        @Option(
                names = "--repeat",
                defaultValue = "3",
                description = "Timed repetitions; the best is reported (default ${DEFAULT-VALUE}).")
        int repeat;

        @Option(
                names = "--vectors",
                split = ",",
                paramLabel = "R",
                description = {
                    "Products with R vectors at once (A*V + A^T*V, V of n x R), e.g. 1,4,8,16: per R the",
                    "seconds, edge-products/s (R x edges x 2 / s) and the fraction of --dgemm."
                })
        List<Integer> vectors;

        @Option(
                names = "--dgemm",
                defaultValue = "62",
                paramLabel = "G",
                description = {
                    "The machine's fp64 multiply-add limit in 10^9/s for --vectors (default ${DEFAULT-VALUE}:",
                    "OpenBLAS dgemm on the 2-core benchmark machine, docs/performance.md)."
                })
        double dgemm;

        @Option(
                names = "--null",
                paramLabel = "KIND",
                converter = Converters.NullKindConverter.class,
                description = "Time the products on a null network of each model instead (N1, N2, N3).")
        NullKind nullKind;

        @Option(
                names = "--null-seed",
                defaultValue = "1",
                description = "Seed of the --null network (default ${DEFAULT-VALUE}).")
        long nullSeed;

        /** The graph whose products are timed: the model's, or its --null network. */
        private SignedGraph graphOf(String model) {
            SignedGraph g = ModelLoader.load(model, ImportOptions.DEFAULT).graph();
            return nullKind == null ? g : nullModel(nullKind).apply(g, nullSeed);
        }

        /** Frees a --null network's off-heap weights once its products are timed. */
        private void release(SignedGraph g) {
            if (nullKind != null) {
                nullModel(nullKind).release(g);
            }
        }

        @Override
        public Integer call() {
            if (repeat < 1) {
                throw new NnfrustException("--repeat must be >= 1, got " + repeat);
            }
            if (vectors != null) {
                for (int r : vectors) {
                    if (r < 1 || r > MAX_VECTORS) {
                        throw new NnfrustException("--vectors values must be in 1.." + MAX_VECTORS + ", got " + r);
                    }
                }
                if (!(dgemm > 0) || !Double.isFinite(dgemm)) {
                    throw new NnfrustException("--dgemm must be a positive number, got " + dgemm);
                }
            }
            List<String> list = models;
            if (list == null) {
                list = new ArrayList<>();
                for (Zoo.Entry e : Zoo.entries()) {
                    list.add("zoo:" + e.name());
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "threads %d, max heap %d MiB%s%n",
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20,
                    nullKind == null ? "" : ", null network " + nullKind + " seed " + nullSeed);
            if (vectors != null) {
                return several(list);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-44s %12s %14s %10s %10s %12s %12s%n",
                    "model",
                    "nodes",
                    "edges",
                    "seq s",
                    "par s",
                    "seq Gedge/s",
                    "par Gedge/s");
            for (String m : list) {
                SignedGraph g = graphOf(m);
                double[] x = new double[g.nodeCount()];
                SplittableRandom r = new SplittableRandom(42);
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextDouble() - 0.5;
                }
                double[] y = new double[x.length];
                double seq = time(g, x, y, false);
                double par = time(g, x, y, true);
                long e = g.edgeCount();
                System.out.printf(
                        Locale.ROOT,
                        "%-44s %,12d %,14d %10.3f %10.3f %12.3f %12.3f%n",
                        m,
                        g.nodeCount(),
                        e,
                        seq,
                        par,
                        2 * e / seq / 1e9,
                        2 * e / par / 1e9);
                release(g);
            }
            System.out.printf(Locale.ROOT, "peak heap %d MiB%n", peakHeapMiB());
            return 0;
        }

        private double time(SignedGraph g, double[] x, double[] y, boolean parallel) {
            return productSeconds(g, x, y, parallel, repeat);
        }

        /**
         * The --vectors table: per model and R, the best time of A·V + Aᵀ·V, sequential (wall and CPU time of the
         * thread) and parallel; edge-products per second (R × edges × 2 / s) and that rate over the dgemm limit, for
         * the parallel wall time and for two cores at the sequential CPU-time rate (what a machine shared with other
         * jobs still shows); and the sequential CPU time per vector of the first R listed over this R's.
         */
        private int several(List<String> list) {
            System.out.printf(
                    Locale.ROOT,
                    "dgemm limit %.1fe9 fp64 multiply-adds/s on all cores (one per edge-product)%n",
                    dgemm);
            System.out.printf(
                    Locale.ROOT,
                    "%-44s %4s %14s %8s %8s %8s %8s %9s %9s %8s %8s %8s%n",
                    "model",
                    "R",
                    "edges",
                    "seq s",
                    "seq cpu",
                    "par s",
                    "par cpu",
                    "par G/s",
                    "cpu G/s",
                    "par/lim",
                    "cpu/lim",
                    "speed-up");
            int cores = Runtime.getRuntime().availableProcessors();
            for (String m : list) {
                SignedGraph g = graphOf(m);
                long e = g.edgeCount();
                double single = Double.NaN;
                for (int r : vectors) {
                    double[][] x = new double[r][g.nodeCount()], y = new double[r][g.nodeCount()];
                    SplittableRandom random = new SplittableRandom(42);
                    for (double[] column : x) {
                        for (int i = 0; i < column.length; i++) {
                            column[i] = random.nextDouble() - 0.5;
                        }
                    }
                    manySeconds(g, x, y, false, 1); // warm-up: compiles this R's code paths, untimed
                    double[] seq = manySeconds(g, x, y, false, repeat);
                    double[] par = manySeconds(g, x, y, true, repeat);
                    double work = 2.0 * r * e, parRate = work / par[0], cpuRate = work / seq[1];
                    if (Double.isNaN(single)) { // the first R of the list is the baseline
                        single = seq[1] / r;
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "%-44s %4d %,14d %8.3f %8.3f %8.3f %8.3f %9.2f %9.2f %7.1f%% %7.1f%% %7.2fx%n",
                            m,
                            r,
                            e,
                            seq[0],
                            seq[1],
                            par[0],
                            par[1],
                            parRate / 1e9,
                            cpuRate / 1e9,
                            100 * parRate / (dgemm * 1e9),
                            100 * cores * cpuRate / (dgemm * 1e9),
                            single * r / seq[1]);
                }
                release(g);
            }
            System.out.printf(Locale.ROOT, "peak heap %d MiB%n", peakHeapMiB());
            System.out.println("G/s: 10^9 edge-products/s; par s: wall time on all cores; seq cpu: the sequential run's"
                    + " thread CPU time; par cpu: the process's CPU time in the parallel run; cpu G/s: one core at the"
                    + " sequential CPU-time rate; cpu/lim: all cores at that rate over the limit; speed-up: sequential CPU"
                    + " time per vector of the first R over this R");
            return 0;
        }
    }

    /** The null model of {@code kind} as the bench commands draw it (N3: He normal; N2's storage from -D). */
    static NullModel nullModel(NullKind kind) {
        return FrustrationExperiment.nullModel(kind, WeightInit.HE_NORMAL, N2Storage.of(System.getProperties()));
    }

    /** At most this many vectors per --vectors product (two n × R blocks of doubles are held). */
    static final int MAX_VECTORS = 256;

    /**
     * Best of {@code repeats} timings of Y = A X + Aᵀ X for the columns of X (Y cleared before each, untimed):
     * {wall seconds, CPU seconds} where the CPU time is this thread's for a sequential run and the whole process's
     * (all threads, the JIT's and the collector's included) for a parallel one.
     */
    static double[] manySeconds(SignedGraph g, double[][] x, double[][] y, boolean parallel, int repeats) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean o ? o : null;
        double best = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE;
        for (int k = 0; k < Math.max(1, repeats); k++) {
            for (double[] column : y) {
                Arrays.fill(column, 0);
            }
            long c0 = parallel ? (os == null ? -1 : os.getProcessCpuTime()) : threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            g.multiplyMany(x, y, parallel);
            g.multiplyTransposeMany(x, y, parallel);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            long c1 = parallel ? (os == null ? -1 : os.getProcessCpuTime()) : threads.getCurrentThreadCpuTime();
            bestCpu = Math.min(bestCpu, c0 < 0 || c1 < 0 ? Double.NaN : (c1 - c0) / 1e9);
        }
        return new double[] {best, bestCpu};
    }

    /** Best of {@code repeats} timings of y = A x + Aᵀ x (y cleared before each, outside the timing). */
    static double productSeconds(SignedGraph g, double[] x, double[] y, boolean parallel, int repeats) {
        double best = Double.MAX_VALUE;
        for (int k = 0; k < Math.max(1, repeats); k++) {
            Arrays.fill(y, 0);
            long t0 = System.nanoTime();
            g.multiply(x, y, parallel);
            g.multiplyTranspose(x, y, parallel);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    @Command(
            name = "frustration",
            mixinStandardHelpOptions = true,
            description = "Per model and solver: seconds per restart, epsilon, flips and peak heap.")
    static final class Frustration implements Callable<Integer> {
        @Option(
                names = "--models",
                split = ",",
                paramLabel = "MODEL",
                description =
                        "Models (default: zoo:squeezenet1.1, zoo:resnet18, zoo:googlenet-caffe and ../shared/models/squeezenet1.1-caffe.onnx).")
        List<String> models;

        @Option(
                names = "--solvers",
                split = ",",
                defaultValue = "algorithm1,algorithm1-first,layered,anneal",
                description = "Solvers (default ${DEFAULT-VALUE}).")
        List<String> solvers;

        @Option(
                names = "--restarts",
                defaultValue = "1",
                description = "Restarts per (model, solver) (default ${DEFAULT-VALUE}).")
        int restarts;

        @Option(names = "--threads", description = "Threads (default: all cores).")
        Integer threads;

        @Option(names = "--seed", defaultValue = "1")
        long seed;

        @Override
        public Integer call() {
            List<String> list = models;
            if (list == null) {
                list = new ArrayList<>(List.of("zoo:squeezenet1.1", "zoo:resnet18", "zoo:googlenet-caffe"));
                Path real = Path.of("..", "shared", "models", "squeezenet1.1-caffe.onnx");
                if (Files.exists(real)) {
                    list.add(real.toString());
                }
            }
            int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            for (String solver : solvers) {
                Solvers.byName(solver);
            }
            System.out.printf(
                    Locale.ROOT,
                    "threads %d, max heap %d MiB, %d restart(s) each, seed %d%n",
                    t,
                    Runtime.getRuntime().maxMemory() >> 20,
                    restarts,
                    seed);
            System.out.printf(
                    Locale.ROOT,
                    "%-44s %-17s %10s %10s %10s %12s %10s %9s%n",
                    "model",
                    "solver",
                    "s/restart",
                    "eps best",
                    "eps mean",
                    "flips",
                    "steps",
                    "heap MiB");
            for (String m : list) {
                Network net = ModelLoader.load(m, ImportOptions.DEFAULT);
                SpinGlass glass = new SpinGlass(net.graph());
                for (String solver : solvers) {
                    resetPeaks();
                    var r = FrustrationRunner.run(
                            glass, Solvers.byName(solver), SolverOptions.DEFAULT, restarts, seed, t, null);
                    double perRestart = r.seconds() / restarts;
                    double flips = r.restarts().stream()
                            .mapToLong(x -> x.result().flips())
                            .average()
                            .orElse(0);
                    double steps = r.restarts().stream()
                            .mapToLong(x -> x.result().steps())
                            .average()
                            .orElse(0);
                    System.out.printf(
                            Locale.ROOT,
                            "%-44s %-17s %10.1f %10.6f %10.6f %,12.0f %,10.0f %9d%n",
                            m,
                            solver,
                            perRestart,
                            r.best().result().epsilon(),
                            r.mean(),
                            flips,
                            steps,
                            peakHeapMiB());
                }
            }
            return 0;
        }
    }

    @Command(
            name = "null",
            mixinStandardHelpOptions = true,
            description =
                    "Per model and null model: seconds to draw one null network, its peak heap, one A·x + Aᵀ·x on it.")
    static final class Null implements Callable<Integer> {
        @Option(
                names = "--models",
                split = ",",
                paramLabel = "MODEL",
                description = "Models (default: zoo:squeezenet1.1 and ../shared/models/squeezenet1.1-caffe.onnx).")
        List<String> models;

        @Option(
                names = "--nulls",
                split = ",",
                defaultValue = "N1,N2,N3",
                converter = Converters.NullKindConverter.class,
                description = "Null models: N1, N2, N3 (default ${DEFAULT-VALUE}).")
        List<NullKind> nulls;

        @Option(names = "--seed", defaultValue = "1")
        long seed;

        @Override
        public Integer call() {
            List<String> list = models;
            if (list == null) {
                list = new ArrayList<>(List.of("zoo:squeezenet1.1"));
                Path real = Path.of("..", "shared", "models", "squeezenet1.1-caffe.onnx");
                if (Files.exists(real)) {
                    list.add(real.toString());
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "threads %d, max heap %d MiB, seed %d%n",
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20,
                    seed);
            System.out.printf(
                    Locale.ROOT,
                    "%-44s %-6s %14s %10s %12s %9s %10s %8s%n",
                    "model",
                    "null",
                    "learnable edges",
                    "draw s",
                    "ns/edge",
                    "heap MiB",
                    "product s",
                    "storage");
            for (String m : list) {
                Network net = ModelLoader.load(m, ImportOptions.DEFAULT);
                long learnable = ShuffledEdges.learnableEdges(net.graph());
                for (NullKind kind : nulls) {
                    var model = nullModel(kind);
                    resetPeaks();
                    long t0 = System.nanoTime();
                    SignedGraph g = model.apply(net.graph(), seed);
                    double s = (System.nanoTime() - t0) / 1e9;
                    long heap = peakHeapMiB();
                    // one A·x + Aᵀ·x on the null network (best of 2), both cores
                    double[] x = new double[g.nodeCount()], y = new double[g.nodeCount()];
                    Arrays.fill(x, 1);
                    double product = productSeconds(g, x, y, true, 2);
                    boolean mapped = g.blocks().stream()
                            .anyMatch(b -> b instanceof PerEdgeConvolutionBlock pe
                                    && pe.store().isMapped());
                    System.out.printf(
                            Locale.ROOT,
                            "%-44s %-6s %,14d %10.2f %12.2f %9d %10.3f %8s%n",
                            m,
                            kind,
                            learnable,
                            s,
                            s * 1e9 / learnable,
                            heap,
                            product,
                            mapped ? "mapped" : "heap");
                    if (g.edgeCount() != net.graph().edgeCount()) {
                        throw new IllegalStateException("null model changed the edge count");
                    }
                    model.release(g);
                }
            }
            return 0;
        }
    }

    static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    @Command(
            name = "inference",
            mixinStandardHelpOptions = true,
            description = {
                "Images per second of plain ONNX Runtime (one input tensor reused, logits only) against",
                "nnfrust's InferenceSession (float[] in, float[] out) on the same model and batch size."
            })
    static final class Inference implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
        String model;

        @Option(names = "--batch", defaultValue = "16", description = "Images per call (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--images",
                defaultValue = "640",
                description = "Images per timed pass (default ${DEFAULT-VALUE}).")
        int images;

        @Option(
                names = "--repeat",
                defaultValue = "3",
                description = "Timed passes; the best is reported (default ${DEFAULT-VALUE}).")
        int repeat;

        @Option(
                names = "--threads",
                defaultValue = "0",
                description = "ONNX Runtime intra-op threads (default: all cores).")
        int threads;

        @Override
        public Integer call() {
            var config = new InferenceBenchmark.Config(batch, images, repeat, threads);
            ModelLoader.Loaded l = ModelLoader.loadWithModel(model, ImportOptions.DEFAULT);
            var prepared = InferenceSession.prepare(l.model(), l.network(), List.of(), Precision.FLOAT32);
            InferenceBenchmark.Result r = InferenceBenchmark.run(prepared, config);
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d images per pass, batch %d, %s ONNX Runtime threads%n",
                    model,
                    config.imagesPerPass(),
                    batch,
                    threads > 0 ? String.valueOf(threads) : "all");
            System.out.printf(
                    Locale.ROOT,
                    "plain ONNX Runtime   %8.1f images/s (%.2f ms per image)%n",
                    r.plainImagesPerSecond(),
                    1e3 / r.plainImagesPerSecond());
            System.out.printf(
                    Locale.ROOT,
                    "nnfrust session      %8.1f images/s (%.2f ms per image, %.1f%% overhead)%n",
                    r.sessionImagesPerSecond(),
                    1e3 / r.sessionImagesPerSecond(),
                    100 * r.overhead());
            return 0;
        }
    }
}
