package io.sluice.lb.daemon;

import picocli.CommandLine.IVersionProvider;

/** The build's version, from the jar manifest (set by Maven), or "dev" when run from classes. */
public final class Version {
    private Version() {
    }

    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** Feeds picocli's --version. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluice " + current(), "Java " + Runtime.version()};
        }
    }
}
