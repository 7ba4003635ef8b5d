package org.kqsweep.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on 127.0.0.1, started and stopped with {@code scripts/local-cluster.sh}
 * in a state folder of its own. The folder's path in their command lines identifies its processes.
 */
final class LoopbackCluster implements AutoCloseable {

    private static final long SCRIPT_TIMEOUT_SECONDS = 300;

    private final Path repo;
    private final Path directory;
    private final String masterUrl;

    private LoopbackCluster(Path repo, Path directory, String masterUrl) {
        this.repo = repo;
        this.directory = directory;
        this.masterUrl = masterUrl;
    }

    /**
     * Starts a master and {@code workers} workers with one core and {@code workerMemory} each. The
     * workers advertise {@code hostNames} in turn, names that resolve to 127.0.0.1.
     */
    static LoopbackCluster start(Path repo, Path directory, int workers, String workerMemory, String hostNames)
            throws IOException {
        Path log = directory.resolveSibling(directory.getFileName() + "-start.log");
        Files.createDirectories(directory);
        String output = runScript(repo, log, "start", "--workers", Integer.toString(workers),
                "--worker-memory", workerMemory, "--worker-hosts", hostNames, "--dir", directory.toString());
        List<String> lines = output.lines().filter(line -> line.startsWith("spark://")).toList();
        if (lines.isEmpty()) {
            throw new IOException("scripts/local-cluster.sh start printed no master URL; its output is in " + log);
        }
        return new LoopbackCluster(repo, directory, lines.get(lines.size() - 1));
    }

    String masterUrl() {
        return masterUrl;
    }

    Path sparkHome() {
        return directory.resolve("spark-home");
    }

    /** Executor JVMs that this cluster's workers launched and that are still alive. */
    List<ProcessHandle> executors() {
        String home = sparkHome() + "/jars/";
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine()
                        .map(line -> line.contains(home) && line.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"))
                        .orElse(false))
                .toList();
    }

    @Override
    public void close() throws IOException {
        runScript(repo, directory.resolveSibling(directory.getFileName() + "-stop.log"), "stop", "--dir", directory.toString());
    }

    /** Runs the script with stdout and stderr in {@code log}, returns stdout and fails on a non-zero exit. */
    private static String runScript(Path repo, Path log, String... arguments) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", repo.resolve("scripts/local-cluster.sh").toString()));
        command.addAll(List.of(arguments));
        Path stdout = Files.createTempFile(log.getParent(), "local-cluster", ".out");
        Process process = new ProcessBuilder(command).directory(repo.toFile())
                .redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
        try {
            if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out after " + SCRIPT_TIMEOUT_SECONDS + " s; see " + log);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        String output = Files.readString(stdout, StandardCharsets.UTF_8);
        Files.delete(stdout);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return output;
    }
}
