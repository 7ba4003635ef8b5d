package org.kqsweep.sweep;

import java.io.Serializable;

import org.kqsweep.quant.QuantizationResult;

/** The result of a {@link ClusterJob}, or the error that stopped it, with the time it took. */
public record ClusterOutcome(ClusterJob job, QuantizationResult result, String error, long millis, String host)
        implements Serializable {

    public boolean failed() {
        return error != null;
    }
}
