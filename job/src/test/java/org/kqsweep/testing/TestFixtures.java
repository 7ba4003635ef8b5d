package org.kqsweep.testing;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;
import org.kqsweep.data.EmbeddedData;
import org.kqsweep.data.MnistData;
import org.kqsweep.model.ModelStore;
import org.kqsweep.sweep.SweepConfig;

/**
 * Shared pieces of the Spark tests: the repository root, the embedded digits and a small model
 * trained once per JVM and cached under {@code job/target/test-cache}.
 */
public final class TestFixtures {

    /** Training settings of the test model: one epoch reaches about 90% on the embedded digits. */
    public static final SweepConfig TRAINING = SweepConfig.defaults().with("train.epochs=1", "hdl.enabled=false");

    private static MnistData data;
    private static ModelStore.BaseModel model;

    private TestFixtures() {
    }

    /** Returns the checkout root, which surefire sets as the {@code kqsweep.repo} system property. */
    public static Path repo() {
        return Path.of(System.getProperty("kqsweep.repo", "..")).toAbsolutePath().normalize();
    }

    public static Path cache() {
        return repo().resolve("job/target/test-cache");
    }

    public static synchronized MnistData data() throws IOException {
        if (data == null) {
            data = MnistData.load(EmbeddedData.ensureDataDir(repo(), cache()));
        }
        return data;
    }

    public static synchronized ModelStore.BaseModel model() throws IOException {
        if (model == null) {
            model = new ModelStore(cache().resolve("models")).baseModel(TRAINING, data(), null);
        }
        return model;
    }

    /** Creates a local-mode session on loopback with two cores. */
    public static SparkSession localSpark() {
        return SparkSession.builder().appName("kqsweep-test").master("local[2]")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
