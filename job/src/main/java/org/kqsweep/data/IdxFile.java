package org.kqsweep.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads and writes IDX files in the MNIST layout: label files (magic number 2049, one dimension,
 * unsigned bytes) and image files (magic number 2051, three dimensions count x rows x columns,
 * unsigned bytes). Header numbers are 32-bit big-endian integers.
 *
 * <p>The reader decompresses a file as gzip when its first two bytes are 0x1F 0x8B and reads it
 * as raw IDX otherwise. The file name plays no part. It checks the magic number, the dimensions
 * and that the data after the header, decompressed if needed, has exactly the length the header
 * declares. Every mismatch raises {@link IdxFormatException}, and so does a gzip stream that ends
 * early or fails its CRC check.
 *
 * <p>Limits: the reader keeps the whole data section in one byte array, so it rejects files that
 * declare more than {@link #MAX_DATA_BYTES} bytes of data. Other IDX element types (signed byte,
 * short, int, float, double) and other dimension counts are rejected. The writers take local
 * {@link java.nio.file.Path}s only.
 */
public final class IdxFile {

    /** Magic number of an IDX label file: unsigned bytes, one dimension. */
    public static final int LABEL_MAGIC = 0x00000801;

    /** Magic number of an IDX image file: unsigned bytes, three dimensions. */
    public static final int IMAGE_MAGIC = 0x00000803;

    /** Maximum length of the data section in bytes that the reader accepts. */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private static final int UNSIGNED_BYTE_TYPE = 0x08;
    private static final int BUFFER_SIZE = 1 << 16;
    private static final int INITIAL_READ_BUFFER = 1 << 20;

    /** Compression of a written IDX file. */
    public enum Compression {
        /** Plain IDX bytes. */
        RAW,
        /** One gzip member that contains the IDX bytes. */
        GZIP
    }

    private IdxFile() {
    }

    /**
     * Reads an IDX label file from a Hadoop file system. A path without a scheme resolves against
     * {@code fs.defaultFS} of {@code conf}, which is the local file system unless configured.
     *
     * @return one unsigned byte per label, in file order
     * @throws IdxFormatException if the file does not match the label-file layout
     */
    public static byte[] readLabels(Path path, Configuration conf) throws IOException {
        FileSystem fileSystem = FileSystem.get(path.toUri(), conf);
        try (InputStream in = fileSystem.open(path)) {
            return readLabels(in, path.toString());
        }
    }

    /**
     * Reads an IDX label file from the local file system.
     *
     * @return one unsigned byte per label, in file order
     * @throws IdxFormatException if the file does not match the label-file layout
     */
    public static byte[] readLabels(java.nio.file.Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return readLabels(in, path.toString());
        }
    }

    /**
     * Reads an IDX image file from a Hadoop file system. A path without a scheme resolves against
     * {@code fs.defaultFS} of {@code conf}, which is the local file system unless configured.
     *
     * @throws IdxFormatException if the file does not match the image-file layout
     */
    public static IdxImages readImages(Path path, Configuration conf) throws IOException {
        FileSystem fileSystem = FileSystem.get(path.toUri(), conf);
        try (InputStream in = fileSystem.open(path)) {
            return readImages(in, path.toString());
        }
    }

    /**
     * Reads an IDX image file from the local file system.
     *
     * @throws IdxFormatException if the file does not match the image-file layout
     */
    public static IdxImages readImages(java.nio.file.Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return readImages(in, path.toString());
        }
    }

    /**
     * Reads an IDX label file from a stream. {@code fileName} names the source in error messages.
     * The caller closes {@code source}.
     */
    static byte[] readLabels(InputStream source, String fileName) throws IOException {
        IdxReader reader = IdxReader.open(source, fileName, "label");
        return reader.withGzipErrorsWrapped(() -> {
            int[] dimensions = reader.readHeader(LABEL_MAGIC, 1);
            int count = dimensions[0];
            return reader.readData(count, 1, "labels");
        });
    }

    /**
     * Reads an IDX image file from a stream. {@code fileName} names the source in error messages.
     * The caller closes {@code source}.
     */
    static IdxImages readImages(InputStream source, String fileName) throws IOException {
        IdxReader reader = IdxReader.open(source, fileName, "image");
        return reader.withGzipErrorsWrapped(() -> {
            int[] dimensions = reader.readHeader(IMAGE_MAGIC, 3);
            int count = dimensions[0];
            int rows = dimensions[1];
            int columns = dimensions[2];
            long bytesPerImage = (long) rows * columns;
            String unit = "images of " + rows + "x" + columns;
            byte[] pixels = reader.readData(count, bytesPerImage, unit);
            return new IdxImages(count, rows, columns, pixels);
        });
    }

    /**
     * Writes an IDX label file (magic number 2049) and forces it to the storage device before
     * returning. An existing file is replaced.
     */
    public static void writeLabels(java.nio.file.Path path, byte[] labels, Compression compression)
            throws IOException {
        write(path, LABEL_MAGIC, new int[] {labels.length}, labels, compression);
    }

    /**
     * Writes an IDX image file (magic number 2051) and forces it to the storage device before
     * returning. An existing file is replaced.
     */
    public static void writeImages(java.nio.file.Path path, IdxImages images, Compression compression)
            throws IOException {
        int[] dimensions = {images.count(), images.rows(), images.columns()};
        write(path, IMAGE_MAGIC, dimensions, images.pixels(), compression);
    }

    private static void write(java.nio.file.Path path, int magic, int[] dimensions, byte[] data,
            Compression compression) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                OutputStream out = openOutput(channel, compression)) {
            DataOutputStream dataOut = new DataOutputStream(out);
            dataOut.writeInt(magic);
            for (int dimension : dimensions) {
                dataOut.writeInt(dimension);
            }
            dataOut.write(data);

            if (out instanceof GZIPOutputStream gzipOut) {
                gzipOut.finish();
            }
            out.flush();
            channel.force(true);
        }
    }

    private static OutputStream openOutput(FileChannel channel, Compression compression)
            throws IOException {
        OutputStream fileOut = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
        if (compression == Compression.GZIP) {
            return new GZIPOutputStream(fileOut, BUFFER_SIZE);
        }
        return fileOut;
    }

    /** Action that reads from an {@link IdxReader}. */
    @FunctionalInterface
    private interface ReadAction<T> {
        T read() throws IOException;
    }

    /**
     * Reader state for one IDX file: the decompressed stream, a count of the bytes read from it,
     * and what the header declared so far, which error messages quote.
     */
    private static final class IdxReader {

        private final InputStream in;
        private final String fileName;
        private final String kind;
        private final boolean gzip;
        private long bytesRead;
        private long declaredDataBytes = -1;

        private IdxReader(InputStream in, String fileName, String kind, boolean gzip) {
            this.in = in;
            this.fileName = fileName;
            this.kind = kind;
            this.gzip = gzip;
        }

        /** Opens the stream, decompressing it when it starts with the gzip bytes 0x1F 0x8B. */
        static IdxReader open(InputStream source, String fileName, String kind) throws IOException {
            BufferedInputStream buffered = new BufferedInputStream(source, BUFFER_SIZE);
            buffered.mark(2);
            int first = buffered.read();
            int second = buffered.read();
            buffered.reset();
            boolean gzip = first == 0x1F && second == 0x8B;
            if (!gzip) {
                return new IdxReader(buffered, fileName, kind, false);
            }

            try {
                return new IdxReader(new GZIPInputStream(buffered, BUFFER_SIZE), fileName, kind, true);
            } catch (EOFException | ZipException e) {
                throw new IdxFormatException(fileName + ": the file starts with the gzip signature "
                        + "0x1F 0x8B but its gzip header is truncated or invalid (" + e.getMessage()
                        + "). Replace it with a complete copy.", e);
            }
        }

        /**
         * Runs {@code action} and turns the errors of a truncated or corrupt gzip stream into an
         * {@link IdxFormatException} that names the file.
         */
        <T> T withGzipErrorsWrapped(ReadAction<T> action) throws IOException {
            try {
                return action.read();
            } catch (EOFException e) {
                String declared = declaredDataBytes < 0 ? ""
                        : ", but the header declares " + declaredDataBytes + " bytes of data after the header";
                throw new IdxFormatException(fileName + ": the " + (gzip ? "gzip stream" : "file")
                        + " ends early, after " + bytesRead + " bytes of "
                        + (gzip ? "decompressed " : "") + "data" + declared + " (" + e.getMessage()
                        + "). The file is truncated, for example by an interrupted download or copy. "
                        + "Replace it with a complete copy.", e);
            } catch (ZipException e) {
                throw new IdxFormatException(fileName + ": the gzip data is corrupt after " + bytesRead
                        + " bytes of decompressed data (" + e.getMessage()
                        + "). Replace the file with a complete copy.", e);
            }
        }

        /**
         * Reads the magic number and the dimensions and checks them.
         *
         * @return the dimensions, each non-negative
         */
        int[] readHeader(int expectedMagic, int dimensionCount) throws IOException {
            byte[] magicBytes = readUpTo(4);
            if (magicBytes.length < 4) {
                throw new IdxFormatException(fileName + ": the " + describeSource() + " contains only "
                        + magicBytes.length + " bytes, fewer than the 4-byte magic number of an IDX "
                        + kind + " file. Replace it with a complete copy.");
            }
            int magic = toInt(magicBytes, 0);
            if (magic != expectedMagic) {
                throw new IdxFormatException(fileName + ": found magic number " + magic + " (0x"
                        + String.format("%08X", magic) + "), but an IDX " + kind + " file starts with "
                        + expectedMagic + " (0x" + String.format("%08X", expectedMagic) + "). "
                        + explainMagic(magic) + " Check that the path names the MNIST " + kind + " file.");
            }

            byte[] dimensionBytes = readUpTo(4 * dimensionCount);
            if (dimensionBytes.length < 4 * dimensionCount) {
                throw new IdxFormatException(fileName + ": the " + describeSource() + " ends after "
                        + (4 + dimensionBytes.length) + " bytes, inside the " + headerLength(dimensionCount)
                        + "-byte header of an IDX " + kind + " file. Replace it with a complete copy.");
            }
            int[] dimensions = new int[dimensionCount];
            for (int i = 0; i < dimensionCount; i++) {
                dimensions[i] = toInt(dimensionBytes, 4 * i);
                if (dimensions[i] < 0) {
                    throw new IdxFormatException(fileName + ": the header declares size " + dimensions[i]
                            + " for dimension " + i + ", but sizes must be non-negative. The header is "
                            + "corrupt. Replace the file with a complete copy.");
                }
            }
            return dimensions;
        }

        /**
         * Reads exactly {@code count * itemBytes} bytes of data and checks that the stream ends
         * there.
         *
         * @param unit plural noun for the items in messages, such as "labels"
         */
        byte[] readData(int count, long itemBytes, String unit) throws IOException {
            long expected = count * itemBytes;
            int headerBytes = (int) bytesRead;
            if (expected > MAX_DATA_BYTES) {
                throw new IdxFormatException(fileName + ": the header declares " + count + " " + unit
                        + " (" + expected + " bytes of data), more than the maximum of " + MAX_DATA_BYTES
                        + " bytes that this reader keeps in one array. Split the file into smaller ones.");
            }
            declaredDataBytes = expected;

            byte[] data = readUpTo((int) expected);
            if (data.length < expected) {
                throw new IdxFormatException(fileName + ": the header declares " + count + " " + unit
                        + " (" + expected + " bytes after the " + headerBytes + "-byte header), but the "
                        + describeSource() + " contains " + describeItems(data.length, itemBytes, unit)
                        + " (" + data.length + " bytes). The file is truncated or its header is wrong. "
                        + "Replace it with a complete copy.");
            }

            long extra = skipToEnd();
            if (extra > 0) {
                long found = expected + extra;
                throw new IdxFormatException(fileName + ": the header declares " + count + " " + unit
                        + " (" + expected + " bytes after the " + headerBytes + "-byte header), but the "
                        + describeSource() + " contains " + describeItems(found, itemBytes, unit) + " ("
                        + found + " bytes, " + extra + " more than declared). The header does not match "
                        + "the data. Replace the file with a correct copy.");
            }
            return data;
        }

        /**
         * Reads up to {@code length} bytes and returns fewer only when the stream ends. The buffer
         * grows as data arrives, so a header that declares far more data than a short file contains
         * does not allocate the declared size.
         */
        private byte[] readUpTo(int length) throws IOException {
            byte[] buffer = new byte[Math.min(length, INITIAL_READ_BUFFER)];
            int offset = 0;
            while (offset < length) {
                if (offset == buffer.length) {
                    int grown = (int) Math.min(length, 2L * buffer.length);
                    buffer = Arrays.copyOf(buffer, grown);
                }
                int n = in.read(buffer, offset, buffer.length - offset);
                if (n < 0) {
                    break;
                }
                offset += n;
                bytesRead += n;
            }
            return offset == buffer.length ? buffer : Arrays.copyOf(buffer, offset);
        }

        /** Reads the rest of the stream and returns its length in bytes. */
        private long skipToEnd() throws IOException {
            byte[] buffer = new byte[BUFFER_SIZE];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                bytesRead += n;
            }
            return total;
        }

        private String describeSource() {
            return gzip ? "decompressed data" : "file";
        }

        private String explainMagic(int magic) {
            if (magic == LABEL_MAGIC) {
                return "That is an IDX label file.";
            }
            if (magic == IMAGE_MAGIC) {
                return "That is an IDX image file.";
            }
            if ((magic >>> 16) != 0) {
                return "The file is not an IDX file, whose first two bytes are zero.";
            }
            int type = (magic >>> 8) & 0xFF;
            int dimensions = magic & 0xFF;
            return "That IDX header declares element type 0x" + String.format("%02X", type) + " with "
                    + dimensions + " dimension(s), but this reader supports only unsigned bytes (0x"
                    + String.format("%02X", UNSIGNED_BYTE_TYPE) + ") with 1 dimension for labels and 3 "
                    + "for images.";
        }
    }

    private static int headerLength(int dimensionCount) {
        return 4 + 4 * dimensionCount;
    }

    private static int toInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 24)
                | ((bytes[offset + 1] & 0xFF) << 16)
                | ((bytes[offset + 2] & 0xFF) << 8)
                | (bytes[offset + 3] & 0xFF);
    }

    /** Describes a data length as whole items plus any remaining bytes, for error messages. */
    private static String describeItems(long bytes, long itemBytes, String unit) {
        if (itemBytes == 0) {
            return bytes + " bytes";
        }
        long items = bytes / itemBytes;
        long remainder = bytes % itemBytes;
        String text = items + " " + unit;
        if (remainder != 0) {
            text += " and " + remainder + " bytes of a partial item";
        }
        return text;
    }
}
