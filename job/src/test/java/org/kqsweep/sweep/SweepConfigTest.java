package org.kqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kqsweep.quant.FixedPointKMeans;
import org.kqsweep.quant.Method;

class SweepConfigTest {

    @TempDir
    Path dir;

    private Path writeProperties(String text) throws IOException {
        Path file = dir.resolve("sweep.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    // Defaults

    @Test
    void defaultsMatchDeclaredValues() {
        SweepConfig config = SweepConfig.defaults();

        for (String key : SweepConfig.DEFAULTS.keySet()) {
            assertEquals(SweepConfig.DEFAULTS.get(key)[0], config.get(key), key);
        }
    }

    @Test
    void defaultsParsed() {
        SweepConfig config = SweepConfig.defaults();

        assertEquals(List.of(Method.MLLIB, Method.FIXED, Method.UNIFORM), config.methods());
        assertEquals(List.of(2, 4, 8, 16, 32, 64, 128, 256), config.ks());
        assertEquals(List.of("each", "all"), config.layers());
        assertEquals(List.of(1L, 2L), config.seeds());
        assertEquals(FixedPointKMeans.Init.LINEAR, config.fixedInit());
        assertEquals(16, config.integer("fixed.word-bits"));
        assertFalse(config.bool("quant.include-biases"));
    }

    @Test
    void everyKeyDescribed() {
        for (var entry : SweepConfig.DEFAULTS.entrySet()) {
            assertFalse(entry.getValue()[1].isBlank(), entry.getKey());
        }
    }

    // Sources and precedence

    @Test
    void fileOverridesDefaults() throws IOException {
        Path file = writeProperties("train.epochs=3\ngrid.k = 4, 8\n");

        SweepConfig config = SweepConfig.of(file, List.of());

        assertEquals(3, config.integer("train.epochs"));
        assertEquals(List.of(4, 8), config.ks());
        assertEquals(42, config.integer("train.seed"));
    }

    @Test
    void overridesBeatFile() throws IOException {
        Path file = writeProperties("train.epochs=3\ngrid.k=4,8\n");

        SweepConfig config = SweepConfig.of(file, List.of("grid.k=16", "fixed.init=seeded"));

        assertEquals(List.of(16), config.ks());
        assertEquals(3, config.integer("train.epochs"));
        assertEquals(FixedPointKMeans.Init.SEEDED, config.fixedInit());
    }

    @Test
    void laterOverrideWins() {
        SweepConfig config = SweepConfig.of(null, List.of("grid.k=2", "grid.k=64"));

        assertEquals(List.of(64), config.ks());
    }

    @Test
    void withAppliesOverrides() {
        SweepConfig config = SweepConfig.defaults().with("grid.seeds=5", "train.epochs=1");

        assertEquals(List.of(5L), config.seeds());
        assertEquals(1, config.integer("train.epochs"));
    }

    @Test
    void overrideValueMayContainEquals() {
        SweepConfig config = SweepConfig.of(null, List.of("model.path=/tmp/a=b.zip"));

        assertEquals("/tmp/a=b.zip", config.modelPath());
    }

    @Test
    void missingFileRejected() {
        Path missing = dir.resolve("missing.properties");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(missing, List.of()));

        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    }

    // Unknown keys and malformed overrides

    @Test
    void unknownOverrideKeyRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(null, List.of("grid.kk=4")));

        assertTrue(error.getMessage().contains("'grid.kk'"), error.getMessage());
    }

    @Test
    void unknownFileKeyRejected() throws IOException {
        Path file = writeProperties("train.epoch=3\n");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(file, List.of()));

        assertTrue(error.getMessage().contains("'train.epoch'"), error.getMessage());
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void unknownWithKeyRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.defaults().with("fixed.bits=8"));

        assertTrue(error.getMessage().contains("'fixed.bits'"), error.getMessage());
    }

    @Test
    void overrideWithoutEqualsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(null, List.of("grid.k")));

        assertTrue(error.getMessage().contains("'grid.k'"), error.getMessage());
    }

    @Test
    void withWithoutEqualsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.defaults().with("grid.k"));

        assertTrue(error.getMessage().contains("'grid.k'"), error.getMessage());
    }

    // Invalid values

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "grid.k|0",
        "grid.k|4,-2",
        "grid.k|four",
        "fixed.word-bits|30",
        "fixed.word-bits|3",
        "fixed.max-iterations|0",
        "train.epochs|abc",
        "train.epochs|0",
        "train.learning-rate|-0.1",
        "fixed.init|foo",
        "grid.methods|fixed,kmeans",
        "grid.seeds|one",
        "mllib.init-mode|kmeans",
        "quant.include-biases|yes",
        "model.architecture|resnet",
        "eval.partitions|-1",
    })
    void invalidValueRejected(String key, String value) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(null, List.of(key + "=" + value)));

        assertTrue(error.getMessage().contains(key), error.getMessage());
        assertTrue(error.getMessage().contains("'" + value + "'"), error.getMessage());
    }

    @Test
    void emptyKListRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(null, List.of("grid.k=")));

        assertTrue(error.getMessage().contains("grid.k"), error.getMessage());
        assertTrue(error.getMessage().contains("at least one K"), error.getMessage());
    }

    @Test
    void emptyMethodListRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SweepConfig.of(null, List.of("grid.methods=")));

        assertTrue(error.getMessage().contains("grid.methods"), error.getMessage());
    }

    @Test
    void wordBitLimitsAccepted() {
        assertEquals(4, SweepConfig.defaults().with("fixed.word-bits=4").integer("fixed.word-bits"));
        assertEquals(24, SweepConfig.defaults().with("fixed.word-bits=24").integer("fixed.word-bits"));
    }

    // Fingerprint

    @Test
    void fingerprintStable() {
        assertEquals(SweepConfig.defaults().fingerprint(), SweepConfig.defaults().fingerprint());
    }

    @Test
    void fingerprintChangesWithValue() {
        assertNotEquals(SweepConfig.defaults().fingerprint(),
                SweepConfig.defaults().with("fixed.max-iterations=99").fingerprint());
    }

    @Test
    void fingerprintIgnoresRestatedDefault() {
        assertEquals(SweepConfig.defaults().fingerprint(),
                SweepConfig.defaults().with("train.epochs=15").fingerprint());
    }

    @Test
    void fingerprintIgnoresSurroundingSpace() {
        assertEquals(SweepConfig.defaults().with("grid.seeds=7").fingerprint(),
                SweepConfig.defaults().with(" grid.seeds = 7 ").fingerprint());
    }

    @Test
    void fingerprintIsHexPrefix() {
        String fingerprint = SweepConfig.defaults().fingerprint();

        assertEquals(16, fingerprint.length());
        assertTrue(fingerprint.matches("[0-9a-f]{16}"), fingerprint);
    }

    // Method parameters and seeds

    @Test
    void fixedParametersNameInit() {
        SweepConfig linear = SweepConfig.defaults().with("fixed.init=linear");
        SweepConfig seeded = SweepConfig.defaults().with("fixed.init=seeded");

        assertNotEquals(linear.methodParameters(Method.FIXED), seeded.methodParameters(Method.FIXED));
        assertTrue(seeded.methodParameters(Method.FIXED).contains("init=seeded"),
                seeded.methodParameters(Method.FIXED));
    }

    @Test
    void fixedParametersIgnoreMllibSettings() {
        SweepConfig config = SweepConfig.defaults();

        assertEquals(config.methodParameters(Method.FIXED),
                config.with("mllib.max-iterations=7").methodParameters(Method.FIXED));
    }

    @Test
    void mllibParametersNameIterations() {
        SweepConfig config = SweepConfig.defaults().with("mllib.max-iterations=7");

        assertTrue(config.methodParameters(Method.MLLIB).contains("max-iter=7"), config.methodParameters(Method.MLLIB));
    }

    @Test
    void biasSettingInEveryMethod() {
        SweepConfig without = SweepConfig.defaults();
        SweepConfig with = without.with("quant.include-biases=true");

        for (Method method : Method.values()) {
            assertNotEquals(without.methodParameters(method), with.methodParameters(method), method.id());
        }
    }

    @Test
    void usesSeedPerMethod() {
        SweepConfig linear = SweepConfig.defaults().with("fixed.init=linear");
        SweepConfig seeded = SweepConfig.defaults().with("fixed.init=seeded");

        assertTrue(linear.usesSeed(Method.MLLIB));
        assertFalse(linear.usesSeed(Method.FIXED));
        assertTrue(seeded.usesSeed(Method.FIXED));
        assertFalse(linear.usesSeed(Method.UNIFORM));
    }

    @Test
    void equalConfigsEqual() {
        SweepConfig first = SweepConfig.defaults().with("grid.k=4");
        SweepConfig second = SweepConfig.of(null, List.of("grid.k=4"));

        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
    }
}
