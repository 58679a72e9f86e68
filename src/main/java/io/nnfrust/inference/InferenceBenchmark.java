package io.nnfrust.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.nnfrust.onnx.RuntimeModel;
import io.nnfrust.util.NnfrustException;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Images per second of plain ONNX Runtime (one input tensor reused, logits only) against an
 * {@link InferenceSession} ({@code float[]} in, {@code float[]} out) on the same {@link RuntimeModel}, batch size
 * and session options: the cost of the session's conversions ({@code nnfrust bench inference}). The images are
 * uniform in [-100, 100), drawn with seed 1.
 */
public final class InferenceBenchmark {
    private InferenceBenchmark() {}

    /**
     * What to time.
     *
     * @param batch   images per call (>= 1)
     * @param images  images per timed pass (>= batch; whole batches only)
     * @param repeat  timed passes, the best is reported (>= 1), after one untimed warm-up pass
     * @param threads ONNX Runtime intra-op threads (0 or less: its default, all cores)
     */
    public record Config(int batch, int images, int repeat, int threads) {
        public Config {
            if (batch < 1) {
                throw new NnfrustException("batch must be >= 1, got " + batch);
            }
            if (images < batch) {
                throw new NnfrustException("images must be >= batch (" + batch + "), got " + images);
            }
            if (repeat < 1) {
                throw new NnfrustException("repeat must be >= 1, got " + repeat);
            }
        }

        /** Calls per pass. */
        public int calls() {
            return images / batch;
        }

        /** Images per pass: whole batches. */
        public int imagesPerPass() {
            return calls() * batch;
        }
    }

    /**
     * The best pass of each.
     *
     * @param config         what was timed
     * @param plainSeconds   seconds of the best pass of plain ONNX Runtime
     * @param sessionSeconds seconds of the best pass of the {@link InferenceSession}
     */
    public record Result(Config config, double plainSeconds, double sessionSeconds) {
        public double plainImagesPerSecond() {
            return config.imagesPerPass() / plainSeconds;
        }

        public double sessionImagesPerSecond() {
            return config.imagesPerPass() / sessionSeconds;
        }

        /** The session's time over plain ONNX Runtime's, minus 1 (0.05: 5 % slower). */
        public double overhead() {
            return sessionSeconds / plainSeconds - 1;
        }
    }

    /** Times {@code model}; it must take a FLOAT32 input (a model prepared with a cast to FLOAT32). */
    public static Result run(RuntimeModel model, Config c) {
        if (model.float16Input()) {
            throw new NnfrustException(model.source() + ": the plain ONNX Runtime baseline feeds a FLOAT32 input; "
                    + "prepare the model with the cast to FLOAT32");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (InferenceSession ours = new InferenceSession(model, c.threads());
                OrtSession plain = InferenceSession.open(env, model, c.threads())) {
            float[] x = new float[c.batch() * ours.inputSize()];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextDouble() * 200 - 100);
            }
            int[] one = model.inputShape();
            long[] shape = new long[one.length];
            shape[0] = c.batch();
            for (int d = 1; d < shape.length; d++) {
                shape[d] = one[d];
            }
            double plainSeconds;
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape)) {
                Map<String, OnnxTensor> in = Map.of(model.inputName(), t);
                Set<String> logits = Set.of(model.outputs().get(0));
                plainSeconds = best(c, () -> {
                    for (int k = 0; k < c.calls(); k++) {
                        try (OrtSession.Result res = plain.run(in, logits)) {
                            res.get(0);
                        }
                    }
                });
            }
            double sessionSeconds = best(c, () -> {
                for (int k = 0; k < c.calls(); k++) {
                    ours.run(x, c.batch());
                }
            });
            return new Result(c, plainSeconds, sessionSeconds);
        } catch (OrtException e) {
            throw new NnfrustException("ONNX Runtime inference failed: " + InferenceSession.firstLine(e));
        }
    }

    private interface Pass {
        void run() throws OrtException;
    }

    private static double best(Config c, Pass p) throws OrtException {
        p.run(); // warm-up
        double b = Double.MAX_VALUE;
        for (int k = 0; k < c.repeat(); k++) {
            long t0 = System.nanoTime();
            p.run();
            b = Math.min(b, (System.nanoTime() - t0) / 1e9);
        }
        return b;
    }
}
