package org.kqsweep.sweep;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.kqsweep.quant.FixedPointKMeans;
import org.kqsweep.quant.Method;

/**
 * The settings of one sweep, read from a properties file and overridden by {@code key=value}
 * pairs from the command line.
 *
 * <p>Every key, its default and its meaning are declared once in {@link #DEFAULTS}; an unknown
 * key or an invalid value fails with a message naming the key, the value and what is expected.
 * Lists are comma separated.
 */
public final class SweepConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Keys with their defaults and descriptions, in the order {@code --help} lists them. */
    public static final Map<String, String[]> DEFAULTS = new LinkedHashMap<>();

    static {
        define("model.architecture", "keras-convnet", "CNN to train: keras-convnet or keras-cnn");
        define("model.path", "", "saved DL4J model zip to load instead of training (empty: train or reuse the cache)");
        define("train.mode", "local", "local (one JVM) or spark (deeplearning4j-spark parameter averaging)");
        define("train.epochs", "15", "training epochs");
        define("train.seed", "42", "seed of weight initialization and shuffling");
        define("train.batch-size", "128", "minibatch size");
        define("train.learning-rate", "0.001", "Adam learning rate");
        define("train.averaging-frequency", "5", "minibatches per worker between parameter averages (train.mode=spark)");
        define("grid.methods", "mllib,fixed,uniform", "quantization methods: mllib, fixed, uniform");
        define("grid.k", "2,4,8,16,32,64,128,256", "numbers of clusters K, each at least 1");
        define("grid.layers", "each,all", "layer targets: layer names, 'each' for every layer alone, 'all' for all layers at once");
        define("grid.seeds", "1,2", "grid seeds; methods that ignore seeds run once per seed anyway");
        define("quant.include-biases", "false", "also quantize bias vectors, each with its own codebook");
        define("quant.min-weights", "1", "tensors with fewer values stay in float, and the row says so");
        define("fixed.word-bits", "16", "fixed-point code width W in bits, 4 to 24");
        define("fixed.max-iterations", "100", "fixed-point Lloyd iteration cap");
        define("fixed.init", "linear", "fixed-point initialization: linear or seeded");
        define("mllib.max-iterations", "20", "MLlib KMeans maxIter (MLlib's own default is 20)");
        define("mllib.init-mode", "k-means||", "MLlib KMeans initMode: k-means|| or random");
        define("mllib.partitions", "1", "partitions of each MLlib input DataFrame");
        define("eval.partitions", "0", "test-set partitions; 0 means twice Spark's default parallelism");
        define("eval.batch-size", "500", "images per forward pass during evaluation");
        define("sweep.batch-cells", "48", "cells clustered, evaluated and written together; the unit of progress and resume");
        define("hdl.enabled", "true", "run the VHDL co-simulation stage for every fixed cell of a single layer");
        define("hdl.ghdl", "ghdl", "GHDL command on the executors");
        define("hdl.timeout-seconds", "600", "wall-clock limit of one simulation");
        define("hdl.stop-time-ms", "0", "simulated-time limit in ms; 0 derives it from the cycle formula");
    }

    private static void define(String key, String value, String description) {
        DEFAULTS.put(key, new String[] {value, description});
    }

    private final TreeMap<String, String> values;

    private SweepConfig(Map<String, String> values) {
        this.values = new TreeMap<>(values);
        validate();
    }

    /** Returns the defaults alone. */
    public static SweepConfig defaults() {
        return of(null, List.of());
    }

    /**
     * Reads {@code file} (may be null for defaults only) and applies {@code overrides} of the form
     * {@code key=value} in order.
     */
    public static SweepConfig of(Path file, List<String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        DEFAULTS.forEach((key, entry) -> merged.put(key, entry[0]));
        if (file != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("configuration file " + file + " not found; pass an existing file to --config", e);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
            for (String key : properties.stringPropertyNames()) {
                put(merged, key, properties.getProperty(key), "in " + file);
            }
        }
        for (String override : overrides) {
            applyOverride(merged, override, "on the command line");
        }
        return new SweepConfig(merged);
    }

    private static void applyOverride(Map<String, String> merged, String override, String where) {
        int equals = override.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("invalid override '" + override + "' " + where + "; expected key=value");
        }
        put(merged, override.substring(0, equals).trim(), override.substring(equals + 1), where);
    }

    private static void put(Map<String, String> merged, String key, String value, String where) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException("unknown configuration key '" + key + "' " + where
                    + "; known keys: " + String.join(", ", DEFAULTS.keySet()));
        }
        merged.put(key, value.trim());
    }

    /** Returns a copy with further {@code key=value} overrides applied. */
    public SweepConfig with(String... overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        for (String override : overrides) {
            applyOverride(merged, override, "passed to SweepConfig.with");
        }
        return new SweepConfig(merged);
    }

    private void validate() {
        architecture();
        trainMode();
        positive("train.epochs");
        integer("train.seed");
        positive("train.batch-size");
        double rate = decimal("train.learning-rate");
        if (!(rate > 0)) {
            throw invalid("train.learning-rate", "a positive number");
        }
        positive("train.averaging-frequency");
        if (methods().isEmpty()) {
            throw invalid("grid.methods", "at least one of mllib, fixed, uniform");
        }
        if (ks().isEmpty()) {
            throw invalid("grid.k", "at least one K");
        }
        for (int k : ks()) {
            if (k < 1) {
                throw invalid("grid.k", "integers of at least 1");
            }
        }
        if (layers().isEmpty()) {
            throw invalid("grid.layers", "at least one layer target");
        }
        if (seeds().isEmpty()) {
            throw invalid("grid.seeds", "at least one integer seed");
        }
        bool("quant.include-biases");
        positive("quant.min-weights");
        int wordBits = integer("fixed.word-bits");
        if (wordBits < FixedPointKMeans.MIN_WORD_BITS || wordBits > FixedPointKMeans.MAX_WORD_BITS) {
            throw invalid("fixed.word-bits", "an integer from " + FixedPointKMeans.MIN_WORD_BITS + " to "
                    + FixedPointKMeans.MAX_WORD_BITS);
        }
        positive("fixed.max-iterations");
        fixedInit();
        positive("mllib.max-iterations");
        String mode = get("mllib.init-mode");
        if (!mode.equals("k-means||") && !mode.equals("random")) {
            throw invalid("mllib.init-mode", "k-means|| or random");
        }
        positive("mllib.partitions");
        if (integer("eval.partitions") < 0) {
            throw invalid("eval.partitions", "0 or a positive integer");
        }
        positive("eval.batch-size");
        positive("sweep.batch-cells");
        bool("hdl.enabled");
        positive("hdl.timeout-seconds");
        if (integer("hdl.stop-time-ms") < 0) {
            throw invalid("hdl.stop-time-ms", "0 or a positive integer");
        }
    }

    /** Returns the raw value of {@code key}. */
    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("unknown configuration key '" + key + "'");
        }
        return value;
    }

    public int integer(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw invalid(key, "an integer");
        }
    }

    private double decimal(String key) {
        try {
            return Double.parseDouble(get(key));
        } catch (NumberFormatException e) {
            throw invalid(key, "a number");
        }
    }

    private int positive(String key) {
        int value = integer(key);
        if (value < 1) {
            throw invalid(key, "a positive integer");
        }
        return value;
    }

    public boolean bool(String key) {
        String value = get(key).toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw invalid(key, "true or false");
        }
        return value.equals("true");
    }

    private List<String> list(String key) {
        List<String> items = new ArrayList<>();
        for (String item : get(key).split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    private IllegalArgumentException invalid(String key, String expected) {
        return new IllegalArgumentException("invalid value '" + values.get(key) + "' for " + key + "; expected " + expected);
    }

    public String architecture() {
        String value = get("model.architecture");
        if (!value.equals("keras-convnet") && !value.equals("keras-cnn")) {
            throw invalid("model.architecture", "keras-convnet or keras-cnn");
        }
        return value;
    }

    public String trainMode() {
        String value = get("train.mode");
        if (!value.equals("local") && !value.equals("spark")) {
            throw invalid("train.mode", "local or spark");
        }
        return value;
    }

    public String modelPath() {
        return get("model.path");
    }

    public List<Method> methods() {
        List<Method> methods = new ArrayList<>();
        for (String item : list("grid.methods")) {
            try {
                Method method = Method.parse(item);
                if (!methods.contains(method)) {
                    methods.add(method);
                }
            } catch (IllegalArgumentException e) {
                throw invalid("grid.methods", "a list of mllib, fixed, uniform");
            }
        }
        return methods;
    }

    public List<Integer> ks() {
        return distinctIntegers("grid.k");
    }

    public List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (String item : list("grid.seeds")) {
            try {
                long seed = Long.parseLong(item);
                if (!seeds.contains(seed)) {
                    seeds.add(seed);
                }
            } catch (NumberFormatException e) {
                throw invalid("grid.seeds", "a list of integers");
            }
        }
        return seeds;
    }

    public List<String> layers() {
        return list("grid.layers").stream().distinct().toList();
    }

    private List<Integer> distinctIntegers(String key) {
        List<Integer> result = new ArrayList<>();
        for (String item : list(key)) {
            try {
                int value = Integer.parseInt(item);
                if (!result.contains(value)) {
                    result.add(value);
                }
            } catch (NumberFormatException e) {
                throw invalid(key, "a list of integers");
            }
        }
        return result;
    }

    public FixedPointKMeans.Init fixedInit() {
        try {
            return FixedPointKMeans.Init.parse(get("fixed.init"));
        } catch (IllegalArgumentException e) {
            throw invalid("fixed.init", "linear or seeded");
        }
    }

    /** Settings that change a method's result, recorded with each cell and part of its key. */
    public String methodParameters(Method method) {
        String biases = "biases=" + bool("quant.include-biases") + ",min-weights=" + integer("quant.min-weights");
        return switch (method) {
            case MLLIB -> "max-iter=" + get("mllib.max-iterations") + ",init=" + get("mllib.init-mode") + "," + biases;
            case FIXED -> "word-bits=" + get("fixed.word-bits") + ",max-iter=" + get("fixed.max-iterations")
                    + ",init=" + fixedInit().name().toLowerCase(Locale.ROOT) + "," + biases;
            case UNIFORM -> biases;
        };
    }

    /** Tells whether a method's result depends on the grid seed under this configuration. */
    public boolean usesSeed(Method method) {
        return switch (method) {
            case MLLIB -> true;
            case FIXED -> fixedInit() == FixedPointKMeans.Init.SEEDED;
            case UNIFORM -> false;
        };
    }

    /** Returns all settings as sorted {@code key=value} lines. */
    public String toProperties() {
        StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    /** SHA-256 of {@link #toProperties()}, first 16 hex digits. */
    public String fingerprint() {
        return sha256(toProperties()).substring(0, 16);
    }

    static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return toProperties();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SweepConfig config && config.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

}
