package dev.silkroute.router.core;

/**
 * What went wrong with a request, in the router's own terms. The core says only this; each edge
 * turns a kind into its protocol's answer: an HTTP status and OpenAI's or OpenRouter's error type
 * ({@code api.HttpErrors}), a gRPC status code, or Anthropic's error type.
 */
public enum ErrorKind {
  /** The request is malformed or asks for what cannot be done; {@code param} names the field. */
  INVALID_REQUEST,
  /** A provider refused the request as too large for it. */
  REQUEST_TOO_LARGE,
  /** No key, or a key that is unknown or revoked. */
  UNAUTHENTICATED,
  /** The customer's credit does not cover the request's worst case. */
  INSUFFICIENT_CREDIT,
  /** The key may not do this (a model or provider it is not allowed). */
  FORBIDDEN,
  /** No such model, generation or route. */
  NOT_FOUND,
  /** The key's requests or tokens per minute are spent. */
  RATE_LIMITED,
  /** Every provider that could answer took too long. */
  UPSTREAM_TIMEOUT,
  /** Every provider that could answer failed. */
  UPSTREAM_FAILED,
  /** Nothing can take the request now (no endpoint fits, usage cannot be recorded, Redis away). */
  UNAVAILABLE,
  /** The router itself failed. */
  INTERNAL
}
