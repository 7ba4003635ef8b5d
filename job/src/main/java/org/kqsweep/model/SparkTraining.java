package org.kqsweep.model;

import java.util.List;
import java.util.Random;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.util.ExportSupport;
import org.kqsweep.data.MnistData;
import org.kqsweep.sweep.SweepConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the base network on Spark executors with deeplearning4j-spark's synchronous parameter
 * averaging: each worker fits {@code train.averaging-frequency} minibatches of
 * {@code train.batch-size} images, then the driver averages the parameters and updater state.
 */
final class SparkTraining {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTraining.class);

    /** Images per element of the training RDD; the training master regroups them into minibatches. */
    private static final int EXAMPLES_PER_ELEMENT = 16;

    private SparkTraining() {
    }

    static MultiLayerNetwork train(Architecture architecture, SweepConfig config, MnistData data, JavaSparkContext spark) {
        long seed = config.integer("train.seed");
        int epochs = config.integer("train.epochs");
        int batchSize = config.integer("train.batch-size");
        // Export writes the minibatches to files under hadoop.tmp.dir on the default file system for
        // the workers to read. DL4J rejects it on a cluster whose default file system is the local
        // one, because executors on other hosts could not read the files, so there the workers
        // train from the RDD itself (Direct).
        RDDTrainingApproach approach = ExportSupport.exportSupported(spark) ? RDDTrainingApproach.Export : RDDTrainingApproach.Direct;
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(EXAMPLES_PER_ELEMENT)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(config.integer("train.averaging-frequency"))
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(approach)
                .rngSeed(seed)
                .build();
        SparkDl4jMultiLayer trainer = new SparkDl4jMultiLayer(spark,
                architecture.configuration(seed, Double.parseDouble(config.get("train.learning-rate"))), master);
        LOG.info("Training {} on Spark with parameter averaging ({} approach) on {} images for {} epoch(s)", architecture.id(),
                approach, data.train().count(), epochs);
        Random random = new Random(seed);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            List<DataSet> elements = Batches.shuffled(data.train(), EXAMPLES_PER_ELEMENT, random);
            JavaRDD<DataSet> rdd = spark.parallelize(elements, spark.defaultParallelism());
            trainer.fit(rdd);
            MultiLayerNetwork network = trainer.getNetwork();
            long correct = Accuracy.countCorrect(network, data.test().pixels(), data.test().labels(), 500);
            LOG.info("Epoch {}/{}: {} s, test accuracy {}", epoch, epochs,
                    String.format("%.1f", (System.nanoTime() - start) / 1e9),
                    String.format("%.4f", (double) correct / data.test().count()));
        }
        master.deleteTempFiles(spark);
        return trainer.getNetwork();
    }
}
