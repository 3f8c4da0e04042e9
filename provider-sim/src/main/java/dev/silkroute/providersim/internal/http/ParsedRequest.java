package dev.silkroute.providersim.internal.http;

import dev.silkroute.providersim.internal.generation.ChatTurn;

/** A request body checked against its protocol: either something to answer or the 400 to send. */
public sealed interface ParsedRequest {

  record Valid(ChatTurn turn) implements ParsedRequest {}

  record Invalid(SimError error) implements ParsedRequest {}
}
