package io.sluice.lb.consul;

/**
 * One answer of {@code GET /v1/health/service/<name>}: the raw body (parsed and checked by
 * {@link HealthEntries}) and the X-Consul-Index that the next blocking query waits on.
 *
 * @param index the X-Consul-Index header, or -1 when absent or not a number
 */
public record HealthAnswer(long index, byte[] body) {
}
