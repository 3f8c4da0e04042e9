package dev.silkroute.billing.account;

import java.time.Instant;

public record CreditGrant(long id, String customerId, long amountMicros, String note,
    Instant createdAt) {
}
