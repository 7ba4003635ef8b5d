package org.kqsweep.hw;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.util.LongAccumulator;
import org.kqsweep.sweep.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every 30 seconds how many simulations have finished, read from an accumulator that the
 * tasks update, with the elapsed time and an estimate of the time left. Spark merges a task's
 * accumulator updates when the task ends, so the count moves in whole simulations.
 */
final class SimulationProgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulationProgress.class);

    private static final long INTERVAL_SECONDS = 30;

    private final ScheduledExecutorService timer;

    SimulationProgress(LongAccumulator finished, int total) {
        long start = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kqsweep-simulation-progress");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(() -> {
            long done = finished.value();
            long elapsed = System.nanoTime() - start;
            String left = done == 0 ? "unknown" : Progress.format(Duration.ofNanos(elapsed / done * (total - done)));
            LOG.info("Simulations {}/{} done, elapsed {}, about {} left", done, total, Progress.format(Duration.ofNanos(elapsed)), left);
        }, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
