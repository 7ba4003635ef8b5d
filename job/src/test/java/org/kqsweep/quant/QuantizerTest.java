package org.kqsweep.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link Quantizer} contract and the hard inputs, checked for every method. */
class QuantizerTest {

    private static final int WORD_BITS = 16;
    private static final int MAX_CODE = (1 << (WORD_BITS - 1)) - 1;

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .appName("QuantizerTest")
                .master("local[2]")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Quantizer quantizer(Method method) {
        return switch (method) {
            case MLLIB -> new MllibQuantizer(spark, 50, "k-means||", 2);
            case FIXED -> new FixedPointKMeans(WORD_BITS, 100, FixedPointKMeans.Init.LINEAR);
            case UNIFORM -> new UniformQuantizer();
        };
    }

    /** The float value that the fixed method gives for {@code code} in a tensor with this max |w|. */
    private static float decoded(int code, float maxAbs) {
        return (float) (code * ((double) maxAbs / MAX_CODE));
    }

    static Stream<Arguments> methodsAndKs() {
        List<Arguments> arguments = new ArrayList<>();
        for (Method method : Method.values()) {
            for (int k : new int[] {2, 4, 8, 16}) {
                arguments.add(Arguments.of(method, k));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest
    @MethodSource("methodsAndKs")
    void gaussianInvariants(Method method, int k) {
        float[] weights = Tensors.gaussian(288, 0.05, 11);
        float[] original = weights.clone();

        QuantizationResult result = quantizer(method).quantize(weights, k, 1);

        Tensors.assertValid(weights, k, result);
        assertArrayEquals(original, weights, "quantize modified its input");
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void threeLevelsKept(Method method) {
        float[] levels = {-0.1f, 0f, 0.1f};
        float[] weights = new float[288];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = levels[i % 3];
        }

        QuantizationResult result = quantizer(method).quantize(weights, 16, 1);

        Tensors.assertValid(weights, 16, result);
        assertEquals(3, result.kEffective());
        if (method == Method.UNIFORM) {
            // Uniform levels are -0.1 + j * 0.2 / 15, so 0 lies halfway between levels 7 and 8 and
            // maps to one of them, 0.2 / 30 away. The ends are levels 0 and 15.
            double halfStep = 0.2 / 30;
            assertEquals(-0.1f, result.codebook()[0]);
            assertEquals(halfStep, Math.abs(result.codebook()[1]), 1e-7);
            assertEquals(0.1f, result.codebook()[2]);
            assertEquals(96 * halfStep * halfStep, result.sse(), 1e-9);
        } else {
            // Fixed: 0.1 is max |w|, so it codes to 32767 and decodes to 32767 * (0.1f / 32767),
            // which is within a double rounding of 0.1f and so casts back to 0.1f exactly.
            // MLlib: each center is the mean of identical values.
            assertArrayEquals(levels, result.codebook());
            assertArrayEquals(weights, result.reconstruct());
            assertEquals(0.0, result.sse());
        }
    }

    static Stream<Arguments> methodsAndLargeKs() {
        List<Arguments> arguments = new ArrayList<>();
        for (Method method : Method.values()) {
            arguments.add(Arguments.of(method, 16));
            arguments.add(Arguments.of(method, 32));
        }
        return arguments.stream();
    }

    @ParameterizedTest
    @MethodSource("methodsAndLargeKs")
    void tenValuesLargeK(Method method, int k) {
        float[] weights = new float[10];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (-0.45 + 0.1 * i);
        }

        QuantizationResult result = quantizer(method).quantize(weights, k, 1);

        Tensors.assertValid(weights, k, result);
        // Fixed and MLlib keep every distinct value when there are at most K of them, and the fixed
        // codes lie about 7000 apart. Uniform levels are 0.9 / (K - 1) apart, closer than the
        // weights' spacing of 0.1, so no two weights share a level.
        assertEquals(10, result.kEffective());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void zerosAmongSpreadWeights(Method method) {
        Random random = new Random(3);
        float[] weights = new float[288];
        for (int i = 40; i < weights.length; i++) {
            double magnitude = 0.05 + random.nextDouble() * 0.25;
            weights[i] = (float) (random.nextBoolean() ? magnitude : -magnitude);
        }

        QuantizationResult result = quantizer(method).quantize(weights, 4, 1);

        Tensors.assertValid(weights, 4, result);
        assertTrue(Tensors.distinctCount(result.reconstruct()) <= 4);
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void oneOutlierAmongZeros(Method method) {
        float[] weights = new float[101];
        weights[100] = 1.0f;

        QuantizationResult result = quantizer(method).quantize(weights, 3, 1);

        // Two distinct values and K = 3: every method ends with the levels 0 and 1. Uniform's
        // middle level 0.5 has no weight and is dropped.
        Tensors.assertValid(weights, 3, result);
        assertEquals(2, result.kEffective());
        assertArrayEquals(new float[] {0f, 1f}, result.codebook());
        assertEquals(0.0, result.sse());
        assertTrue(result.converged());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void negativeWeightsOnly(Method method) {
        float[] weights = Tensors.uniform(64, -0.5, -0.01, 5);
        float min = weights[0];
        float max = weights[0];
        for (float w : weights) {
            min = Math.min(min, w);
            max = Math.max(max, w);
        }
        if (method == Method.FIXED) {
            // A fixed centroid is a rounded mean of codes, so it lies within the decoded range of
            // the codes, which can pass max by up to half a code step.
            int[] codes = FixedPointKMeans.encode(weights, WORD_BITS).codes();
            int minCode = Arrays.stream(codes).min().orElseThrow();
            int maxCode = Arrays.stream(codes).max().orElseThrow();
            float maxAbs = -min;
            min = decoded(minCode, maxAbs);
            max = decoded(maxCode, maxAbs);
        }

        QuantizationResult result = quantizer(method).quantize(weights, 4, 1);

        Tensors.assertValid(weights, 4, result);
        for (float centroid : result.codebook()) {
            assertTrue(centroid < 0, "centroid " + centroid + " is not negative");
            assertTrue(centroid >= min, "centroid " + centroid + " is below " + min);
            assertTrue(centroid <= max, "centroid " + centroid + " is above " + max);
        }
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void allZeros(Method method) {
        float[] weights = new float[32];

        QuantizationResult result = quantizer(method).quantize(weights, 4, 1);

        assertEquals(1, result.kEffective());
        assertArrayEquals(new float[] {0f}, result.codebook());
        assertArrayEquals(new int[32], result.indices());
        assertEquals(0.0, result.sse());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void signedZerosShareLevel(Method method) {
        // -0.0f and 0.0f are equal as numbers, so a strictly increasing codebook can hold only one.
        float[] pattern = {-0.0f, 0.0f, 0.25f, -0.25f};
        float[] weights = new float[64];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = pattern[i % pattern.length];
        }

        QuantizationResult result = quantizer(method).quantize(weights, 4, 1);

        Tensors.assertValid(weights, 4, result);
        assertEquals(3, result.kEffective());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void singleLevel(Method method) {
        float[] weights = Tensors.gaussian(288, 0.05, 13);

        QuantizationResult result = quantizer(method).quantize(weights, 1, 1);

        Tensors.assertValid(weights, 1, result);
        assertEquals(1, result.kEffective());
        assertEquals(expectedSingleLevel(method, weights), result.codebook()[0]);
    }

    /** The one level each method documents for K = 1. */
    private static float expectedSingleLevel(Method method, float[] weights) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (float w : weights) {
            min = Math.min(min, w);
            max = Math.max(max, w);
            sum += w;
        }
        switch (method) {
            case MLLIB:
                return (float) (sum / weights.length);
            case UNIFORM:
                return (float) ((min + max) / 2);
            default:
                // Lloyd with one centroid moves it to the mean of all codes, rounded half away.
                int[] codes = FixedPointKMeans.encode(weights, WORD_BITS).codes();
                long codeSum = 0;
                for (int code : codes) {
                    codeSum += code;
                }
                double mean = (double) codeSum / codes.length;
                long rounded = (long) Math.floor(Math.abs(mean) + 0.5);
                int centroid = (int) (mean < 0 ? -rounded : rounded);
                return decoded(centroid, (float) Math.max(-min, max));
        }
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void kAboveWeightCount(Method method) {
        // Uniform: 8 levels at -0.2 + j * 0.5 / 7; the weights sit at j = 0, 1.4, 2.8, 4.2 and 7, so
        // they map to the distinct levels 0, 1, 3, 4 and 7.
        float[] weights = {0.1f, -0.2f, 0.3f, 0f, -0.1f};

        QuantizationResult result = quantizer(method).quantize(weights, 8, 1);

        Tensors.assertValid(weights, 8, result);
        assertEquals(5, result.kEffective());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void zeroKRejected(Method method) {
        float[] weights = Tensors.gaussian(16, 0.05, 1);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> quantizer(method).quantize(weights, 0, 1));

        assertTrue(error.getMessage().contains("found 0"), error.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void nanWeightRejected(Method method) {
        float[] weights = Tensors.gaussian(16, 0.05, 1);
        weights[3] = Float.NaN;

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> quantizer(method).quantize(weights, 4, 1));

        assertTrue(error.getMessage().contains("weight 3"), error.getMessage());
        assertTrue(error.getMessage().contains("NaN"), error.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void infiniteWeightRejected(Method method) {
        float[] weights = Tensors.gaussian(16, 0.05, 1);
        weights[5] = Float.NEGATIVE_INFINITY;

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> quantizer(method).quantize(weights, 4, 1));

        assertTrue(error.getMessage().contains("-Infinity"), error.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void emptyTensorRejected(Method method) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> quantizer(method).quantize(new float[0], 4, 1));

        assertTrue(error.getMessage().contains("empty"), error.getMessage());
    }
}
