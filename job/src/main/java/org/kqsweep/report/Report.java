package org.kqsweep.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Writes {@code OUT/report.md}: the base model, the largest compression that stays within one
 * percentage point of the baseline accuracy per method, per layer target a table of mean accuracy
 * and compression over seeds for every method and K, the hardware co-simulation summary and the
 * failed cells with their errors. The report is written to a temporary file and renamed, so a
 * reader never sees half of it.
 */
public final class Report {

    /** Accuracy loss, in percentage points, that counts as "no real loss" in the headline. */
    static final double ACCEPTABLE_DROP_POINTS = 1.0;

    private final SparkSession spark;
    private final String outDirectory;

    public Report(SparkSession spark, String outDirectory) {
        this.spark = spark;
        this.outDirectory = outDirectory;
    }

    /** Writes the report and returns its location. */
    public String write() throws IOException {
        Path target = new Path(outDirectory, "report.md");
        FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
        String text = render(fs);
        Path temporary = new Path(outDirectory, ".report.md.tmp");
        try (OutputStream out = fs.create(temporary, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        fs.delete(target, false);
        if (!fs.rename(temporary, target)) {
            throw new IOException("cannot rename " + temporary + " to " + target);
        }
        return target.toString();
    }

    private String render(FileSystem fs) throws IOException {
        StringBuilder md = new StringBuilder("# kqsweep report\n\n");
        Dataset<Row> all = spark.read().parquet(new Path(outDirectory, "cells").toString());
        Row model = all.select("architecture", "model_fingerprint", "data_fingerprint", "baseline_accuracy")
                .orderBy(functions.col("finished_at").desc()).first();
        // An output folder can hold cells of several models; the report covers the newest one.
        Dataset<Row> cells = all.filter(functions.col("model_fingerprint").equalTo(model.getString(1)));
        Dataset<Row> ok = cells.filter(functions.col("status").equalTo("ok"));
        long otherModels = all.count() - cells.count();
        md.append(String.format(Locale.ROOT, "Model %s (fingerprint %s) on data %s: baseline accuracy %.2f%%.%n%n",
                model.getString(0), model.getString(1), model.getString(2), 100 * model.getDouble(3)));
        md.append(String.format(Locale.ROOT, "%d cells, %d ok, %d failed. Accuracy and compression are means over seeds.%n%n",
                cells.count(), ok.count(), cells.count() - ok.count()));
        if (otherModels > 0) {
            md.append(String.format(Locale.ROOT, "The output folder also holds %d cells of other models, left out here.%n%n",
                    otherModels));
        }

        List<Row> summary = ok.groupBy("layer", "method", "k")
                .agg(functions.avg("accuracy"), functions.avg("accuracy_drop"), functions.avg("compression_percent"),
                        functions.avg("k_effective"), functions.count("*"))
                .orderBy("layer", "method", "k").collectAsList();
        headline(md, summary);
        tables(md, summary);
        hardware(md, fs, model.getString(1));
        failures(md, cells);
        return md.toString();
    }

    private static void headline(StringBuilder md, List<Row> summary) {
        md.append("## Largest compression within ").append(ACCEPTABLE_DROP_POINTS).append(" point of the baseline\n\n");
        md.append("| method | layer | K | accuracy | drop (points) | compression |\n|---|---|---:|---:|---:|---:|\n");
        Map<String, Row> best = new TreeMap<>();
        for (Row row : summary) {
            if (100 * row.getDouble(4) > ACCEPTABLE_DROP_POINTS) {
                continue;
            }
            String method = row.getString(1);
            Row current = best.get(method);
            if (current == null || row.getDouble(5) > current.getDouble(5)) {
                best.put(method, row);
            }
        }
        for (Row row : best.values()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f%% | %.2f | %.1f%% |%n", row.getString(1),
                    row.getString(0), row.getInt(2), 100 * row.getDouble(3), 100 * row.getDouble(4), row.getDouble(5)));
        }
        md.append('\n');
    }

    private static void tables(StringBuilder md, List<Row> summary) {
        Map<String, List<Row>> byLayer = new TreeMap<>();
        for (Row row : summary) {
            byLayer.computeIfAbsent(row.getString(0), layer -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<String, List<Row>> layer : byLayer.entrySet()) {
            md.append("## Layer target `").append(layer.getKey()).append("`\n\n");
            md.append("| method | K | effective K | accuracy | drop (points) | compression | seeds |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (Row row : layer.getValue()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.2f%% | %.2f | %.1f%% | %d |%n", row.getString(1),
                        row.getInt(2), row.getDouble(6), 100 * row.getDouble(3), 100 * row.getDouble(4),
                        row.getDouble(5), row.getLong(7)));
            }
            md.append('\n');
        }
    }

    private void hardware(StringBuilder md, FileSystem fs, String modelFingerprint) throws IOException {
        Path table = new Path(outDirectory, "hdl");
        if (!fs.exists(table)) {
            return;
        }
        Dataset<Row> hdl = spark.read().parquet(table.toString())
                .filter(functions.col("model_fingerprint").equalTo(modelFingerprint));
        md.append("## VHDL co-simulation\n\n");
        md.append("| layer | K | seed | weights | cycles | iterations | bit exact | hardware accuracy | status |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|---:|---|\n");
        for (Row row : hdl.orderBy("layer", "k", "seed").collectAsList()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %s | %s |%n",
                    row.getAs("layer"), (Integer) row.getAs("k"), (Long) row.getAs("seed"), (Long) row.getAs("n_weights"),
                    row.getAs("cycles"), row.getAs("iterations"), row.getAs("bit_exact"),
                    row.getAs("hw_accuracy") == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * (Double) row.getAs("hw_accuracy")),
                    row.getAs("status")));
        }
        md.append('\n');
    }

    private static void failures(StringBuilder md, Dataset<Row> cells) {
        List<Row> failed = cells.filter(functions.col("status").notEqual("ok"))
                .select("method", "layer", "k", "seed", "error").orderBy("method", "layer", "k", "seed").collectAsList();
        if (failed.isEmpty()) {
            return;
        }
        md.append("## Failed cells\n\n| method | layer | K | seed | error |\n|---|---|---:|---:|---|\n");
        for (Row row : failed) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s |%n", row.getString(0), row.getString(1),
                    row.getInt(2), row.getLong(3), String.valueOf(row.getString(4)).replace('|', '/').replace('\n', ' ')));
        }
        md.append('\n');
    }
}
