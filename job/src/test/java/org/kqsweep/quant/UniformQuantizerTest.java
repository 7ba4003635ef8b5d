package org.kqsweep.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UniformQuantizerTest {

    private final UniformQuantizer quantizer = new UniformQuantizer();

    @Test
    void levelsEvenlySpaced() {
        // K = 5 over [-1, 1]: levels -1, -0.5, 0, 0.5, 1. Each weight is nearest to one of them.
        float[] weights = {-1f, -0.6f, 0.1f, 0.4f, 1f, 0.55f};

        QuantizationResult result = quantizer.quantize(weights, 5, 1);

        assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f, 1f}, result.codebook());
        assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f, 1f, 0.5f}, result.reconstruct());
    }

    @Test
    void tieGoesToLowerLevel() {
        // K = 3 over [0, 1]: levels 0, 0.5, 1. 0.25 and 0.75 are exact midpoints in binary.
        float[] weights = {0f, 0.25f, 0.75f, 1f};

        QuantizationResult result = quantizer.quantize(weights, 3, 1);

        assertArrayEquals(new float[] {0f, 0f, 0.5f, 1f}, result.reconstruct());
    }

    @Test
    void unusedLevelsDropped() {
        // K = 4 over [0, 3]: levels 0, 1, 2, 3, but only 0 and 3 have weights.
        float[] weights = {0f, 0f, 3f, 0.2f, 2.9f};

        QuantizationResult result = quantizer.quantize(weights, 4, 1);

        assertArrayEquals(new float[] {0f, 3f}, result.codebook());
        assertEquals(2, result.kEffective());
    }

    @Test
    void constantTensor() {
        float[] weights = {0.7f, 0.7f, 0.7f, 0.7f, 0.7f};

        QuantizationResult result = quantizer.quantize(weights, 4, 1);

        assertArrayEquals(new float[] {0.7f}, result.codebook());
        assertEquals(0.0, result.sse());
    }

    @Test
    void seedIgnored() {
        float[] weights = Tensors.gaussian(288, 0.05, 51);

        QuantizationResult first = quantizer.quantize(weights, 8, 1);
        QuantizationResult second = quantizer.quantize(weights, 8, 2);

        assertArrayEquals(first.codebook(), second.codebook());
        assertArrayEquals(first.indices(), second.indices());
    }

    @Test
    void reportsNoIterations() {
        QuantizationResult result = quantizer.quantize(Tensors.gaussian(288, 0.05, 52), 8, 1);

        assertEquals(0, result.iterations());
        assertTrue(result.converged());
    }
}
