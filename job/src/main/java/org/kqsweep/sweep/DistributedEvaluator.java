package org.kqsweep.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.kqsweep.data.MnistSplit;
import org.kqsweep.model.Accuracy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Evaluates model variants on a test set split into shards across executors.
 *
 * <p>The base network's configuration and parameters are broadcast once. Each call broadcasts the
 * variants of one batch; every shard task rebuilds each variant from the base parameters and its
 * overrides and counts correct predictions. Counts are summed per variant, so the number evaluated
 * equals the test-set size exactly, and a variant whose sum differs is reported as failed.
 */
public final class DistributedEvaluator implements AutoCloseable {

    /** Network configuration and parameters as shipped to executors. */
    record BaseBlob(String fingerprint, String configurationJson, float[] parameters) implements Serializable {
    }

    /** A contiguous slice of the test set. */
    record Shard(int index, float[] pixels, int[] labels) implements Serializable {
    }

    /** Counts of one variant on one shard, or the error that stopped it. */
    record ShardCount(int variant, long correct, long evaluated, long nanos, String error) implements Serializable {
    }

    /** Summed counts of one variant over all shards. */
    public record Outcome(long correct, long evaluated, long evalMillis, String error) {

        public double accuracy() {
            return evaluated == 0 ? Double.NaN : (double) correct / evaluated;
        }
    }

    /** Networks built on this executor, one per thread and base model. */
    private static final ThreadLocal<Map<String, MultiLayerNetwork>> NETWORKS = ThreadLocal.withInitial(HashMap::new);

    private final JavaSparkContext spark;
    private final Broadcast<BaseBlob> base;
    private final Broadcast<Shard> testSet;
    private final JavaRDD<Shard> shards;
    private final int testSize;
    private final int batchSize;

    public DistributedEvaluator(JavaSparkContext spark, MultiLayerNetwork network, String fingerprint,
                                MnistSplit test, int partitions, int batchSize) {
        this.spark = spark;
        this.batchSize = batchSize;
        this.testSize = test.count();
        this.base = spark.broadcast(new BaseBlob(fingerprint, network.getLayerWiseConfigurations().toJson(),
                network.params().dup('c').data().asFloat()));
        int count = Math.max(1, Math.min(partitions, test.count()));
        // The test set travels once as a broadcast; each partition cuts its own shard from it.
        Broadcast<Shard> whole = spark.broadcast(new Shard(-1, test.pixels(), test.labels()));
        List<Integer> indices = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            indices.add(s);
        }
        int images = test.count();
        this.testSet = whole;
        this.shards = spark.parallelize(indices, count)
                .map(s -> slice(whole.value(), s, count, images))
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static Shard slice(Shard whole, int index, int count, int images) {
        int from = (int) ((long) index * images / count);
        int to = (int) ((long) (index + 1) * images / count);
        float[] pixels = new float[(to - from) * MnistSplit.PIXELS_PER_IMAGE];
        System.arraycopy(whole.pixels(), from * MnistSplit.PIXELS_PER_IMAGE, pixels, 0, pixels.length);
        int[] labels = new int[to - from];
        System.arraycopy(whole.labels(), from, labels, 0, labels.length);
        return new Shard(index, pixels, labels);
    }

    /** Number of test images every variant is evaluated on. */
    public int testSize() {
        return testSize;
    }

    /**
     * Evaluates each variant; a variant is the list of tensors that replace base parameters (an
     * empty list is the base model itself).
     */
    public Map<Integer, Outcome> evaluate(Map<Integer, List<TensorOverride>> variants) {
        Broadcast<Map<Integer, List<TensorOverride>>> shipped = spark.broadcast(new HashMap<>(variants));
        Broadcast<BaseBlob> blob = base;
        int images = batchSize;
        try {
            List<ShardCount> counts = shards.flatMap(shard -> countShard(blob.value(), shipped.value(), shard, images).iterator())
                    .collect();
            Map<Integer, long[]> sums = new HashMap<>();
            Map<Integer, String> errors = new HashMap<>();
            for (ShardCount count : counts) {
                long[] sum = sums.computeIfAbsent(count.variant(), v -> new long[3]);
                sum[0] += count.correct();
                sum[1] += count.evaluated();
                sum[2] += count.nanos();
                if (count.error() != null) {
                    errors.merge(count.variant(), count.error(), (a, b) -> a);
                }
            }
            Map<Integer, Outcome> outcomes = new HashMap<>();
            for (Integer variant : variants.keySet()) {
                long[] sum = sums.getOrDefault(variant, new long[3]);
                String error = errors.get(variant);
                if (error == null && sum[1] != testSize) {
                    error = "evaluated " + sum[1] + " of " + testSize + " test images";
                }
                outcomes.put(variant, new Outcome(sum[0], sum[1], sum[2] / 1_000_000, error));
            }
            return outcomes;
        } finally {
            shipped.destroy();
        }
    }

    private static List<ShardCount> countShard(BaseBlob blob, Map<Integer, List<TensorOverride>> variants,
                                               Shard shard, int batchSize) {
        MultiLayerNetwork network = NETWORKS.get().computeIfAbsent(blob.fingerprint(), fingerprint -> {
            MultiLayerNetwork built = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(blob.configurationJson()));
            built.init(Nd4j.create(blob.parameters(), new long[] {1, blob.parameters().length}, 'c'), true);
            return built;
        });
        INDArray baseParameters = Nd4j.create(blob.parameters(), new long[] {1, blob.parameters().length}, 'c');
        List<ShardCount> counts = new ArrayList<>();
        for (Map.Entry<Integer, List<TensorOverride>> variant : variants.entrySet()) {
            long start = System.nanoTime();
            try {
                network.setParams(baseParameters);
                for (TensorOverride override : variant.getValue()) {
                    network.setParam(override.paramKey(), Nd4j.create(override.values(), override.shape(), 'c'));
                }
                long correct = Accuracy.countCorrect(network, shard.pixels(), shard.labels(), batchSize);
                counts.add(new ShardCount(variant.getKey(), correct, shard.labels().length, System.nanoTime() - start, null));
            } catch (RuntimeException e) {
                counts.add(new ShardCount(variant.getKey(), 0, 0, System.nanoTime() - start,
                        "evaluation of shard " + shard.index() + " failed: " + e));
            }
        }
        return counts;
    }

    @Override
    public void close() {
        shards.unpersist(false);
        testSet.destroy();
        base.destroy();
    }
}
