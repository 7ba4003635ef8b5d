package org.kqsweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDataTest {

    private static final int PIXELS = MnistSplit.PIXELS_PER_IMAGE;
    private static final byte[] TRAIN_LABELS = {5, 0, 4, 1, 9};
    private static final byte[] TEST_LABELS = {7, 2, 1};
    private static final byte[] TRAIN_PIXELS = IdxFileTest.randomBytes(TRAIN_LABELS.length * PIXELS, 10);
    private static final byte[] TEST_PIXELS = IdxFileTest.randomBytes(TEST_LABELS.length * PIXELS, 11);

    @TempDir
    Path dir;

    @Test
    void loadMixesRawAndGzipFiles() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.GZIP, IdxFile.Compression.RAW);

        MnistData data = MnistData.load(dir);

        assertEquals(5, data.train().count());
        assertEquals(3, data.test().count());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9}, data.train().labels());
        assertArrayEquals(new int[] {7, 2, 1}, data.test().labels());
        assertArrayEquals(scaled(TRAIN_PIXELS), data.train().pixels());
        assertArrayEquals(scaled(TEST_PIXELS), data.test().pixels());
    }

    @Test
    void pixelsScaledToUnitRange() throws IOException {
        byte[] pixels = new byte[PIXELS];
        pixels[0] = 0;
        pixels[1] = (byte) 128;
        pixels[2] = (byte) 255;
        writeSplit(dir, "train", new byte[] {3}, pixels, IdxFile.Compression.RAW);
        writeSplit(dir, "t10k", new byte[] {3}, pixels, IdxFile.Compression.RAW);

        float[] image = MnistData.load(dir).train().image(0);

        assertEquals(PIXELS, image.length);
        assertEquals(0f, image[0]);
        assertEquals(128 / 255f, image[1]);
        assertEquals(1f, image[2]);
    }

    @Test
    void imageReturnsCopyOfOneImage() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        MnistSplit train = MnistData.load(dir).train();

        float[] image = train.image(2);
        image[0] = -1f;

        assertEquals((TRAIN_PIXELS[2 * PIXELS] & 0xFF) / 255f, train.pixels()[2 * PIXELS]);
        assertEquals((TRAIN_PIXELS[3 * PIXELS - 1] & 0xFF) / 255f, train.image(2)[PIXELS - 1]);
    }

    @Test
    void loadReadsHadoopFileUri() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.GZIP);
        org.apache.hadoop.fs.Path uri = new org.apache.hadoop.fs.Path(dir.toUri().toString());

        MnistData data = MnistData.load(uri, new Configuration());

        assertEquals(5, data.train().count());
        assertEquals(3, data.test().count());
    }

    @Test
    void countsPerDigitCountsLabels() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);

        int[] counts = MnistData.load(dir).train().countsPerDigit();

        assertArrayEquals(new int[] {1, 1, 0, 0, 1, 1, 0, 0, 0, 1}, counts);
    }

    @Test
    void labelCountMismatchRejected() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        IdxFile.writeImages(dir.resolve(MnistData.TRAIN_IMAGES),
                new IdxImages(9, 28, 28, new byte[9 * PIXELS]), IdxFile.Compression.RAW);
        IdxFile.writeLabels(dir.resolve(MnistData.TRAIN_LABELS), new byte[10], IdxFile.Compression.RAW);

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistData.load(dir));

        String message = e.getMessage();
        assertTrue(message.contains(MnistData.TRAIN_LABELS + " contains 10 labels"), message);
        assertTrue(message.contains(MnistData.TRAIN_IMAGES + " contains 9 images"), message);
        assertTrue(message.contains(dir.getFileName().toString()), message);
    }

    @Test
    void missingFileNamed() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        Files.delete(dir.resolve(MnistData.TEST_LABELS));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistData.load(dir));

        String message = e.getMessage();
        assertTrue(message.contains(dir.getFileName().toString()), message);
        assertTrue(message.contains("is missing [" + MnistData.TEST_LABELS + "]"), message);
        assertTrue(message.contains("It must contain all of " + MnistData.FILE_NAMES), message);
        assertTrue(message.contains(".gz"), message);
    }

    @Test
    void missingFolderRejected() {
        Path absent = dir.resolve("absent");

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistData.load(absent));

        assertTrue(e.getMessage().contains("absent not found"), e.getMessage());
    }

    @Test
    void rawAndGzipTogetherRejected() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        Files.copy(dir.resolve(MnistData.TRAIN_IMAGES), dir.resolve(MnistData.TRAIN_IMAGES + ".gz"));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistData.load(dir));

        String message = e.getMessage();
        assertTrue(message.contains("contains both " + MnistData.TRAIN_IMAGES + " and "
                + MnistData.TRAIN_IMAGES + ".gz"), message);
        assertTrue(message.contains("Remove one"), message);
    }

    @Test
    void nonMnistImageSizeRejected() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        IdxFile.writeImages(dir.resolve(MnistData.TEST_IMAGES),
                new IdxImages(3, 27, 28, new byte[3 * 27 * 28]), IdxFile.Compression.RAW);

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistData.load(dir));

        String message = e.getMessage();
        assertTrue(message.contains(MnistData.TEST_IMAGES), message);
        assertTrue(message.contains("images of 27x28 pixels"), message);
    }

    @Test
    void labelAboveNineRejected() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        IdxFile.writeLabels(dir.resolve(MnistData.TEST_LABELS), new byte[] {7, 10, 1}, IdxFile.Compression.RAW);

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistData.load(dir));

        String message = e.getMessage();
        assertTrue(message.contains(MnistData.TEST_LABELS), message);
        assertTrue(message.contains("label 1 is 10"), message);
    }

    @Test
    void fingerprintCoversRawBytes() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);

        MnistData data = MnistData.load(dir);

        assertEquals(sha256(TRAIN_LABELS, TRAIN_PIXELS), data.train().fingerprint());
        assertEquals(sha256(TEST_LABELS, TEST_PIXELS), data.test().fingerprint());
        assertEquals(sha256(TRAIN_LABELS, TRAIN_PIXELS, TEST_LABELS, TEST_PIXELS), data.fingerprint());
    }

    @Test
    void fingerprintIgnoresCompression(@TempDir Path gzipDir) throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        writeStandardFiles(gzipDir, IdxFile.Compression.GZIP, IdxFile.Compression.GZIP);

        assertEquals(MnistData.load(dir).fingerprint(), MnistData.load(gzipDir).fingerprint());
    }

    @Test
    void fingerprintChangesWithOnePixel() throws IOException {
        writeStandardFiles(dir, IdxFile.Compression.RAW, IdxFile.Compression.RAW);
        String before = MnistData.load(dir).fingerprint();
        byte[] pixels = TEST_PIXELS.clone();
        pixels[pixels.length - 1] ^= 1;
        writeSplit(dir, "t10k", TEST_LABELS, pixels, IdxFile.Compression.RAW);

        String after = MnistData.load(dir).fingerprint();

        assertNotEquals(before, after);
        assertEquals(64, after.length());
    }

    /** Writes the standard train files with {@code trainCompression} and test files with {@code testCompression}. */
    private static void writeStandardFiles(Path folder, IdxFile.Compression trainCompression,
            IdxFile.Compression testCompression) throws IOException {
        writeSplit(folder, "train", TRAIN_LABELS, TRAIN_PIXELS, trainCompression);
        writeSplit(folder, "t10k", TEST_LABELS, TEST_PIXELS, testCompression);
    }

    /** Writes one split, adding ".gz" to the names of gzip files. */
    private static void writeSplit(Path folder, String prefix, byte[] labels, byte[] pixels,
            IdxFile.Compression compression) throws IOException {
        String suffix = compression == IdxFile.Compression.GZIP ? ".gz" : "";
        IdxImages images = new IdxImages(labels.length, 28, 28, pixels);
        IdxFile.writeImages(folder.resolve(prefix + "-images-idx3-ubyte" + suffix), images, compression);
        IdxFile.writeLabels(folder.resolve(prefix + "-labels-idx1-ubyte" + suffix), labels, compression);
    }

    private static float[] scaled(byte[] pixels) {
        float[] values = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            values[i] = (pixels[i] & 0xFF) / 255f;
        }
        return values;
    }

    private static String sha256(byte[]... parts) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }
}
