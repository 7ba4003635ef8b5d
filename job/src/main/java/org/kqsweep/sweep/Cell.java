package org.kqsweep.sweep;

import java.io.Serializable;

import org.kqsweep.quant.Method;

/**
 * One point of the sweep grid: quantize {@code layer} (a layer name, or {@link #ALL_LAYERS}) with
 * {@code method} to {@code k} levels using {@code seed}.
 *
 * @param parameters the method's settings, as {@link SweepConfig#methodParameters} gives them
 */
public record Cell(Method method, String layer, int k, long seed, String parameters) implements Serializable {

    /** Layer target that quantizes every layer at once, each with its own codebook. */
    public static final String ALL_LAYERS = "all";

    /**
     * Identifies the cell across runs for the same base model: a rerun skips a cell whose key
     * already has a row with status {@code ok}.
     */
    public String key(String modelFingerprint) {
        return String.join("|", modelFingerprint, method.id(), parameters, layer, Integer.toString(k), Long.toString(seed));
    }
}
