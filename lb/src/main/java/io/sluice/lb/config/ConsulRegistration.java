package io.sluice.lb.config;

import java.util.List;
import java.util.Objects;

/** A VIP's {@code consul:} mapping: register the VIP as an instance of this Consul service. */
public record ConsulRegistration(String service, List<String> tags) {
    public ConsulRegistration {
        Objects.requireNonNull(service, "service");
        tags = List.copyOf(tags);
    }
}
