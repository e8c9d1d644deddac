package io.sluice.health.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/** The two client TLS contexts: trusting (the default, for self-signed backends) and verifying. */
public final class TlsContexts {
    private static final String VERIFY_HOST_NAME = "HTTPS";

    private final SslContext trusting;
    private final SslContext verifying;

    private TlsContexts(SslContext trusting, SslContext verifying) {
        this.trusting = trusting;
        this.verifying = verifying;
    }

    public static TlsContexts create() {
        try {
            SslContext trusting = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .build();
            SslContext verifying = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .endpointIdentificationAlgorithm(VERIFY_HOST_NAME)
                    .build();
            return new TlsContexts(trusting, verifying);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for health checks", e);
        }
    }

    public SslContext forCheck(boolean verifyCertificate) {
        return verifyCertificate ? verifying : trusting;
    }
}
