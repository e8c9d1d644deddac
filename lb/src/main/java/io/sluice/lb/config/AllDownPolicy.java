package io.sluice.lb.config;

/** What a VIP does when every backend with a health check is DOWN. */
public enum AllDownPolicy {
    /**
     * Keep forwarding with the last table the VIP had (checks can be wrong; a dead service is no
     * worse off with traffic), raise an alert and log it. The default, as in most L4 balancers.
     */
    FAIL_OPEN,
    /** Remove the table: packets to the VIP are dropped and counted (no_backend). */
    FAIL_CLOSED
}
