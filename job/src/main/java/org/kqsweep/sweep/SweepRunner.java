package org.kqsweep.sweep;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.kqsweep.data.MnistData;
import org.kqsweep.model.ModelStore;
import org.kqsweep.model.NetworkLayers;
import org.kqsweep.quant.QuantizationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the quantization sweep: plans the grid, skips cells already in the output, and for each
 * batch of cells clusters the tensors in parallel, evaluates the quantized models on the
 * partitioned test set and appends one row per cell to {@code OUT/cells}.
 */
public final class SweepRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SweepRunner.class);

    private final SparkSession spark;
    private final SweepConfig config;
    private final String outDirectory;
    private final ModelStore.BaseModel model;
    private final MnistData data;
    private final String dataSource;
    private final String codeVersion;

    public SweepRunner(SparkSession spark, SweepConfig config, String outDirectory, ModelStore.BaseModel model,
                       MnistData data, String dataSource, String codeVersion) {
        this.spark = spark;
        this.config = config;
        this.outDirectory = outDirectory;
        this.model = model;
        this.data = data;
        this.dataSource = dataSource;
        this.codeVersion = codeVersion;
    }

    /** Counts of one run. */
    public record Summary(String runId, int planned, int skipped, int ok, int failed, double baselineAccuracy,
                          String cellsLocation) {
    }

    /** Identity and base figures shared by every row of a run. */
    record RunContext(String runId, String architecture, String modelFingerprint, String dataFingerprint,
                      String configFingerprint, String codeVersion, double baselineAccuracy, long parameterCount) {
    }

    public Summary run() throws IOException {
        Instant started = Instant.now();
        String runId = started.toString().replaceAll("[-:]", "").replace('.', '-') + "-" + UUID.randomUUID().toString().substring(0, 8);
        MultiLayerNetwork network = model.network();
        List<String> layers = NetworkLayers.layerNames(network);
        List<Cell> cells = Grid.cells(config, layers);
        ResultTable table = new ResultTable(spark, outDirectory, "cells", CellSchema.CELLS, "cell_key");
        table.recover();
        Set<String> done = table.completedKeys();
        List<Cell> todo = cells.stream().filter(cell -> !done.contains(cell.key(model.fingerprint()))).toList();
        LOG.info("Run {}: {} cells planned, {} already in {}, {} to run", runId, cells.size(), cells.size() - todo.size(),
                table.location(), todo.size());

        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = config.integer("eval.partitions") > 0 ? config.integer("eval.partitions") : 2 * context.defaultParallelism();
        int ok = 0;
        int failed = 0;
        double baseline = Double.NaN;
        String error = null;
        try (DistributedEvaluator evaluator = new DistributedEvaluator(context, network, model.fingerprint(), data.test(),
                partitions, config.integer("eval.batch-size"))) {
            DistributedEvaluator.Outcome base = evaluator.evaluate(Map.of(0, List.of())).get(0);
            if (base.error() != null) {
                throw new IllegalStateException("evaluating the unquantized model failed: " + base.error());
            }
            baseline = base.accuracy();
            LOG.info("Baseline accuracy {} ({} of {} test images)", String.format("%.4f", baseline), base.correct(), base.evaluated());
            RunContext run = new RunContext(runId, model.architecture(), model.fingerprint(), data.fingerprint().substring(0, 16),
                    config.fingerprint(), codeVersion, baseline, network.numParams());
            Map<String, NetworkLayers.Tensor> tensors = new LinkedHashMap<>();
            Map<String, float[]> values = new HashMap<>();
            for (NetworkLayers.Tensor tensor : NetworkLayers.tensors(network)) {
                tensors.put(tensor.label(), tensor);
                values.put(tensor.label(), NetworkLayers.values(network, tensor));
            }
            BatchPlanner planner = new BatchPlanner(config, tensors);
            Progress progress = new Progress(todo.size());
            int batchSize = config.integer("sweep.batch-cells");
            try (ClusterStage clustering = new ClusterStage(spark, config, values)) {
                for (int from = 0; from < todo.size(); from += batchSize) {
                    List<Cell> batch = todo.subList(from, Math.min(todo.size(), from + batchSize));
                    List<CellRow> rows = runBatch(batch, planner, clustering, evaluator, run);
                    table.append(rows.stream().map(CellRow::toRow).toList());
                    int batchFailed = (int) rows.stream().filter(row -> !row.ok()).count();
                    ok += rows.size() - batchFailed;
                    failed += batchFailed;
                    progress.add(rows.size(), batchFailed);
                }
            }
            table.compact();
        } catch (IOException | RuntimeException e) {
            error = e.toString();
            throw e;
        } finally {
            writeRun(runId, started, error, baseline, cells.size(), cells.size() - todo.size(), ok, failed);
        }
        LOG.info("Run {} finished: {} cells ok, {} failed, {} skipped; results in {}", runId, ok, failed,
                cells.size() - todo.size(), table.location());
        return new Summary(runId, cells.size(), cells.size() - todo.size(), ok, failed, baseline, table.location());
    }

    private List<CellRow> runBatch(List<Cell> batch, BatchPlanner planner, ClusterStage clustering,
                                   DistributedEvaluator evaluator, RunContext run) {
        List<BatchPlanner.CellPlan> plans = batch.stream().map(planner::plan).toList();
        List<ClusterJob> jobs = plans.stream().flatMap(plan -> plan.jobs().stream()).distinct().toList();
        Map<ClusterJob, ClusterOutcome> outcomes = clustering.run(jobs);

        Map<List<ClusterJob>, Integer> variantIds = new HashMap<>();
        Map<Integer, List<TensorOverride>> variants = new HashMap<>();
        for (BatchPlanner.CellPlan plan : plans) {
            boolean clustered = plan.jobs().stream().noneMatch(job -> outcomes.get(job).failed());
            if (clustered && !variantIds.containsKey(plan.jobs())) {
                int id = variantIds.size();
                variantIds.put(plan.jobs(), id);
                List<TensorOverride> overrides = new ArrayList<>();
                for (ClusterJob job : plan.jobs()) {
                    NetworkLayers.Tensor tensor = planner.tensor(job.tensor());
                    overrides.add(new TensorOverride(tensor.paramKey(), tensor.shape(), outcomes.get(job).result()));
                }
                variants.put(id, overrides);
            }
        }
        Map<Integer, DistributedEvaluator.Outcome> evaluations = evaluator.evaluate(variants);

        List<CellRow> rows = new ArrayList<>();
        for (BatchPlanner.CellPlan plan : plans) {
            List<ClusterOutcome> clusterings = plan.jobs().stream().map(outcomes::get).toList();
            Integer variant = variantIds.get(plan.jobs());
            rows.add(CellRow.of(run, plan, clusterings, variant == null ? null : evaluations.get(variant)));
        }
        return rows;
    }

    private void writeRun(String runId, Instant started, String error, double baseline, int planned, int skipped,
                          int ok, int failed) {
        try {
            Row row = RowFactory.create(runId, Timestamp.from(started), Timestamp.from(Instant.now()),
                    error == null ? "finished" : "failed", error, codeVersion, spark.sparkContext().master(),
                    spark.version(), config.toProperties(), config.fingerprint(), model.architecture(),
                    model.fingerprint(), model.source(), data.fingerprint(), dataSource,
                    Double.isNaN(baseline) ? null : baseline, planned, skipped, ok, failed);
            new ResultTable(spark, outDirectory, "runs", CellSchema.RUNS, "run_id").append(List.of(row));
        } catch (RuntimeException e) {
            LOG.error("Cannot record run {} in {}/runs", runId, outDirectory, e);
        }
    }

}
