package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A finished, non-streamed generation.
 *
 * @param body         the OpenAI-shaped {@code chat.completion} object as the upstream answered it
 * @param usage        tokens the upstream reported
 * @param finishReason the first choice's finish reason
 */
public record Completion(ObjectNode body, TokenUsage usage, String finishReason) {
}
