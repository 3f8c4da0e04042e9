package dev.silkroute.router.auth;

/** Who is calling: the customer billed for the request and the key it used. */
public record Caller(String customerId, String keyId) {
}
