package io.nnfrust.experiment;

import io.nnfrust.experiment.MonotonicityExperiment.ImageResult;
import io.nnfrust.experiment.MonotonicityExperiment.VariantResult;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.TopK;
import io.nnfrust.model.Network;
import io.nnfrust.monotonicity.OutputAlignment;
import io.nnfrust.monotonicity.Perturbation;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The inference side of near-monotonicity (paper eq. 10): one ONNX Runtime session per distinct network, the
 * perturbation buffers (one batch of inputs per variant, reused) and the inference time. Per image x₁ and amplitude
 * a_p: x₂ = x₁ + S_x·a_p·u (uᵢ ~ U(0,1), the same u for every variant), and the output alignment Ω of the logits
 * along S_y ({@link OutputAlignment}). The first variant is the real network (its logits give the true class's
 * rank). Not thread-safe.
 */
final class MonotonicityEngine implements AutoCloseable {
    private final List<OrderedNetwork> variants;
    private final Map<Network, InferenceSession> sessions = new IdentityHashMap<>();
    private final int n0, batch;
    private final double[] amps;
    private final float[][] x2;
    private final float[] u;
    private long inferred;
    private double inferSeconds;

    /**
     * @param threads ONNX Runtime intra-op threads
     * @param batch   inputs per ONNX Runtime call
     * @param amps    the P amplitudes
     */
    MonotonicityEngine(
            List<OrderedNetwork> variants,
            InferenceSession.Precision precision,
            int threads,
            int batch,
            double[] amps) {
        if (variants.isEmpty()) {
            throw new NnfrustException("no variant to run");
        }
        if (batch < 1) {
            throw new NnfrustException("batch must be >= 1, got " + batch);
        }
        this.variants = List.copyOf(variants);
        this.batch = batch;
        this.amps = amps.clone();
        try {
            for (OrderedNetwork v : variants) {
                if (!sessions.containsKey(v.network())) {
                    sessions.put(
                            v.network(), new InferenceSession(v.model(), v.network(), List.of(), precision, threads));
                }
            }
            n0 = sessions.values().iterator().next().inputSize();
            if ((long) batch * n0 > Integer.MAX_VALUE - 8) {
                throw new NnfrustException("batch " + batch + " is too large for " + n0 + " input values per image");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        x2 = new float[variants.size()][batch * n0];
        u = new float[n0];
    }

    /** Input values per image. */
    int inputSize() {
        return n0;
    }

    /** Images run through a network so far (originals and perturbations). */
    long inferred() {
        return inferred;
    }

    /** Seconds spent in ONNX Runtime so far. */
    double inferenceSeconds() {
        return inferSeconds;
    }

    private float[] logits(Network net, float[] input, int count) {
        long t0 = System.nanoTime();
        float[] y = sessions.get(net).run(input, count).get(net.outputName());
        inferSeconds += (System.nanoTime() - t0) / 1e9;
        inferred += count;
        return y;
    }

    /** The logits of the unperturbed images, per network. */
    Map<Network, float[]> originals(float[] input, int count) {
        Map<Network, float[]> y1 = new IdentityHashMap<>();
        for (Network net : sessions.keySet()) {
            y1.put(net, logits(net, input, count));
        }
        return y1;
    }

    /** Every variant's P perturbations of image i of the loaded batch (image k of the list). */
    ImageResult image(
            int k, Path file, long seed, int trueClass, float[] input, Map<Network, float[]> y1, int i, int count) {
        int P = amps.length, V = variants.size();
        SplittableRandom imageRandom = new SplittableRandom(seed);
        long orderSeed = imageRandom.nextLong();
        long[] pSeeds = new long[P];
        for (int p = 0; p < P; p++) {
            pSeeds[p] = imageRandom.nextLong();
        }
        byte[][] sx = new byte[V][], sy = new byte[V][];
        int[] outputs = new int[V], predicted = new int[V];
        for (int v = 0; v < V; v++) {
            OrderedNetwork var = variants.get(v);
            float[] y = y1.get(var.network());
            outputs[v] = y.length / count;
            predicted[v] = TopK.argmax(y, i * outputs[v], outputs[v]);
            sx[v] = var.sx();
            sy[v] = var.sy();
            if (sx[v] == null || sy[v] == null) {
                SplittableRandom r = new SplittableRandom(orderSeed);
                byte[] rx = Perturbation.randomSigns(r, n0);
                byte[] ry = Perturbation.randomSigns(r, outputs[v]);
                sx[v] = sx[v] == null ? rx : sx[v];
                sy[v] = sy[v] == null ? ry : sy[v];
            }
            if (sx[v].length != n0 || sy[v].length != outputs[v]) {
                throw new NnfrustException(var.name() + ": spins for " + sx[v].length + " inputs and " + sy[v].length
                        + " outputs, the model has " + n0 + " and " + outputs[v]);
            }
        }
        double[] norms = new double[P];
        int[][] aligned = new int[V][P], ties = new int[V][P];
        boolean[][] kept = new boolean[V][P];
        for (int p0 = 0; p0 < P; p0 += batch) {
            int nb = Math.min(batch, P - p0);
            for (int q = 0; q < nb; q++) {
                int p = p0 + q;
                norms[p] = amps[p] * Perturbation.uniform(new SplittableRandom(pSeeds[p]), u, n0);
                for (int v = 0; v < V; v++) {
                    Perturbation.apply(input, i * n0, sx[v], amps[p], u, x2[v], q * n0, n0);
                }
            }
            for (int v = 0; v < V; v++) {
                Network net = variants.get(v).network();
                float[] y2 = logits(net, x2[v], nb);
                float[] y = y1.get(net);
                int n = outputs[v];
                for (int q = 0; q < nb; q++) {
                    int p = p0 + q;
                    aligned[v][p] = OutputAlignment.aligned(y, i * n, y2, q * n, sy[v], n);
                    ties[v][p] = OutputAlignment.ties(y, i * n, y2, q * n, n);
                    kept[v][p] = TopK.argmax(y2, q * n, n) == predicted[v];
                }
            }
        }
        Map<Variant, VariantResult> vr = new LinkedHashMap<>();
        for (int v = 0; v < V; v++) {
            vr.put(
                    variants.get(v).variant(),
                    new VariantResult(predicted[v], outputs[v], aligned[v], ties[v], kept[v]));
        }
        float[] real = y1.get(variants.get(0).network());
        int trueRank = Accuracy.rank(real, i * outputs[0], outputs[0], trueClass);
        return new ImageResult(k, file.getFileName().toString(), seed, trueClass, trueRank, amps.clone(), norms, vr);
    }

    @Override
    public void close() {
        for (InferenceSession s : sessions.values()) {
            s.close();
        }
    }
}
