package org.kqsweep.quant;

import java.util.Locale;

/** The quantization methods a sweep can run, by their configuration name. */
public enum Method {
    /** Spark MLlib KMeans; runs Spark jobs from the driver. */
    MLLIB("mllib", true),
    /** Lloyd K-means in the fixed-point arithmetic of the hardware core. */
    FIXED("fixed", false),
    /** K evenly spaced levels; the non-clustered baseline. */
    UNIFORM("uniform", false);

    private final String id;
    private final boolean runsOnDriver;

    Method(String id, boolean runsOnDriver) {
        this.id = id;
        this.runsOnDriver = runsOnDriver;
    }

    /** Returns the name used in configuration files and result tables. */
    public String id() {
        return id;
    }

    /** Whether the method starts Spark jobs itself and so cannot run inside a task. */
    public boolean runsOnDriver() {
        return runsOnDriver;
    }

    /** Parses a configuration name such as {@code fixed}. */
    public static Method parse(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (Method method : values()) {
            if (method.id.equals(wanted)) {
                return method;
            }
        }
        throw new IllegalArgumentException("unknown method '" + value + "'; expected one of mllib, fixed, uniform");
    }
}
