package org.kqsweep.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kqsweep.data.EmbeddedData;
import org.kqsweep.data.IdxFile;
import org.kqsweep.data.IdxImages;
import org.kqsweep.data.MnistData;
import org.kqsweep.sweep.CellSchema;
import org.kqsweep.testing.TestFixtures;

/**
 * The sweep on a Spark standalone cluster of two workers on 127.0.0.1, submitted with
 * spark-submit in a JVM of its own. It writes the same rows as embedded local mode. It keeps one
 * row per cell when an executor is killed, when the driver is killed and the command runs again,
 * and with speculative execution. Training with {@code train.mode=spark} also runs on it.
 *
 * <p>Each run sweeps K 2 and 8 on conv1 and all with one seed, for the one-epoch test model, two
 * cells per batch, so that a kill after the first batch lands in the middle of the sweep. The
 * workers advertise the host names 127.0.0.1 and localhost, because Spark launches a speculative
 * copy of a task only on another host than the original.
 */
class ClusterSweepTest {

    /** All three methods: 12 cells, with MLlib's driver-side Spark jobs. */
    private static final String ALL_METHODS = "mllib,fixed,uniform";

    /** The methods that cluster inside Spark tasks: 8 cells, and a shorter run. */
    private static final String TASK_METHODS = "fixed,uniform";
    private static final long RUN_TIMEOUT_SECONDS = 600;
    private static final long WAIT_TIMEOUT_SECONDS = 300;

    /** Columns that differ between runs by nature: identity, timings and where a row was made. */
    private static final Set<String> RUN_SPECIFIC_COLUMNS = Set.of("run_id", "cluster_ms", "eval_ms", "host", "finished_at");

    private static Path repo;
    private static Path work;
    private static LoopbackCluster cluster;
    private static SweepCommands commands;
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() throws Exception {
        repo = TestFixtures.repo();
        work = repo.resolve("job/target/cluster-tests");
        Files.createDirectories(work);
        // Trains and caches the one-epoch model once, so that every run below loads the same model.
        TestFixtures.model();
        commands = SweepCommands.prepare(repo, work);
        cluster = LoopbackCluster.start(repo, work.resolve("cluster"), 2, SweepCommands.EXECUTOR_MEMORY, "127.0.0.1,localhost");
        spark = TestFixtures.localSpark();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static int cellCount(String methods) {
        return methods.split(",").length * 2 * 2;
    }

    private static List<String> jobArguments(String out, String methods, String... more) {
        List<String> arguments = new ArrayList<>(List.of(
                "--repo", repo.toString(), "--cache", TestFixtures.cache().toString(), "--out", out, "--no-hdl",
                "--set", "train.epochs=1",
                "--set", "grid.methods=" + methods,
                "--set", "grid.k=2,8",
                "--set", "grid.layers=conv1,all",
                "--set", "grid.seeds=1",
                "--set", "sweep.batch-cells=2",
                "--set", "mllib.max-iterations=10"));
        arguments.addAll(List.of(more));
        return arguments;
    }

    @Test
    void clusterRowsMatchEmbeddedRows() throws Exception {
        deleteTree(work.resolve("match"));
        Path embeddedOut = work.resolve("match/embedded");
        Path embeddedLog = work.resolve("match/embedded.log");
        Process embedded = commands.start(commands.embedded(jobArguments(embeddedOut.toString(), ALL_METHODS)), embeddedLog);
        assertEquals(0, SweepCommands.waitFor(embedded, RUN_TIMEOUT_SECONDS, embeddedLog), SweepCommands.tail(embeddedLog));

        // The cluster run reads a copy of the data through a file:// URI. The copy is deleted as
        // soon as the driver has loaded it, so the run can only pass if no executor reads it.
        Path data = work.resolve("match/data");
        Files.createDirectories(data);
        try (Stream<Path> files = Files.list(TestFixtures.cache().resolve(EmbeddedData.IDX_FOLDER))) {
            for (Path file : files.toList()) {
                Files.copy(file, data.resolve(file.getFileName()));
            }
        }
        Path clusterOut = work.resolve("match/cluster");
        Path clusterLog = work.resolve("match/cluster.log");
        Process run = commands.start(commands.cluster(cluster, List.of(),
                jobArguments(clusterOut.toUri().toString(), ALL_METHODS, "--data", data.toUri().toString())), clusterLog);
        waitForLog(run, clusterLog, "Data " + data.toUri() + ": ");
        assertFalse(Files.exists(clusterOut.resolve("cells")), "the sweep started before the data copy was deleted");
        deleteTree(data);
        assertEquals(0, SweepCommands.waitFor(run, RUN_TIMEOUT_SECONDS, clusterLog), SweepCommands.tail(clusterLog));

        Map<String, Row> expected = rowsByKey(embeddedOut);
        Map<String, Row> actual = rowsByKey(clusterOut);
        assertEquals(cellCount(ALL_METHODS), expected.size());
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            assertEquals("ok", (String) expected.get(key).getAs("status"), key);
            for (StructField column : CellSchema.CELLS.fields()) {
                if (!RUN_SPECIFIC_COLUMNS.contains(column.name())) {
                    assertEquals((Object) expected.get(key).getAs(column.name()), actual.get(key).getAs(column.name()),
                            "column " + column.name() + " of cell " + key);
                }
            }
        }
    }

    @Test
    void executorKillLeavesOneRowPerCell() throws Exception {
        deleteTree(work.resolve("executor-kill"));
        Path out = work.resolve("executor-kill/out");
        Path log = work.resolve("executor-kill/driver.log");
        Process run = commands.start(commands.cluster(cluster, List.of(), jobArguments(out.toString(), ALL_METHODS)), log);
        waitForFirstRows(run, out, log);

        List<ProcessHandle> executors = cluster.executors();
        assertFalse(executors.isEmpty(), "no executor of the cluster is running");
        ProcessHandle victim = executors.get(0);
        assertTrue(victim.destroyForcibly(), "SIGKILL to executor PID " + victim.pid() + " failed");
        victim.onExit().get(30, TimeUnit.SECONDS);

        assertEquals(0, SweepCommands.waitFor(run, RUN_TIMEOUT_SECONDS, log), SweepCommands.tail(log));
        assertTrue(Files.readString(log, StandardCharsets.UTF_8).contains("Lost executor"),
                "the driver did not notice the killed executor:\n" + SweepCommands.tail(log));
        assertOneOkRowPerCell(out, cellCount(ALL_METHODS));
        assertPartFilesReadable(out, cellCount(ALL_METHODS));
    }

    @Test
    void driverKillRerunFinishesMissingCells() throws Exception {
        deleteTree(work.resolve("driver-kill"));
        Path out = work.resolve("driver-kill/out");
        Path firstLog = work.resolve("driver-kill/first.log");
        int cells = cellCount(TASK_METHODS);
        List<String> command = commands.cluster(cluster, List.of(), jobArguments(out.toString(), TASK_METHODS));
        Process first = commands.start(command, firstLog);
        waitForFirstRows(first, out, firstLog);
        first.destroyForcibly().waitFor();
        // The master removes the dead driver's application and its executors, which frees the
        // workers' cores for the rerun.
        waitForNoExecutors();

        List<Row> before = cellRows(out);
        Set<String> done = new HashSet<>();
        Map<String, String> runIds = new HashMap<>();
        for (Row row : before) {
            assertEquals("ok", (String) row.getAs("status"));
            done.add(row.getAs("cell_key"));
            runIds.put(row.getAs("cell_key"), row.getAs("run_id"));
        }
        assertEquals(before.size(), done.size(), "a cell has two rows after the kill");
        assertTrue(done.size() < cells, "all cells were done before the driver was killed; the kill came too late");

        Path secondLog = work.resolve("driver-kill/second.log");
        Process second = commands.start(command, secondLog);
        assertEquals(0, SweepCommands.waitFor(second, RUN_TIMEOUT_SECONDS, secondLog), SweepCommands.tail(secondLog));

        List<Row> runs = spark.read().parquet(out.resolve("runs").toString()).collectAsList();
        assertEquals(1, runs.size(), "the killed run cannot record itself, so only the rerun has a row");
        Row rerun = runs.get(0);
        assertEquals("finished", (String) rerun.getAs("status"));
        assertEquals(cells, (int) rerun.getAs("cells_planned"));
        assertEquals(done.size(), (int) rerun.getAs("cells_skipped"));
        assertEquals(cells - done.size(), (int) rerun.getAs("cells_ok"));
        assertEquals(0, (int) rerun.getAs("cells_failed"));

        assertOneOkRowPerCell(out, cells);
        for (Row row : cellRows(out)) {
            String key = row.getAs("cell_key");
            if (done.contains(key)) {
                assertEquals(runIds.get(key), (String) row.getAs("run_id"), "cell " + key + " was done before the kill and ran again");
            } else {
                assertEquals((String) rerun.getAs("run_id"), (String) row.getAs("run_id"), "cell " + key);
            }
        }
        assertPartFilesReadable(out, cells);
    }

    @Test
    void speculationKeepsOneRowPerCell() throws Exception {
        deleteTree(work.resolve("speculation"));
        Path out = work.resolve("speculation/out");
        Path events = work.resolve("speculation/events");
        Files.createDirectories(events);
        Path log = work.resolve("speculation/driver.log");
        List<String> conf = List.of(
                "spark.speculation=true",
                "spark.speculation.interval=50ms",
                "spark.speculation.multiplier=1.1",
                "spark.speculation.quantile=0.25",
                "spark.eventLog.enabled=true",
                "spark.eventLog.dir=" + events.toUri());
        Process run = commands.start(commands.cluster(cluster, conf, jobArguments(out.toString(), TASK_METHODS)), log);
        assertEquals(0, SweepCommands.waitFor(run, RUN_TIMEOUT_SECONDS, log), SweepCommands.tail(log));

        long speculative = 0;
        try (Stream<Path> files = Files.list(events)) {
            for (Path file : files.toList()) {
                try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                    speculative += lines.filter(line -> line.contains("\"Event\":\"SparkListenerTaskStart\""))
                            .filter(line -> line.contains("\"Speculative\":true"))
                            .count();
                }
            }
        }
        assertTrue(speculative > 0, "Spark launched no speculative task, so the test checked nothing; event log in " + events);
        assertOneOkRowPerCell(out, cellCount(TASK_METHODS));
        assertPartFilesReadable(out, cellCount(TASK_METHODS));
    }

    @Test
    void sparkTrainingRunsOnCluster() throws Exception {
        deleteTree(work.resolve("spark-training"));
        Path data = work.resolve("spark-training/data");
        writeTrainingSubset(TestFixtures.cache().resolve(EmbeddedData.IDX_FOLDER), data);
        Path cache = work.resolve("spark-training/cache");
        Path out = work.resolve("spark-training/out");
        Path log = work.resolve("spark-training/driver.log");
        List<String> arguments = List.of("--repo", repo.toString(), "--cache", cache.toString(), "--out", out.toString(),
                "--data", data.toUri().toString(), "--no-hdl",
                "--set", "train.mode=spark", "--set", "train.epochs=2",
                "--set", "grid.methods=uniform", "--set", "grid.k=2", "--set", "grid.layers=conv1", "--set", "grid.seeds=1");
        Process run = commands.start(commands.cluster(cluster, List.of(), arguments), log);
        assertEquals(0, SweepCommands.waitFor(run, RUN_TIMEOUT_SECONDS, log), SweepCommands.tail(log));

        // The default file system is the local one, so DL4J's Export approach is unavailable.
        assertTrue(Files.readString(log, StandardCharsets.UTF_8).contains("(Direct approach)"), SweepCommands.tail(log));
        try (Stream<Path> models = Files.list(cache.resolve("models"))) {
            assertEquals(1, models.filter(file -> file.getFileName().toString().endsWith("-epochs2-spark.zip")).count(),
                    "trained model in " + cache.resolve("models"));
        }
        Row row = cellRows(out).get(0);
        assertEquals("ok", (String) row.getAs("status"));
        // Chance is 0.1 for ten classes. Two epochs on these 1,999 images reached 0.67 in local mode.
        double baseline = row.getAs("baseline_accuracy");
        assertTrue(baseline > 0.3, "test accuracy " + baseline + " after Spark training on the cluster");
    }

    /** Writes every fourth training image and the whole test split as plain IDX files. */
    private static void writeTrainingSubset(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        MnistData full = MnistData.load(source);
        IdxImages train = IdxFile.readImages(findIdx(source, MnistData.TRAIN_IMAGES));
        byte[] trainLabels = IdxFile.readLabels(findIdx(source, MnistData.TRAIN_LABELS));
        int count = (train.count() + 3) / 4;
        int size = train.pixelsPerImage();
        byte[] pixels = new byte[count * size];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(train.pixels(), 4 * i * size, pixels, i * size, size);
            labels[i] = trainLabels[4 * i];
        }
        IdxFile.writeImages(target.resolve(MnistData.TRAIN_IMAGES), new IdxImages(count, train.rows(), train.columns(), pixels),
                IdxFile.Compression.RAW);
        IdxFile.writeLabels(target.resolve(MnistData.TRAIN_LABELS), labels, IdxFile.Compression.RAW);
        IdxFile.writeImages(target.resolve(MnistData.TEST_IMAGES), IdxFile.readImages(findIdx(source, MnistData.TEST_IMAGES)),
                IdxFile.Compression.RAW);
        IdxFile.writeLabels(target.resolve(MnistData.TEST_LABELS), IdxFile.readLabels(findIdx(source, MnistData.TEST_LABELS)),
                IdxFile.Compression.RAW);
        assertEquals(full.test().count(), MnistData.load(target).test().count());
    }

    private static Path findIdx(Path folder, String name) {
        Path raw = folder.resolve(name);
        return Files.exists(raw) ? raw : folder.resolve(name + MnistData.GZIP_SUFFIX);
    }

    private static List<Row> cellRows(Path out) {
        return spark.read().parquet(out.resolve("cells").toString()).collectAsList();
    }

    private static Map<String, Row> rowsByKey(Path out) {
        Map<String, Row> rows = new HashMap<>();
        for (Row row : cellRows(out)) {
            assertTrue(rows.put(row.getAs("cell_key"), row) == null, "two rows for cell " + row.getAs("cell_key") + " in " + out);
        }
        return rows;
    }

    private static void assertOneOkRowPerCell(Path out, int cells) {
        List<Row> rows = cellRows(out);
        Set<String> keys = new HashSet<>();
        for (Row row : rows) {
            keys.add(row.getAs("cell_key"));
            assertEquals("ok", (String) row.getAs("status"), "status of cell " + row.getAs("cell_key") + ": " + row.getAs("error"));
        }
        assertEquals(cells, rows.size(), "rows in " + out.resolve("cells"));
        assertEquals(cells, keys.size(), "distinct cell keys in " + out.resolve("cells"));
    }

    /** Reads every part file on its own: each must hold rows, and together they hold every row. */
    private static void assertPartFilesReadable(Path out, int cells) throws IOException {
        List<Path> parts;
        try (Stream<Path> files = Files.list(out.resolve("cells"))) {
            parts = files.filter(file -> file.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        assertFalse(parts.isEmpty(), "no part files in " + out.resolve("cells"));
        long total = 0;
        for (Path part : parts) {
            assertTrue(Files.size(part) > 0, "empty part file " + part);
            long rows = spark.read().parquet(part.toString()).count();
            assertTrue(rows > 0, "part file without rows: " + part);
            total += rows;
        }
        assertEquals(cells, total, "rows over all part files of " + out.resolve("cells"));
    }

    /** Waits until the run has committed its first batch: a part file directly under cells/. */
    private static void waitForFirstRows(Process run, Path out, Path log) throws Exception {
        Path cells = out.resolve("cells");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(cells)) {
                try (Stream<Path> files = Files.list(cells)) {
                    if (files.anyMatch(file -> file.getFileName().toString().startsWith("part-"))) {
                        return;
                    }
                }
            }
            if (!run.isAlive()) {
                throw new AssertionError("the run ended with exit code " + run.exitValue() + " before writing rows:\n"
                        + SweepCommands.tail(log));
            }
            Thread.sleep(100);
        }
        run.destroyForcibly().waitFor();
        throw new AssertionError("no rows in " + cells + " after " + WAIT_TIMEOUT_SECONDS + " s:\n" + SweepCommands.tail(log));
    }

    private static void waitForLog(Process run, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            if (!run.isAlive()) {
                throw new AssertionError("the run ended with exit code " + run.exitValue() + " before logging '" + text
                        + "':\n" + SweepCommands.tail(log));
            }
            Thread.sleep(100);
        }
        run.destroyForcibly().waitFor();
        throw new AssertionError("the run did not log '" + text + "' within " + WAIT_TIMEOUT_SECONDS + " s:\n"
                + SweepCommands.tail(log));
    }

    private static void waitForNoExecutors() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_TIMEOUT_SECONDS);
        while (!cluster.executors().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("executors of the killed driver still run after " + WAIT_TIMEOUT_SECONDS + " s: "
                        + cluster.executors().stream().map(ProcessHandle::pid).toList());
            }
            Thread.sleep(200);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
