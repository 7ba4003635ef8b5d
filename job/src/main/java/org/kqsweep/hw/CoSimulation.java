package org.kqsweep.hw;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.kqsweep.data.MnistData;
import org.kqsweep.model.ModelStore;
import org.kqsweep.model.NetworkLayers;
import org.kqsweep.quant.FixedPointKMeans;
import org.kqsweep.quant.Method;
import org.kqsweep.quant.QuantizationResult;
import org.kqsweep.sweep.Cell;
import org.kqsweep.sweep.ClusterStage;
import org.kqsweep.sweep.DistributedEvaluator;
import org.kqsweep.sweep.Grid;
import org.kqsweep.sweep.ResultTable;
import org.kqsweep.sweep.SweepConfig;
import org.kqsweep.sweep.TensorOverride;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hardware stage: simulates the VHDL K-means core with GHDL on executors for every
 * {@code fixed} cell of a single layer, compares each result bit for bit with the Java model and
 * evaluates the CNN with the hardware's codebook.
 *
 * <p>The driver builds the testbench executable once ({@code hdl/build.sh}) and ships it with
 * {@code SparkContext.addFile}; executors need no GHDL installation, only the C library and zlib
 * the executable links. Each simulation runs in its own scratch folder under the task's working
 * directory. A simulation that fails, is killed or times out becomes a row with its status, the
 * command, the exit status and the end of its output. The other simulations go on. Results go to
 * {@code OUT/hdl}, one row per cell; when the initialization ignores the seed, the cells of every
 * seed share one simulation. A rerun skips cells that already have an {@code ok} row.
 */
public final class CoSimulation {

    private static final Logger LOG = LoggerFactory.getLogger(CoSimulation.class);

    /** Name of the testbench executable that {@code hdl/build.sh} writes. */
    static final String TESTBENCH = "kmeans_tb";

    /** One row per simulation. */
    public static final StructType SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("sim_key", DataTypes.StringType, false)
            .add("model_fingerprint", DataTypes.StringType, false)
            .add("code_version", DataTypes.StringType, false)
            .add("layer", DataTypes.StringType, false)
            .add("k", DataTypes.IntegerType, false)
            .add("seed", DataTypes.LongType, false)
            .add("init", DataTypes.StringType, false)
            .add("word_bits", DataTypes.IntegerType, false)
            .add("n_weights", DataTypes.LongType, false)
            .add("k_effective", DataTypes.IntegerType, true)
            .add("cycles", DataTypes.LongType, true)
            .add("iterations", DataTypes.IntegerType, true)
            .add("java_iterations", DataTypes.IntegerType, false)
            .add("sim_ms", DataTypes.LongType, false)
            .add("bit_exact", DataTypes.BooleanType, false)
            .add("codebook_mismatches", DataTypes.IntegerType, true)
            .add("index_mismatches", DataTypes.LongType, true)
            .add("hw_accuracy", DataTypes.DoubleType, true)
            .add("java_accuracy", DataTypes.DoubleType, true)
            .add("host", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("error", DataTypes.StringType, true)
            .add("command", DataTypes.StringType, true)
            .add("exit_code", DataTypes.IntegerType, true)
            .add("finished_at", DataTypes.TimestampType, false);

    /** One simulation to run: a layer's weight codes clustered to K with a seed. */
    record SimJob(String layer, int k, long seed) implements Serializable {
    }

    /** An executor's result for one job: the simulation run and the Java model's result. */
    record SimOutcome(SimJob job, Simulator.Run run, FixedPointKMeans.CodeResult java, String host) implements Serializable {
    }

    private final SparkSession spark;
    private final SweepConfig config;
    private final String outDirectory;
    private final ModelStore.BaseModel model;
    private final MnistData data;
    private final Path repoDirectory;
    private final String codeVersion;

    public CoSimulation(SparkSession spark, SweepConfig config, String outDirectory, ModelStore.BaseModel model,
                        MnistData data, Path repoDirectory, String codeVersion) {
        this.spark = spark;
        this.config = config;
        this.outDirectory = outDirectory;
        this.model = model;
        this.data = data;
        this.repoDirectory = repoDirectory;
        this.codeVersion = codeVersion;
    }

    /**
     * Checks that the GHDL command runs, before any work starts.
     *
     * @throws IllegalArgumentException with the install command when it does not
     */
    public static void checkGhdl(String ghdl) {
        String hint = "; install it (Debian: apt-get install ghdl-llvm, or ./submit.sh installs it when run as root)"
                + " or turn the hardware stage off with --no-hdl or --set hdl.enabled=false";
        try {
            ProcessBuilder builder = new ProcessBuilder(ghdl, "--version").redirectErrorStream(true);
            builder.environment().putIfAbsent("GHDL_BACKEND", "llvm");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalArgumentException("GHDL command '" + ghdl + "' (hdl.ghdl) failed" + hint);
            }
            if (output.contains("mcode")) {
                throw new IllegalArgumentException("GHDL '" + ghdl + "' uses the mcode backend, which builds no executable"
                        + " to ship to executors; install the ghdl-llvm or ghdl-gcc backend or set hdl.ghdl to it");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("GHDL command '" + ghdl + "' (hdl.ghdl) not found" + hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking GHDL", e);
        }
    }

    /** Runs every simulation of the grid that has no {@code ok} row yet. */
    public void run(String runId) throws IOException {
        List<SimJob> jobs = plan();
        ResultTable table = new ResultTable(spark, outDirectory, "hdl", SCHEMA, "sim_key");
        table.recover();
        Set<String> done = table.completedKeys();
        String parameters = config.methodParameters(Method.FIXED);
        List<SimJob> todo = jobs.stream().filter(job -> !done.contains(key(job, parameters))).toList();
        LOG.info("Hardware stage: {} simulations planned, {} already in {}, {} to run", jobs.size(),
                jobs.size() - todo.size(), table.location(), todo.size());
        if (todo.isEmpty()) {
            return;
        }
        Path testbench = build();
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        context.addFile(testbench.toString());

        Map<String, NetworkLayers.Tensor> weights = new LinkedHashMap<>();
        Map<String, FixedPointKMeans.Codes> codes = new HashMap<>();
        int wordBits = config.integer("fixed.word-bits");
        for (NetworkLayers.Tensor tensor : NetworkLayers.tensors(model.network())) {
            if (!tensor.bias()) {
                weights.put(tensor.layer(), tensor);
                codes.put(tensor.layer(), FixedPointKMeans.encode(NetworkLayers.values(model.network(), tensor), wordBits));
            }
        }
        Map<String, int[]> codeArrays = new HashMap<>();
        codes.forEach((layer, coded) -> codeArrays.put(layer, coded.codes()));
        Broadcast<Map<String, int[]>> shipped = context.broadcast(codeArrays);
        Simulator simulator = new Simulator(config.integer("hdl.timeout-seconds"), config.integer("hdl.stop-time-ms") * 100_000L);
        FixedPointKMeans java = new FixedPointKMeans(wordBits, config.integer("fixed.max-iterations"), config.fixedInit());
        String init = config.fixedInit().name().toLowerCase(Locale.ROOT);
        // When the initialization ignores the seed, the cells of every seed share one simulation.
        boolean seeded = config.usesSeed(Method.FIXED);
        List<SimJob> distinct = todo.stream().map(job -> seeded ? job : new SimJob(job.layer(), job.k(), 0)).distinct().toList();
        if (distinct.size() < todo.size()) {
            LOG.info("The {} simulations to run share {} distinct runs: the initialization ignores the seed",
                    todo.size(), distinct.size());
        }
        Map<SimJob, SimOutcome> simulated = new HashMap<>();
        LongAccumulator finished = context.sc().longAccumulator("simulations finished");
        try (SimulationProgress progress = new SimulationProgress(finished, distinct.size())) {
            for (SimOutcome outcome : context.parallelize(distinct, distinct.size())
                    .map(job -> {
                        SimOutcome result = simulate(job, shipped.value().get(job.layer()), simulator, java, init);
                        finished.add(1);
                        return result;
                    })
                    .collect()) {
                simulated.put(outcome.job(), outcome);
            }
        }
        shipped.destroy();
        List<SimOutcome> outcomes = todo.stream()
                .map(job -> simulated.get(seeded ? job : new SimJob(job.layer(), job.k(), 0)))
                .toList();

        // A bit-exact hardware result and the Java result are the same model, and with a seed-free
        // initialization every seed gives the same result: each distinct model is evaluated once.
        Map<String, Integer> variantIds = new HashMap<>();
        Map<Integer, List<TensorOverride>> variants = new HashMap<>();
        int[][] variantOf = new int[outcomes.size()][2];
        for (int i = 0; i < outcomes.size(); i++) {
            SimOutcome outcome = outcomes.get(i);
            NetworkLayers.Tensor tensor = weights.get(outcome.job().layer());
            FixedPointKMeans.Codes coded = codes.get(outcome.job().layer());
            SimulationResult hw = outcome.run().result();
            variantOf[i][0] = hw == null ? -1
                    : variant(variantIds, variants, tensor, hw.codebook(), hw.indices(), coded);
            variantOf[i][1] = variant(variantIds, variants, tensor, outcome.java().codebook(), outcome.java().indices(), coded);
        }
        Map<Integer, DistributedEvaluator.Outcome> accuracies;
        try (DistributedEvaluator evaluator = new DistributedEvaluator(context, model.network(), model.fingerprint(),
                data.test(), 2 * context.defaultParallelism(), config.integer("eval.batch-size"))) {
            accuracies = evaluator.evaluate(variants);
        }
        List<Row> rows = new ArrayList<>();
        int exact = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            SimOutcome outcome = outcomes.get(i);
            Row row = toRow(runId, parameters, todo.get(i), outcome, codes.get(outcome.job().layer()).codes().length,
                    accuracy(accuracies.get(variantOf[i][0])), accuracy(accuracies.get(variantOf[i][1])));
            exact += row.getBoolean(SCHEMA.fieldIndex("bit_exact")) ? 1 : 0;
            rows.add(row);
        }
        table.append(rows);
        table.compact();
        LOG.info("Hardware stage finished: {} of {} simulations bit exact; results in {}", exact, rows.size(), table.location());
    }

    /** Lists every (layer, K, seed) of the grid's fixed cells that target a single layer. */
    List<SimJob> plan() {
        if (!config.methods().contains(Method.FIXED)) {
            return List.of();
        }
        List<String> layers = NetworkLayers.layerNames(model.network());
        List<SimJob> jobs = new ArrayList<>();
        for (Cell cell : Grid.cells(config.with("grid.methods=fixed"), layers)) {
            if (!cell.layer().equals(Cell.ALL_LAYERS)) {
                jobs.add(new SimJob(cell.layer(), cell.k(), cell.seed()));
            }
        }
        return jobs;
    }

    private String key(SimJob job, String parameters) {
        return String.join("|", model.fingerprint(), parameters, job.layer(), Integer.toString(job.k()), Long.toString(job.seed()));
    }

    private Path build() throws IOException {
        Path buildDirectory = repoDirectory.resolve("hdl").resolve("build");
        List<String> command = List.of("bash", repoDirectory.resolve("hdl").resolve("build.sh").toString(),
                buildDirectory.toString(), config.get("hdl.ghdl"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException("building the VHDL testbench failed (" + String.join(" ", command) + "):\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the VHDL testbench", e);
        }
        Path testbench = buildDirectory.resolve(TESTBENCH);
        if (!Files.isExecutable(testbench)) {
            throw new IOException("hdl/build.sh finished but " + testbench + " is missing or not executable");
        }
        return testbench;
    }

    private static SimOutcome simulate(SimJob job, int[] codes, Simulator simulator, FixedPointKMeans java, String init) {
        long seed = job.seed();
        FixedPointKMeans.CodeResult expected = java.cluster(codes, job.k(), seed);
        Path testbench = Path.of(SparkFiles.get(TESTBENCH));
        testbench.toFile().setExecutable(true);
        Path scratch = Path.of(System.getProperty("java.io.tmpdir"), "kqsweep-sim");
        Simulator.Run run = simulator.run(testbench, scratch, codes, job.k(), seed, init, java.maxIterations(), java.wordBits());
        return new SimOutcome(job, run, expected, ClusterStage.hostName());
    }

    /** Returns the id of the model with this layer quantized so, adding it when it is new. */
    private static int variant(Map<String, Integer> ids, Map<Integer, List<TensorOverride>> variants,
                               NetworkLayers.Tensor tensor, int[] codebook, int[] indices, FixedPointKMeans.Codes coded) {
        String key = tensor.label() + Arrays.toString(codebook) + Arrays.toString(indices);
        return ids.computeIfAbsent(key, k -> {
            int id = variants.size();
            variants.put(id, List.of(new TensorOverride(tensor.paramKey(), tensor.shape(), decode(codebook, indices, coded))));
            return id;
        });
    }

    private static QuantizationResult decode(int[] codebook, int[] indices, FixedPointKMeans.Codes coded) {
        float[] values = new float[codebook.length];
        for (int j = 0; j < codebook.length; j++) {
            values[j] = coded.toFloat(codebook[j]);
        }
        return new QuantizationResult(values, indices, Double.NaN, 0, true);
    }

    private static Double accuracy(DistributedEvaluator.Outcome outcome) {
        return outcome == null || outcome.error() != null ? null : outcome.accuracy();
    }

    private Row toRow(String runId, String parameters, SimJob job, SimOutcome outcome, int weights, Double hwAccuracy,
                      Double javaAccuracy) {
        Simulator.Run run = outcome.run();
        SimulationResult hw = run.result();
        FixedPointKMeans.CodeResult java = outcome.java();
        Integer codebookMismatches = null;
        Long indexMismatches = null;
        boolean exact = false;
        String status;
        String error = run.outputTail();
        if (hw != null) {
            codebookMismatches = Math.abs(hw.codebook().length - java.codebook().length);
            for (int j = 0; j < Math.min(hw.codebook().length, java.codebook().length); j++) {
                codebookMismatches += hw.codebook()[j] != java.codebook()[j] ? 1 : 0;
            }
            long differing = 0;
            for (int i = 0; i < weights; i++) {
                differing += hw.indices()[i] != java.indices()[i] ? 1 : 0;
            }
            indexMismatches = differing;
            exact = codebookMismatches == 0 && differing == 0 && hw.iterations() == java.iterations()
                    && hw.converged() == java.converged();
            status = exact ? "ok" : "mismatch";
            if (!exact) {
                error = String.format(Locale.ROOT, "%d codebook and %d index mismatches; iterations %d (Java %d), converged %b (Java %b)",
                        codebookMismatches, differing, hw.iterations(), java.iterations(), hw.converged(), java.converged());
            }
        } else {
            status = run.status() == Simulator.Status.TIMED_OUT ? "timed_out" : "failed";
        }
        return RowFactory.create(runId, key(job, parameters), model.fingerprint(), codeVersion, job.layer(), job.k(), job.seed(),
                config.fixedInit().name().toLowerCase(Locale.ROOT), config.integer("fixed.word-bits"), (long) weights,
                hw == null ? null : hw.codebook().length, hw == null ? null : hw.cycles(), hw == null ? null : hw.iterations(),
                java.iterations(), run.millis(), exact, codebookMismatches, indexMismatches, hwAccuracy, javaAccuracy,
                outcome.host(), status, error, hw == null ? run.command() : null, run.exitCode(), Timestamp.from(Instant.now()));
    }
}
