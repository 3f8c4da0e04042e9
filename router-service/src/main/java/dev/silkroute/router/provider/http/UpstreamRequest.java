package dev.silkroute.router.provider.http;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One POST to an upstream.
 *
 * @param uri            absolute http or https address
 * @param headers        besides Host, Content-Type (JSON) and Content-Length, which the transport sets
 * @param body           the JSON body
 * @param headersTimeout how long the upstream may take to start its answer (its status line)
 */
public record UpstreamRequest(URI uri, Map<String, String> headers, byte[] body, Duration headersTimeout) {
}
