package org.kqsweep.quant;

/**
 * Replaces the values of one weight tensor by at most K shared values.
 *
 * <p>Implementations accept any K of at least 1, also K larger than the number of weights or of
 * distinct values, and never return NaN: the effective K of the result is then smaller than K.
 */
public interface Quantizer {

    /**
     * Quantizes {@code weights} to at most {@code k} levels.
     *
     * @param weights the tensor's values in any fixed order; never modified
     * @param k       the requested number of levels, at least 1
     * @param seed    the grid seed; deterministic methods ignore it
     */
    QuantizationResult quantize(float[] weights, int k, long seed);

    /** Rejects an empty tensor, non-finite weights or a K below 1, naming the bad value. */
    static void checkArguments(float[] weights, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, found " + k);
        }
        if (weights.length == 0) {
            throw new IllegalArgumentException("cannot quantize an empty tensor");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) {
                throw new IllegalArgumentException("weight " + i + " is " + weights[i] + "; weights must be finite");
            }
        }
    }
}
