package org.kqsweep.hw;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.kqsweep.quant.FixedPointKMeans;

/**
 * Text files exchanged with the VHDL testbenches and simulations.
 *
 * <p>A codes file contains one signed decimal code per line. An expected-result file contains a header
 * line {@code K_EFF ITERATIONS CONVERGED} (converged as 0 or 1), then the K_EFF codebook codes,
 * one per line, then one codebook index per weight, one per line. Simulations write their result
 * in the same format, followed by a line {@code cycles C}.
 */
public final class CodeFiles {

    private CodeFiles() {
    }

    /** Writes one code per line. */
    public static void writeCodes(Path file, int[] codes) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            for (int code : codes) {
                out.write(Integer.toString(code));
                out.write('\n');
            }
        }
    }

    /** Reads a codes file, naming the file and line of any value that is not an integer. */
    public static int[] readCodes(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                codes.add(Integer.parseInt(line));
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + (i + 1) + ": '" + line + "' is not an integer code", e);
            }
        }
        return codes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Writes a result in the expected-result format. */
    public static void writeResult(Path file, FixedPointKMeans.CodeResult result) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            out.write(result.codebook().length + " " + result.iterations() + " " + (result.converged() ? 1 : 0));
            out.write('\n');
            for (int code : result.codebook()) {
                out.write(Integer.toString(code));
                out.write('\n');
            }
            for (int index : result.indices()) {
                out.write(Integer.toString(index));
                out.write('\n');
            }
        }
    }
}
