package io.sluice.lb.config;

import java.util.Optional;

/**
 * Outer source prefixes of encapsulated packets. The host bits of each prefix vary
 * per flow so backend NICs can spread flows over queues (RSS); /32 or /128 = fixed.
 * A family's prefix is required only when some backend of that family exists.
 */
public record EncapConfig(Optional<Cidr> sourceV4, Optional<Cidr> sourceV6) {
    public static final EncapConfig NONE = new EncapConfig(Optional.empty(), Optional.empty());

    public EncapConfig {
        sourceV4 = sourceV4 == null ? Optional.empty() : sourceV4;
        sourceV6 = sourceV6 == null ? Optional.empty() : sourceV6;
    }
}
