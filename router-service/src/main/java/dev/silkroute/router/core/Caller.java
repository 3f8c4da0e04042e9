package dev.silkroute.router.core;

import dev.silkroute.contracts.KeyLimits;

/** Who is calling: the customer billed for the request, the key it used, and that key's limits. */
public record Caller(String customerId, String keyId, KeyLimits limits) {
}
