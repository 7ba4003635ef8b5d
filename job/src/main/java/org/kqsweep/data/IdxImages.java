package org.kqsweep.data;

/**
 * Images read from or written to an IDX image file (magic number 2051): {@code count} images of
 * {@code rows} x {@code columns} unsigned 8-bit pixels, stored row by row and image after image
 * in {@code pixels}. Pixel values are unsigned, so read one with {@code pixels[i] & 0xFF}.
 *
 * <p>The record shares its array with the caller and does not copy it. Its {@code equals} compares
 * the array by reference, as records do.
 */
public record IdxImages(int count, int rows, int columns, byte[] pixels) {

    /**
     * Checks that the dimensions are non-negative and that {@code pixels} contains exactly
     * {@code count * rows * columns} bytes.
     */
    public IdxImages {
        if (count < 0 || rows < 0 || columns < 0) {
            throw new IllegalArgumentException("Image dimensions must be non-negative, but count="
                    + count + ", rows=" + rows + ", columns=" + columns + ".");
        }
        long expected = (long) count * rows * columns;
        if (pixels == null || pixels.length != expected) {
            throw new IllegalArgumentException("Expected " + expected + " pixel bytes for " + count
                    + " images of " + rows + "x" + columns + ", but got "
                    + (pixels == null ? "null" : pixels.length + " bytes") + ".");
        }
    }

    /** Returns the number of pixels in one image, {@code rows * columns}. */
    public int pixelsPerImage() {
        return rows * columns;
    }
}
