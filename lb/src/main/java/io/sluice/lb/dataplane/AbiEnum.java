package io.sluice.lb.dataplane;

import java.util.Locale;

/** An enum mirrored from a C enum of sluice_abi.h: the same order, so the ordinal is the C value. */
public interface AbiEnum {
    String name();

    int ordinal();

    /** The prefix C puts before the Java name, e.g. "SLUICE_". */
    String cPrefix();

    /** The C enumerator, e.g. "SLUICE_PASS_NOT_IP". */
    default String cName() {
        return cPrefix() + name();
    }

    /** Its value in C: the index into the per-CPU counter array. */
    default int value() {
        return ordinal();
    }

    /** The label in metrics and status output, e.g. "pass_not_ip". */
    default String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
