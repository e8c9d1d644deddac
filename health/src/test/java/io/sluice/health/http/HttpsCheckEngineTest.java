package io.sluice.health.http;

import static io.sluice.health.EngineTestSupport.LOOPBACK;
import static io.sluice.health.EngineTestSupport.firstResult;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.HealthEngine;
import io.sluice.health.Target;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.HttpCheck;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backend with a self-signed certificate made by keytool at test time. */
class HttpsCheckEngineTest {
    private static final String PASSWORD = "test-only";
    private static final String CERT_NAME = "backend.test";

    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static HealthEngine engine;
    private static Target target;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("backend.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "backend", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + CERT_NAME, "-ext", "SAN=dns:" + CERT_NAME, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/sni", exchange -> {
            List<String> names = ((ExtendedSSLSession) ((HttpsExchange) exchange).getSSLSession())
                    .getRequestedServerNames().stream()
                    .map(name -> ((SNIHostName) name).getAsciiName()).toList();
            HttpCheckEngineTest.reply(exchange, 200, "sni=" + names);
        });
        server.start();
        target = loopback(server.getAddress().getPort());
        engine = HealthEngine.start();
    }

    @AfterAll
    static void stop() {
        engine.close();
        server.stop(0);
    }

    private CheckResult check(HttpCheck check) {
        return firstResult(engine.watch(target, quick(check).withTimeout(Duration.ofSeconds(3)), new Recorder()));
    }

    @Test
    void selfSignedBackendPassesByDefault() {
        CheckResult result = check(HttpCheck.httpsGet("/sni"));
        assertThat(result.passed()).as(result.detail()).isTrue();
    }

    @Test
    void sniCarriesTheConfiguredName() {
        CheckResult result = check(HttpCheck.httpsGet("/sni").withSni(CERT_NAME).withBodyContains("sni=[" + CERT_NAME + "]"));
        assertThat(result.passed()).as(result.detail()).isTrue();
    }

    @Test
    void hostHeaderNameIsUsedAsSniWhenNoneIsGiven() {
        CheckResult result = check(HttpCheck.httpsGet("/sni").withHost("api.example:443").withBodyContains("sni=[api.example]"));
        assertThat(result.passed()).as(result.detail()).isTrue();
    }

    @Test
    void verifyingTheCertificateRejectsTheSelfSignedOne() {
        CheckResult result = check(HttpCheck.httpsGet("/sni").withSni(CERT_NAME).withVerifyCertificate(true));
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).isNotBlank();
    }

    @Test
    void plainHttpToATlsPortFails() {
        assertThat(check(HttpCheck.get("/sni")).passed()).isFalse();
    }
}
