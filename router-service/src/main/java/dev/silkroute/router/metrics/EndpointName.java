package dev.silkroute.router.metrics;

/**
 * Provider and model read back from an endpoint id: "provider/author/slug" for catalog endpoints,
 * "provider/worker-id/author/slug" for workers (model ids are always "author/slug").
 */
record EndpointName(String provider, String model) {

  static EndpointName of(String endpointId) {
    String[] parts = endpointId.split("/");
    if (parts.length < 3) {
      return new EndpointName(parts[0], "unknown");
    }
    return new EndpointName(parts[0], parts[parts.length - 2] + "/" + parts[parts.length - 1]);
  }
}
