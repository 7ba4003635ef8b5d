package org.kqsweep.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks FixedPointKMeans against its specification, docs/fixed-point.md, with cases worked by hand. */
class FixedPointKMeansTest {

    private static final FixedPointKMeans LINEAR = new FixedPointKMeans(16, 100, FixedPointKMeans.Init.LINEAR);
    private static final FixedPointKMeans SEEDED = new FixedPointKMeans(16, 100, FixedPointKMeans.Init.SEEDED);

    private static FixedPointKMeans model(FixedPointKMeans.Init init) {
        return init == FixedPointKMeans.Init.LINEAR ? LINEAR : SEEDED;
    }

    private static int[] gaussianCodes(int n, long seed) {
        return FixedPointKMeans.encode(Tensors.gaussian(n, 0.05, seed), 16).codes();
    }

    private static int[] distinctSorted(int[] codes) {
        return Arrays.stream(codes).distinct().sorted().toArray();
    }

    // Encoding

    @ParameterizedTest
    @ValueSource(ints = {4, 8, 16, 24})
    void encodeMaxAbsToMaxCode(int wordBits) {
        float[] weights = Tensors.gaussian(288, 0.05, 21);
        int largest = 0;
        for (int i = 1; i < weights.length; i++) {
            if (Math.abs(weights[i]) > Math.abs(weights[largest])) {
                largest = i;
            }
        }
        int maxCode = (1 << (wordBits - 1)) - 1;

        FixedPointKMeans.Codes codes = FixedPointKMeans.encode(weights, wordBits);

        assertEquals(Math.abs(weights[largest]) / (double) maxCode, codes.scale());
        assertEquals(weights[largest] < 0 ? -maxCode : maxCode, codes.codes()[largest]);
        for (int code : codes.codes()) {
            assertTrue(Math.abs(code) <= maxCode, "code " + code + " exceeds " + maxCode);
        }
    }

    @Test
    void encodeNegativeMaxAbs() {
        float[] weights = {-0.5f, 0.25f, 0.1f};

        int[] codes = FixedPointKMeans.encode(weights, 8).codes();

        assertEquals(-127, codes[0]);
    }

    @Test
    void encodeRoundsHalfAwayFromZero() {
        // W = 4: max code 7 and max |w| 7, so the scale is 1 and the codes are the rounded weights.
        float[] weights = {7f, 2.5f, -2.5f, 0.5f, -0.5f, 1.49f, -1.49f};

        FixedPointKMeans.Codes codes = FixedPointKMeans.encode(weights, 4);

        assertEquals(1.0, codes.scale());
        assertArrayEquals(new int[] {7, 3, -3, 1, -1, 1, -1}, codes.codes());
    }

    @Test
    void encodeZeroTensor() {
        FixedPointKMeans.Codes codes = FixedPointKMeans.encode(new float[12], 16);

        assertEquals(1.0, codes.scale());
        assertArrayEquals(new int[12], codes.codes());
    }

    @Test
    void encodeThreeLevelsExactly() {
        float[] weights = {-0.1f, 0f, 0.1f, 0.1f, 0f, -0.1f};

        FixedPointKMeans.Codes codes = FixedPointKMeans.encode(weights, 16);
        FixedPointKMeans.CodeResult result = LINEAR.cluster(codes.codes(), 16, 1);

        // 32767 * (0.1f / 32767) is within a double rounding of 0.1f, so it casts back to 0.1f.
        assertArrayEquals(new int[] {-32767, 0, 32767, 32767, 0, -32767}, codes.codes());
        assertArrayEquals(new int[] {-32767, 0, 32767}, result.codebook());
        assertEquals(0.1f, codes.toFloat(32767));
        assertEquals(-0.1f, codes.toFloat(-32767));
    }

    // Integer helpers

    @ParameterizedTest
    @CsvSource({
        "5, 2, 3",
        "-5, 2, -3",
        "7, 3, 2",
        "-7, 3, -2",
        "8, 3, 3",
        "-8, 3, -3",
        "1, 101, 0",
        "-1, 101, 0",
        "6, 2, 3",
        "0, 4, 0",
    })
    void roundedMeanHalfAway(long sum, long count, long expected) {
        assertEquals(expected, FixedPointKMeans.roundedMean(sum, count));
    }

    @Test
    void xorshift32FromOne() {
        // By hand from x ^= x << 13; x ^= x >>> 17; x ^= x << 5, starting at 1:
        // step 1: 0x00002001, then unchanged by >>> 17, then ^ 0x00040020 gives 0x00042021.
        // step 2: ^ 0x84042000 gives 0x84000021, ^ 0x00004200 gives 0x84004221,
        //         ^ 0x80084420 gives 0x04080601.
        int first = FixedPointKMeans.xorshift32(1);
        int second = FixedPointKMeans.xorshift32(first);

        assertEquals(0x00042021, first);
        assertEquals(0x04080601, second);
    }

    @Test
    void xorshift32HighBit() {
        // From 0x80000000: << 13 shifts the bit out, >>> 17 adds 0x00004000, and << 5 then adds
        // 0x00080000 (the top bit again shifts out).
        assertEquals(0x80084000, FixedPointKMeans.xorshift32(0x80000000));
    }

    // Clustering

    @Test
    void fewDistinctCodesKept() {
        int[] codes = {5, -3, 5, 9, -3, 0};

        FixedPointKMeans.CodeResult result = LINEAR.cluster(codes, 4, 1);

        assertArrayEquals(new int[] {-3, 0, 5, 9}, result.codebook());
        assertArrayEquals(new int[] {2, 0, 2, 3, 0, 1}, result.indices());
        assertEquals(0, result.iterations());
        assertTrue(result.converged());
        assertEquals(0, result.codeSse().length);
    }

    @Test
    void linearInitialCentroids() {
        // R = 10, K = 4: 0 + floor(j * 10 / 3) = 0, 3, 6, 10.
        int[] values = {0, 1, 2, 4, 7, 10};

        long[] centroids = FixedPointKMeans.linearCentroids(values, 4);

        assertArrayEquals(new long[] {0, 3, 6, 10}, centroids);
    }

    @Test
    void linearSingleCentroid() {
        assertArrayEquals(new long[] {-4}, FixedPointKMeans.linearCentroids(new int[] {-4, 2, 9}, 1));
    }

    @Test
    void emptyMiddleCentroidDropped() {
        // Distinct codes 0, 1, 99, 100 (D = 4 > K = 3). Linear init over [0, 100] gives 0, 50, 100.
        // Nothing lies nearer to 50, so it stays empty and keeps its value. The means round to
        // round(1 / 101) = 0 and round(199 / 2) = 100, so the first iteration moves nothing.
        int[] codes = new int[103];
        codes[100] = 1;
        codes[101] = 99;
        codes[102] = 100;

        FixedPointKMeans.CodeResult result = LINEAR.cluster(codes, 3, 1);

        assertArrayEquals(new int[] {0, 100}, result.codebook());
        assertEquals(0, result.indices()[0]);
        assertEquals(0, result.indices()[100]);
        assertEquals(1, result.indices()[101]);
        assertEquals(1, result.indices()[102]);
        assertEquals(1, result.iterations());
        assertTrue(result.converged());
        assertArrayEquals(new double[] {2.0}, result.codeSse());
    }

    @Test
    void emptyMiddleCentroidFloats() {
        // Scale 1 / 32767: 0.01f codes to round(327.67) = 328, 0.99f to round(32439.33) = 32439
        // and 1.0f to 32767. Linear init is 0, 16383, 32767, and 16383 stays empty. The first
        // update moves 0 to round(328 / 101) = 3 and 32767 to (32439 + 32767) / 2 = 32603. The
        // second update moves nothing.
        float[] weights = new float[103];
        weights[100] = 0.01f;
        weights[101] = 0.99f;
        weights[102] = 1.0f;
        double scale = 1.0 / 32767;

        QuantizationResult result = LINEAR.quantize(weights, 3, 1);

        assertArrayEquals(new float[] {(float) (3 * scale), (float) (32603 * scale)}, result.codebook());
        assertEquals(2, result.iterations());
        assertTrue(result.converged());
        Tensors.assertValid(weights, 3, result);
    }

    @Test
    void nearestTieGoesToLowerCentroid() {
        // Linear init over [0, 4] with K = 3 gives 0, 2, 4. Codes 1 and 3 are ties: 1 joins 0 and
        // 3 joins 2. Update: c0 = round(1 / 2) = 1 (half away), c1 = round(5 / 2) = 3, c2 = 4.
        // Then 0, 1 and the tie 2 join centroid 1, while 3 and 4 keep their own centroids.
        // Update: c0 = round(3 / 3) = 1, c1 = 3, c2 = 4, so nothing moves.
        int[] codes = {0, 1, 2, 3, 4};

        FixedPointKMeans.CodeResult result = LINEAR.cluster(codes, 3, 1);

        assertArrayEquals(new int[] {1, 3, 4}, result.codebook());
        assertArrayEquals(new int[] {0, 0, 0, 1, 2}, result.indices());
        assertEquals(2, result.iterations());
        assertTrue(result.converged());
    }

    @Test
    void iterationCapStopsUnconverged() {
        FixedPointKMeans oneIteration = new FixedPointKMeans(16, 1, FixedPointKMeans.Init.LINEAR);
        int[] codes = {0, 1, 2, 3, 4};

        FixedPointKMeans.CodeResult result = oneIteration.cluster(codes, 3, 1);

        // After one update the centroids are 1, 3, 4 (see nearestTieGoesToLowerCentroid).
        assertEquals(1, result.iterations());
        assertFalse(result.converged());
        assertArrayEquals(new int[] {1, 3, 4}, result.codebook());
    }

    @ParameterizedTest
    @EnumSource(FixedPointKMeans.Init.class)
    void codeSseNeverRises(FixedPointKMeans.Init init) {
        int[] codes = gaussianCodes(2000, 31);

        FixedPointKMeans.CodeResult result = model(init).cluster(codes, 8, 5);

        double[] history = result.codeSse();
        assertEquals(result.iterations(), history.length);
        assertTrue(history.length >= 2, "only " + history.length + " iterations");
        for (int t = 1; t < history.length; t++) {
            assertTrue(history[t] <= history[t - 1],
                    "codeSse rose from " + history[t - 1] + " to " + history[t] + " at iteration " + t);
        }
    }

    @ParameterizedTest
    @EnumSource(FixedPointKMeans.Init.class)
    void convergedCodeSseMatchesResult(FixedPointKMeans.Init init) {
        int[] codes = gaussianCodes(2000, 32);

        FixedPointKMeans.CodeResult result = model(init).cluster(codes, 8, 5);

        double sum = 0;
        for (int i = 0; i < codes.length; i++) {
            double d = codes[i] - result.codebook()[result.indices()[i]];
            sum += d * d;
        }
        assertTrue(result.converged());
        assertEquals(sum, result.codeSse()[result.codeSse().length - 1], 0.0);
    }

    @ParameterizedTest
    @EnumSource(FixedPointKMeans.Init.class)
    void indicesPointToNearestCentroid(FixedPointKMeans.Init init) {
        int[] codes = gaussianCodes(1000, 33);

        FixedPointKMeans.CodeResult result = model(init).cluster(codes, 6, 9);

        int[] codebook = result.codebook();
        for (int i = 0; i < codes.length; i++) {
            int own = Math.abs(codes[i] - codebook[result.indices()[i]]);
            for (int centroid : codebook) {
                assertTrue(own <= Math.abs(codes[i] - centroid),
                        "code " + codes[i] + " is nearer to " + centroid + " than to its own centroid");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FixedPointKMeans.Init.class)
    void rerunIdentical(FixedPointKMeans.Init init) {
        float[] weights = Tensors.gaussian(288, 0.05, 34);

        QuantizationResult first = model(init).quantize(weights, 8, 77);
        QuantizationResult second = model(init).quantize(weights, 8, 77);

        assertArrayEquals(first.codebook(), second.codebook());
        assertArrayEquals(first.indices(), second.indices());
        assertEquals(first.iterations(), second.iterations());
        assertEquals(first.sse(), second.sse());
    }

    @ParameterizedTest
    @EnumSource(FixedPointKMeans.Init.class)
    void weightOrderIrrelevant(FixedPointKMeans.Init init) {
        float[] weights = Tensors.gaussian(288, 0.05, 35);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new java.util.Random(8));
        float[] shuffled = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            shuffled[i] = weights[order.get(i)];
        }

        QuantizationResult original = model(init).quantize(weights, 8, 3);
        QuantizationResult permuted = model(init).quantize(shuffled, 8, 3);

        assertArrayEquals(original.codebook(), permuted.codebook());
        assertEquals(original.iterations(), permuted.iterations());
        for (int i = 0; i < weights.length; i++) {
            assertEquals(original.indices()[order.get(i)], permuted.indices()[i], "weight " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(FixedPointKMeans.Init.class)
    void smallWordWidth(FixedPointKMeans.Init init) {
        // W = 4 leaves at most 15 codes, so K = 4 must cluster them and K = 16 keeps them all.
        FixedPointKMeans narrow = new FixedPointKMeans(4, 100, init);
        float[] weights = Tensors.gaussian(288, 0.05, 36);
        int distinctCodes = distinctSorted(FixedPointKMeans.encode(weights, 4).codes()).length;

        QuantizationResult clustered = narrow.quantize(weights, 4, 2);
        QuantizationResult unclustered = narrow.quantize(weights, 16, 2);

        Tensors.assertValid(weights, 4, clustered);
        Tensors.assertValid(weights, 16, unclustered);
        assertTrue(distinctCodes <= 15, distinctCodes + " distinct codes");
        assertEquals(distinctCodes, unclustered.kEffective());
        assertEquals(0, unclustered.iterations());
    }

    // Seeded initialization

    @Test
    void seededCentroidsFollowFormula() {
        // D = 10, K = 3: strata start at 0, 3 and 6 with sizes 3, 3 and 4.
        int[] values = {-9, -7, -4, -1, 0, 2, 3, 8, 11, 15};
        int seed = 0x12345678;
        int[] low = {0, 3, 6};
        int[] size = {3, 3, 4};
        long[] expected = new long[3];
        int state = seed;
        for (int j = 0; j < 3; j++) {
            state = FixedPointKMeans.xorshift32(state);
            long offset = Integer.toUnsignedLong(state) * size[j] / (1L << 32);
            expected[j] = values[(int) (low[j] + offset)];
        }

        long[] centroids = FixedPointKMeans.seededCentroids(values, 3, seed);

        assertArrayEquals(expected, centroids);
    }

    @Test
    void seededCentroidsInStrata() {
        int[] values = distinctSorted(gaussianCodes(2000, 41));
        int k = 16;
        int distinct = values.length;

        long[] centroids = FixedPointKMeans.seededCentroids(values, k, 99);

        for (int j = 0; j < k; j++) {
            int low = (int) ((long) j * distinct / k);
            int high = (int) ((long) (j + 1) * distinct / k) - 1;
            assertTrue(centroids[j] >= values[low], "centroid " + j + " below its stratum");
            assertTrue(centroids[j] <= values[high], "centroid " + j + " above its stratum");
        }
        for (int j = 1; j < k; j++) {
            assertTrue(centroids[j - 1] < centroids[j], "centroids not increasing at " + j);
        }
    }

    @Test
    void seedsGiveDifferentStarts() {
        int[] values = distinctSorted(gaussianCodes(2000, 42));

        long[] first = FixedPointKMeans.seededCentroids(values, 8, 1);
        long[] second = FixedPointKMeans.seededCentroids(values, 8, 2);

        assertFalse(Arrays.equals(first, second), "seeds 1 and 2 chose the same centroids");
    }

    @Test
    void seedsGiveValidResults() {
        float[] weights = Tensors.gaussian(288, 0.05, 43);

        QuantizationResult first = SEEDED.quantize(weights, 8, 1);
        QuantizationResult second = SEEDED.quantize(weights, 8, 2);

        Tensors.assertValid(weights, 8, first);
        Tensors.assertValid(weights, 8, second);
    }

    @Test
    void zeroSeedReplaced() {
        int[] values = distinctSorted(gaussianCodes(500, 44));

        long[] zero = FixedPointKMeans.seededCentroids(values, 8, 0);
        long[] replacement = FixedPointKMeans.seededCentroids(values, 8, FixedPointKMeans.ZERO_SEED_REPLACEMENT);

        assertArrayEquals(replacement, zero);
    }

    @Test
    void zeroSeedQuantizes() {
        float[] weights = Tensors.gaussian(288, 0.05, 45);

        QuantizationResult zero = SEEDED.quantize(weights, 8, 0);
        QuantizationResult replacement = SEEDED.quantize(weights, 8,
                Integer.toUnsignedLong(FixedPointKMeans.ZERO_SEED_REPLACEMENT));

        Tensors.assertValid(weights, 8, zero);
        assertArrayEquals(replacement.codebook(), zero.codebook());
        assertArrayEquals(replacement.indices(), zero.indices());
    }

    @Test
    void seedUsesLow32Bits() {
        float[] weights = Tensors.gaussian(288, 0.05, 46);

        QuantizationResult low = SEEDED.quantize(weights, 8, 5);
        QuantizationResult high = SEEDED.quantize(weights, 8, 5 + (1L << 32));

        assertArrayEquals(low.codebook(), high.codebook());
        assertArrayEquals(low.indices(), high.indices());
    }

    // Bad input

    @Test
    void codeOutsideWordRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> LINEAR.cluster(new int[] {0, 32768}, 2, 1));

        assertTrue(error.getMessage().contains("32768"), error.getMessage());
    }

    @Test
    void mostNegativeCodeAccepted() {
        FixedPointKMeans.CodeResult result = LINEAR.cluster(new int[] {-32768, 0, 32767}, 3, 1);

        assertArrayEquals(new int[] {-32768, 0, 32767}, result.codebook());
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 25, 30})
    void wordBitsOutOfRangeRejected(int wordBits) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new FixedPointKMeans(wordBits, 10, FixedPointKMeans.Init.LINEAR));

        assertTrue(error.getMessage().contains(Integer.toString(wordBits)), error.getMessage());
    }

    @Test
    void zeroIterationsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new FixedPointKMeans(16, 0, FixedPointKMeans.Init.LINEAR));

        assertTrue(error.getMessage().contains("maxIterations"), error.getMessage());
    }

    @Test
    void unknownInitRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FixedPointKMeans.Init.parse("foo"));

        assertTrue(error.getMessage().contains("'foo'"), error.getMessage());
    }

    @Test
    void initParsesCaseInsensitive() {
        assertEquals(FixedPointKMeans.Init.SEEDED, FixedPointKMeans.Init.parse(" Seeded "));
    }
}
