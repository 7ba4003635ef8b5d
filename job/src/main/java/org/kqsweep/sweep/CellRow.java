package org.kqsweep.sweep;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The result row of one cell. For the {@code all} target, which quantizes several tensors each
 * with its own codebook, {@code k_effective}, {@code bits_per_index} and {@code iterations} are
 * the maximum over the tensors, {@code sse} is their sum and {@code converged} holds when every
 * tensor converged.
 */
record CellRow(SweepRunner.RunContext run, Cell cell, Integer kEffective, Long weightsQuantized, Integer bitsPerIndex,
               Double sse, Integer iterations, Boolean converged, Long correct, Long evaluated, Long quantizedBytes,
               Long clusterMillis, Long evalMillis, String error, String note, String host) {

    static final String OK = "ok";
    static final String FAILED = "failed";

    boolean ok() {
        return error == null;
    }

    static CellRow of(SweepRunner.RunContext run, BatchPlanner.CellPlan plan, List<ClusterOutcome> clusterings,
                      DistributedEvaluator.Outcome evaluation) {
        List<String> errors = new ArrayList<>();
        int kEffective = 0;
        int bits = 0;
        int iterations = 0;
        boolean converged = true;
        double sse = 0;
        long weights = 0;
        long clusterMillis = 0;
        long bytes = SizeAccounting.floatBytes(run.parameterCount());
        String host = clusterings.isEmpty() ? ClusterStage.hostName() : clusterings.get(0).host();
        for (ClusterOutcome outcome : clusterings) {
            clusterMillis += outcome.millis();
            if (outcome.failed()) {
                errors.add(outcome.error());
                continue;
            }
            var result = outcome.result();
            long size = result.indices().length;
            kEffective = Math.max(kEffective, result.kEffective());
            bits = Math.max(bits, SizeAccounting.bitsPerIndex(result.kEffective()));
            iterations = Math.max(iterations, result.iterations());
            converged &= result.converged();
            sse += result.sse();
            weights += size;
            bytes += SizeAccounting.quantizedTensorBytes(size, result.kEffective()) - SizeAccounting.floatBytes(size);
        }
        if (errors.isEmpty() && evaluation == null) {
            errors.add("not evaluated");
        } else if (evaluation != null && evaluation.error() != null) {
            errors.add(evaluation.error());
        }
        String note = plan.skipped().isEmpty() ? null : "kept in float: " + String.join(", ", plan.skipped());
        boolean clustered = clusterings.stream().noneMatch(ClusterOutcome::failed);
        return new CellRow(run, plan.cell(),
                clustered ? kEffective : null,
                clustered ? weights : null,
                clustered ? bits : null,
                clustered ? sse : null,
                clustered ? iterations : null,
                clustered ? converged : null,
                evaluation == null ? null : evaluation.correct(),
                evaluation == null ? null : evaluation.evaluated(),
                clustered ? bytes : null,
                clusterMillis,
                evaluation == null ? null : evaluation.evalMillis(),
                errors.isEmpty() ? null : String.join("; ", errors),
                note,
                host);
    }

    Row toRow() {
        long original = SizeAccounting.floatBytes(run.parameterCount());
        Double accuracy = ok() ? (double) correct / evaluated : null;
        Double drop = ok() ? run.baselineAccuracy() - accuracy : null;
        Double ratio = ok() ? (double) original / quantizedBytes : null;
        Double percent = ok() ? 100.0 * (1.0 - (double) quantizedBytes / original) : null;
        return RowFactory.create(run.runId(), cell.key(run.modelFingerprint()), run.architecture(), run.modelFingerprint(),
                run.dataFingerprint(), run.configFingerprint(), run.codeVersion(), cell.method().id(), cell.parameters(),
                cell.layer(), cell.k(), kEffective, cell.seed(), weightsQuantized, bitsPerIndex, sse, iterations,
                converged, correct, evaluated, accuracy, run.baselineAccuracy(), drop, original, quantizedBytes,
                ratio, percent, clusterMillis, evalMillis, ok() ? OK : FAILED, error, note, host,
                Timestamp.from(Instant.now()));
    }
}
