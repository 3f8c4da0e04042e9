package dev.silkroute.billing.account;

import java.time.Instant;

public record Customer(String id, String name, Instant createdAt) {
}
