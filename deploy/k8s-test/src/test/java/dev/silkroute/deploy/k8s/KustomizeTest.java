package dev.silkroute.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ManifestsTest validates what {@link Kustomize} renders; this checks that it renders what kubectl
 * does, wherever a kubectl is installed (CI machines need none: then it is skipped, and the
 * renderer's refusal of kustomize features it does not implement is the guard).
 */
class KustomizeTest {

  private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

  @ParameterizedTest
  @ValueSource(strings = {"deploy/k8s/base", "deploy/k8s/example", "deploy/k8s/monitoring"})
  void rendersWhatKubectlKustomizeRenders(String dir) throws IOException, InterruptedException {
    Optional<Path> kubectl = onPath("kubectl");
    assumeTrue(kubectl.isPresent(), "no kubectl on PATH");
    Path out = Files.createTempFile("kustomize", ".yaml");
    try {
      Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", REPO.resolve(dir).toString())
          .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
      assertThat(process.exitValue()).as("kubectl kustomize " + dir).isZero();
      assertThat(byName(Kustomize.render(REPO.resolve(dir)))).isEqualTo(byName(Kustomize.readAll(out)));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static Map<String, ObjectNode> byName(List<ObjectNode> objects) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    objects.forEach(o -> out.put(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText(), o));
    return out;
  }

  private static Optional<Path> onPath(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(dir -> Path.of(dir, command)).filter(Files::isExecutable).findFirst();
  }
}
