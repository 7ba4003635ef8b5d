package org.kqsweep.model;

import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Keras-style MNIST CNNs built in DL4J.
 *
 * <p>Both use Glorot-uniform initialization ({@link WeightInit#XAVIER_UNIFORM}) and Adam with
 * Keras's epsilon 1e-7, as Keras does. DL4J's {@code dropOut(p)} is the retain probability of
 * the layer's input, so Keras {@code Dropout(rate)} before a layer becomes {@code dropOut(1 - rate)}
 * on that layer. Layers with weights are named; these names are the sweep's layer targets.
 */
public enum Architecture {
    /**
     * Conv2D 32 3x3 ReLU, MaxPool 2x2, Conv2D 64 3x3 ReLU, MaxPool 2x2, Flatten, Dropout 0.5,
     * Dense 10 softmax: 34,826 parameters in layers conv1, conv2 and dense.
     */
    KERAS_CONVNET("keras-convnet"),
    /**
     * Conv2D 32 3x3 ReLU, Conv2D 64 3x3 ReLU, MaxPool 2x2, Dropout 0.25, Flatten, Dense 128 ReLU,
     * Dropout 0.5, Dense 10 softmax: 1,199,882 parameters in layers conv1, conv2, dense1 and dense2.
     */
    KERAS_CNN("keras-cnn");

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Architecture parse(String value) {
        for (Architecture architecture : values()) {
            if (architecture.id.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return architecture;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + value + "'; expected keras-convnet or keras-cnn");
    }

    /** Names of the layers with weights, in layer order: the sweep's single-layer targets. */
    public List<String> layerNames() {
        return switch (this) {
            case KERAS_CONVNET -> List.of("conv1", "conv2", "dense");
            case KERAS_CNN -> List.of("conv1", "conv2", "dense1", "dense2");
        };
    }

    /** Builds the network configuration for 28x28 grey images given as rows of 784 values. */
    public MultiLayerConfiguration configuration(long seed, double learningRate) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate, 0.9, 0.999, 1e-7))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .list();
        switch (this) {
            case KERAS_CONVNET -> layers
                    .layer(convolution("conv1", 32))
                    .layer(maxPool())
                    .layer(convolution("conv2", 64))
                    .layer(maxPool())
                    .layer(softmax("dense", 0.5));
            case KERAS_CNN -> layers
                    .layer(convolution("conv1", 32))
                    .layer(convolution("conv2", 64))
                    .layer(maxPool())
                    .layer(new DenseLayer.Builder().name("dense1").nOut(128).activation(Activation.RELU)
                            .dropOut(0.75).build())
                    .layer(softmax("dense2", 0.5));
            default -> throw new IllegalStateException("no layers defined for " + id);
        }
        return layers.setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
    }

    private static ConvolutionLayer convolution(String name, int filters) {
        return new ConvolutionLayer.Builder(3, 3).name(name).nOut(filters).activation(Activation.RELU).build();
    }

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    private static OutputLayer softmax(String name, double retain) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name(name).nOut(10)
                .activation(Activation.SOFTMAX).dropOut(retain).build();
    }
}
