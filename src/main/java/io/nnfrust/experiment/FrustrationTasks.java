package io.nnfrust.experiment;

import io.nnfrust.nullmodel.NullKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The plan of the frustration experiment (paper, Results, Fig. 2 and 5a): the real network R solved
 * {@code replicas} times, and for each null kind {@code nullCount} null networks, each solved twice, once from
 * S = I (ν = 0) and once from ν random flips. Every task's seeds are drawn up front from
 * {@code SplittableRandom(seed)} in task order, so the results do not depend on threads, shards, interruptions
 * or resumption.
 */
public final class FrustrationTasks {
    private FrustrationTasks() {}

    /** The group of the real network's solves. */
    public static final String REAL = "R";

    /**
     * One solve: group R (real) or a null kind, replica (null network) index, instance (0: ν = 0, 1: ν).
     *
     * @param index        position in the whole run's task order
     * @param nullSeed     seed of the null network (0 for R)
     * @param seed         seed of the solve
     * @param initialFlips ν of this solve
     */
    public record Task(
            int index, String group, int replica, int instance, long nullSeed, long seed, long initialFlips) {
        /** group/replica/instance: the task's identity in checkpoints and results. */
        public String key() {
            return FrustrationTasks.key(group, replica, instance);
        }

        /** The null kind of this task's network, or null for the real network. */
        public NullKind nullKind() {
            return group.equals(REAL) ? null : NullKind.valueOf(group);
        }

        /** The unit of work this task belongs to: the task itself for R, its null network otherwise. */
        String unit() {
            return group.equals(REAL) ? key() : group + "/" + replica;
        }
    }

    /** The identity of a task: group/replica/instance. */
    public static String key(String group, int replica, int instance) {
        return group + "/" + replica + "/" + instance;
    }

    /** All tasks of the run in their fixed order, seeds drawn up front. */
    public static List<Task> all(FrustrationExperiment.Config c) {
        SplittableRandom master = new SplittableRandom(c.seed());
        List<Task> t = new ArrayList<>();
        for (int r = 0; r < c.replicas(); r++) {
            t.add(new Task(
                    t.size(), REAL, r, 1, 0, master.nextLong(), c.options().initialFlips()));
        }
        for (NullKind kind : c.nulls()) {
            for (int k = 0; k < c.nullCount(); k++) {
                long nullSeed = master.nextLong();
                long s0 = master.nextLong(), s1 = master.nextLong();
                t.add(new Task(t.size(), kind.name(), k, 0, nullSeed, s0, 0));
                t.add(new Task(
                        t.size(), kind.name(), k, 1, nullSeed, s1, c.options().initialFlips()));
            }
        }
        return t;
    }

    /**
     * The units of work in their fixed order: one per real restart and one per null network (whose instances share
     * one build of the network); {@link Shard} K of N runs the units u with u mod N = K - 1.
     */
    public static List<List<Task>> units(List<Task> tasks) {
        Map<String, List<Task>> units = new LinkedHashMap<>();
        for (Task t : tasks) {
            units.computeIfAbsent(t.unit(), k -> new ArrayList<>()).add(t);
        }
        return new ArrayList<>(units.values());
    }

    /** The tasks of shard {@code shard}, in task order. */
    public static List<Task> ofShard(FrustrationExperiment.Config c, Shard shard) {
        List<List<Task>> units = units(all(c));
        List<Task> mine = new ArrayList<>();
        for (int u = 0; u < units.size(); u++) {
            if (shard.owns(u)) {
                mine.addAll(units.get(u));
            }
        }
        mine.sort(Comparator.comparingInt(Task::index));
        return mine;
    }
}
