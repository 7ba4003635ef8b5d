package org.kqsweep.sweep;

import java.io.Serializable;

import org.kqsweep.quant.QuantizationResult;

/**
 * A quantized tensor shipped to executors as its codebook and indices, which is smaller than the
 * float values: indices are stored as bytes when the codebook has at most 256 entries.
 */
public final class TensorOverride implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String paramKey;
    private final long[] shape;
    private final float[] codebook;
    private final byte[] byteIndices;
    private final int[] intIndices;

    public TensorOverride(String paramKey, long[] shape, QuantizationResult result) {
        this.paramKey = paramKey;
        this.shape = shape;
        this.codebook = result.codebook();
        int[] indices = result.indices();
        if (codebook.length <= 256) {
            byteIndices = new byte[indices.length];
            for (int i = 0; i < indices.length; i++) {
                byteIndices[i] = (byte) indices[i];
            }
            intIndices = null;
        } else {
            byteIndices = null;
            intIndices = indices;
        }
    }

    public String paramKey() {
        return paramKey;
    }

    public long[] shape() {
        return shape;
    }

    /** Returns the quantized values in row-major order. */
    public float[] values() {
        int size = byteIndices != null ? byteIndices.length : intIndices.length;
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = codebook[byteIndices != null ? byteIndices[i] & 0xFF : intIndices[i]];
        }
        return values;
    }
}
