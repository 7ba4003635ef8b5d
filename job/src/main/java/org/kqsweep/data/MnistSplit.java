package org.kqsweep.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One MNIST split (train or test): 28x28 grayscale images with their digit labels.
 *
 * <p>{@code pixels} is flat and row-major: image {@code i} occupies indices
 * {@code i * 784} to {@code i * 784 + 783}. Each value is an 8-bit pixel {@code p} scaled as
 * {@code p / 255f}, so it lies in [0, 1]. {@code labels[i]} is the digit 0 to 9 of image
 * {@code i}.
 *
 * <p>The record shares its arrays with the caller and does not copy them. Its {@code equals}
 * compares the arrays by reference, as records do, so compare {@link #fingerprint()} values to
 * compare content.
 */
public record MnistSplit(float[] pixels, int[] labels) {

    /** Image height in pixels. */
    public static final int ROWS = 28;

    /** Image width in pixels. */
    public static final int COLUMNS = 28;

    /** Pixels per image, {@code ROWS * COLUMNS}. */
    public static final int PIXELS_PER_IMAGE = ROWS * COLUMNS;

    /** Checks that there are 784 pixels per label and that every label is a digit 0 to 9. */
    public MnistSplit {
        if (pixels == null || labels == null) {
            throw new IllegalArgumentException("pixels and labels must not be null.");
        }
        if (pixels.length != (long) labels.length * PIXELS_PER_IMAGE) {
            throw new IllegalArgumentException("Expected " + (long) labels.length * PIXELS_PER_IMAGE
                    + " pixels for " + labels.length + " labels, but got " + pixels.length + ".");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new IllegalArgumentException("Label " + i + " is " + labels[i]
                        + ", but MNIST labels are digits 0 to 9.");
            }
        }
    }

    /**
     * Converts raw IDX data into a split, scaling each pixel {@code p} to {@code p / 255f}. The
     * caller has checked that the images are 28x28, that both counts match and that every label
     * is a digit 0 to 9.
     */
    static MnistSplit fromIdx(byte[] rawLabels, IdxImages images) {
        int[] labels = new int[rawLabels.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rawLabels[i] & 0xFF;
        }
        byte[] rawPixels = images.pixels();
        float[] pixels = new float[rawPixels.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (rawPixels[i] & 0xFF) / 255f;
        }
        return new MnistSplit(pixels, labels);
    }

    /** Returns the number of images. */
    public int count() {
        return labels.length;
    }

    /** Returns a copy of the 784 pixels of image {@code index}, row-major. */
    public float[] image(int index) {
        int from = index * PIXELS_PER_IMAGE;
        return Arrays.copyOfRange(pixels, from, from + PIXELS_PER_IMAGE);
    }

    /** Returns the number of images with each label, indexed by digit. */
    public int[] countsPerDigit() {
        int[] counts = new int[10];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * Returns the SHA-256 digest, as 64 lowercase hex digits, of the raw bytes: one byte per
     * label, then one byte per pixel, in image order. Pixels are turned back into bytes with
     * {@code Math.round(value * 255)}, which restores the file bytes exactly for a split loaded
     * from IDX files. The digest does not depend on the IDX headers or on gzip compression.
     */
    public String fingerprint() {
        MessageDigest digest = newSha256();
        update(digest);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Creates a SHA-256 digest, which every Java platform provides. */
    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The Java runtime lacks SHA-256, which Java SE requires.", e);
        }
    }

    /** Feeds the raw label bytes, then the raw pixel bytes, to {@code digest}. */
    void update(MessageDigest digest) {
        byte[] labelBytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            labelBytes[i] = (byte) labels[i];
        }
        digest.update(labelBytes);

        byte[] chunk = new byte[PIXELS_PER_IMAGE * 64];
        int filled = 0;
        for (float value : pixels) {
            chunk[filled++] = (byte) Math.round(value * 255f);
            if (filled == chunk.length) {
                digest.update(chunk, 0, filled);
                filled = 0;
            }
        }
        digest.update(chunk, 0, filled);
    }
}
