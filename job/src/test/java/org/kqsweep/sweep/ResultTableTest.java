package org.kqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kqsweep.testing.TestFixtures;

/** Append, compaction and recovery of the Parquet result tables. */
class ResultTableTest {

    private static final StructType SCHEMA = new StructType()
            .add("cell_key", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("finished_at", DataTypes.TimestampType, false);

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestFixtures.localSpark();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Row row(String key, String status, long millis) {
        return RowFactory.create(key, status, new Timestamp(millis));
    }

    private static ResultTable table(Path out) {
        return new ResultTable(spark, out.toString(), "cells", SCHEMA, "cell_key");
    }

    @Test
    void appendKeepsEarlierBatches(@TempDir Path out) throws Exception {
        ResultTable table = table(out);
        table.append(List.of(row("a", "ok", 1), row("b", "failed", 2)));
        table.append(List.of(row("c", "ok", 3)));

        assertEquals(3, table.read().count());
        assertEquals(Set.of("a", "c"), table.completedKeys());
    }

    @Test
    void compactPrefersOkThenNewest(@TempDir Path out) throws Exception {
        ResultTable table = table(out);
        table.append(List.of(row("a", "failed", 1), row("b", "failed", 1), row("c", "ok", 1)));
        table.append(List.of(row("a", "ok", 2), row("b", "failed", 5)));

        table.compact();

        List<Row> rows = table.read().orderBy("cell_key").collectAsList();
        assertEquals(3, rows.size());
        assertEquals("ok", rows.get(0).getString(1));
        assertEquals("failed", rows.get(1).getString(1));
        assertEquals(5L, rows.get(1).getTimestamp(2).getTime());
        assertEquals("ok", rows.get(2).getString(1));
        assertFalse(Files.exists(out.resolve(".cells.previous")));
        assertFalse(Files.exists(out.resolve(".cells.replacement")));
    }

    @Test
    void recoverRestoresTableAfterInterruptedSwap(@TempDir Path out) throws Exception {
        ResultTable table = table(out);
        table.append(List.of(row("a", "ok", 1), row("b", "ok", 2)));
        // A compaction killed after its first rename leaves only the previous copy.
        Files.move(out.resolve("cells"), out.resolve(".cells.previous"));

        table(out).recover();

        assertTrue(Files.isDirectory(out.resolve("cells")));
        assertEquals(Set.of("a", "b"), table(out).completedKeys());
    }

    @Test
    void recoverPrefersCompleteReplacement(@TempDir Path out) throws Exception {
        ResultTable table = table(out);
        table.append(List.of(row("a", "failed", 1), row("a", "ok", 2)));
        Path replacement = out.resolve(".cells.replacement");
        spark.createDataFrame(List.of(row("a", "ok", 2)), SCHEMA).coalesce(1).write().parquet(replacement.toString());
        Files.move(out.resolve("cells"), out.resolve(".cells.previous"));

        table(out).recover();

        assertEquals(1, table(out).read().count());
        assertFalse(Files.exists(out.resolve(".cells.previous")));
    }
}
