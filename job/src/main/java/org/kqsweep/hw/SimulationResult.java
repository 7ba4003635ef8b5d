package org.kqsweep.hw;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's output as the testbench writes it: the header {@code K_EFF ITERATIONS CONVERGED},
 * the codebook codes, one index per weight, and a final line {@code cycles C}.
 */
public record SimulationResult(int[] codebook, int[] indices, int iterations, boolean converged, long cycles)
        implements Serializable {

    /**
     * Parses an output file of a simulation of {@code weights} codes.
     *
     * @throws IOException naming the file and the line when the output is incomplete or malformed,
     *                     as it is when a simulation stopped early
     */
    public static SimulationResult parse(Path file, int weights) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("simulation wrote no output file " + file);
        }
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        if (lines.isEmpty()) {
            throw new IOException("simulation output " + file + " is empty");
        }
        String[] header = lines.get(0).split("\\s+");
        if (header.length != 3) {
            throw new IOException(file + " line 1: expected 'K_EFF ITERATIONS CONVERGED', found '" + lines.get(0) + "'");
        }
        int kEffective = parseInt(file, 1, header[0]);
        int expectedLines = 1 + kEffective + weights + 1;
        if (lines.size() != expectedLines) {
            throw new IOException(file + " has " + lines.size() + " lines; a result for " + weights + " weights and K_eff "
                    + kEffective + " has " + expectedLines);
        }
        int[] codebook = new int[kEffective];
        for (int j = 0; j < kEffective; j++) {
            codebook[j] = parseInt(file, 2 + j, lines.get(1 + j));
        }
        int[] indices = new int[weights];
        for (int i = 0; i < weights; i++) {
            indices[i] = parseInt(file, 2 + kEffective + i, lines.get(1 + kEffective + i));
        }
        String last = lines.get(lines.size() - 1);
        if (!last.startsWith("cycles ")) {
            throw new IOException(file + " last line: expected 'cycles C', found '" + last + "'");
        }
        long cycles = Long.parseLong(last.substring("cycles ".length()).trim());
        return new SimulationResult(codebook, indices, parseInt(file, 1, header[1]), parseInt(file, 1, header[2]) == 1, cycles);
    }

    private static int parseInt(Path file, int line, String text) throws IOException {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IOException(file + " line " + line + ": '" + text + "' is not an integer", e);
        }
    }
}
