package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.admin.AdminJson;
import io.sluice.lb.admin.client.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One admin-API call from a command: unreachable daemon -> exit 3; an error answer -> its message
 * and every field at fault on stderr (or the JSON on stdout with --json), exit 1.
 */
final class Api {
    /** The daemon refused or failed: the answer is not a success. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused() {
            super(null, null, false, false);
        }
    }

    /** The daemon could not be reached. */
    static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    private final CommandSpec spec;
    private final AdminOptions options;

    Api(CommandSpec spec, AdminOptions options) {
        this.spec = spec;
        this.options = options;
    }

    JsonNode get(String path) throws Refused, Unreachable {
        return call("GET", path, null);
    }

    JsonNode call(String method, String path, String body) throws Refused, Unreachable {
        AdminClient.Response response;
        String where;
        try (AdminClient client = options.client()) {
            where = client.describe();
            try {
                response = client.send(method, path, body);
            } catch (IOException e) {
                throw new Unreachable("cannot reach sluiced at " + where + ": " + e.getMessage()
                        + " (is it running? is admin.socket elsewhere? --socket picks it;"
                        + " root or group sluice needed)");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreachable(e.getMessage());
        }
        if (response.ok()) {
            return response.json();
        }
        JsonNode error = jsonOrNull(response.body());
        if (options.json && error != null) {
            out().println(AdminJson.write(error));
        } else {
            PrintWriter err = spec.commandLine().getErr();
            String message = error == null ? response.body() : error.path("error").asText(response.body());
            err.println("sluice: " + message + " (HTTP " + response.status() + ")");
            if (error != null) {
                for (JsonNode e : error.path("errors")) {
                    if (message.contains(e.path("field").asText() + ": ")) {
                        continue; // a config error's message already lists every field
                    }
                    err.println("  " + e.path("field").asText() + ": " + e.path("reason").asText());
                }
            }
        }
        throw new Refused();
    }

    /** Prints the answer as JSON when --json is set; returns whether it did. */
    boolean printedJson(JsonNode answer) {
        if (options.json) {
            out().println(AdminJson.write(answer));
        }
        return options.json;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Runs a command body, turning the API's failures into the documented exit codes. */
    static int run(CommandSpec spec, Body body) {
        try {
            body.run();
            return SluiceCli.EXIT_OK;
        } catch (Refused e) {
            return SluiceCli.EXIT_PROBLEM;
        } catch (Unreachable e) {
            spec.commandLine().getErr().println("sluice: " + e.getMessage());
            return SluiceCli.EXIT_UNREACHABLE;
        } catch (IOException e) {
            spec.commandLine().getErr().println("sluice: " + e.getMessage());
            return SluiceCli.EXIT_PROBLEM;
        }
    }

    @FunctionalInterface
    interface Body {
        void run() throws Refused, Unreachable, IOException;
    }

    static String encode(String pathPart) {
        return java.net.URLEncoder.encode(pathPart, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode jsonOrNull(String body) {
        try {
            JsonNode node = AdminJson.JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
