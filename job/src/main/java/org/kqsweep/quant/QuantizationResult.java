package org.kqsweep.quant;

import java.util.Arrays;

/**
 * The outcome of quantizing one weight tensor: a sorted codebook and, for every weight, the
 * index of its codebook entry.
 *
 * @param codebook   distinct float values in increasing order; its length is the effective K
 * @param indices    one codebook index per weight, in tensor order
 * @param sse        within-cluster sum of squares of the original float weights, in double
 * @param iterations Lloyd iterations performed (0 for methods that do not iterate)
 * @param converged  whether the method stopped because nothing changed, not on its iteration cap
 */
public record QuantizationResult(float[] codebook, int[] indices, double sse, int iterations, boolean converged)
        implements java.io.Serializable {

    /** Number of distinct centroids that have at least one weight. */
    public int kEffective() {
        return codebook.length;
    }

    /** Returns the quantized tensor: every weight replaced by its centroid. */
    public float[] reconstruct() {
        float[] values = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = codebook[indices[i]];
        }
        return values;
    }

    /** Sum of squared differences between {@code weights} and the centroids they map to. */
    public static double sse(float[] weights, float[] codebook, int[] indices) {
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            double d = (double) weights[i] - codebook[indices[i]];
            sum += d * d;
        }
        return sum;
    }

    /**
     * Builds a result from per-weight centroid values, dropping unused centroids and sorting the rest.
     */
    static QuantizationResult fromValues(float[] weights, float[] quantized, int iterations, boolean converged) {
        float[] codebook = quantized.clone();
        Arrays.sort(codebook);
        int distinct = 0;
        for (int i = 0; i < codebook.length; i++) {
            if (distinct == 0 || Float.compare(codebook[distinct - 1], codebook[i]) != 0) {
                codebook[distinct++] = codebook[i];
            }
        }
        codebook = Arrays.copyOf(codebook, distinct);
        int[] indices = new int[quantized.length];
        for (int i = 0; i < quantized.length; i++) {
            indices[i] = Arrays.binarySearch(codebook, quantized[i]);
        }
        return new QuantizationResult(codebook, indices, sse(weights, codebook, indices), iterations, converged);
    }
}
