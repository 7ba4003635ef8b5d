package org.kqsweep.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.kqsweep.model.NetworkLayers;

/**
 * Decides which tensors a cell quantizes: the weights of its layer (or of every layer for
 * {@code all}), plus the biases when {@code quant.include-biases} is set. Tensors with fewer than
 * {@code quant.min-weights} values stay in float, and the cell's note names them.
 */
final class BatchPlanner {

    /** The clustering jobs of one cell and the tensors it leaves in float. */
    record CellPlan(Cell cell, List<ClusterJob> jobs, List<String> skipped) {
    }

    private final SweepConfig config;
    private final Map<String, NetworkLayers.Tensor> tensors;

    BatchPlanner(SweepConfig config, Map<String, NetworkLayers.Tensor> tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    NetworkLayers.Tensor tensor(String label) {
        return tensors.get(label);
    }

    CellPlan plan(Cell cell) {
        boolean biases = config.bool("quant.include-biases");
        int minWeights = config.integer("quant.min-weights");
        long seed = config.usesSeed(cell.method()) ? cell.seed() : 0;
        List<ClusterJob> jobs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (NetworkLayers.Tensor tensor : tensors.values()) {
            boolean inTarget = cell.layer().equals(Cell.ALL_LAYERS) || cell.layer().equals(tensor.layer());
            if (!inTarget || (tensor.bias() && !biases)) {
                continue;
            }
            if (tensor.size() < minWeights) {
                skipped.add(tensor.label() + " (" + tensor.size() + " values < quant.min-weights " + minWeights + ")");
            } else {
                jobs.add(new ClusterJob(cell.method(), tensor.label(), cell.k(), seed));
            }
        }
        return new CellPlan(cell, jobs, skipped);
    }
}
