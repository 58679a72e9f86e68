package io.nnfrust.experiment;

import io.nnfrust.util.NnfrustException;
import java.util.Map;

/**
 * Shard K of N of an experiment's work units: unit u (0-based, in the experiment's fixed unit order) belongs to
 * shard (u mod N) + 1. Seeds, replica numbers and every other per-unit choice come from the unsharded run's
 * derivation, so the union of the N shards' results is exactly the unsharded result (docs/cluster.md).
 *
 * @param index K, 1-based
 * @param count N
 */
public record Shard(int index, int count) {
    /** The whole run: one shard. */
    public static final Shard ALL = new Shard(1, 1);

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new NnfrustException("--shard " + index + "/" + count + ": need 1 <= K <= N");
        }
    }

    /** Whether unit {@code unit} (0-based) is this shard's. */
    public boolean owns(int unit) {
        return unit % count == index - 1;
    }

    /** How many of the units 0..units-1 are this shard's. */
    public int ownedOf(int units) {
        return units <= 0 ? 0 : (units - index + count) / count;
    }

    public boolean isAll() {
        return count == 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }

    /**
     * Parses {@code K/N}, or {@code slurm}: K and N from a Slurm job array's environment
     * ({@code SLURM_ARRAY_TASK_ID}, and {@code SLURM_ARRAY_TASK_MIN}/{@code MAX} or {@code SLURM_ARRAY_TASK_COUNT}),
     * with K = ID - MIN + 1 so that an array 0-2 or 1-3 both give shards 1/3 .. 3/3.
     */
    public static Shard parse(String spec, Map<String, String> env) {
        if (spec == null || spec.isBlank()) {
            return ALL;
        }
        if (spec.equalsIgnoreCase("slurm")) {
            String id = env.get("SLURM_ARRAY_TASK_ID");
            if (id == null) {
                throw new NnfrustException("--shard slurm: SLURM_ARRAY_TASK_ID is not set (not a job array task); "
                        + "submit with sbatch --array=1-N, or give --shard K/N");
            }
            int k = integer(id, "SLURM_ARRAY_TASK_ID");
            String min = env.get("SLURM_ARRAY_TASK_MIN"), max = env.get("SLURM_ARRAY_TASK_MAX");
            String cnt = env.get("SLURM_ARRAY_TASK_COUNT");
            int lo = min == null ? 1 : integer(min, "SLURM_ARRAY_TASK_MIN");
            int n;
            if (max != null) {
                n = integer(max, "SLURM_ARRAY_TASK_MAX") - lo + 1;
            } else if (cnt != null) {
                n = integer(cnt, "SLURM_ARRAY_TASK_COUNT");
            } else {
                throw new NnfrustException("--shard slurm: neither SLURM_ARRAY_TASK_MAX nor SLURM_ARRAY_TASK_COUNT is"
                        + " set; give --shard K/N");
            }
            if (max != null && cnt != null && integer(cnt, "SLURM_ARRAY_TASK_COUNT") != n) {
                throw new NnfrustException("--shard slurm: the array " + lo + "-" + max + " has gaps or a step (" + cnt
                        + " tasks); use a contiguous --array=1-N");
            }
            return new Shard(k - lo + 1, n);
        }
        String[] p = spec.split("/");
        if (p.length != 2) {
            throw new NnfrustException("--shard '" + spec + "': expected K/N (e.g. 2/8) or slurm");
        }
        return new Shard(integer(p[0].trim(), "--shard K"), integer(p[1].trim(), "--shard N"));
    }

    private static int integer(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new NnfrustException(what + " '" + s + "' is not an integer");
        }
    }
}
