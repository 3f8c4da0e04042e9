/**
 * What Silkroute's services share besides the protobuf messages in proto/: the names of the Redis
 * keys and hash fields through which billing-service, router-service and worker-service talk, how an
 * API key is hashed, how a Bearer token is read, and OpenAI's error body. Each is written here once;
 * the services use these classes instead of writing the strings themselves.
 *
 * <p>Plain Java without dependencies, so that any service (or tool) can take it.
 */
package dev.silkroute.contracts;
