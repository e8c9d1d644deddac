package io.sluice.lb.reconcile;

/**
 * What one reconcile wrote. All zeros means the data plane already matched the desired state,
 * which is what an adopting daemon expects to see after a restart.
 */
public record ReconcileReport(
        int vipsAdded,
        int vipsRemoved,
        int tablesSwapped,
        int backendsAdded,
        int backendsRemoved,
        boolean settingsWritten) {

    public boolean changedAnything() {
        return vipsAdded + vipsRemoved + tablesSwapped + backendsAdded + backendsRemoved > 0 || settingsWritten;
    }

    /** key=value form for the event log. */
    public String toLogFields() {
        return "vips_added=" + vipsAdded + " vips_removed=" + vipsRemoved + " tables_swapped=" + tablesSwapped
                + " backends_added=" + backendsAdded + " backends_removed=" + backendsRemoved
                + " settings_written=" + settingsWritten;
    }
}
