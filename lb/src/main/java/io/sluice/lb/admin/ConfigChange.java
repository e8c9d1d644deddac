package io.sluice.lb.admin;

import io.sluice.lb.config.SluiceConfig;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A whole, validated config for the daemon to apply in one reconcile, on its own thread.
 *
 * @param persist writes the config file; the daemon runs it only once it accepts the change, and
 *                before the maps change, so the file never holds a config that was refused
 * @param reply   completed by the daemon with what became of the change
 */
public record ConfigChange(SluiceConfig candidate, String cause, Persist persist,
                           CompletableFuture<Outcome> reply) {
    /** Nothing to write (a reload of the file as it is). */
    public static final Persist NOTHING = () -> { };

    @FunctionalInterface
    public interface Persist {
        void run() throws IOException;
    }

    /**
     * What the daemon did.
     *
     * @param refusedField set when the change was refused (e.g. a setting that needs a restart)
     * @param error        why it was refused or failed; null when applied
     * @param programmed   false when the config took effect but the maps could not be written yet
     *                     (the daemon retries every second)
     */
    public record Outcome(boolean applied, boolean programmed, String refusedField, String error) {
        public static final Outcome APPLIED = new Outcome(true, true, null, null);

        public static Outcome refused(String field, String reason) {
            return new Outcome(false, false, field, reason);
        }

        public static Outcome failed(String error) {
            return new Outcome(false, false, null, error);
        }

        public static Outcome notProgrammed(String error) {
            return new Outcome(true, false, null, error);
        }
    }
}
