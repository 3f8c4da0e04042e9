package dev.silkroute.router.catalog;

import java.util.List;

/**
 * A model the router offers, with the endpoints that can serve it.
 *
 * @param id            "author/slug", e.g. "deepseek/deepseek-chat-v3"
 * @param name          display name
 * @param contextLength maximum prompt + completion tokens
 */
public record Model(String id, String name, long contextLength, List<Endpoint> endpoints) {

  public Model {
    endpoints = List.copyOf(endpoints);
  }

  /** The author part of the id ("deepseek" in "deepseek/deepseek-chat-v3"), for analytics. */
  public String author() {
    return id.substring(0, id.indexOf('/'));
  }
}
