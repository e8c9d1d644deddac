package io.sluice.lb.reconcile;

/**
 * What one reconcile wrote. Nothing written ({@link #changedAnything} false) means the data plane
 * already matched the desired state, which is what an adopting daemon expects to see after a
 * restart. {@code tablesBuilt} counts the Maglev tables computed, which writes nothing by itself:
 * a VIP's table is built only when its backends, weights, states or ids changed, or when the table
 * in place was not built by this reconciler (the first reconcile after a restart builds them all).
 */
public record ReconcileReport(
        int vipsAdded,
        int vipsRemoved,
        int tablesSwapped,
        int tablesBuilt,
        int backendsAdded,
        int backendsRemoved,
        boolean settingsWritten) {

    public boolean changedAnything() {
        return vipsAdded + vipsRemoved + tablesSwapped + backendsAdded + backendsRemoved > 0 || settingsWritten;
    }

    /** key=value form for the event log. */
    public String toLogFields() {
        return "vips_added=" + vipsAdded + " vips_removed=" + vipsRemoved + " tables_swapped=" + tablesSwapped
                + " tables_built=" + tablesBuilt + " backends_added=" + backendsAdded
                + " backends_removed=" + backendsRemoved + " settings_written=" + settingsWritten;
    }
}
