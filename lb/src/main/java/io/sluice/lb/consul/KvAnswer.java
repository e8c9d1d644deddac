package io.sluice.lb.consul;

/**
 * One answer of {@code GET /v1/kv/<key>}: the raw body (checked by {@link KvDocuments}) and the
 * X-Consul-Index the next blocking query waits on.
 *
 * @param index    the X-Consul-Index header, or -1 when absent or not a number
 * @param found    false when the agent answered 404: no such key
 * @param tooLarge the answer exceeded the cap and was not read (body empty)
 * @param body     the JSON list Consul returns for a key, when found
 */
public record KvAnswer(long index, boolean found, boolean tooLarge, byte[] body) {
    static KvAnswer found(long index, byte[] body) {
        return new KvAnswer(index, true, false, body);
    }

    static KvAnswer missing(long index) {
        return new KvAnswer(index, false, false, new byte[0]);
    }

    static KvAnswer tooLarge(long index) {
        return new KvAnswer(index, true, true, new byte[0]);
    }
}
