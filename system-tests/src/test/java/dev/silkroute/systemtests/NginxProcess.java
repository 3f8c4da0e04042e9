package dev.silkroute.systemtests;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's nginx started as a process of its own (master in the foreground, its workers as
 * children) for the router benchmark: as the fast mock upstream (answers from memory with
 * {@code return 200}) or as one reverse-proxy hop in front of it, the floor any proxy adds. Each
 * instance gets its own directory under target/ for its config, pid, temp files and error log.
 */
final class NginxProcess implements AutoCloseable {

  private final Process master;
  private final Path dir;

  private NginxProcess(Process master, Path dir) {
    this.master = master;
    this.dir = dir;
  }

  /**
   * A mock OpenAI-compatible provider: {@code POST /plain/v1/chat/completions} answers
   * {@code completion} as JSON, {@code POST /sse/v1/chat/completions} answers {@code events} as an
   * event stream, both static files kept open. (nginx's static handler refuses a POST with 405;
   * {@code error_page 405 =200 $uri} serves the file instead, the usual trick. An inline
   * {@code return 200 '...'} would be cheaper but a config token is limited to 4 KB, less than a
   * streamed answer.)
   */
  static NginxProcess mock(Path dir, int port, String completion, String events) throws IOException,
      InterruptedException {
    Files.createDirectories(dir);
    Path json = dir.toAbsolutePath().resolve("completion.json");
    Path sse = dir.toAbsolutePath().resolve("stream.sse");
    Files.writeString(json, completion);
    Files.writeString(sse, events);
    return start(dir, port, """
        location = /plain/v1/chat/completions { default_type application/json; alias %s; error_page 405 =200 $uri; }
        location = /sse/v1/chat/completions { default_type text/event-stream; alias %s; error_page 405 =200 $uri; }
        """.formatted(json, sse), "");
  }

  /**
   * A plain reverse proxy to {@code upstreamPort}: HTTP/1.1 with pooled keep-alive connections
   * upstream, no buffering (so a stream's first event passes at once), as one would put nginx in
   * front of an API.
   */
  static NginxProcess proxy(Path dir, int port, int upstreamPort) throws IOException, InterruptedException {
    return start(dir, port, """
        location / {
          proxy_pass http://upstream_api;
          proxy_http_version 1.1;
          proxy_set_header Connection "";
          proxy_buffering off;
        }
        """, """
        upstream upstream_api { server 127.0.0.1:%d; keepalive 256; keepalive_requests 1000000; }
        """.formatted(upstreamPort));
  }

  private static NginxProcess start(Path dir, int port, String locations, String upstreams) throws IOException,
      InterruptedException {
    Files.createDirectories(dir);
    Path d = dir.toAbsolutePath();
    // worker_processes auto: one per core, as Debian ships it. No access log: the floor, not a feature.
    String config = """
        worker_processes %s;
        pid %s/nginx.pid;
        error_log %s/error.log warn;
        events { worker_connections 8192; }
        http {
          access_log off;
          sendfile on;
          open_file_cache max=16;
          open_file_cache_valid 1h;
          keepalive_requests 1000000;
          keepalive_timeout 75s;
          client_body_temp_path %s/client_body;
          proxy_temp_path %s/proxy;
          fastcgi_temp_path %s/fastcgi;
          uwsgi_temp_path %s/uwsgi;
          scgi_temp_path %s/scgi;
          %s
          server {
            listen 127.0.0.1:%d;
            %s
          }
        }
        """.formatted(System.getProperty("silkroute.bench.nginx-workers", "auto"), d, d, d, d, d, d, d, upstreams,
        port, locations);
    Path file = d.resolve("nginx.conf");
    Files.writeString(file, config);
    Process master = new ProcessBuilder(binary(), "-p", d.toString(), "-c", file.toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(d.resolve("stdout.log").toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(master::destroyForcibly, "stop-nginx"));
    NginxProcess nginx = new NginxProcess(master, d);
    for (int attempt = 0; attempt < 100; attempt++) {
      if (!master.isAlive()) {
        throw new IllegalStateException("nginx exited with " + master.exitValue() + ": see " + d);
      }
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return nginx;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    master.destroyForcibly();
    throw new IllegalStateException("nginx did not listen on " + port + ": see " + d);
  }

  /** {@code silkroute.bench.nginx}, else nginx on the PATH, else Debian's /usr/sbin/nginx. */
  static String binary() {
    String configured = System.getProperty("silkroute.bench.nginx");
    if (configured != null) {
      return configured;
    }
    Stream<Path> candidates = Stream.concat(
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(p -> !p.isEmpty())
            .map(p -> Path.of(p, "nginx")),
        List.of(Path.of("/usr/sbin/nginx")).stream());
    return candidates.filter(Files::isExecutable).findFirst().map(Path::toString)
        .orElseThrow(() -> new IllegalStateException(
            "nginx not found: apt-get install -y nginx (bin/bench-router does it), or -Dsilkroute.bench.nginx=/path"));
  }

  /** CPU time of the master and all its workers so far, user and system (from /proc/<pid>/stat). */
  Duration cpuTime() {
    return Stream.concat(Stream.of(master.toHandle()), master.descendants())
        .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO)).reduce(Duration.ZERO, Duration::plus);
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() throws InterruptedException {
    master.destroy(); // SIGTERM: nginx's fast shutdown, the workers go with the master
    if (!master.waitFor(10, TimeUnit.SECONDS)) {
      master.destroyForcibly().waitFor();
    }
  }
}
