package org.kqsweep.sweep;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.kqsweep.quant.FixedPointKMeans;
import org.kqsweep.quant.Method;
import org.kqsweep.quant.MllibQuantizer;
import org.kqsweep.quant.Quantizer;
import org.kqsweep.quant.UniformQuantizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs clustering jobs in parallel. Methods that work on one array run as Spark tasks, one job
 * per task; MLlib, which starts Spark jobs itself, runs from a pool of driver threads so that its
 * jobs share the cluster at the same time. A job that throws becomes a failed outcome with its
 * error; the other jobs go on.
 */
public final class ClusterStage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterStage.class);

    private final JavaSparkContext spark;
    private final SweepConfig config;
    private final Broadcast<Map<String, float[]>> tensors;
    private final MllibQuantizer mllib;
    private final ExecutorService driverPool;

    /** @param tensors values of every tensor that a job may name, by label */
    public ClusterStage(SparkSession session, SweepConfig config, Map<String, float[]> tensors) {
        this.spark = JavaSparkContext.fromSparkContext(session.sparkContext());
        this.config = config;
        this.tensors = spark.broadcast(new HashMap<>(tensors));
        this.mllib = new MllibQuantizer(session, config.integer("mllib.max-iterations"), config.get("mllib.init-mode"),
                config.integer("mllib.partitions"));
        this.driverPool = Executors.newFixedThreadPool(Math.max(2, spark.defaultParallelism()), runnable -> {
            Thread thread = new Thread(runnable, "kqsweep-mllib");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs every job and returns one outcome per job. */
    public Map<ClusterJob, ClusterOutcome> run(List<ClusterJob> jobs) {
        List<ClusterJob> inTasks = new ArrayList<>();
        List<CompletableFuture<ClusterOutcome>> onDriver = new ArrayList<>();
        for (ClusterJob job : jobs) {
            if (job.method().runsOnDriver()) {
                onDriver.add(CompletableFuture.supplyAsync(() -> runOne(job, mllib, tensors.value()), driverPool));
            } else {
                inTasks.add(job);
            }
        }
        Map<ClusterJob, ClusterOutcome> outcomes = new HashMap<>();
        if (!inTasks.isEmpty()) {
            Broadcast<Map<String, float[]>> values = tensors;
            int wordBits = config.integer("fixed.word-bits");
            int maxIterations = config.integer("fixed.max-iterations");
            FixedPointKMeans.Init init = config.fixedInit();
            int slices = Math.min(inTasks.size(), 4 * spark.defaultParallelism());
            for (ClusterOutcome outcome : spark.parallelize(inTasks, slices)
                    .map(job -> runOne(job, localQuantizer(job.method(), wordBits, maxIterations, init), values.value()))
                    .collect()) {
                outcomes.put(outcome.job(), outcome);
            }
        }
        for (CompletableFuture<ClusterOutcome> future : onDriver) {
            ClusterOutcome outcome = future.join();
            outcomes.put(outcome.job(), outcome);
        }
        return outcomes;
    }

    static Quantizer localQuantizer(Method method, int wordBits, int maxIterations, FixedPointKMeans.Init init) {
        return switch (method) {
            case FIXED -> new FixedPointKMeans(wordBits, maxIterations, init);
            case UNIFORM -> new UniformQuantizer();
            case MLLIB -> throw new IllegalArgumentException("mllib runs Spark jobs and cannot run inside a task");
        };
    }

    private static ClusterOutcome runOne(ClusterJob job, Quantizer quantizer, Map<String, float[]> tensors) {
        long start = System.nanoTime();
        try {
            float[] values = tensors.get(job.tensor());
            if (values == null) {
                throw new IllegalArgumentException("no tensor named " + job.tensor());
            }
            var result = quantizer.quantize(values, job.k(), job.seed());
            return new ClusterOutcome(job, result, null, (System.nanoTime() - start) / 1_000_000, hostName());
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(ClusterStage.class).error("Clustering {} failed", job, e);
            return new ClusterOutcome(job, null, job.tensor() + ": " + e, (System.nanoTime() - start) / 1_000_000, hostName());
        }
    }

    /** Returns this machine's host name, or {@code unknown} when it cannot be resolved. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        driverPool.shutdownNow();
        tensors.destroy();
        LOG.debug("Cluster stage closed");
    }
}
