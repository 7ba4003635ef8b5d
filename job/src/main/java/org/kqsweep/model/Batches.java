package org.kqsweep.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.kqsweep.data.MnistSplit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Minibatches of MNIST images as DL4J data sets: rows of 784 pixels and one-hot labels. */
public final class Batches {

    private Batches() {
    }

    /**
     * Splits the images into minibatches in an order shuffled by {@code random}. The embedded
     * data comes grouped by digit, so training without a shuffle would see one digit at a time.
     */
    public static List<DataSet> shuffled(MnistSplit split, int batchSize, Random random) {
        int[] order = new int[split.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int size = Math.min(batchSize, order.length - from);
            float[] features = new float[size * MnistSplit.PIXELS_PER_IMAGE];
            float[] labels = new float[size * 10];
            for (int row = 0; row < size; row++) {
                int image = order[from + row];
                System.arraycopy(split.pixels(), image * MnistSplit.PIXELS_PER_IMAGE, features,
                        row * MnistSplit.PIXELS_PER_IMAGE, MnistSplit.PIXELS_PER_IMAGE);
                labels[row * 10 + split.labels()[image]] = 1f;
            }
            batches.add(new DataSet(Nd4j.create(features, new long[] {size, MnistSplit.PIXELS_PER_IMAGE}, 'c'),
                    Nd4j.create(labels, new long[] {size, 10}, 'c')));
        }
        return batches;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) as a [rows, 784] feature matrix. */
    public static INDArray features(float[] pixels, int from, int to) {
        float[] rows = new float[(to - from) * MnistSplit.PIXELS_PER_IMAGE];
        System.arraycopy(pixels, from * MnistSplit.PIXELS_PER_IMAGE, rows, 0, rows.length);
        return Nd4j.create(rows, new long[] {to - from, MnistSplit.PIXELS_PER_IMAGE}, 'c');
    }
}
