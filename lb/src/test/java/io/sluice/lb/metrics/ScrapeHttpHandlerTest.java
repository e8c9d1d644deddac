package io.sluice.lb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The handler on an in-memory channel: what it writes for one request, byte for byte in order. */
class ScrapeHttpHandlerTest {

    @Test
    void oneScrapeWritesExactlyOneResponse() {
        SluiceMetrics metrics = new SluiceMetrics("0.1.0-test");
        EmbeddedChannel channel = new EmbeddedChannel(new ScrapeHttpHandler(new PrometheusScrapeHandler(metrics.registry())));

        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics"));

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("sluice_build_info");
        response.release();
        // The library closes the exchange itself; a second send would put a second response on a
        // kept-alive connection, where the client takes it for the answer to its next request.
        assertThat((Object) channel.readOutbound()).isNull();
        channel.checkException();
        assertThat(channel.isOpen()).as("kept alive").isTrue();
        channel.finishAndReleaseAll();
    }
}
