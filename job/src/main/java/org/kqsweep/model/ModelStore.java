package org.kqsweep.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.kqsweep.data.MnistData;
import org.kqsweep.sweep.SweepConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides the base network of a sweep: loads a given model file, or reuses a cached model
 * trained earlier on the same data with the same settings, or trains one and caches it.
 *
 * <p>A cached model is named after the architecture, the data fingerprint, the training seed,
 * the epochs and the training mode, so a change to any of them trains anew. Models are written
 * to a temporary file and renamed into place, so a killed run never leaves a partial model.
 */
public final class ModelStore {

    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    private final Path cacheDirectory;

    public ModelStore(Path cacheDirectory) {
        this.cacheDirectory = cacheDirectory;
    }

    /** A loaded or trained network with the facts that identify it. */
    public record BaseModel(MultiLayerNetwork network, String architecture, String fingerprint, String source) {
    }

    /**
     * Returns the base model for {@code config}, training it with {@code spark} when
     * {@code train.mode=spark}.
     */
    public BaseModel baseModel(SweepConfig config, MnistData data, JavaSparkContext spark) throws IOException {
        if (!config.modelPath().isEmpty()) {
            Path file = Path.of(config.modelPath());
            if (!Files.isRegularFile(file)) {
                throw new IOException("model file " + file + " (model.path) not found; give a DL4J model zip saved with ModelSerializer");
            }
            MultiLayerNetwork network = load(file);
            LOG.info("Loaded model {} ({} parameters)", file, network.numParams());
            return new BaseModel(network, "file:" + file.getFileName(), fingerprint(network), file.toString());
        }
        Architecture architecture = Architecture.parse(config.architecture());
        String name = String.format("%s-%s-seed%s-epochs%d-%s.zip", architecture.id(), data.fingerprint().substring(0, 16),
                config.get("train.seed"), config.integer("train.epochs"), config.trainMode());
        Path file = cacheDirectory.resolve(name);
        if (Files.isRegularFile(file)) {
            MultiLayerNetwork network = load(file);
            LOG.info("Reusing cached model {}", file);
            return new BaseModel(network, architecture.id(), fingerprint(network), file.toString());
        }
        MultiLayerNetwork network = config.trainMode().equals("spark")
                ? SparkTraining.train(architecture, config, data, spark)
                : train(architecture, config, data);
        save(network, file);
        return new BaseModel(network, architecture.id(), fingerprint(network), file.toString());
    }

    /** Trains {@code architecture} in this JVM with Adam, shuffling the training set every epoch. */
    public static MultiLayerNetwork train(Architecture architecture, SweepConfig config, MnistData data) {
        long seed = config.integer("train.seed");
        int epochs = config.integer("train.epochs");
        int batchSize = config.integer("train.batch-size");
        MultiLayerNetwork network = new MultiLayerNetwork(
                architecture.configuration(seed, Double.parseDouble(config.get("train.learning-rate"))));
        network.init();
        LOG.info("Training {} ({} parameters) on {} images for {} epoch(s)", architecture.id(), network.numParams(),
                data.train().count(), epochs);
        Random random = new Random(seed);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            for (var batch : Batches.shuffled(data.train(), batchSize, random)) {
                network.fit(batch);
            }
            long correct = Accuracy.countCorrect(network, data.test().pixels(), data.test().labels(), 500);
            LOG.info("Epoch {}/{}: {} s, test accuracy {}", epoch, epochs,
                    String.format("%.1f", (System.nanoTime() - start) / 1e9),
                    String.format("%.4f", (double) correct / data.test().count()));
        }
        return network;
    }

    private static MultiLayerNetwork load(Path file) throws IOException {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read model " + file + ": " + e.getMessage()
                    + "; delete it from the cache to train again, or give a DL4J MultiLayerNetwork zip", e);
        }
    }

    private static void save(MultiLayerNetwork network, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            ModelSerializer.writeModel(network, temporary.toFile(), false);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Saved model {}", file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** SHA-256 of the network configuration and its parameters, first 16 hex digits. */
    public static String fingerprint(MultiLayerNetwork network) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(network.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
            for (float value : network.params().dup('c').data().asFloat()) {
                int bits = Float.floatToIntBits(value);
                digest.update(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
