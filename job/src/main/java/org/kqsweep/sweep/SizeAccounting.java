package org.kqsweep.sweep;

/**
 * Storage cost of a quantized model, counted from the tensors rather than from a file format.
 *
 * <p>A quantized tensor of n values with an effective K costs {@code n * ceil(log2 K)} index bits
 * plus K float32 codebook entries, rounded up to whole bytes; a tensor with K = 1 needs no index
 * bits. Every parameter left in float costs 32 bits.
 */
public final class SizeAccounting {

    private SizeAccounting() {
    }

    /** {@code ceil(log2 k)}, the index width for k codebook entries; 0 for k = 1. */
    public static int bitsPerIndex(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, found " + k);
        }
        return k == 1 ? 0 : 32 - Integer.numberOfLeadingZeros(k - 1);
    }

    /** Bytes of one quantized tensor: its indices plus its float32 codebook. */
    public static long quantizedTensorBytes(long values, int kEffective) {
        long bits = values * bitsPerIndex(kEffective) + 32L * kEffective;
        return (bits + 7) / 8;
    }

    /** Bytes of {@code values} float32 parameters. */
    public static long floatBytes(long values) {
        return 4 * values;
    }
}
