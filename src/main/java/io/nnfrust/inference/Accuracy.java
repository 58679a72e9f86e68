package io.nnfrust.inference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.hipparchus.distribution.discrete.BinomialDistribution;

/**
 * Top-1 / top-5 accuracy of the labelled images of a run, and whether it is near chance — the sign of a wrong
 * {@code --preprocess} (a Caffe model fed torchvision-normalised images classifies nothing), of a wrong synset
 * list, or of a network with random weights. Near chance means: the top-1 rate is below {@link #CHANCE_MULTIPLE}
 * times the chance rate 1/classes, or it is below {@link #LOW_RATE} and the number of top-1 hits is not significant
 * against guessing (one-sided binomial test, P(X ≥ top1 | n, 1/classes) &gt; {@link #SIGNIFICANCE}).
 *
 * @param labelled images with a known true class
 * @param top1     labelled images whose highest output is the true class
 * @param top5     labelled images whose true class is among the five highest outputs
 * @param classes  network outputs (chance = 1/classes)
 */
public record Accuracy(int labelled, int top1, int top5, int classes) {
    /** Level of the binomial test against chance. */
    public static final double SIGNIFICANCE = 1e-3;
    /** A top-1 rate below this multiple of 1/classes counts as near chance whatever the sample. */
    public static final double CHANCE_MULTIPLE = 5;
    /** Below this top-1 rate, a rate not significantly above chance counts as near chance. */
    public static final double LOW_RATE = 0.25;

    /** Rank (1 = highest) of {@code trueClass} among {@code logits[offset..offset+length)}, or -1 when unknown. */
    public static int rank(float[] logits, int offset, int length, int trueClass) {
        if (trueClass < 0 || trueClass >= length) {
            return -1;
        }
        float t = logits[offset + trueClass];
        int r = 1;
        for (int i = 0; i < length; i++) {
            if (logits[offset + i] > t || (logits[offset + i] == t && i < trueClass)) {
                r++;
            }
        }
        return r;
    }

    /** Accuracy from per-image ranks of the true class (-1: unlabelled). */
    public static Accuracy ofRanks(int[] ranks, int classes) {
        int n = 0, t1 = 0, t5 = 0;
        for (int r : ranks) {
            if (r > 0) {
                n++;
                t1 += r == 1 ? 1 : 0;
                t5 += r <= 5 ? 1 : 0;
            }
        }
        return new Accuracy(n, t1, t5, classes);
    }

    public double top1Rate() {
        return labelled == 0 ? Double.NaN : top1 / (double) labelled;
    }

    public double top5Rate() {
        return labelled == 0 ? Double.NaN : top5 / (double) labelled;
    }

    /** P(X ≥ top1) for X ~ Binomial(labelled, 1/classes): how likely guessing does as well. */
    public double pValueAgainstChance() {
        if (labelled == 0 || classes < 1) {
            return Double.NaN;
        }
        if (top1 == 0) {
            return 1;
        }
        return 1 - new BinomialDistribution(labelled, 1.0 / classes).cumulativeProbability(top1 - 1);
    }

    /** Whether the labelled images are classified no better than chance (see the class comment). */
    public boolean nearChance() {
        return labelled > 0
                && (top1Rate() < CHANCE_MULTIPLE / classes
                        || (top1Rate() < LOW_RATE && pValueAgainstChance() > SIGNIFICANCE));
    }

    /** The warning line for a near-chance accuracy, or null. */
    public String warning(String preprocess, boolean randomWeights) {
        return warning(preprocess, randomWeights, false);
    }

    /** As {@link #warning(String, boolean)}; {@code otherInputSize}: the run overrides the model's input size. */
    public String warning(String preprocess, boolean randomWeights, boolean otherInputSize) {
        if (labelled == 0) {
            return "no labelled images (no synset_words.txt beside the images or given with --synsets, or file names "
                    + "do not start with a WordNet id): accuracy not measured, so a wrong --preprocess would go unseen";
        }
        if (!nearChance()) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "top-1 %d/%d (%.1f%%) is near chance (%.2f%% for %d classes)%s",
                top1,
                labelled,
                100 * top1Rate(),
                100.0 / classes,
                classes,
                randomWeights
                        ? ": expected, the weights are random (zoo network)"
                        : ": check --preprocess (now " + preprocess + "; Caffe models need caffe, torchvision "
                                + "exports torchvision)"
                                + (otherInputSize
                                        ? ", the --input-size (not the size the model was " + "trained at)"
                                        : "")
                                + " and the synset list; results on these images may mean nothing");
    }

    /** The key of the accuracy object in the JSON outputs ({@link #putJson}). */
    public static final String ACCURACY = "accuracy";
    // the keys of the accuracy object (readers such as the report use them)
    public static final String LABELLED = "labelled";
    public static final String TOP1 = "top1";
    public static final String TOP5 = "top5";
    public static final String TOP1_RATE = "top1Rate";
    public static final String TOP5_RATE = "top5Rate";
    public static final String CLASSES = "classes";
    public static final String CHANCE_RATE = "chanceRate";
    public static final String P_VALUE_AGAINST_CHANCE = "pValueAgainstChance";
    public static final String NEAR_CHANCE = "nearChance";

    /** Puts {@code accuracy: {labelled, top1, top5, top1Rate, top5Rate, chanceRate, pValueAgainstChance, nearChance}}. */
    public void putJson(ObjectNode out) {
        ObjectNode a = out.putObject(ACCURACY);
        a.put(LABELLED, labelled);
        a.put(TOP1, top1);
        a.put(TOP5, top5);
        a.put(TOP1_RATE, top1Rate());
        a.put(TOP5_RATE, top5Rate());
        a.put(CLASSES, classes);
        a.put(CHANCE_RATE, classes < 1 ? Double.NaN : 1.0 / classes);
        a.put(P_VALUE_AGAINST_CHANCE, pValueAgainstChance());
        a.put(NEAR_CHANCE, nearChance());
    }

    /** "top-1 750/1000 = 75.0%, top-5 ... " or "no labelled images". */
    public String line() {
        if (labelled == 0) {
            return "accuracy: no labelled images";
        }
        return String.format(
                Locale.ROOT,
                "top-1 %d/%d = %.1f%%, top-5 %d/%d = %.1f%%",
                top1,
                labelled,
                100 * top1Rate(),
                top5,
                labelled,
                100 * top5Rate());
    }
}
