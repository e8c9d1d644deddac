package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.IpLiteral;
import io.sluice.lb.dataplane.LpmPrefix;
import io.sluice.lb.net.AddressText;
import java.net.InetAddress;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the DoS resources share: reading a prefix, a TTL and a reason, the dos.deny list of the config tree. */
final class DosRequests {
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    /** As auto_block.duration: longer than a week is a rule, and belongs in dos.deny (a block without ttl). */
    static final Duration MAX_TTL = Duration.ofDays(7);
    /** The reason goes into key=value log lines: one word. */
    static final Pattern REASON = Pattern.compile("[A-Za-z0-9_.:/@+#-]{1,64}");
    static final String DEFAULT_REASON = "manual";
    /** Longer than any daemon-thread call; an answer later than this means the daemon is stuck or stopping. */
    static final long DAEMON_TIMEOUT_SECONDS = 30;
    private static final Pattern TTL = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

    private DosRequests() {
    }

    /** "192.0.2.0/24", "2001:db8::/32", or a single address (a /32 or /128). */
    static Cidr prefix(String field, String text) throws ApiException {
        try {
            if (text.indexOf('/') < 0) {
                InetAddress address = IpLiteral.parse(text);
                return new Cidr(address, address.getAddress().length * Byte.SIZE);
            }
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField(field, e.getMessage());
        }
    }

    /** "2001:db8:bad::/48", as an operator writes it (Cidr's own text spells out every group). */
    static String text(Cidr cidr) {
        return AddressText.of(cidr.network()) + "/" + cidr.prefixLength();
    }

    static LpmPrefix lpm(Cidr cidr) {
        return new LpmPrefix(cidr.network(), cidr.prefixLength());
    }

    /** "90s", "10m", "2h", "1d", or a number of seconds; between 1s and 7 days. */
    static Duration ttl(JsonNode node) throws ApiException {
        Duration ttl;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            ttl = Duration.ofSeconds(node.longValue());
        } else if (node.isTextual()) {
            Matcher m = TTL.matcher(node.asText().strip());
            if (!m.matches()) {
                throw ApiException.badField("ttl", "\"" + node.asText() + "\" is not a duration (e.g. 90s, 10m, 2h, 1d)");
            }
            long n = Long.parseLong(m.group(1));
            ttl = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            throw ApiException.badField("ttl", "must be a duration such as \"10m\" or a number of seconds");
        }
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw ApiException.badField("ttl", "must be between 1s and 7d, got " + node.asText()
                    + " (for longer, block without a ttl: a dos.deny entry)");
        }
        return ttl;
    }

    static String reason(JsonNode node) throws ApiException {
        if (!node.isTextual() || !REASON.matcher(node.asText()).matches()) {
            throw ApiException.badField("reason", "must be one word of up to 64 letters, digits or _.:/@+#-"
                    + " (it is logged as key=value)");
        }
        return node.asText();
    }

    /** The config tree's dos.deny list, made when absent. */
    static ArrayNode denyList(ObjectNode root) throws ApiException {
        JsonNode dos = root.get("dos");
        if (dos == null || dos.isNull()) {
            dos = root.putObject("dos");
        }
        if (!dos.isObject()) {
            throw ApiException.badField("dos", "is not a mapping in the config file");
        }
        JsonNode deny = dos.get("deny");
        if (deny == null || deny.isNull()) {
            deny = ((ObjectNode) dos).putArray("deny");
        }
        if (!deny.isArray()) {
            throw ApiException.badField("dos.deny", "is not a list in the config file");
        }
        return (ArrayNode) deny;
    }

    /** Where {@code cidr} is in the tree's deny list (compared as prefixes, not as text). */
    static OptionalInt indexOf(ArrayNode deny, Cidr cidr) {
        for (int i = 0; i < deny.size(); i++) {
            try {
                if (deny.get(i).isTextual() && Cidr.parse(deny.get(i).asText()).equals(cidr)) {
                    return OptionalInt.of(i);
                }
            } catch (IllegalArgumentException e) {
                // not a prefix: the config reader reports it
            }
        }
        return OptionalInt.empty();
    }

    /** A daemon-thread call, bounded: a daemon that does not answer is 503; bad input it found is 400 on prefix. */
    static <T> CompletableFuture<T> daemon(CompletableFuture<T> call) {
        return call.orTimeout(DAEMON_TIMEOUT_SECONDS, TimeUnit.SECONDS).exceptionally(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof TimeoutException) {
                throw new CompletionException(new ApiException(HttpStatus.UNAVAILABLE,
                        "the daemon did not answer within " + DAEMON_TIMEOUT_SECONDS + "s (stopping?)"));
            }
            if (cause instanceof IllegalArgumentException) {
                throw new CompletionException(ApiException.badField("prefix", cause.getMessage()));
            }
            if (cause instanceof java.io.UncheckedIOException) {
                throw new CompletionException(new ApiException(HttpStatus.INTERNAL_ERROR, cause.getMessage()));
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(cause);
        });
    }
}
