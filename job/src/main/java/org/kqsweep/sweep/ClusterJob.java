package org.kqsweep.sweep;

import java.io.Serializable;

import org.kqsweep.quant.Method;

/**
 * One tensor clustered with one method and K. Cells that need the same job share its result:
 * a single-layer cell and the {@code all} cell of the same method, K and seed, and, for a method
 * that ignores the seed, the cells of every seed.
 *
 * @param tensor     tensor label such as {@code conv1/W}
 * @param seed       the grid seed, or 0 when the method ignores it
 */
public record ClusterJob(Method method, String tensor, int k, long seed) implements Serializable {
}
