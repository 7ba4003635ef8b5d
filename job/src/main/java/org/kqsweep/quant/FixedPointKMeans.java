package org.kqsweep.quant;

import java.util.Arrays;
import java.util.Locale;

/**
 * Lloyd K-means on fixed-point weight codes, in integer arithmetic that a hardware block
 * reproduces bit for bit.
 *
 * <p>The algorithm is specified in {@code docs/fixed-point.md}; the VHDL core in {@code hdl/}
 * implements the same steps. In short: each float tensor is scaled to signed {@code W}-bit codes
 * with one scale per tensor; the iteration runs over the sorted distinct codes and their
 * multiplicities; a code goes to the nearest centroid by absolute distance, ties to the lower
 * (smaller) centroid; a centroid moves to the mean of its members rounded half away from zero;
 * an empty centroid keeps its value; iteration stops when no centroid moves or after
 * {@code maxIterations}. When the tensor has at most K distinct codes, the codebook is those
 * codes and no iteration runs.
 *
 * <p>Sums are kept in {@code long}, which fits {@code W + 31} bits for any Java array; the
 * hardware widths for a given maximum N are in the specification. Instances are immutable and
 * thread-safe.
 */
public final class FixedPointKMeans implements Quantizer, java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** The choice of the K starting centroids when the tensor has more than K distinct codes. */
    public enum Init {
        /** K codes evenly spaced over [min, max], rounded down. */
        LINEAR,
        /** One distinct code from each of K equal rank strata, picked by a seeded xorshift32. */
        SEEDED;

        /** Parses a configuration value such as {@code linear} or {@code seeded}. */
        public static Init parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown fixed-point init '" + value + "'; expected linear or seeded", e);
            }
        }
    }

    /** Smallest allowed code width W in bits. */
    public static final int MIN_WORD_BITS = 4;

    /** Largest allowed code width W in bits. */
    public static final int MAX_WORD_BITS = 24;

    /** State that replaces a zero xorshift32 seed, which would otherwise stay zero forever. */
    public static final int ZERO_SEED_REPLACEMENT = 0x9E3779B9;

    private final int wordBits;
    private final int maxIterations;
    private final Init init;

    /**
     * @param wordBits      code width W in bits, 4 to 24
     * @param maxIterations Lloyd iteration cap, at least 1
     * @param init          how starting centroids are chosen
     */
    public FixedPointKMeans(int wordBits, int maxIterations, Init init) {
        if (wordBits < MIN_WORD_BITS || wordBits > MAX_WORD_BITS) {
            throw new IllegalArgumentException("wordBits must be between " + MIN_WORD_BITS + " and "
                    + MAX_WORD_BITS + ", found " + wordBits);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, found " + maxIterations);
        }
        this.wordBits = wordBits;
        this.maxIterations = maxIterations;
        this.init = init;
    }

    public int wordBits() {
        return wordBits;
    }

    public int maxIterations() {
        return maxIterations;
    }

    public Init init() {
        return init;
    }

    /** Integer codes of one tensor and the scale that turns a code back into a float. */
    public record Codes(int[] codes, double scale) {

        /** Returns the float32 value that a code represents. */
        public float toFloat(int code) {
            return (float) (code * scale);
        }
    }

    /**
     * The outcome of clustering integer codes.
     *
     * @param codebook   centroid codes that have members, in increasing order
     * @param indices    one codebook index per input code
     * @param iterations Lloyd iterations performed
     * @param converged  whether the last iteration moved no centroid
     * @param codeSse    per iteration, the sum of squared code distances after the update
     */
    public record CodeResult(int[] codebook, int[] indices, int iterations, boolean converged, double[] codeSse)
            implements java.io.Serializable {
    }

    /** Scales a float tensor to signed codes of {@code wordBits} bits, one scale per tensor. */
    public static Codes encode(float[] weights, int wordBits) {
        int maxCode = (1 << (wordBits - 1)) - 1;
        double maxAbs = 0;
        for (float w : weights) {
            maxAbs = Math.max(maxAbs, Math.abs((double) w));
        }
        double scale = maxAbs == 0 ? 1.0 : maxAbs / maxCode;
        int[] codes = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            double x = weights[i] / scale;
            long rounded = (long) Math.floor(Math.abs(x) + 0.5);
            long signed = x < 0 ? -rounded : rounded;
            codes[i] = (int) Math.max(-maxCode, Math.min(maxCode, signed));
        }
        return new Codes(codes, scale);
    }

    @Override
    public QuantizationResult quantize(float[] weights, int k, long seed) {
        Quantizer.checkArguments(weights, k);
        Codes codes = encode(weights, wordBits);
        CodeResult result = cluster(codes.codes(), k, seed);
        float[] codebook = new float[result.codebook().length];
        for (int j = 0; j < codebook.length; j++) {
            codebook[j] = codes.toFloat(result.codebook()[j]);
        }
        double sse = QuantizationResult.sse(weights, codebook, result.indices());
        return new QuantizationResult(codebook, result.indices(), sse, result.iterations(), result.converged());
    }

    /**
     * Clusters integer codes exactly as the hardware core does.
     *
     * @param codes signed codes within {@code [-2^(W-1), 2^(W-1) - 1]}
     * @param k     requested number of centroids, at least 1
     * @param seed  seed of the {@link Init#SEEDED} initialization; its low 32 bits are used
     */
    public CodeResult cluster(int[] codes, int k, long seed) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, found " + k);
        }
        if (codes.length == 0) {
            throw new IllegalArgumentException("cannot cluster an empty tensor");
        }
        checkCodeRange(codes);
        Histogram histogram = Histogram.of(codes);
        int distinct = histogram.values.length;
        if (distinct <= k) {
            return new CodeResult(histogram.values.clone(), histogram.rankOf(codes), 0, true, new double[0]);
        }

        long[] centroids = init == Init.LINEAR
                ? linearCentroids(histogram.values, k)
                : seededCentroids(histogram.values, k, (int) seed);
        int[] assignment = new int[distinct];
        double[] history = new double[maxIterations];
        int iterations = 0;
        boolean converged = false;
        while (true) {
            assign(histogram.values, centroids, assignment);
            boolean changed = update(histogram, assignment, centroids);
            history[iterations] = codeSse(histogram, assignment, centroids);
            iterations++;
            if (!changed) {
                converged = true;
                break;
            }
            if (iterations == maxIterations) {
                break;
            }
        }
        assign(histogram.values, centroids, assignment);
        return compact(histogram, codes, centroids, assignment, iterations, converged,
                Arrays.copyOf(history, iterations));
    }

    private void checkCodeRange(int[] codes) {
        int min = -(1 << (wordBits - 1));
        int max = (1 << (wordBits - 1)) - 1;
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < min || codes[i] > max) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "code %d at position %d is outside the %d-bit range [%d, %d]",
                        codes[i], i, wordBits, min, max));
            }
        }
    }

    /** Sorted distinct codes with their multiplicities. */
    private record Histogram(int[] values, long[] counts) {

        static Histogram of(int[] codes) {
            int[] sorted = codes.clone();
            Arrays.sort(sorted);
            int[] values = new int[sorted.length];
            long[] counts = new long[sorted.length];
            int distinct = 0;
            for (int code : sorted) {
                if (distinct > 0 && values[distinct - 1] == code) {
                    counts[distinct - 1]++;
                } else {
                    values[distinct] = code;
                    counts[distinct] = 1;
                    distinct++;
                }
            }
            return new Histogram(Arrays.copyOf(values, distinct), Arrays.copyOf(counts, distinct));
        }

        /** Position of each code in {@link #values}. */
        int[] rankOf(int[] codes) {
            int[] ranks = new int[codes.length];
            for (int i = 0; i < codes.length; i++) {
                ranks[i] = Arrays.binarySearch(values, codes[i]);
            }
            return ranks;
        }
    }

    static long[] linearCentroids(int[] values, int k) {
        long min = values[0];
        long range = (long) values[values.length - 1] - min;
        long[] centroids = new long[k];
        for (int j = 0; j < k; j++) {
            centroids[j] = k == 1 ? min : min + Math.floorDiv(j * range, k - 1);
        }
        return centroids;
    }

    static long[] seededCentroids(int[] values, int k, int seed) {
        long distinct = values.length;
        int state = seed == 0 ? ZERO_SEED_REPLACEMENT : seed;
        long[] centroids = new long[k];
        for (int j = 0; j < k; j++) {
            long low = j * distinct / k;
            long size = (j + 1) * distinct / k - low;
            state = xorshift32(state);
            long offset = (Integer.toUnsignedLong(state) * size) >>> 32;
            centroids[j] = values[(int) (low + offset)];
        }
        return centroids;
    }

    /** Advances Marsaglia's xorshift32 by one step, with shifts 13, 17 and 5. */
    public static int xorshift32(int state) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return state;
    }

    /**
     * Assigns each sorted distinct code to its nearest centroid, ties to the lower index. Because
     * the centroids are strictly increasing, the nearest index never decreases as the code grows,
     * so one forward sweep visits each code and centroid once.
     */
    private static void assign(int[] values, long[] centroids, int[] assignment) {
        int j = 0;
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            while (j + 1 < centroids.length && Math.abs(v - centroids[j + 1]) < Math.abs(v - centroids[j])) {
                j++;
            }
            assignment[i] = j;
        }
    }

    /** Moves every non-empty centroid to its members' mean rounded half away from zero. */
    private static boolean update(Histogram histogram, int[] assignment, long[] centroids) {
        long[] sums = new long[centroids.length];
        long[] members = new long[centroids.length];
        for (int i = 0; i < assignment.length; i++) {
            sums[assignment[i]] += histogram.counts[i] * histogram.values[i];
            members[assignment[i]] += histogram.counts[i];
        }
        boolean changed = false;
        for (int j = 0; j < centroids.length; j++) {
            if (members[j] == 0) {
                continue;
            }
            long next = roundedMean(sums[j], members[j]);
            changed |= next != centroids[j];
            centroids[j] = next;
        }
        return changed;
    }

    /** {@code round(sum / count)} with halves away from zero, in integers only. */
    static long roundedMean(long sum, long count) {
        long quotient = (2 * Math.abs(sum) + count) / (2 * count);
        return sum >= 0 ? quotient : -quotient;
    }

    private static double codeSse(Histogram histogram, int[] assignment, long[] centroids) {
        double sum = 0;
        for (int i = 0; i < assignment.length; i++) {
            double d = histogram.values[i] - centroids[assignment[i]];
            sum += histogram.counts[i] * d * d;
        }
        return sum;
    }

    /** Drops centroids without members and maps every input code to its codebook position. */
    private static CodeResult compact(Histogram histogram, int[] codes, long[] centroids, int[] assignment,
                                      int iterations, boolean converged, double[] history) {
        int[] position = new int[centroids.length];
        Arrays.fill(position, -1);
        int used = 0;
        for (int a : assignment) {
            if (position[a] < 0) {
                position[a] = used++;
            }
        }
        int[] codebook = new int[used];
        for (int j = 0; j < centroids.length; j++) {
            if (position[j] >= 0) {
                codebook[position[j]] = (int) centroids[j];
            }
        }
        int[] ranks = histogram.rankOf(codes);
        int[] indices = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            indices[i] = position[assignment[ranks[i]]];
        }
        return new CodeResult(codebook, indices, iterations, converged, history);
    }
}
