package org.kqsweep.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Counts correct predictions of a network on images given as flat pixel rows. */
public final class Accuracy {

    private Accuracy() {
    }

    /**
     * Returns how many of the images get their label as the highest-scoring class. Ties between
     * class scores go to the lower class, as {@code argMax} does.
     *
     * @param pixels    images as consecutive rows of 784 values
     * @param labels    one digit per image
     * @param batchSize images per forward pass
     */
    public static long countCorrect(MultiLayerNetwork network, float[] pixels, int[] labels, int batchSize) {
        long correct = 0;
        for (int from = 0; from < labels.length; from += batchSize) {
            int to = Math.min(labels.length, from + batchSize);
            INDArray predicted = network.output(Batches.features(pixels, from, to), false).argMax(1);
            for (int row = 0; row < to - from; row++) {
                if (predicted.getInt(row) == labels[from + row]) {
                    correct++;
                }
            }
        }
        return correct;
    }
}
