package io.sluice.health.check;

import java.util.Objects;

/**
 * An HTTP or HTTPS request whose answer must carry an expected status and, optionally, a body
 * substring.
 *
 * @param tls                 HTTPS when true
 * @param method              request method, e.g. GET or HEAD
 * @param path                request target, e.g. "/healthz"
 * @param host                Host header; null means the target's address
 * @param sni                 TLS server name; null means {@code host} when that is a name (IP
 *                            literals are never sent as SNI)
 * @param expectedStatus      accepted status codes
 * @param bodyContains        substring the body must contain; null means any body
 * @param verifyCertificate   verify the chain and host name; off by default because backends
 *                            usually present self-signed certificates
 */
public record HttpCheck(boolean tls, String method, String path, String host, String sni,
                        StatusRanges expectedStatus, String bodyContains, boolean verifyCertificate)
        implements CheckKind {

    public HttpCheck {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expectedStatus, "expectedStatus");
        if (method.isBlank() || !path.startsWith("/")) {
            throw new IllegalArgumentException("http check needs a method and a path starting with /");
        }
        if (bodyContains != null && bodyContains.isEmpty()) {
            bodyContains = null;
        }
    }

    public static HttpCheck get(String path) {
        return new HttpCheck(false, "GET", path, null, null, StatusRanges.DEFAULT, null, false);
    }

    public static HttpCheck httpsGet(String path) {
        return get(path).withTls(true);
    }

    public HttpCheck withTls(boolean value) {
        return new HttpCheck(value, method, path, host, sni, expectedStatus, bodyContains, verifyCertificate);
    }

    public HttpCheck withMethod(String value) {
        return new HttpCheck(tls, value, path, host, sni, expectedStatus, bodyContains, verifyCertificate);
    }

    public HttpCheck withHost(String value) {
        return new HttpCheck(tls, method, path, value, sni, expectedStatus, bodyContains, verifyCertificate);
    }

    public HttpCheck withSni(String value) {
        return new HttpCheck(tls, method, path, host, value, expectedStatus, bodyContains, verifyCertificate);
    }

    public HttpCheck withExpectedStatus(StatusRanges value) {
        return new HttpCheck(tls, method, path, host, sni, value, bodyContains, verifyCertificate);
    }

    public HttpCheck withBodyContains(String value) {
        return new HttpCheck(tls, method, path, host, sni, expectedStatus, value, verifyCertificate);
    }

    public HttpCheck withVerifyCertificate(boolean value) {
        return new HttpCheck(tls, method, path, host, sni, expectedStatus, bodyContains, value);
    }

    @Override
    public String name() {
        return tls ? "https" : "http";
    }
}
