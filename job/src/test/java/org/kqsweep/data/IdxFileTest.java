package org.kqsweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IdxFileTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(IdxFile.Compression.class)
    void labelsRoundTrip(IdxFile.Compression compression) throws IOException {
        byte[] labels = randomBytes(300, 1);
        labels[0] = (byte) 255;
        Path file = dir.resolve("labels");

        IdxFile.writeLabels(file, labels, compression);

        assertArrayEquals(labels, IdxFile.readLabels(file));
        assertArrayEquals(labels, IdxFile.readLabels(hadoopPath(file), new Configuration()));
    }

    @ParameterizedTest
    @EnumSource(IdxFile.Compression.class)
    void imagesRoundTrip(IdxFile.Compression compression) throws IOException {
        IdxImages images = new IdxImages(7, 3, 5, randomBytes(7 * 3 * 5, 2));
        Path file = dir.resolve("images");

        IdxFile.writeImages(file, images, compression);
        IdxImages read = IdxFile.readImages(file);

        assertEquals(7, read.count());
        assertEquals(3, read.rows());
        assertEquals(5, read.columns());
        assertArrayEquals(images.pixels(), read.pixels());
    }

    @Test
    void rawWriterLayout() throws IOException {
        Path file = dir.resolve("labels");

        IdxFile.writeLabels(file, new byte[] {4, 2}, IdxFile.Compression.RAW);

        byte[] expected = {0, 0, 8, 1, 0, 0, 0, 2, 4, 2};
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void gzipWriterStartsWithSignature() throws IOException {
        Path file = dir.resolve("labels");

        IdxFile.writeLabels(file, new byte[] {4, 2}, IdxFile.Compression.GZIP);

        byte[] bytes = Files.readAllBytes(file);
        assertEquals((byte) 0x1F, bytes[0]);
        assertEquals((byte) 0x8B, bytes[1]);
    }

    @Test
    void gzipUnderPlainNameIsDecompressed() throws IOException {
        byte[] labels = randomBytes(50, 3);
        Path file = dir.resolve("train-labels-idx1-ubyte");

        IdxFile.writeLabels(file, labels, IdxFile.Compression.GZIP);

        assertArrayEquals(labels, IdxFile.readLabels(file));
    }

    @Test
    void rawUnderGzNameIsReadRaw() throws IOException {
        IdxImages images = new IdxImages(4, 28, 28, randomBytes(4 * 784, 4));
        Path file = dir.resolve("train-images-idx3-ubyte.gz");

        IdxFile.writeImages(file, images, IdxFile.Compression.RAW);

        assertArrayEquals(images.pixels(), IdxFile.readImages(file).pixels());
    }

    @Test
    void hadoopReadsFileUriAndPlainPath() throws IOException {
        byte[] labels = randomBytes(20, 5);
        Path file = dir.resolve("labels");
        IdxFile.writeLabels(file, labels, IdxFile.Compression.RAW);
        Configuration conf = new Configuration();

        String fileUri = file.toUri().toString();
        assertTrue(fileUri.startsWith("file:///"), fileUri);
        assertArrayEquals(labels, IdxFile.readLabels(new org.apache.hadoop.fs.Path(fileUri), conf));
        assertArrayEquals(labels, IdxFile.readLabels(new org.apache.hadoop.fs.Path(file.toString()), conf));
    }

    @Test
    void labelsShorterThanHeaderRejected() throws IOException {
        Path file = dir.resolve("short-labels");
        Files.write(file, idx(IdxFile.LABEL_MAGIC, new int[] {100}, new byte[50]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("declares 100 labels"), message);
        assertTrue(message.contains("contains 50 labels"), message);
        assertTrue(message.contains("Replace it"), message);
    }

    @Test
    void imagesShorterThanHeaderRejected() throws IOException {
        Path file = dir.resolve("short-images");
        Files.write(file, idx(IdxFile.IMAGE_MAGIC, new int[] {100, 2, 2}, new byte[50 * 4 + 3]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("declares 100 images of 2x2"), message);
        assertTrue(message.contains("contains 50 images of 2x2 and 3 bytes of a partial item"), message);
    }

    @Test
    void gzipShorterThanHeaderRejected() throws IOException {
        Path file = dir.resolve("short-labels.gz");
        Files.write(file, gzip(idx(IdxFile.LABEL_MAGIC, new int[] {100}, new byte[50])));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("declares 100 labels"), message);
        assertTrue(message.contains("decompressed data contains 50 labels"), message);
    }

    @Test
    void trailingBytesRejected() throws IOException {
        Path file = dir.resolve("long-labels");
        Files.write(file, idx(IdxFile.LABEL_MAGIC, new int[] {10}, new byte[13]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("declares 10 labels"), message);
        assertTrue(message.contains("contains 13 labels"), message);
        assertTrue(message.contains("3 more than declared"), message);
    }

    @Test
    void trailingBytesInGzipRejected() throws IOException {
        Path file = dir.resolve("long-images");
        Files.write(file, gzip(idx(IdxFile.IMAGE_MAGIC, new int[] {2, 2, 2}, new byte[9])));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        String message = e.getMessage();
        assertTrue(message.contains("declares 2 images of 2x2 (8 bytes"), message);
        assertTrue(message.contains("1 more than declared"), message);
    }

    @Test
    void labelMagicInImageReaderRejected() throws IOException {
        Path file = dir.resolve("labels");
        IdxFile.writeLabels(file, new byte[] {1, 2, 3}, IdxFile.Compression.RAW);

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("found magic number 2049"), message);
        assertTrue(message.contains("starts with 2051"), message);
        assertTrue(message.contains("That is an IDX label file."), message);
    }

    @Test
    void unknownMagicRejected() throws IOException {
        Path file = dir.resolve("not-idx");
        Files.write(file, idx(0x12345678, new int[] {1}, new byte[1]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        String message = e.getMessage();
        assertTrue(message.contains("found magic number 305419896 (0x12345678)"), message);
        assertTrue(message.contains("not an IDX file"), message);
    }

    @Test
    void floatIdxMagicRejected() throws IOException {
        Path file = dir.resolve("floats");
        Files.write(file, idx(0x00000D03, new int[] {1, 1, 1}, new byte[4]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        String message = e.getMessage();
        assertTrue(message.contains("found magic number 3331 (0x00000D03)"), message);
        assertTrue(message.contains("element type 0x0D with 3 dimension(s)"), message);
    }

    @Test
    void truncatedGzipRejected() throws IOException {
        IdxImages images = new IdxImages(20, 28, 28, randomBytes(20 * 784, 6));
        Path file = dir.resolve("train-images-idx3-ubyte.gz");
        IdxFile.writeImages(file, images, IdxFile.Compression.GZIP);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("gzip stream ends early"), message);
        assertTrue(message.contains("header declares 15680 bytes"), message);
        assertTrue(message.contains("truncated"), message);
        assertInstanceOf(EOFException.class, e.getCause());
    }

    @Test
    void truncatedGzipHeaderRejected() throws IOException {
        Path file = dir.resolve("labels");
        Files.write(file, new byte[] {0x1F, (byte) 0x8B, 8});

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("gzip header is truncated or invalid"), message);
    }

    @Test
    void corruptGzipChecksumRejected() throws IOException {
        Path file = dir.resolve("labels");
        IdxFile.writeLabels(file, randomBytes(100, 7), IdxFile.Compression.GZIP);
        byte[] bytes = Files.readAllBytes(file);
        // The gzip trailer is the CRC-32 of the data, then its length, 4 bytes each.
        bytes[bytes.length - 8] ^= 0x01;
        Files.write(file, bytes);

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("gzip data is corrupt"), message);
    }

    @Test
    void emptyFileRejected() throws IOException {
        Path file = dir.resolve("empty");
        Files.write(file, new byte[0]);

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readLabels(file));

        assertTrue(e.getMessage().contains("contains only 0 bytes"), e.getMessage());
    }

    @Test
    void truncatedHeaderRejected() throws IOException {
        Path file = dir.resolve("images");
        Files.write(file, Arrays.copyOf(idx(IdxFile.IMAGE_MAGIC, new int[] {1, 28, 28}, new byte[0]), 10));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        assertTrue(e.getMessage().contains("ends after 10 bytes, inside the 16-byte header"), e.getMessage());
    }

    @Test
    void negativeDimensionRejected() throws IOException {
        Path file = dir.resolve("images");
        Files.write(file, idx(IdxFile.IMAGE_MAGIC, new int[] {1, -28, 28}, new byte[0]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        assertTrue(e.getMessage().contains("declares size -28 for dimension 1"), e.getMessage());
    }

    @Test
    void oversizedDeclarationRejected() throws IOException {
        Path file = dir.resolve("images");
        Files.write(file, idx(IdxFile.IMAGE_MAGIC, new int[] {Integer.MAX_VALUE, 28, 28}, new byte[0]));

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.readImages(file));

        assertTrue(e.getMessage().contains("more than the maximum of " + IdxFile.MAX_DATA_BYTES), e.getMessage());
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Builds IDX bytes with any magic number and dimensions, whether or not they match the data. */
    static byte[] idx(int magic, int[] dimensions, byte[] data) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dimensions.length + data.length);
        buffer.putInt(magic);
        for (int dimension : dimensions) {
            buffer.putInt(dimension);
        }
        buffer.put(data);
        return buffer.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static org.apache.hadoop.fs.Path hadoopPath(Path file) {
        return new org.apache.hadoop.fs.Path(file.toUri());
    }
}
