package org.kqsweep.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

/** Seeded test tensors and the checks that every quantization result must pass. */
final class Tensors {

    private Tensors() {
    }

    /** {@code n} weights drawn from N(0, sigma^2), as a trained convolution kernel looks. */
    static float[] gaussian(int n, double sigma, long seed) {
        Random random = new Random(seed);
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            weights[i] = (float) (random.nextGaussian() * sigma);
        }
        return weights;
    }

    /** {@code n} weights drawn uniformly from [low, high). */
    static float[] uniform(int n, double low, double high, long seed) {
        Random random = new Random(seed);
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            weights[i] = (float) (low + random.nextDouble() * (high - low));
        }
        return weights;
    }

    static int distinctCount(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || Float.compare(sorted[i - 1], sorted[i]) != 0) {
                distinct++;
            }
        }
        return distinct;
    }

    /** Sum of squared differences between the weights and their reconstructed values. */
    static double recomputedSse(float[] weights, QuantizationResult result) {
        float[] quantized = result.reconstruct();
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            double d = (double) weights[i] - quantized[i];
            sum += d * d;
        }
        return sum;
    }

    /**
     * Checks the invariants that the {@link Quantizer} contract and {@link QuantizationResult}
     * promise for any input.
     */
    static void assertValid(float[] weights, int k, QuantizationResult result) {
        float[] codebook = result.codebook();
        int[] indices = result.indices();
        int distinctWeights = distinctCount(weights);

        assertTrue(result.kEffective() >= 1, "kEffective " + result.kEffective() + " is below 1");
        assertTrue(result.kEffective() <= Math.min(k, distinctWeights),
                "kEffective " + result.kEffective() + " exceeds min(K=" + k + ", distinct=" + distinctWeights + ")");
        for (float value : codebook) {
            assertTrue(Float.isFinite(value), "codebook holds non-finite value " + value);
        }
        for (int j = 1; j < codebook.length; j++) {
            assertTrue(codebook[j - 1] < codebook[j],
                    "codebook not strictly increasing at " + j + ": " + Arrays.toString(codebook));
        }

        assertEquals(weights.length, indices.length);
        boolean[] used = new boolean[codebook.length];
        for (int i = 0; i < indices.length; i++) {
            assertTrue(indices[i] >= 0, "index " + indices[i] + " of weight " + i + " is negative");
            assertTrue(indices[i] < codebook.length,
                    "index " + indices[i] + " of weight " + i + " is past the codebook of " + codebook.length);
            used[indices[i]] = true;
        }
        for (int j = 0; j < used.length; j++) {
            assertTrue(used[j], "codebook entry " + j + " has no weight");
        }

        float[] quantized = result.reconstruct();
        for (int i = 0; i < quantized.length; i++) {
            assertTrue(Arrays.binarySearch(codebook, quantized[i]) >= 0,
                    "reconstructed value " + quantized[i] + " of weight " + i + " is not in the codebook");
        }
        assertTrue(distinctCount(quantized) <= k, "more than K=" + k + " distinct reconstructed values");

        assertTrue(Double.isFinite(result.sse()), "sse is " + result.sse());
        assertEquals(recomputedSse(weights, result), result.sse(), 0.0);
    }
}
