package io.sluice.lb.admin;

/** What a resource answers: a status and a body serialized as JSON (snake_case keys). */
public record ApiResponse(int status, Object body) {
    public static ApiResponse ok(Object body) {
        return new ApiResponse(HttpStatus.OK, body);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(HttpStatus.CREATED, body);
    }
}
