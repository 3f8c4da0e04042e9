package dev.silkroute.billing.dashboard;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Serves the operators' web dashboard: a static page, script and style sheet from
 * {@code classpath:dashboard/}, built by nothing but the jar. The page holds no data: it asks for
 * the admin token and calls the admin analytics API with it, so serving it needs no token.
 */
@Controller("/dashboard")
final class DashboardController {

  /** The only files served, with their types: nothing else on the class path is reachable. */
  private static final Map<String, String> FILES = Map.of(
      "index.html", MediaType.TEXT_HTML + ";charset=utf-8",
      "dashboard.js", "text/javascript;charset=utf-8",
      "dashboard.css", "text/css;charset=utf-8");

  @Get
  HttpResponse<byte[]> page() {
    return file("index.html");
  }

  @Get("/{name}")
  HttpResponse<byte[]> file(String name) {
    String type = FILES.get(name);
    if (type == null) {
      return HttpResponse.notFound();
    }
    try (InputStream in = DashboardController.class.getResourceAsStream("/dashboard/" + name)) {
      if (in == null) {
        return HttpResponse.notFound();
      }
      // no-cache: a new jar's page is picked up at once; the files are a few kilobytes.
      return HttpResponse.ok(in.readAllBytes()).contentType(type).header("Cache-Control", "no-cache");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dashboard/" + name + " from the jar", e);
    }
  }
}
