package org.kqsweep.cluster;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Command lines that run the kqsweep CLI in a JVM of its own, as a user would: in embedded local
 * mode like {@code ./submit.sh}, or through {@code SPARK_HOME/bin/spark-submit} in client mode.
 *
 * <p>{@code mvn test} runs before the shaded jar exists, so the cluster runs ship what the shaded
 * jar bundles in two parts: a jar of {@code job/target/classes} as the application jar, and every
 * dependency jar that the cluster's SPARK_HOME lacks through {@code --jars}. The executors get
 * the application's code only from the driver, as on a real cluster.
 */
final class SweepCommands {

    static final String MAIN_CLASS = "org.kqsweep.cli.Main";

    /** Heap of the driver JVM and of each executor. */
    static final String DRIVER_MEMORY = "2g";
    static final String EXECUTOR_MEMORY = "2g";

    private final Path repo;
    private final String jvmFlags;
    private final Path applicationJar;
    private final List<Path> dependencyJars;

    private SweepCommands(Path repo, String jvmFlags, Path applicationJar, List<Path> dependencyJars) {
        this.repo = repo;
        this.jvmFlags = jvmFlags;
        this.applicationJar = applicationJar;
        this.dependencyJars = dependencyJars;
    }

    /** Writes the application jar into {@code workDirectory} and collects the dependency jars. */
    static SweepCommands prepare(Path repo, Path workDirectory) throws IOException {
        Path jar = workDirectory.resolve("kqsweep-classes.jar");
        writeJar(repo.resolve("job/target/classes"), jar);
        return new SweepCommands(repo, javaFlags(repo), jar, testClasspathJars());
    }

    /** Returns the command of the CLI in embedded local mode, as {@code ./submit.sh} runs it. */
    List<String> embedded(List<String> jobArguments) {
        List<String> classpath = new ArrayList<>();
        classpath.add(repo.resolve("job/target/classes").toString());
        dependencyJars.forEach(jar -> classpath.add(jar.toString()));
        List<String> command = new ArrayList<>(List.of(javaCommand(), "-Xmx" + DRIVER_MEMORY));
        command.addAll(Arrays.asList(jvmFlags.split("\\s+")));
        command.add("-Dlog4j2.configurationFile=" + repo.resolve("conf/log4j2.properties"));
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classpath), MAIN_CLASS));
        command.addAll(jobArguments);
        return command;
    }

    /**
     * Returns the spark-submit command that submits the CLI to the cluster. Each {@code sparkConf}
     * entry is a {@code KEY=VALUE} pair for {@code --conf}.
     */
    List<String> cluster(LoopbackCluster cluster, List<String> sparkConf, List<String> jobArguments) throws IOException {
        Set<String> sparkJars = new HashSet<>();
        try (Stream<Path> jars = Files.list(cluster.sparkHome().resolve("jars"))) {
            jars.forEach(jar -> sparkJars.add(jar.getFileName().toString()));
        }
        List<String> shipped = dependencyJars.stream()
                .filter(jar -> !sparkJars.contains(jar.getFileName().toString()))
                .map(Path::toString)
                .toList();
        String logConfig = "-Dlog4j2.configurationFile=" + repo.resolve("conf/log4j2.properties");
        List<String> command = new ArrayList<>(List.of(
                cluster.sparkHome().resolve("bin/spark-submit").toString(),
                "--master", cluster.masterUrl(),
                "--deploy-mode", "client",
                "--properties-file", repo.resolve("conf/spark-defaults.conf").toString(),
                "--name", "kqsweep-test",
                "--conf", "spark.driver.memory=" + DRIVER_MEMORY,
                "--conf", "spark.executor.memory=" + EXECUTOR_MEMORY,
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.extraJavaOptions=" + jvmFlags + " " + logConfig,
                "--conf", "spark.executor.extraJavaOptions=" + jvmFlags + " " + logConfig,
                "--jars", String.join(",", shipped)));
        for (String entry : sparkConf) {
            command.addAll(List.of("--conf", entry));
        }
        command.addAll(List.of("--class", MAIN_CLASS, applicationJar.toString()));
        command.addAll(jobArguments);
        return command;
    }

    /** Starts {@code command} in the checkout with stdout and stderr in {@code log}. */
    Process start(List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_SCALA_VERSION", "2.12");
        return builder.start();
    }

    /**
     * Waits for {@code process} and returns its exit code; kills it after {@code timeoutSeconds}
     * and fails with the end of its log.
     */
    static int waitFor(Process process, long timeoutSeconds, Path log) throws IOException, InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the kqsweep run timed out after " + timeoutSeconds + " s and was killed; end of "
                    + log + ":\n" + tail(log));
        }
        return process.exitValue();
    }

    /** Returns the last 40 lines of a log, for failure messages. */
    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Java 17 module flags, from the driver options of conf/spark-defaults.conf. */
    private static String javaFlags(Path repo) throws IOException {
        String key = "spark.driver.extraJavaOptions";
        for (String line : Files.readAllLines(repo.resolve("conf/spark-defaults.conf"), StandardCharsets.UTF_8)) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).trim();
            }
        }
        throw new IOException(key + " not found in conf/spark-defaults.conf");
    }

    /**
     * Returns the jars on this test JVM's classpath: the compile, provided and test dependencies. Surefire
     * puts the full test classpath into {@code java.class.path} even when it starts the JVM with a
     * manifest-only jar.
     */
    private static List<Path> testClasspathJars() {
        List<Path> jars = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar"))
                .map(Path::of)
                .toList();
        if (jars.stream().noneMatch(jar -> jar.getFileName().toString().startsWith("spark-core_"))) {
            throw new IllegalStateException("spark-core is not on java.class.path (" + System.getProperty("java.class.path")
                    + "); the cluster tests need the Maven test classpath there");
        }
        return jars;
    }

    private static void writeJar(Path classes, Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> entries = Files.walk(classes)) {
            for (Path entry : entries.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(entry).toString().replace(File.separatorChar, '/')));
                Files.copy(entry, out);
                out.closeEntry();
            }
        }
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
