package org.kqsweep.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.kqsweep.testing.TestFixtures;

/** Runs every self-checking VHDL testbench case of {@code hdl/run_tests.sh} under GHDL. */
class HdlTestbenchTest {

    /** Cases the script defines itself, without files in hdl/vectors. */
    private static final int BUILT_IN_CASES = 38;

    @Test
    void everyTestbenchCasePasses() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", TestFixtures.repo().resolve("hdl/run_tests.sh").toString())
                .redirectErrorStream(true);
        builder.environment().put("KQSWEEP_CLASSPATH", System.getProperty("kqsweep.classpath"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.MINUTES), "hdl/run_tests.sh did not finish in 30 minutes");

        assertEquals(0, process.exitValue(), output);
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        String summary = lines.get(lines.size() - 1);
        String[] words = summary.split(" ");
        assertEquals("0 failed", words[2] + " " + words[3], summary);
        assertTrue(Integer.parseInt(words[0]) >= BUILT_IN_CASES, summary);
    }
}
