package org.kqsweep.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kqsweep.data.MnistData;
import org.kqsweep.model.ModelStore;
import org.kqsweep.sweep.SweepConfig;
import org.kqsweep.sweep.SweepRunner;
import org.kqsweep.testing.TestFixtures;

/** The hardware stage in local mode: GHDL simulations of real layer weights against the Java model. */
class CoSimulationTest {

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

    private static List<Row> runBoth(SweepConfig config, Path out) throws Exception {
        String runId = new SweepRunner(spark, config, out.toString(), model, data, "embedded", "test").run().runId();
        new CoSimulation(spark, config, out.toString(), model, data, TestFixtures.repo(), "test").run(runId);
        return spark.read().parquet(out.resolve("hdl").toString()).collectAsList();
    }

    @Test
    void everySingleLayerFixedCellIsBitExact(@TempDir Path out) throws Exception {
        SweepConfig config = TestFixtures.TRAINING.with("grid.methods=fixed,uniform", "grid.k=4", "grid.layers=each,all",
                "grid.seeds=1,2");

        List<Row> rows = runBoth(config, out);

        // fixed x K=4 x three single layers x two seeds; 'all' and uniform cells have no simulation.
        assertEquals(6, rows.size());
        Map<String, Double> cellAccuracy = new HashMap<>();
        for (Row cell : spark.read().parquet(out.resolve("cells").toString()).filter("method = 'fixed'").collectAsList()) {
            cellAccuracy.put(cell.getAs("layer") + "/" + cell.getAs("seed"), cell.getAs("accuracy"));
        }
        for (Row row : rows) {
            String where = row.getAs("layer") + "/" + row.getAs("seed");
            assertEquals("ok", row.getAs("status"), where + ": " + row.getAs("error"));
            assertTrue((Boolean) row.getAs("bit_exact"), where);
            assertEquals(0, (int) row.getAs("codebook_mismatches"), where);
            assertEquals(0L, (long) row.getAs("index_mismatches"), where);
            assertEquals((int) row.getAs("java_iterations"), (int) row.getAs("iterations"), where);
            assertEquals(cellAccuracy.get(where), (Double) row.getAs("hw_accuracy"), 0.0, where);
            assertEquals(cellAccuracy.get(where), (Double) row.getAs("java_accuracy"), 0.0, where);
        }

        List<Row> again = runBoth(config, out);
        assertEquals(6, again.size());
    }

    @Test
    void seededInitializationIsBitExact(@TempDir Path out) throws Exception {
        SweepConfig config = TestFixtures.TRAINING.with("grid.methods=fixed", "grid.k=8", "grid.layers=conv1",
                "grid.seeds=1,7", "fixed.init=seeded");

        List<Row> rows = runBoth(config, out);

        assertEquals(2, rows.size());
        for (Row row : rows) {
            assertEquals("seeded", row.getAs("init"));
            assertTrue((Boolean) row.getAs("bit_exact"), "seed " + row.getAs("seed") + ": " + row.getAs("error"));
        }
    }
}
