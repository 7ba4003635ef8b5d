package org.kqsweep.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Version and commit of the running code, as written into the jar by the Maven build. */
public final class BuildInfo {

    private BuildInfo() {
    }

    /** Returns {@code VERSION+COMMIT}, or {@code unknown} parts when the build did not record them. */
    public static String codeVersion() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/kqsweep-build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown") + "+" + properties.getProperty("commit", "unknown");
    }
}
