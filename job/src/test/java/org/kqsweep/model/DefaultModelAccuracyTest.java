package org.kqsweep.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kqsweep.data.MnistData;
import org.kqsweep.sweep.SweepConfig;
import org.kqsweep.testing.TestFixtures;

/**
 * Trains the default configuration (keras-convnet, 15 epochs, seed 42) on the embedded digits and
 * checks the accuracy it must reach on the test split. Takes about six minutes on two cores; the
 * model is cached in the test cache for later runs.
 */
class DefaultModelAccuracyTest {

    @Test
    void defaultModelReachesRequiredAccuracy() throws Exception {
        MnistData data = TestFixtures.data();
        SweepConfig defaults = SweepConfig.defaults();
        ModelStore.BaseModel model = new ModelStore(TestFixtures.cache().resolve("models")).baseModel(defaults, data, null);

        long correct = Accuracy.countCorrect(model.network(), data.test().pixels(), data.test().labels(), 500);
        double accuracy = (double) correct / data.test().count();

        assertEquals(2004, data.test().count());
        assertTrue(accuracy >= 0.965, "accuracy " + accuracy + " is below 0.965");
    }
}
