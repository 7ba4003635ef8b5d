package org.kqsweep.sweep;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Parquet table under the output folder that only grows. Each batch of rows is appended as a
 * separate Spark write job, so rows written before a crash stay. Spark's commit protocol
 * publishes a batch whole or not at all.
 *
 * <p>A cell that failed and later succeeded has two rows until {@link #compact} keeps one row per
 * cell key. Compaction writes the new table beside the old one and swaps folders by rename; if a
 * run dies between the two renames, {@link #recover} on the next run puts the complete table back.
 * The folder may be any Hadoop FileSystem URI.
 */
public final class ResultTable {

    private static final Logger LOG = LoggerFactory.getLogger(ResultTable.class);

    private final SparkSession spark;
    private final StructType schema;
    private final String keyColumn;
    private final Path path;
    private final Path previous;
    private final Path replacement;

    /** @param keyColumn column that identifies a row's cell or simulation across runs */
    public ResultTable(SparkSession spark, String outDirectory, String name, StructType schema, String keyColumn) {
        this.spark = spark;
        this.schema = schema;
        this.keyColumn = keyColumn;
        this.path = new Path(outDirectory, name);
        this.previous = new Path(outDirectory, "." + name + ".previous");
        this.replacement = new Path(outDirectory, "." + name + ".replacement");
    }

    public String location() {
        return path.toString();
    }

    private FileSystem fileSystem() throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        return path.getFileSystem(conf);
    }

    /** Finishes a compaction that a killed run left between its two renames. */
    public void recover() throws IOException {
        FileSystem fs = fileSystem();
        if (!fs.exists(path) && fs.exists(new Path(replacement, "_SUCCESS"))) {
            fs.rename(replacement, path);
            LOG.warn("Recovered {} from an interrupted compaction", path);
        } else if (!fs.exists(path) && fs.exists(previous)) {
            fs.rename(previous, path);
            LOG.warn("Restored {} from an interrupted compaction", path);
        }
        if (fs.exists(path)) {
            fs.delete(previous, true);
            fs.delete(replacement, true);
        }
    }

    /** Appends rows as one write job. */
    public void append(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Append).parquet(path.toString());
    }

    /** Reads all rows, or an empty frame when nothing was written yet. */
    public Dataset<Row> read() throws IOException {
        if (!fileSystem().exists(path)) {
            return spark.createDataFrame(List.of(), schema);
        }
        return spark.read().schema(schema).parquet(path.toString());
    }

    /** Keys that already have a row with status {@code ok}. */
    public Set<String> completedKeys() throws IOException {
        Set<String> keys = new HashSet<>();
        for (Row row : read().filter(functions.col("status").equalTo("ok")).select(keyColumn).distinct().collectAsList()) {
            keys.add(row.getString(0));
        }
        return keys;
    }

    /**
     * Rewrites the table with one row per key when some key has several: an {@code ok} row
     * wins over a failed one, and the newest row wins among equals.
     */
    public void compact() throws IOException {
        Dataset<Row> rows = read();
        long total = rows.count();
        long keys = rows.select(keyColumn).distinct().count();
        if (total == keys) {
            return;
        }
        var order = Window.partitionBy(keyColumn).orderBy(
                functions.when(functions.col("status").equalTo("ok"), 0).otherwise(1),
                functions.col("finished_at").desc());
        Dataset<Row> kept = rows.withColumn("_rank", functions.row_number().over(order))
                .filter(functions.col("_rank").equalTo(1)).drop("_rank");
        FileSystem fs = fileSystem();
        fs.delete(replacement, true);
        kept.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(replacement.toString());
        if (!fs.rename(path, previous) || !fs.rename(replacement, path)) {
            throw new IOException("cannot swap " + replacement + " into " + path + "; the rows are intact in "
                    + previous + " and " + replacement);
        }
        fs.delete(previous, true);
        LOG.info("Compacted {}: {} rows to {}, one per {}", path, total, keys, keyColumn);
    }
}
