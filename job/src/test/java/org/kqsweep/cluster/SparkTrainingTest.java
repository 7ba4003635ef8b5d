package org.kqsweep.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kqsweep.data.MnistData;
import org.kqsweep.data.MnistSplit;
import org.kqsweep.model.Accuracy;
import org.kqsweep.model.ModelStore;
import org.kqsweep.sweep.SweepConfig;
import org.kqsweep.testing.TestFixtures;

/**
 * {@code train.mode=spark}: deeplearning4j-spark parameter averaging on two local-mode executor
 * threads, on every fourth training image of the embedded digits to keep the test short.
 */
class SparkTrainingTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestFixtures.localSpark();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sparkTrainingLearnsAndCachesModel(@TempDir Path cache) throws Exception {
        MnistData full = TestFixtures.data();
        MnistData data = new MnistData(everyFourth(full.train()), full.test());
        SweepConfig config = TestFixtures.TRAINING.with("train.mode=spark", "train.epochs=2");

        ModelStore.BaseModel model = new ModelStore(cache).baseModel(config, data,
                JavaSparkContext.fromSparkContext(spark.sparkContext()));

        assertTrue(model.source().endsWith("-epochs2-spark.zip"), model.source());
        assertTrue(Files.isRegularFile(Path.of(model.source())), model.source());
        long correct = Accuracy.countCorrect(model.network(), data.test().pixels(), data.test().labels(), 500);
        double accuracy = (double) correct / data.test().count();
        // Chance is 0.1 for ten classes. Two epochs on these 1,999 images reached 0.67 on 2 cores, so
        // 0.3 leaves room for other thread counts yet fails when the averaged parameters do not learn.
        assertTrue(accuracy > 0.3, "test accuracy " + accuracy + " after Spark training");

        ModelStore.BaseModel cached = new ModelStore(cache).baseModel(config, data, null);
        assertEquals(model.fingerprint(), cached.fingerprint(), "the second call must load the cached model");
    }

    private static MnistSplit everyFourth(MnistSplit split) {
        int count = (split.count() + 3) / 4;
        float[] pixels = new float[count * MnistSplit.PIXELS_PER_IMAGE];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(split.pixels(), 4 * i * MnistSplit.PIXELS_PER_IMAGE, pixels, i * MnistSplit.PIXELS_PER_IMAGE,
                    MnistSplit.PIXELS_PER_IMAGE);
            labels[i] = split.labels()[4 * i];
        }
        return new MnistSplit(pixels, labels);
    }
}
