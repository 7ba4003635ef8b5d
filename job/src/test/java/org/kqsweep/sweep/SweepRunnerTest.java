package org.kqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kqsweep.data.MnistData;
import org.kqsweep.model.Accuracy;
import org.kqsweep.model.ModelStore;
import org.kqsweep.testing.TestFixtures;

/** Small sweeps in local mode on the embedded digits, checked against independent counts. */
class SweepRunnerTest {

    private static SparkSession spark;
    private static MnistData data;
    private static ModelStore.BaseModel model;

    @BeforeAll
    static void start() throws Exception {
        spark = TestFixtures.localSpark();
        data = TestFixtures.data();
        model = TestFixtures.model();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static SweepConfig config(String... overrides) {
        return TestFixtures.TRAINING.with("grid.methods=mllib,fixed,uniform", "grid.k=2,8", "grid.layers=conv1,all",
                "grid.seeds=1", "sweep.batch-cells=5").with(overrides);
    }

    private static SweepRunner.Summary sweep(SweepConfig config, Path out) throws Exception {
        return new SweepRunner(spark, config, out.toString(), model, data, "embedded", "test").run();
    }

    private static List<Row> cells(Path out) {
        return spark.read().parquet(out.resolve("cells").toString()).collectAsList();
    }

    @Test
    void sweepWritesOneCorrectRowPerCell(@TempDir Path out) throws Exception {
        SweepRunner.Summary summary = sweep(config(), out);

        assertEquals(12, summary.planned());
        assertEquals(12, summary.ok());
        List<Row> rows = cells(out);
        assertEquals(12, rows.size());
        long baselineCorrect = Accuracy.countCorrect(model.network(), data.test().pixels(), data.test().labels(), 500);
        double baseline = (double) baselineCorrect / data.test().count();
        assertEquals(baseline, summary.baselineAccuracy(), 0.0);
        Set<String> keys = new HashSet<>();
        for (Row row : rows) {
            keys.add(row.getAs("cell_key"));
            assertEquals("ok", row.getAs("status"));
            assertNull(row.getAs("error"));
            long evaluated = row.getAs("evaluated");
            long correct = row.getAs("correct");
            assertEquals(data.test().count(), evaluated);
            assertEquals((double) correct / evaluated, (double) row.getAs("accuracy"), 0.0);
            assertEquals(baseline, (double) row.getAs("baseline_accuracy"), 0.0);
            assertEquals(baseline - (double) row.getAs("accuracy"), (double) row.getAs("accuracy_drop"), 1e-12);
            int k = row.getAs("k");
            int kEffective = row.getAs("k_effective");
            assertTrue(kEffective >= 1, "k_effective " + kEffective + " for K " + k);
            assertTrue(kEffective <= k, "k_effective " + kEffective + " for K " + k);
            assertEquals(SizeAccounting.bitsPerIndex(kEffective), (int) row.getAs("bits_per_index"));
            assertEquals(4L * model.network().numParams(), (long) row.getAs("original_bytes"));
        }
        assertEquals(12, keys.size());
    }

    @Test
    void sizeAccountingOfSingleLayerCell(@TempDir Path out) throws Exception {
        sweep(config("grid.methods=uniform", "grid.k=4", "grid.layers=conv1"), out);

        Row row = cells(out).get(0);
        // conv1 has 32 x 1 x 3 x 3 = 288 weights: at K = 4 they cost 288 * 2 bits + 4 * 32 bits = 88 bytes.
        assertEquals(288L, (long) row.getAs("weights_quantized"));
        assertEquals(4, (int) row.getAs("k_effective"));
        long original = 4L * model.network().numParams();
        assertEquals(original - 288 * 4 + 88, (long) row.getAs("quantized_bytes"));
        assertEquals(100.0 * (1 - (double) (original - 288 * 4 + 88) / original), (double) row.getAs("compression_percent"), 1e-9);
    }

    @Test
    void rerunSkipsDoneCellsAndAddsNewOnes(@TempDir Path out) throws Exception {
        sweep(config(), out);
        SweepRunner.Summary again = sweep(config(), out);
        assertEquals(12, again.skipped());
        assertEquals(0, again.ok());
        assertEquals(12, cells(out).size());

        SweepRunner.Summary wider = sweep(config("grid.k=2,4,8"), out);
        assertEquals(12, wider.skipped());
        assertEquals(6, wider.ok());
        List<Row> rows = cells(out);
        assertEquals(18, rows.size());
        assertEquals(18, rows.stream().map(row -> (String) row.getAs("cell_key")).distinct().count());
        assertEquals(3, spark.read().parquet(out.resolve("runs").toString()).count());
    }

    @Test
    void writtenSchemaMatchesDeclaredColumns(@TempDir Path out) throws Exception {
        sweep(config("grid.methods=uniform", "grid.k=2", "grid.layers=conv1"), out);

        StructField[] written = spark.read().parquet(out.resolve("cells").toString()).schema().fields();
        StructField[] declared = CellSchema.CELLS.fields();
        assertEquals(declared.length, written.length);
        for (int i = 0; i < declared.length; i++) {
            assertEquals(declared[i].name(), written[i].name());
            assertEquals(declared[i].dataType(), written[i].dataType(), declared[i].name());
        }
    }

    @Test
    void everyTensorSkippedKeepsBaselineAccuracy(@TempDir Path out) throws Exception {
        sweep(config("grid.methods=fixed", "grid.k=2", "grid.layers=conv1", "quant.min-weights=1000"), out);

        Row row = cells(out).get(0);
        assertEquals("ok", row.getAs("status"));
        assertEquals(0L, (long) row.getAs("weights_quantized"));
        assertEquals((double) row.getAs("baseline_accuracy"), (double) row.getAs("accuracy"), 0.0);
        assertTrue(((String) row.getAs("note")).contains("conv1/W (288 values < quant.min-weights 1000)"),
                (String) row.getAs("note"));
    }
}
