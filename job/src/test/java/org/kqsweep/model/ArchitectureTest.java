package org.kqsweep.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** Layer layout and parameter counts of the two Keras-style architectures. */
class ArchitectureTest {

    private static MultiLayerNetwork build(Architecture architecture) {
        MultiLayerNetwork network = new MultiLayerNetwork(architecture.configuration(42, 0.001));
        network.init();
        return network;
    }

    @Test
    void convnetHasKerasParameterCount() {
        MultiLayerNetwork network = build(Architecture.KERAS_CONVNET);

        // conv1 32*(3*3*1)+32, conv2 64*(3*3*32)+64, dense (5*5*64)*10+10.
        assertEquals(320 + 18_496 + 16_010, network.numParams());
        assertEquals(34_826, network.numParams());
        assertEquals(List.of("conv1", "conv2", "dense"), NetworkLayers.layerNames(network));
        assertEquals(NetworkLayers.layerNames(network), Architecture.KERAS_CONVNET.layerNames());
    }

    @Test
    void cnnHasKerasParameterCount() {
        MultiLayerNetwork network = build(Architecture.KERAS_CNN);

        // conv1 320, conv2 18,496, dense1 (12*12*64)*128+128, dense2 128*10+10.
        assertEquals(320 + 18_496 + 1_179_776 + 1_290, network.numParams());
        assertEquals(1_199_882, network.numParams());
        assertEquals(List.of("conv1", "conv2", "dense1", "dense2"), NetworkLayers.layerNames(network));
        assertEquals(NetworkLayers.layerNames(network), Architecture.KERAS_CNN.layerNames());
    }

    @Test
    void tensorsRoundTripInRowMajorOrder() {
        MultiLayerNetwork network = build(Architecture.KERAS_CONVNET);
        NetworkLayers.Tensor dense = NetworkLayers.tensors(network).stream()
                .filter(tensor -> tensor.label().equals("dense/W")).findFirst().orElseThrow();
        float[] values = new float[(int) dense.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }

        NetworkLayers.setValues(network, dense, values);

        assertArrayEquals(values, NetworkLayers.values(network, dense));
        assertEquals(1f, network.getParam(dense.paramKey()).getFloat(0, 1));
        assertArrayEquals(new long[] {1600, 10}, dense.shape());
    }

    @Test
    void unknownArchitectureNamesValue() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Architecture.parse("lenet"));

        assertTrue(error.getMessage().contains("'lenet'"), error.getMessage());
        assertTrue(error.getMessage().contains("keras-convnet or keras-cnn"), error.getMessage());
    }
}
