package org.kqsweep.sweep;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs cells done of total with the elapsed time and an estimate of the time left. */
public final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private int failed;

    Progress(int total) {
        this.total = total;
    }

    void add(int cells, int failedCells) {
        done += cells;
        failed += failedCells;
        long elapsed = System.nanoTime() - start;
        String left = done == 0 ? "unknown" : format(Duration.ofNanos(elapsed / done * (total - done)));
        LOG.info("Cells {}/{} done ({} failed), elapsed {}, about {} left", done, total, failed,
                format(Duration.ofNanos(elapsed)), left);
    }

    /** Formats a duration as {@code 4m05s}, or {@code 42s} below a minute. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 60 ? (seconds / 60) + "m" + String.format("%02d", seconds % 60) + "s" : seconds + "s";
    }
}
