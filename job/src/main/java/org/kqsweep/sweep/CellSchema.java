package org.kqsweep.sweep;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Column layout of the {@code cells} and {@code runs} Parquet tables. */
public final class CellSchema {

    private CellSchema() {
    }

    /** One row per cell. Column order is the order of {@link CellRow#toRow()}. */
    public static final StructType CELLS = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("cell_key", DataTypes.StringType, false)
            .add("architecture", DataTypes.StringType, false)
            .add("model_fingerprint", DataTypes.StringType, false)
            .add("data_fingerprint", DataTypes.StringType, false)
            .add("config_fingerprint", DataTypes.StringType, false)
            .add("code_version", DataTypes.StringType, false)
            .add("method", DataTypes.StringType, false)
            .add("method_parameters", DataTypes.StringType, false)
            .add("layer", DataTypes.StringType, false)
            .add("k", DataTypes.IntegerType, false)
            .add("k_effective", DataTypes.IntegerType, true)
            .add("seed", DataTypes.LongType, false)
            .add("weights_quantized", DataTypes.LongType, true)
            .add("bits_per_index", DataTypes.IntegerType, true)
            .add("sse", DataTypes.DoubleType, true)
            .add("iterations", DataTypes.IntegerType, true)
            .add("converged", DataTypes.BooleanType, true)
            .add("correct", DataTypes.LongType, true)
            .add("evaluated", DataTypes.LongType, true)
            .add("accuracy", DataTypes.DoubleType, true)
            .add("baseline_accuracy", DataTypes.DoubleType, false)
            .add("accuracy_drop", DataTypes.DoubleType, true)
            .add("original_bytes", DataTypes.LongType, false)
            .add("quantized_bytes", DataTypes.LongType, true)
            .add("compression_ratio", DataTypes.DoubleType, true)
            .add("compression_percent", DataTypes.DoubleType, true)
            .add("cluster_ms", DataTypes.LongType, true)
            .add("eval_ms", DataTypes.LongType, true)
            .add("status", DataTypes.StringType, false)
            .add("error", DataTypes.StringType, true)
            .add("note", DataTypes.StringType, true)
            .add("host", DataTypes.StringType, true)
            .add("finished_at", DataTypes.TimestampType, false);

    /** One row per run of the sweep command. */
    public static final StructType RUNS = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("started_at", DataTypes.TimestampType, false)
            .add("finished_at", DataTypes.TimestampType, false)
            .add("status", DataTypes.StringType, false)
            .add("error", DataTypes.StringType, true)
            .add("code_version", DataTypes.StringType, false)
            .add("spark_master", DataTypes.StringType, false)
            .add("spark_version", DataTypes.StringType, false)
            .add("config", DataTypes.StringType, false)
            .add("config_fingerprint", DataTypes.StringType, false)
            .add("architecture", DataTypes.StringType, false)
            .add("model_fingerprint", DataTypes.StringType, false)
            .add("model_source", DataTypes.StringType, false)
            .add("data_fingerprint", DataTypes.StringType, false)
            .add("data_source", DataTypes.StringType, false)
            .add("baseline_accuracy", DataTypes.DoubleType, true)
            .add("cells_planned", DataTypes.IntegerType, false)
            .add("cells_skipped", DataTypes.IntegerType, false)
            .add("cells_ok", DataTypes.IntegerType, false)
            .add("cells_failed", DataTypes.IntegerType, false);

    /** Returns the data type of a column, for tests that check the written schema. */
    public static DataType type(StructType schema, String column) {
        return schema.apply(column).dataType();
    }
}
