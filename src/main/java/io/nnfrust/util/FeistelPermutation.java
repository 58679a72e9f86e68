package io.nnfrust.util;

/**
 * A seeded pseudo-random bijection of {@code [0, n)} for any {@code n} up to 2^62, computed in O(1) memory: a
 * Feistel network of {@value #ROUNDS} rounds on the smallest number of bits {@code b} with {@code 2^b >= n}
 * (halves of {@code floor(b/2)} and {@code ceil(b/2)} bits, unbalanced when b is odd: each round is
 * {@code (hi, lo) -> (lo, hi XOR F(lo))}, a bijection whatever the two widths), restricted to {@code [0, n)} by
 * cycle-walking (re-apply until the value falls inside; because the network is a bijection of {@code [0, 2^b)},
 * the restriction is a bijection of {@code [0, n)}). Round keys come from the seed through SplitMix64; the round
 * function is the SplitMix64 finaliser of (half XOR key). Expected cost: fewer than 2 walks ({@code 2^b / n < 2})
 * of {@value #ROUNDS} rounds each, a few nanoseconds per round.
 *
 * <p>Used by null model N2 to permute billions of edge weights without storing a permutation (Black and Rogaway,
 * "Ciphers with arbitrary finite domains", CT-RSA 2002, for cycle-walking).
 */
public final class FeistelPermutation {
    /** Number of Feistel rounds. */
    public static final int ROUNDS = 4;

    private final long n;
    private final int hiBits, loBits;
    private final long[] keys = new long[ROUNDS];

    public FeistelPermutation(long n, long seed) {
        if (n < 1 || n > (1L << 62)) {
            throw new IllegalArgumentException("domain size must be in [1, 2^62], got " + n);
        }
        this.n = n;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1));
        this.hiBits = bits / 2;
        this.loBits = bits - hiBits;
        long s = seed;
        for (int r = 0; r < ROUNDS; r++) {
            s += 0x9E3779B97F4A7C15L;
            keys[r] = mix(s);
        }
    }

    public long size() {
        return n;
    }

    /** The image of {@code x}, for {@code 0 <= x < n}. */
    public long apply(long x) {
        check(x);
        long y = x;
        do {
            y = encrypt(y);
        } while (y >= n);
        return y;
    }

    /** The preimage of {@code y}: {@code inverse(apply(x)) == x}. */
    public long inverse(long y) {
        check(y);
        long x = y;
        do {
            x = decrypt(x);
        } while (x >= n);
        return x;
    }

    private void check(long x) {
        if (x < 0 || x >= n) {
            throw new IndexOutOfBoundsException(x + " outside [0, " + n + ")");
        }
    }

    private long encrypt(long x) {
        int a = hiBits, b = loBits; // widths of hi and lo
        long hi = x >>> b, lo = x & ((1L << b) - 1);
        for (int r = 0; r < ROUNDS; r++) {
            long t = hi ^ (mix(lo ^ keys[r]) & ((1L << a) - 1));
            hi = lo;
            lo = t;
            int w = a;
            a = b;
            b = w;
        }
        return (hi << b) | lo;
    }

    private long decrypt(long x) {
        // after an even number of rounds the widths are back to (hiBits, loBits)
        int a = hiBits, b = loBits;
        if ((ROUNDS & 1) == 1) {
            a = loBits;
            b = hiBits;
        }
        long hi = x >>> b, lo = x & ((1L << b) - 1);
        for (int r = ROUNDS - 1; r >= 0; r--) {
            // undo (hi, lo) = (lo', hi' ^ F(lo')) where hi' had width b and lo' width a
            long prevLo = hi, prevHi = lo ^ (mix(hi ^ keys[r]) & ((1L << b) - 1));
            hi = prevHi;
            lo = prevLo;
            int w = a;
            a = b;
            b = w;
        }
        return (hi << b) | lo;
    }

    /** SplitMix64 finaliser (Steele, Lea, Flood 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
