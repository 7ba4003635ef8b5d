package org.kqsweep.sweep;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.kqsweep.quant.Method;

/** Expands a configuration's grid into cells for a network with the given layer names. */
public final class Grid {

    /** Layer target that stands for every layer alone. */
    public static final String EACH_LAYER = "each";

    private Grid() {
    }

    /**
     * Returns method × K × layer target × seed cells ordered by K, then method, seed and target.
     * The cells of one method, K and seed are adjacent, so a batch shares their clustering results,
     * and every batch mixes methods, which keeps batch times and the time-left estimate even.
     *
     * @throws IllegalArgumentException if a layer target is not a layer of the network
     */
    public static List<Cell> cells(SweepConfig config, List<String> layerNames) {
        List<String> targets = layerTargets(config.layers(), layerNames);
        List<Cell> cells = new ArrayList<>();
        for (int k : config.ks()) {
            for (Method method : config.methods()) {
                String parameters = config.methodParameters(method);
                for (long seed : config.seeds()) {
                    for (String target : targets) {
                        cells.add(new Cell(method, target, k, seed, parameters));
                    }
                }
            }
        }
        return cells;
    }

    static List<String> layerTargets(List<String> requested, List<String> layerNames) {
        Set<String> targets = new LinkedHashSet<>();
        for (String target : requested) {
            if (target.equals(EACH_LAYER)) {
                targets.addAll(layerNames);
            } else if (target.equals(Cell.ALL_LAYERS) || layerNames.contains(target)) {
                targets.add(target);
            } else {
                throw new IllegalArgumentException("invalid value '" + target + "' in grid.layers; the model's layers are "
                        + String.join(", ", layerNames) + ", plus 'each' and 'all'");
            }
        }
        return new ArrayList<>(targets);
    }
}
