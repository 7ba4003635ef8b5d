package org.kqsweep.hw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kqsweep.quant.FixedPointKMeans;
import org.kqsweep.testing.TestFixtures;

/** The simulation runner against the real GHDL-built testbench executable. */
class SimulatorTest {

    private static Path testbench;

    @BeforeAll
    static void build() throws Exception {
        Path buildDirectory = TestFixtures.repo().resolve("job/target/hdl-test-build");
        Process process = new ProcessBuilder("bash", TestFixtures.repo().resolve("hdl/build.sh").toString(),
                buildDirectory.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "hdl/build.sh did not finish");
        assertEquals(0, process.exitValue(), output);
        testbench = buildDirectory.resolve(CoSimulation.TESTBENCH);
    }

    /** Gaussian-shaped 16-bit codes, like a layer's weights. */
    private static int[] codes(int count, long seed) {
        Random random = new Random(seed);
        int[] codes = new int[count];
        for (int i = 0; i < count; i++) {
            codes[i] = (int) Math.max(-32767, Math.min(32767, Math.round(random.nextGaussian() * 6000)));
        }
        return codes;
    }

    @Test
    void simulationMatchesJavaModel(@TempDir Path scratch) {
        int[] codes = codes(500, 1);
        FixedPointKMeans java = new FixedPointKMeans(16, 100, FixedPointKMeans.Init.SEEDED);
        FixedPointKMeans.CodeResult expected = java.cluster(codes, 8, 5);

        Simulator.Run run = new Simulator(300, 0).run(testbench, scratch, codes, 8, 5, "seeded", 100, 16);

        assertEquals(Simulator.Status.OK, run.status(), run.outputTail());
        assertArrayEquals(expected.codebook(), run.result().codebook());
        assertArrayEquals(expected.indices(), run.result().indices());
        assertEquals(expected.iterations(), run.result().iterations());
        assertEquals(expected.converged(), run.result().converged());
        assertTrue(run.result().cycles() > 2L * codes.length, "cycles " + run.result().cycles());
    }

    @Test
    void missingExecutableIsFailedRun(@TempDir Path scratch) {
        Path missing = scratch.resolve("no-such-testbench");

        Simulator.Run run = new Simulator(60, 0).run(missing, scratch, codes(10, 2), 4, 0, "linear", 100, 16);

        assertEquals(Simulator.Status.FAILED, run.status());
        assertNull(run.result());
        assertTrue(run.command().startsWith(missing.toString()), run.command());
        assertTrue(run.outputTail().contains("cannot run the simulation"), run.outputTail());
    }

    @Test
    void cycleLimitEndsRunAsFailed(@TempDir Path scratch) {
        Simulator.Run run = new Simulator(300, 1000).run(testbench, scratch, codes(2000, 3), 16, 0, "linear", 100, 16);

        assertEquals(Simulator.Status.FAILED, run.status());
        assertEquals(1, run.exitCode());
        assertTrue(run.outputTail().contains("timed out after"), run.outputTail());
        assertTrue(run.command().contains("-gTIMEOUT_CYCLES=1000"), run.command());
    }

    @Test
    void wallClockTimeoutKillsRun(@TempDir Path scratch) {
        Simulator.Run run = new Simulator(1, 0).run(testbench, scratch, codes(100_000, 4), 256, 0, "linear", 1000, 16);

        assertEquals(Simulator.Status.TIMED_OUT, run.status());
        assertNull(run.result());
        assertTrue(run.outputTail().contains("wall-clock timeout of 1 s"), run.outputTail());
        assertTrue(run.millis() < 30_000, "took " + run.millis() + " ms");
    }

    @Test
    void concurrentRunsMatchSequentialRuns(@TempDir Path scratch) throws Exception {
        int[] codes = codes(400, 5);
        Simulator simulator = new Simulator(300, 0);
        List<Simulator.Run> sequential = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sequential.add(simulator.run(testbench, scratch, codes, 2 + i, i, "seeded", 100, 16));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Simulator.Run>> concurrent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int k = 2 + i;
            long seed = i;
            concurrent.add(pool.submit(() -> simulator.run(testbench, scratch, codes, k, seed, "seeded", 100, 16)));
        }
        pool.shutdown();

        for (int i = 0; i < 8; i++) {
            Simulator.Run parallel = concurrent.get(i).get(5, TimeUnit.MINUTES);
            assertEquals(Simulator.Status.OK, parallel.status(), parallel.outputTail());
            assertArrayEquals(sequential.get(i).result().codebook(), parallel.result().codebook());
            assertArrayEquals(sequential.get(i).result().indices(), parallel.result().indices());
            assertEquals(sequential.get(i).result().cycles(), parallel.result().cycles());
        }
        assertEquals(0, scratch.toFile().list().length, "scratch folders left behind");
    }
}
