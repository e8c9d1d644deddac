package io.sluice.lb.consul;

import io.sluice.lb.config.ConsulConfig;
import java.net.URI;
import java.util.Map;

/** Where the agent is: the config's consul.address, else CONSUL_HTTP_ADDR (as Consul's own CLI reads it), else loopback. */
public final class AgentAddress {
    public static final String ENV = "CONSUL_HTTP_ADDR";
    public static final URI DEFAULT = URI.create("http://127.0.0.1:8500");

    private AgentAddress() {
    }

    public static URI resolve(ConsulConfig config, Map<String, String> env) {
        if (config.address().isPresent()) {
            return config.address().get();
        }
        String fromEnv = env.get(ENV);
        if (fromEnv == null || fromEnv.isBlank()) {
            return DEFAULT;
        }
        String text = fromEnv.strip();
        if (text.startsWith("unix://")) {
            throw new IllegalArgumentException(ENV + "=" + text + ": a Unix socket agent address is not supported; "
                    + "set consul.address to the agent's http:// address");
        }
        URI uri = URI.create(text.contains("://") ? text : "http://" + text);
        if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException(ENV + "=" + text + " is not an http(s)://host:port address");
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
    }
}
