package org.kqsweep.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tests the parts of MllibQuantizer that need no Spark session. QuantizerTest runs MLlib itself. */
class MllibQuantizerTest {

    @Test
    void nearestExactMatch() {
        assertEquals(1, MllibQuantizer.nearest(new float[] {-1f, 0f, 2f}, 0f));
    }

    @Test
    void nearestTieGoesToSmaller() {
        assertEquals(1, MllibQuantizer.nearest(new float[] {-1f, 0f, 2f}, 1f));
    }

    @Test
    void nearestBelowAndAboveRange() {
        float[] centers = {-1f, 0f, 2f};

        assertEquals(0, MllibQuantizer.nearest(centers, -5f));
        assertEquals(2, MllibQuantizer.nearest(centers, 7f));
    }

    @Test
    void nearestPicksCloser() {
        float[] centers = {-1f, 0f, 2f};

        assertEquals(2, MllibQuantizer.nearest(centers, 1.25f));
        assertEquals(0, MllibQuantizer.nearest(centers, -0.75f));
    }

    @Test
    void unknownInitModeRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new MllibQuantizer(null, 10, "kmeans++", 1));

        assertTrue(error.getMessage().contains("'kmeans++'"), error.getMessage());
    }

    @Test
    void zeroIterationsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new MllibQuantizer(null, 0, "random", 1));

        assertTrue(error.getMessage().contains("found 0"), error.getMessage());
    }

    @Test
    void zeroPartitionsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new MllibQuantizer(null, 10, "random", 0));

        assertTrue(error.getMessage().contains("partitions"), error.getMessage());
    }
}
