package org.kqsweep.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark MLlib's {@link KMeans} on the tensor's values as a one-column DataFrame.
 *
 * <p>Runs Spark jobs, so it must be called on the driver; several calls may run at once from
 * different driver threads. MLlib returns fewer than K centers when the tensor has fewer distinct
 * values than K; the result then has a smaller effective K. MLlib rejects K = 1, so K = 1 returns
 * the mean of the weights without calling MLlib. Each weight maps to the nearest center (ties to
 * the smaller center) after the centers are rounded to float32; centers with no weight are
 * dropped. {@code converged} is true when MLlib stopped before {@code maxIterations}.
 */
public final class MllibQuantizer implements Quantizer {

    private static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false);

    private final SparkSession spark;
    private final int maxIterations;
    private final String initMode;
    private final int partitions;

    /**
     * @param maxIterations MLlib's {@code maxIter}, at least 1
     * @param initMode      {@code k-means||} or {@code random}
     * @param partitions    partitions of the one-column DataFrame, at least 1
     */
    public MllibQuantizer(SparkSession spark, int maxIterations, String initMode, int partitions) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("mllib maxIterations must be at least 1, found " + maxIterations);
        }
        if (!initMode.equals("k-means||") && !initMode.equals("random")) {
            throw new IllegalArgumentException("mllib init mode must be k-means|| or random, found '" + initMode + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("mllib partitions must be at least 1, found " + partitions);
        }
        this.spark = spark;
        this.maxIterations = maxIterations;
        this.initMode = initMode;
        this.partitions = partitions;
    }

    @Override
    public QuantizationResult quantize(float[] weights, int k, long seed) {
        Quantizer.checkArguments(weights, k);
        if (k == 1) {
            double sum = 0;
            for (float w : weights) {
                sum += w;
            }
            float[] mean = new float[weights.length];
            Arrays.fill(mean, (float) (sum / weights.length));
            return QuantizationResult.fromValues(weights, mean, 0, true);
        }
        List<Row> rows = new ArrayList<>(weights.length);
        for (float w : weights) {
            rows.add(RowFactory.create(Vectors.dense(w)));
        }
        // parallelize slices the rows by position, so every partition contains the same rows in the
        // same order in local mode and on a cluster. After a shuffle (repartition) the order follows
        // block fetch completion, and k-means|| then draws other initial centers for the same seed.
        JavaRDD<Row> slices = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
        Dataset<Row> frame = spark.createDataFrame(slices, SCHEMA);
        KMeansModel model = new KMeans()
                .setK(k)
                .setSeed(seed)
                .setMaxIter(maxIterations)
                .setInitMode(initMode)
                .fit(frame);
        Vector[] centers = model.clusterCenters();
        float[] sorted = new float[centers.length];
        for (int j = 0; j < centers.length; j++) {
            sorted[j] = (float) centers[j].apply(0);
        }
        Arrays.sort(sorted);
        float[] quantized = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            quantized[i] = sorted[nearest(sorted, weights[i])];
        }
        int iterations = model.summary().numIter();
        return QuantizationResult.fromValues(weights, quantized, iterations, iterations < maxIterations);
    }

    /** Index of the sorted center nearest to {@code value}, ties to the smaller center. */
    static int nearest(float[] sortedCenters, float value) {
        int insertion = Arrays.binarySearch(sortedCenters, value);
        if (insertion >= 0) {
            return insertion;
        }
        int above = -insertion - 1;
        if (above == 0) {
            return 0;
        }
        if (above == sortedCenters.length) {
            return sortedCenters.length - 1;
        }
        double below = (double) value - sortedCenters[above - 1];
        double over = (double) sortedCenters[above] - value;
        return below <= over ? above - 1 : above;
    }
}
