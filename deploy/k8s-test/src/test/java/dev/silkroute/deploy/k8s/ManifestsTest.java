package dev.silkroute.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.deploy.k8s.Manifests.Workload;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s checked against the services themselves, without a cluster: both kustomizations (the
 * base and the example) are rendered and parsed with fabric8's model, then every port, probe, scrape
 * target, environment variable, config and secret key, selector and scale target is looked up in
 * what the services really read and serve (their application.yml, settings records and sources,
 * deploy/catalog.yaml, the Dockerfile).
 */
class ManifestsTest {

  private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final Pattern CATALOG_VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
  /** Image name (without registry and tag) -> the module it is built from (deploy/docker/Dockerfile). */
  private static final Map<String, String> IMAGES = Map.of(
      "silkroute-router", "router-service",
      "silkroute-billing", "billing-service",
      "silkroute-worker", "worker-service");
  private static final String PROVIDER_SIM_IMAGE = "silkroute-provider-sim";
  /** Micronaut's own port and, per service, the settings that open a gRPC port. */
  private static final String HTTP_PORT = "micronaut.server.port";
  private static final Map<String, String> GRPC_PORT = Map.of(
      "router-service", "silkroute.router.grpc-port",
      "worker-service", "silkroute.worker.grpc-port");

  private static Manifests base;
  private static Manifests example;
  private static final Map<String, ServiceConfig> SERVICES = new LinkedHashMap<>();

  @BeforeAll
  static void render() {
    base = Manifests.render(REPO.resolve("deploy/k8s/base"));
    example = Manifests.render(REPO.resolve("deploy/k8s/example"));
    IMAGES.values().forEach(module -> SERVICES.put(module, ServiceConfig.of(REPO, module)));
  }

  private static List<Manifests> both() {
    return List.of(base, example);
  }

  @Test
  void baseHoldsTheRouterBillingAndGpuWorkers() {
    assertThat(base.objects).isNotEmpty();
    assertThat(base.find(Deployment.class, "silkroute-router")).isPresent();
    assertThat(base.find(Deployment.class, "silkroute-billing")).isPresent();
    assertThat(base.find("StatefulSet", "silkroute-worker")).isPresent();
    for (String module : IMAGES.values()) {
      assertThat(containersOf(base, module)).as("containers running " + module).isNotEmpty();
    }
  }

  @Test
  void everyEnvironmentVariableIsASettingTheServiceReads() {
    Set<String> catalogEnv = catalogEnvironment();
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.template().getSpec().getContainers()) {
          Optional<ServiceConfig> service = serviceOf(c);
          if (service.isEmpty()) {
            assertThat(c.getEnv()).as(where(m, w, c) + ": environment of a container whose settings this test cannot check")
                .isNullOrEmpty();
            continue;
          }
          Set<String> referenced = referencedVariables(c);
          for (EnvVar env : envOf(c)) {
            String name = env.getName();
            boolean read = service.get().propertyOf(name).isPresent()
                // The JVM reads it; the Dockerfile's runtime stage sets the default.
                || name.equals("JAVA_TOOL_OPTIONS") && dockerfile().contains("JAVA_TOOL_OPTIONS")
                // deploy/catalog.yaml: ${VAR} in base URLs and api_key_env, read by the router's catalog.
                || service.get().module.equals("router-service") && catalogEnv.contains(name)
                // Only there to be expanded into another variable, e.g. $(POD_IP).
                || referenced.contains(name);
            assertThat(read).as(where(m, w, c) + ": " + name + " is no setting " + service.get().module + " reads")
                .isTrue();
          }
        }
      }
    }
  }

  @Test
  void containerPortsAreThePortsTheServicesListenOn() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.template().getSpec().getContainers()) {
          Set<Integer> declared = new LinkedHashSet<>();
          c.getPorts().forEach(p -> declared.add(p.getContainerPort()));
          Optional<ServiceConfig> service = serviceOf(c);
          if (service.isPresent()) {
            Map<String, String> env = literalEnv(c);
            Set<Integer> listening = new LinkedHashSet<>();
            listening.add(Integer.parseInt(service.get().effective(HTTP_PORT, env)));
            Optional.ofNullable(GRPC_PORT.get(service.get().module))
                .ifPresent(p -> listening.add(Integer.parseInt(service.get().effective(p, env))));
            assertThat(declared).as(where(m, w, c) + ": container ports").isEqualTo(listening);
          } else if (bareImage(c).equals(PROVIDER_SIM_IMAGE)) {
            assertThat(declared).as(where(m, w, c) + ": provider-sim's port, as its image starts it")
                .containsExactly(providerSimPort());
          }
        }
      }
    }
  }

  @Test
  void probesUseTheServicesHealthEndpoints() {
    int probes = 0;
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.allContainers().toList()) {
          for (Probe probe : Stream.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())
              .filter(Objects::nonNull).toList()) {
            assertThat(probe.getHttpGet()).as(where(m, w, c) + ": probes are HTTP GETs on a health endpoint").isNotNull();
            int port = containerPort(c, probe.getHttpGet().getPort())
                .orElseThrow(() -> new AssertionError(where(m, w, c) + ": probe port " + probe.getHttpGet().getPort()
                    + " is none of the container's ports"));
            String path = probe.getHttpGet().getPath();
            Optional<ServiceConfig> service = serviceOf(c);
            if (service.isPresent()) {
              assertThat(service.get().healthPaths()).as(where(m, w, c) + ": health paths").contains(path);
              assertThat(port).as(where(m, w, c) + ": probe port is the HTTP port")
                  .isEqualTo(Integer.parseInt(service.get().effective(HTTP_PORT, literalEnv(c))));
            } else if (bareImage(c).equals(PROVIDER_SIM_IMAGE)) {
              assertThat(sources("provider-sim")).as("provider-sim serves " + path).contains("\"" + path + "\"");
            }
            probes++;
          }
        }
        for (Container c : w.template().getSpec().getContainers()) {
          if (serviceOf(c).isPresent()) {
            assertThat(c.getReadinessProbe()).as(where(m, w, c) + ": readiness probe").isNotNull();
            assertThat(c.getLivenessProbe()).as(where(m, w, c) + ": liveness probe").isNotNull();
          }
        }
      }
    }
    assertThat(probes).isPositive();
  }

  @Test
  void everyServicePodIsScrapedAtItsMetricsEndpoint() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        List<Container> services = w.template().getSpec().getContainers().stream()
            .filter(c -> serviceOf(c).isPresent()).toList();
        if (services.isEmpty()) {
          continue;
        }
        Map<String, String> annotations = Optional.ofNullable(w.template().getMetadata().getAnnotations()).orElse(Map.of());
        assertThat(annotations).as(m.dir + " " + w.name() + ": Prometheus scrape annotations")
            .containsEntry("prometheus.io/scrape", "true")
            .containsKeys("prometheus.io/port", "prometheus.io/path");
        Container c = services.get(0);
        ServiceConfig service = serviceOf(c).orElseThrow();
        assertThat(service.metricsPath()).as(service.module + " serves Prometheus metrics")
            .contains(annotations.get("prometheus.io/path"));
        assertThat(Integer.parseInt(annotations.get("prometheus.io/port"))).as(where(m, w, c) + ": scrape port")
            .isEqualTo(Integer.parseInt(service.effective(HTTP_PORT, literalEnv(c))));
      }
    }
  }

  @Test
  void servicesSelectPodsAndTargetTheirPorts() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        assertThat(Manifests.matches(w.selector().getMatchLabels(), w.template().getMetadata().getLabels()))
            .as(m.dir + " " + w.name() + ": selector matches its own pod labels").isTrue();
        assertThat(w.selector().getMatchExpressions()).as("selectors use labels only").isNullOrEmpty();
      }
      for (Service s : m.all(Service.class)) {
        List<Workload> pods = m.selectedBy(s.getSpec().getSelector());
        assertThat(pods).as(m.dir + " Service " + s.getMetadata().getName() + " selects pods").isNotEmpty();
        for (ServicePort port : s.getSpec().getPorts()) {
          IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
          for (Workload w : pods) {
            boolean served = w.template().getSpec().getContainers().stream()
                .anyMatch(c -> containerPort(c, target).isPresent());
            assertThat(served).as(m.dir + " Service " + s.getMetadata().getName() + " port " + port.getName()
                + " -> " + target + " is a container port of " + w.name()).isTrue();
          }
        }
      }
    }
  }

  @Test
  void theAutoscalerAndDisruptionBudgetsTargetTheirWorkloads() {
    for (Manifests m : both()) {
      for (HorizontalPodAutoscaler hpa : m.all(HorizontalPodAutoscaler.class)) {
        var ref = hpa.getSpec().getScaleTargetRef();
        assertThat(m.find(ref.getKind(), ref.getName())).as(m.dir + " HPA " + hpa.getMetadata().getName()
            + " targets " + ref.getKind() + "/" + ref.getName()).isPresent();
        assertThat(hpa.getSpec().getMinReplicas()).as("an HPA never scales the router to one replica")
            .isGreaterThanOrEqualTo(2);
        hpa.getSpec().getMetrics().forEach(metric -> {
          // Pods/Object/External metrics would name a Prometheus series: check it before allowing one.
          assertThat(metric.getType()).as("HPA metric type").isEqualTo("Resource");
          assertThat(metric.getResource().getName()).isIn("cpu", "memory");
        });
        Workload target = m.workload(ref.getName());
        assertThat(target.template().getSpec().getContainers())
            .allSatisfy(c -> assertThat(c.getResources().getRequests()).as("HPA utilisation needs requests")
                .containsKey(hpa.getSpec().getMetrics().get(0).getResource().getName()));
      }
      for (PodDisruptionBudget pdb : m.all(PodDisruptionBudget.class)) {
        assertThat(pdb.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(m.selectedBy(pdb.getSpec().getSelector().getMatchLabels()))
            .as(m.dir + " PDB " + pdb.getMetadata().getName() + " covers exactly one workload").hasSize(1);
      }
    }
    Deployment router = base.find(Deployment.class, "silkroute-router").orElseThrow();
    assertThat(base.all(HorizontalPodAutoscaler.class)).as("an HPA scales the router")
        .anyMatch(h -> h.getSpec().getScaleTargetRef().getKind().equals("Deployment")
            && h.getSpec().getScaleTargetRef().getName().equals(router.getMetadata().getName()));
    assertThat(base.all(PodDisruptionBudget.class)).as("a PDB protects the router")
        .anyMatch(p -> Manifests.matches(p.getSpec().getSelector().getMatchLabels(),
            router.getSpec().getTemplate().getMetadata().getLabels()));
  }

  @Test
  void theCatalogIsAConfigMapMountedSoTheRouterReloadsIt() throws IOException {
    ServiceConfig router = SERVICES.get("router-service");
    assertThat(router.properties).as("the router polls its catalog file").contains("silkroute.routing.catalog-poll");
    Container c = containersOf(base, "router-service").get(0);
    Workload w = base.workload("silkroute-router");
    Path catalogPath = Path.of(router.effective("silkroute.router.catalog", literalEnv(c)));
    VolumeMount mount = c.getVolumeMounts().stream().filter(v -> catalogPath.startsWith(v.getMountPath()))
        .findFirst().orElseThrow(() -> new AssertionError("no volume is mounted at " + catalogPath));
    // A subPath mount is a copy made once: the kubelet's updates of the ConfigMap never reach it.
    assertThat(mount.getSubPath()).as("catalog mounted as a directory").isNullOrEmpty();
    Volume volume = w.template().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
        .findFirst().orElseThrow();
    assertThat(volume.getConfigMap()).as("catalog volume is a ConfigMap").isNotNull();
    String configMap = volume.getConfigMap().getName();
    String key = Path.of(mount.getMountPath()).relativize(catalogPath).toString();
    // The README's command creates (and updates) that ConfigMap from deploy/catalog.yaml.
    String command = "kubectl create configmap " + configMap + " --from-file=" + key + "=deploy/catalog.yaml";
    assertThat(Files.readString(REPO.resolve("README.md")).contains(command)).as("README says: " + command).isTrue();
  }

  @Test
  void everyProviderKeyOfTheCatalogReachesTheRouterFromASecret() {
    Set<String> keys = new LinkedHashSet<>();
    for (JsonNode provider : catalog().path("providers")) {
      if (provider.hasNonNull("api_key_env")) {
        keys.add(provider.get("api_key_env").asText());
      }
    }
    assertThat(keys).isNotEmpty();
    Container router = containersOf(base, "router-service").get(0);
    Map<String, EnvVar> env = new LinkedHashMap<>();
    envOf(router).forEach(e -> env.put(e.getName(), e));
    for (String key : keys) {
      assertThat(env).as("router environment").containsKey(key);
      assertThat(env.get(key).getValueFrom()).as(key + " comes from a Secret").isNotNull();
      assertThat(env.get(key).getValueFrom().getSecretKeyRef()).as(key + " comes from a Secret").isNotNull();
    }
  }

  @Test
  void everyRequiredConfigMapAndSecretKeyExistsInTheExample() {
    for (Workload w : example.workloads()) {
      for (Container c : w.allContainers().toList()) {
        for (EnvVar env : envOf(c)) {
          if (env.getValueFrom() == null) {
            continue;
          }
          var cm = env.getValueFrom().getConfigMapKeyRef();
          if (cm != null) {
            Optional<ConfigMap> map = example.find(ConfigMap.class, cm.getName());
            if (!Boolean.TRUE.equals(cm.getOptional()) || map.isPresent()) {
              assertThat(map).as(where(example, w, c) + ": ConfigMap " + cm.getName()).isPresent();
              assertThat(map.get().getData()).as(where(example, w, c) + ": " + env.getName()).containsKey(cm.getKey());
            }
          }
          var secret = env.getValueFrom().getSecretKeyRef();
          if (secret != null && !Boolean.TRUE.equals(secret.getOptional())) {
            Optional<Secret> s = example.find(Secret.class, secret.getName());
            assertThat(s).as(where(example, w, c) + ": Secret " + secret.getName()).isPresent();
            assertThat(s.get().getData()).as(where(example, w, c) + ": " + env.getName()).containsKey(secret.getKey());
          }
        }
      }
    }
  }

  @Test
  void everyConfigMapAndSecretKeyOfTheExampleIsRead() {
    Set<String> read = new LinkedHashSet<>();
    for (Workload w : example.workloads()) {
      for (Container c : w.allContainers().toList()) {
        for (EnvVar env : envOf(c)) {
          if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
            read.add("ConfigMap/" + env.getValueFrom().getConfigMapKeyRef().getName() + "/" + env.getValueFrom().getConfigMapKeyRef().getKey());
          }
          if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
            read.add("Secret/" + env.getValueFrom().getSecretKeyRef().getName() + "/" + env.getValueFrom().getSecretKeyRef().getKey());
          }
        }
      }
    }
    for (ConfigMap map : example.all(ConfigMap.class)) {
      map.getData().keySet().forEach(key -> assertThat(read).as("a container reads ConfigMap "
          + map.getMetadata().getName() + " key " + key).contains("ConfigMap/" + map.getMetadata().getName() + "/" + key));
    }
    for (Secret secret : example.all(Secret.class)) {
      secret.getData().keySet().forEach(key -> assertThat(read).as("a container reads Secret "
          + secret.getMetadata().getName() + " key " + key).contains("Secret/" + secret.getMetadata().getName() + "/" + key));
    }
  }

  @Test
  void gpuWorkersRequestAGpuAndOutlastTheirDrain() {
    List<Workload> workers = base.workloads().stream()
        .filter(w -> w.template().getSpec().getContainers().stream().anyMatch(c -> isService(c, "worker-service")))
        .toList();
    assertThat(workers).isNotEmpty();
    for (Workload w : workers) {
      Container worker = w.template().getSpec().getContainers().stream()
          .filter(c -> isService(c, "worker-service")).findFirst().orElseThrow();
      Quantity gpu = new Quantity("1");
      assertThat(w.allContainers()).as(w.name() + ": a container requests a GPU, limit = request")
          .anyMatch(c -> c.getResources() != null && c.getResources().getRequests() != null
              && gpu.equals(c.getResources().getRequests().get("nvidia.com/gpu"))
              && gpu.equals(c.getResources().getLimits().get("nvidia.com/gpu")));
      ServiceConfig config = SERVICES.get("worker-service");
      Duration drain = duration(config.effective("silkroute.worker.drain-timeout", literalEnv(worker)));
      Long grace = w.template().getSpec().getTerminationGracePeriodSeconds();
      assertThat(grace).as(w.name() + ": terminationGracePeriodSeconds").isNotNull();
      assertThat(Duration.ofSeconds(grace)).as(w.name() + ": the kubelet waits longer than the drain")
          .isGreaterThan(drain.plusSeconds(10));
      // An openai-compatible engine in the pod: its URL's port is one the pod serves.
      if ("openai-compatible".equals(config.effective("silkroute.worker.engine", literalEnv(worker)))) {
        String url = literalEnv(worker).get(ServiceConfig.envName("silkroute.worker.openai-compatible.url"));
        assertThat(url).as(w.name() + ": engine URL").isNotNull();
        int port = java.net.URI.create(url).getPort();
        assertThat(w.allContainers().flatMap(c -> c.getPorts().stream()).map(ContainerPort::getContainerPort))
            .as(w.name() + ": the engine's port " + port + " is served in the pod").contains(port);
      }
    }
  }

  @Test
  void billingReplicasFitTheConsumerGroupAndTheExampleTopic() {
    Workload billing = base.workload("silkroute-billing");
    ServiceConfig config = SERVICES.get("billing-service");
    Container c = containersOf(base, "billing-service").get(0);
    int partitions = Integer.parseInt(config.effective("silkroute.usage.partitions", literalEnv(c)));
    int replication = Integer.parseInt(config.effective("silkroute.usage.replication-factor", literalEnv(c)));
    assertThat(billing.replicas()).as("billing replicas beyond the partitions would idle").isLessThanOrEqualTo(partitions);
    String topic = config.effective("silkroute.usage.topic", literalEnv(c));
    GenericKubernetesResource kafkaTopic = example.generic("KafkaTopic").stream()
        .filter(t -> topic.equals(((Map<?, ?>) t.getAdditionalProperties().get("spec")).get("topicName")))
        .findFirst().orElseThrow(() -> new AssertionError("the example declares no KafkaTopic " + topic));
    Map<?, ?> spec = (Map<?, ?>) kafkaTopic.getAdditionalProperties().get("spec");
    assertThat(spec.get("partitions")).as("example topic partitions = billing's").isEqualTo(partitions);
    assertThat(spec.get("replicas")).as("example topic replicas = billing's").isEqualTo(replication);
  }

  @Test
  void everyContainerRequestsCpuAndMemoryAndIsHeldToItsMemoryRequest() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.allContainers().toList()) {
          assertThat(c.getResources()).as(where(m, w, c) + ": resources").isNotNull();
          Map<String, Quantity> requests = Optional.ofNullable(c.getResources().getRequests()).orElse(Map.of());
          Map<String, Quantity> limits = Optional.ofNullable(c.getResources().getLimits()).orElse(Map.of());
          assertThat(requests).as(where(m, w, c) + ": requests").containsKeys("cpu", "memory");
          // The JVM sizes its heap from the limit; a limit above the request could be OOM-killed
          // under node pressure while the JVM still thinks it has room.
          assertThat(limits.get("memory")).as(where(m, w, c) + ": memory limit = request").isEqualTo(requests.get("memory"));
        }
      }
    }
  }

  @Test
  void workersServeCatalogPoolsUnderTheNamesTheirEngineAnswersTo() {
    Map<String, String> upstreamOfPool = new LinkedHashMap<>();
    catalog().path("worker_pools").forEach(p -> upstreamOfPool.put(p.path("model").asText(),
        p.path("upstream_model").asText(p.path("model").asText())));
    for (Workload w : base.workloads()) {
      for (Container worker : w.template().getSpec().getContainers().stream()
          .filter(c -> isService(c, "worker-service")).toList()) {
        List<String> models = List.of(SERVICES.get("worker-service")
            .effective("silkroute.worker.models", literalEnv(worker)).split(","));
        assertThat(upstreamOfPool.keySet()).as(w.name() + ": every model it serves is a catalog worker pool")
            .containsAll(models);
        Set<String> served = new LinkedHashSet<>();
        w.allContainers().flatMap(c -> Stream.concat(Stream.ofNullable(c.getArgs()).flatMap(List::stream),
                Stream.ofNullable(c.getCommand()).flatMap(List::stream)))
            .filter(a -> a.startsWith("--served-model-name=")).forEach(a -> served.addAll(
                List.of(a.substring("--served-model-name=".length()).split(","))));
        if (!served.isEmpty()) {
          // The router asks a worker for the pool's upstream_model, and the worker passes it to its engine.
          models.forEach(model -> assertThat(served).as(w.name() + ": the engine answers to " + model + "'s upstream model")
              .contains(upstreamOfPool.get(model)));
        }
      }
    }
  }

  @Test
  void theExampleInfrastructureAnswersAtTheAddressesTheConfigNames() {
    Map<String, String> config = example.find(ConfigMap.class, "silkroute-config").orElseThrow().getData();
    // Strimzi: the bootstrap Service is <cluster>-kafka-bootstrap, on the plain listener's port.
    GenericKubernetesResource kafka = single(example.generic("Kafka"));
    Map<?, ?> plain = ((List<?>) path(kafka, "spec", "kafka", "listeners")).stream().map(Map.class::cast)
        .filter(l -> Boolean.FALSE.equals(l.get("tls"))).findFirst()
        .orElseThrow(() -> new AssertionError("the example's Kafka has no plain listener"));
    assertThat(config.get("kafka-bootstrap-servers"))
        .isEqualTo(kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.get("port"));
    // CloudNativePG: the primary is <cluster>-rw:5432, the database and its owner's Secret from initdb.
    GenericKubernetesResource pg = single(example.generic("Cluster"));
    assertThat(config.get("postgres-jdbc-url")).isEqualTo("jdbc:postgresql://" + pg.getMetadata().getName()
        + "-rw:5432/" + path(pg, "spec", "bootstrap", "initdb", "database"));
    String ownerSecret = (String) path(pg, "spec", "bootstrap", "initdb", "secret", "name");
    Container billing = containersOf(example, "billing-service").get(0);
    envOf(billing).stream().filter(e -> e.getName().startsWith("DATASOURCES_DEFAULT_USERNAME")
            || e.getName().startsWith("DATASOURCES_DEFAULT_PASSWORD"))
        .forEach(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).as(e.getName()).isEqualTo(ownerSecret));
    assertThat(example.find(Secret.class, ownerSecret).orElseThrow().getType()).isEqualTo("kubernetes.io/basic-auth");
    // provider-sim: its Service's name and port.
    Service sim = example.find(Service.class, "silkroute-provider-sim").orElseThrow();
    assertThat(config.get("provider-sim-url"))
        .isEqualTo("http://" + sim.getMetadata().getName() + ":" + sim.getSpec().getPorts().get(0).getPort());
  }

  @Test
  void thePodMonitorScrapesEveryServicePodAtItsMetricsEndpoint() {
    Manifests monitoring = Manifests.render(REPO.resolve("deploy/k8s/monitoring"));
    GenericKubernetesResource podMonitor = single(monitoring.generic("PodMonitor"));
    Map<?, ?> selector = (Map<?, ?>) path(podMonitor, "spec", "selector");
    List<Workload> scraped = example.workloads().stream()
        .filter(w -> selects(selector, w.template().getMetadata().getLabels())).toList();
    List<Workload> services = example.workloads().stream()
        .filter(w -> w.template().getSpec().getContainers().stream().anyMatch(c -> serviceOf(c).isPresent())).toList();
    assertThat(scraped).as("pods the PodMonitor selects").containsExactlyInAnyOrderElementsOf(services);
    for (Object endpoint : (List<?>) path(podMonitor, "spec", "podMetricsEndpoints")) {
      Map<?, ?> e = (Map<?, ?>) endpoint;
      for (Workload w : scraped) {
        Container c = w.template().getSpec().getContainers().stream().filter(x -> serviceOf(x).isPresent())
            .findFirst().orElseThrow();
        int port = containerPort(c, new IntOrString((String) e.get("port"))).orElseThrow(() -> new AssertionError(
            w.name() + " has no container port named " + e.get("port")));
        ServiceConfig service = serviceOf(c).orElseThrow();
        assertThat(port).as(w.name() + ": scraped port").isEqualTo(Integer.parseInt(service.effective(HTTP_PORT, literalEnv(c))));
        assertThat(service.metricsPath()).as(w.name() + ": scraped path").contains((String) e.get("path"));
      }
    }
  }

  @Test
  void theReadmeDeploySectionAppliesKustomizationsThatExist() throws IOException {
    String readme = Files.readString(REPO.resolve("README.md"));
    assertThat(readme.contains("\n## Deploy\n")).as("README has a Deploy section").isTrue();
    Matcher apply = Pattern.compile("kubectl apply -k ([^\\s`]+)").matcher(readme);
    List<String> paths = new ArrayList<>();
    while (apply.find()) {
      paths.add(apply.group(1));
    }
    assertThat(paths).isNotEmpty();
    paths.forEach(p -> assertThat(REPO.resolve(p).resolve("kustomization.yaml")).as("README: kubectl apply -k " + p)
        .exists());
  }

  // --- helpers

  private static List<Container> containersOf(Manifests m, String module) {
    return m.workloads().stream().flatMap(w -> w.template().getSpec().getContainers().stream())
        .filter(c -> isService(c, module)).toList();
  }

  private static boolean isService(Container c, String module) {
    return serviceOf(c).map(s -> s.module.equals(module)).orElse(false);
  }

  private static Optional<ServiceConfig> serviceOf(Container c) {
    return Optional.ofNullable(IMAGES.get(bareImage(c))).map(SERVICES::get);
  }

  /** A label selector with matchLabels and "In" expressions, the forms deploy/k8s uses. */
  private static boolean selects(Map<?, ?> selector, Map<String, String> labels) {
    @SuppressWarnings("unchecked")
    Map<String, String> matchLabels = (Map<String, String>) selector.get("matchLabels");
    if (matchLabels != null && !Manifests.matches(matchLabels, labels)) {
      return false;
    }
    List<?> expressions = Optional.ofNullable((List<?>) selector.get("matchExpressions")).orElse(List.of());
    for (Object expression : expressions) {
      Map<?, ?> x = (Map<?, ?>) expression;
      assertThat(x.get("operator")).as("selector operator this test evaluates").isEqualTo("In");
      if (!((List<?>) x.get("values")).contains(labels.get((String) x.get("key")))) {
        return false;
      }
    }
    return matchLabels != null || !expressions.isEmpty();
  }

  private static <T> T single(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  private static Object path(GenericKubernetesResource resource, String... keys) {
    Object node = resource.getAdditionalProperties();
    for (String key : keys) {
      assertThat(node).as(resource.getKind() + "/" + resource.getMetadata().getName() + " has " + key).isInstanceOf(Map.class);
      node = ((Map<?, ?>) node).get(key);
    }
    return node;
  }

  private static String bareImage(Container c) {
    String image = c.getImage();
    image = image.substring(image.lastIndexOf('/') + 1);
    return image.contains(":") ? image.substring(0, image.indexOf(':')) : image;
  }

  private static List<EnvVar> envOf(Container c) {
    assertThat(c.getEnvFrom()).as(c.getName() + ": envFrom hides which variables are set; list them").isNullOrEmpty();
    return c.getEnv() == null ? List.of() : c.getEnv();
  }

  private static Map<String, String> literalEnv(Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    envOf(c).stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  private static Set<String> referencedVariables(Container c) {
    Set<String> names = new LinkedHashSet<>();
    for (EnvVar e : envOf(c)) {
      if (e.getValue() != null) {
        Matcher m = VAR_REF.matcher(e.getValue());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static Optional<Integer> containerPort(Container c, IntOrString port) {
    if (port == null) {
      return Optional.empty();
    }
    return c.getPorts().stream()
        .filter(p -> port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
            : port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort).findFirst();
  }

  private static String where(Manifests m, Workload w, Container c) {
    return REPO.relativize(m.dir) + " " + w.owner().getKind() + "/" + w.name() + " container " + c.getName();
  }

  private static JsonNode catalog() {
    return Kustomize.readOne(REPO.resolve("deploy/catalog.yaml"));
  }

  /** Environment variables deploy/catalog.yaml reads: ${VAR} in its values and every api_key_env. */
  private static Set<String> catalogEnvironment() {
    Set<String> names = new LinkedHashSet<>();
    try {
      Matcher m = CATALOG_VAR.matcher(Files.readString(REPO.resolve("deploy/catalog.yaml")));
      while (m.find()) {
        names.add(m.group(1));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    catalog().path("providers").forEach(p -> {
      if (p.hasNonNull("api_key_env")) {
        names.add(p.get("api_key_env").asText());
      }
    });
    return names;
  }

  private static String dockerfile() {
    try {
      return Files.readString(REPO.resolve("deploy/docker/Dockerfile"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The port the Dockerfile's provider-sim stage passes to --port. */
  private static int providerSimPort() {
    Matcher m = Pattern.compile("AS provider-sim[\\s\\S]*?ENTRYPOINT \\[.*\"--port\", \"(\\d+)\"").matcher(dockerfile());
    assertThat(m.find()).as("Dockerfile's provider-sim stage passes --port").isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String sources(String module) {
    try (Stream<Path> files = Files.walk(REPO.resolve(module).resolve("src/main/java"))) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        all.append(Files.readString(f));
      }
      return all.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Micronaut's duration forms the manifests use: 500ms, 30s, 2m, or ISO-8601. */
  private static Duration duration(String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    return Duration.parse(text);
  }
}
