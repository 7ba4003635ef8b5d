package org.kqsweep.hw;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.kqsweep.quant.FixedPointKMeans;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the Java model's result for a codes file, as the VHDL testbenches expect it.
 * {@code hdl/run_tests.sh} calls this to make the reference file of each test case.
 */
@Command(name = "expected", mixinStandardHelpOptions = true,
        description = "Cluster a codes file with the Java fixed-point model and write the expected result.")
public final class ExpectedResults implements Callable<Integer> {

    @Option(names = "--codes", required = true, description = "Input file, one signed code per line.")
    private Path codesFile;

    @Option(names = "--out", required = true, description = "Expected-result file to write.")
    private Path outFile;

    @Option(names = "--k", required = true, description = "Number of centroids K.")
    private int k;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the seeded initialization (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--init", defaultValue = "linear", description = "linear or seeded (default: ${DEFAULT-VALUE}).")
    private String init;

    @Option(names = "--max-iterations", defaultValue = "100", description = "Lloyd iteration cap (default: ${DEFAULT-VALUE}).")
    private int maxIterations;

    @Option(names = "--word-bits", defaultValue = "16", description = "Code width W in bits (default: ${DEFAULT-VALUE}).")
    private int wordBits;

    @Override
    public Integer call() throws Exception {
        FixedPointKMeans model = new FixedPointKMeans(wordBits, maxIterations, FixedPointKMeans.Init.parse(init));
        FixedPointKMeans.CodeResult result = model.cluster(CodeFiles.readCodes(codesFile), k, seed);
        Path parent = outFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        CodeFiles.writeResult(outFile, result);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExpectedResults()).execute(args));
    }
}
