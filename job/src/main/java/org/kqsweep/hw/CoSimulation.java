package org.kqsweep.hw;

import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;
import org.kqsweep.data.MnistData;
import org.kqsweep.model.ModelStore;
import org.kqsweep.sweep.SweepConfig;

/** Placeholder while the simulation stage is written. */
public final class CoSimulation {
    public CoSimulation(SparkSession spark, SweepConfig config, String out, ModelStore.BaseModel model, MnistData data,
                        Path repo, String codeVersion) {
    }

    public static void checkGhdl(String command) {
    }

    public void run(String runId) {
        throw new UnsupportedOperationException("co-simulation is not written yet");
    }
}
