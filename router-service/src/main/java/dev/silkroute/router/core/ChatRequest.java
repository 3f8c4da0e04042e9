package dev.silkroute.router.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;

/**
 * A validated chat completion request.
 *
 * @param model        the requested model id, "author/slug"
 * @param stream       whether the client asked for server-sent events
 * @param maxTokens    the client's cap on completion tokens, when given
 * @param body         the client's JSON as sent; adapters forward what the upstream understands
 * @param promptChars  characters of message text, for estimates before the upstream reports usage
 */
public record ChatRequest(String model, boolean stream, OptionalLong maxTokens, ObjectNode body,
             long promptChars) {
}
