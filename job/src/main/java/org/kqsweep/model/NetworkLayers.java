package org.kqsweep.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The named layers of a network that have weights, with their parameter keys and shapes. */
public final class NetworkLayers {

    private NetworkLayers() {
    }

    /** One weight or bias tensor of a named layer. */
    public record Tensor(String layer, String paramKey, boolean bias, long[] shape) implements Serializable {

        /** Number of values in the tensor. */
        public long size() {
            long size = 1;
            for (long dimension : shape) {
                size *= dimension;
            }
            return size;
        }

        /** Readable name such as {@code conv1/W}. */
        public String label() {
            return layer + "/" + (bias ? "b" : "W");
        }
    }

    /** Lists the weight tensors ("W") and bias tensors ("b") of every named layer, in layer order. */
    public static List<Tensor> tensors(MultiLayerNetwork network) {
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            String name = network.getLayer(i).conf().getLayer().getLayerName();
            String prefix = i + "_";
            if (network.paramTable().containsKey(prefix + "W")) {
                tensors.add(new Tensor(name, prefix + "W", false, network.getParam(prefix + "W").shape()));
                if (network.paramTable().containsKey(prefix + "b")) {
                    tensors.add(new Tensor(name, prefix + "b", true, network.getParam(prefix + "b").shape()));
                }
            }
        }
        return tensors;
    }

    /** Names of the layers that have weights, in layer order. */
    public static List<String> layerNames(MultiLayerNetwork network) {
        return tensors(network).stream().filter(t -> !t.bias()).map(Tensor::layer).toList();
    }

    /** Returns the tensor's values in row-major (C) order. */
    public static float[] values(MultiLayerNetwork network, Tensor tensor) {
        return network.getParam(tensor.paramKey()).dup('c').data().asFloat();
    }

    /** Replaces the tensor's values, given in row-major (C) order. */
    public static void setValues(MultiLayerNetwork network, Tensor tensor, float[] values) {
        INDArray array = org.nd4j.linalg.factory.Nd4j.create(values, tensor.shape(), 'c');
        network.setParam(tensor.paramKey(), array);
    }

    /** Total number of parameters of the network. */
    public static long parameterCount(MultiLayerNetwork network) {
        return network.numParams();
    }
}
