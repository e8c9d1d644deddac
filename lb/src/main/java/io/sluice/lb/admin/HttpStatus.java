package io.sluice.lb.admin;

/** The HTTP status codes the admin API answers with (named, so handlers read as prose). */
public final class HttpStatus {
    public static final int OK = 200;
    public static final int CREATED = 201;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHORIZED = 401;
    public static final int NOT_FOUND = 404;
    public static final int METHOD_NOT_ALLOWED = 405;
    public static final int CONFLICT = 409;
    public static final int INTERNAL_ERROR = 500;
    public static final int UNAVAILABLE = 503;

    private HttpStatus() {
    }
}
