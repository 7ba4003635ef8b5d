package org.kqsweep.hw;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one simulation of the K-means testbench executable in its own scratch folder and returns
 * its result or why it failed. The folder is deleted afterwards, also on failure.
 *
 * <p>Two limits stop a simulation that never finishes: the testbench's own cycle limit
 * ({@code TIMEOUT_CYCLES}), which ends it with a failed assertion, and a wall-clock timeout, after
 * which the process is killed. No waveform file is written.
 */
public final class Simulator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Lines of standard error and output kept in a failed row. */
    static final int OUTPUT_TAIL_LINES = 15;

    /** The way a simulation ended. */
    public enum Status { OK, FAILED, TIMED_OUT }

    /** The outcome of one run, with the command and exit status for failed rows. */
    public record Run(Status status, SimulationResult result, String command, Integer exitCode, String outputTail,
                      long millis) implements Serializable {
    }

    private final long timeoutSeconds;
    private final long timeoutCycles;

    /**
     * @param timeoutSeconds wall-clock limit of one simulation
     * @param timeoutCycles  simulated-cycle limit passed to the testbench; 0 lets it derive one
     */
    public Simulator(long timeoutSeconds, long timeoutCycles) {
        this.timeoutSeconds = timeoutSeconds;
        this.timeoutCycles = timeoutCycles;
    }

    /** Simulates clustering {@code codes} to {@code k} centroids with the executable at {@code testbench}. */
    public Run run(Path testbench, Path scratchParent, int[] codes, int k, long seed, String init, int maxIterations,
                   int wordBits) {
        long start = System.nanoTime();
        Path scratch = null;
        List<String> command = new ArrayList<>();
        try {
            Files.createDirectories(scratchParent);
            scratch = Files.createTempDirectory(scratchParent, "sim-");
            Path codesFile = scratch.resolve("codes.txt");
            Path outputFile = scratch.resolve("result.txt");
            CodeFiles.writeCodes(codesFile, codes);
            command.add(testbench.toString());
            command.add("-gCODES_FILE=" + codesFile);
            command.add("-gOUTPUT_FILE=" + outputFile);
            command.add("-gK=" + k);
            command.add("-gSEED=" + Integer.toUnsignedString((int) seed));
            command.add("-gINIT=" + init);
            command.add("-gMAX_ITER=" + maxIterations);
            command.add("-gWIDTH=" + wordBits);
            command.add("-gMAX_K=" + Math.max(2, k));
            command.add("-gMAX_ITER_CAP=" + Math.max(1, maxIterations));
            command.add("-gTIMEOUT_CYCLES=" + timeoutCycles);
            Path log = scratch.resolve("output.log");
            Process process = new ProcessBuilder(command).directory(scratch.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Run(Status.TIMED_OUT, null, String.join(" ", command), null,
                        "killed after the wall-clock timeout of " + timeoutSeconds + " s\n" + tail(log), millisSince(start));
            }
            int exit = process.exitValue();
            if (exit != 0) {
                return new Run(Status.FAILED, null, String.join(" ", command), exit, tail(log), millisSince(start));
            }
            try {
                SimulationResult result = SimulationResult.parse(outputFile, codes.length);
                return new Run(Status.OK, result, String.join(" ", command), exit, null, millisSince(start));
            } catch (IOException e) {
                return new Run(Status.FAILED, null, String.join(" ", command), exit, e.getMessage() + "\n" + tail(log),
                        millisSince(start));
            }
        } catch (IOException e) {
            return new Run(Status.FAILED, null, String.join(" ", command), null, "cannot run the simulation: " + e.getMessage(),
                    millisSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(Status.FAILED, null, String.join(" ", command), null, "interrupted", millisSince(start));
        } finally {
            deleteQuietly(scratch);
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - OUTPUT_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // The folder is under the task's scratch root, which Spark removes with the application.
        }
    }
}
