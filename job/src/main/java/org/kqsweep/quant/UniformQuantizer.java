package org.kqsweep.quant;

/**
 * The non-clustered baseline: K evenly spaced levels over [min, max] of the tensor, each weight
 * mapped to the nearest level (ties to the lower level).
 *
 * <p>Level {@code j} is {@code min + j * (max - min) / (K - 1)} computed in double and stored as
 * float32; for K = 1 or a constant tensor the single level is {@code (min + max) / 2}. Levels that
 * no weight maps to are dropped from the codebook, so the effective K can be below K. The seed is
 * ignored.
 */
public final class UniformQuantizer implements Quantizer {

    @Override
    public QuantizationResult quantize(float[] weights, int k, long seed) {
        Quantizer.checkArguments(weights, k);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float w : weights) {
            min = Math.min(min, w);
            max = Math.max(max, w);
        }
        float[] quantized = new float[weights.length];
        if (k == 1 || min == max) {
            java.util.Arrays.fill(quantized, (float) ((min + max) / 2));
            return QuantizationResult.fromValues(weights, quantized, 0, true);
        }
        double step = (max - min) / (k - 1);
        for (int i = 0; i < weights.length; i++) {
            int lower = (int) Math.min(k - 2, Math.floor((weights[i] - min) / step));
            double below = min + lower * step;
            double above = min + (lower + 1) * step;
            int level = weights[i] - below <= above - weights[i] ? lower : lower + 1;
            quantized[i] = (float) (min + level * step);
        }
        return QuantizationResult.fromValues(weights, quantized, 0, true);
    }
}
