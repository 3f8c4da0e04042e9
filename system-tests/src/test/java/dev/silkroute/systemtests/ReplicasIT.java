package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.contracts.CreditHolds;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.DrainRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.testkit.Infra;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Replicas of every service at once, on one machine: two routers, billing instances in one consumer
 * group, two workers with different GPUs, on real Kafka, Redis and PostgreSQL. Each scenario prints
 * its figures (requests, events, ledger rows, lost, doubled, overdraw). The scenarios share one stack
 * and run in order: the later ones kill and replace processes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasIT {

  private static final String POOLED = "qwen/qwen3-32b";
  /** Requests each worker takes at once (running, no queue): its capacity. */
  private static final int WORKER_SLOTS = 4;

  private ReplicaStack stack;
  private LedgerCheck check;
  private final AtomicInteger customers = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    long started = System.nanoTime();
    stack = ReplicaStack.start(WORKER_SLOTS);
    check = new LedgerCheck(stack);
    stack.awaitWorkersKnown();
    System.err.printf("[replicas] 2 routers, 2 billing instances, 2 workers up in %d s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  /**
   * A burst over both routers fills each worker to its capacity and not beyond: the routers share
   * their pick-time charges in Redis, so no worker turns a request away, and the requests no slot is
   * left for are answered 503 {@code capacity_full} with Retry-After. Then one provider fails for
   * router A only, and router B, which never called it, steers around it from the shared statistics.
   */
  @Test
  @Order(1)
  void routersShareWorkerChargesAndEndpointStatistics() throws Exception {
    String[] account = stack.admin().customerWithKey("Burst Co " + customers.incrementAndGet(), 100_000_000);
    List<ServiceProcess> routers = List.of(stack.routers.get("router-a"), stack.routers.get("router-b"));
    int burst = 4 * WORKER_SLOTS; // twice the two workers' capacity
    // ~150 tokens: 2 s on the H100 profile, 4 s on the A100, far longer than the burst takes to arrive.
    List<ReplicaStack.Answer> answers = all(burst, burst,
        i -> ReplicaStack.chat(routers.get(i % 2), account[1], ReplicaStack.body(POOLED, 150, false, true)));
    long served = answers.stream().filter(ReplicaStack.Answer::paid).count();
    long full = answers.stream().filter(a -> a.status() == 503 && "capacity_full".equals(a.code())).count();
    System.err.printf("[replicas] burst: %d requests at once, %d served, %d answered 503 capacity_full;"
            + " the others were told: %s%n", burst, served, full,
        answers.stream().filter(a -> a.status() != 200).map(a -> a.status() + " " + a.code() + " " + a.error())
            .distinct().toList());

    double rejections = 0;
    java.util.Map<String, Double> ran = new java.util.TreeMap<>();
    for (var worker : stack.workers.entrySet()) {
      String metrics = ReplicaStack.scrape(worker.getValue());
      ran.put(worker.getKey(), ReplicaStack.sum(metrics, "silkroute_worker_requests_total"));
      rejections += ReplicaStack.sum(metrics, "silkroute_worker_rejections_total");
    }
    System.err.printf("[replicas] burst: requests each worker ran %s (capacity %d each), turned away by a worker %.0f%n",
        ran, WORKER_SLOTS, rejections);
    ran.forEach((worker, count) ->
        assertThat(count).as(worker + " filled to its capacity").isGreaterThanOrEqualTo(WORKER_SLOTS));
    assertThat(rejections).as("requests a worker turned away: the routers oversubscribed it").isZero();
    assertThat(served).isGreaterThanOrEqualTo(2L * WORKER_SLOTS);
    // All slots taken: the rest are refused by the routers' shared charges, never by a worker, as a
    // full pool: 503 service_unavailable, capacity_full, come back in a second.
    assertThat(served + full).as("every request served or told the pool is full").isEqualTo(burst);
    assertThat(answers).filteredOn(a -> a.status() != 200).allSatisfy(a -> {
      assertThat(a.type()).isEqualTo("service_unavailable");
      assertThat(a.retryAfter()).isEqualTo("1");
    });
    check.verify("burst over 2 routers to 2 workers of " + WORKER_SLOTS + " slots", account[0], burst, answers);

    // alibaba, the cheapest for this model, fails every request; router A alone sees it.
    stack.sim.update("alibaba", k -> k.toBuilder().errorRate(1.0).build());
    try {
      // Until alibaba has failed enough requests for an uptime (5); A's own circuit then opens.
      long before = stack.sim.requestCount("alibaba");
      for (int i = 0; i < 60 && stack.sim.requestCount("alibaba") - before < 5; i++) {
        assertThat(ReplicaStack.chat(routers.get(0), account[1], ReplicaStack.body(POOLED, 8, false, false)).status())
            .isEqualTo(200);
      }
      long failedAtA = stack.sim.requestCount("alibaba");
      assertThat(failedAtA - before).isGreaterThanOrEqualTo(5);
      // One request to B first: a router reads the shared statistics of the endpoints it has planned for.
      assertThat(ReplicaStack.chat(routers.get(1), account[1], ReplicaStack.body(POOLED, 8, false, false)).status())
          .isEqualTo(200);
      failedAtA = stack.sim.requestCount("alibaba");
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
          assertThat(uptime(routers.get(1), "alibaba", POOLED)).isLessThan(0.8));
      for (int i = 0; i < 12; i++) {
        assertThat(ReplicaStack.chat(routers.get(1), account[1], ReplicaStack.body(POOLED, 8, false, false)).status())
            .isEqualTo(200);
      }
      long triedByB = stack.sim.requestCount("alibaba") - failedAtA;
      System.err.printf("[replicas] steering: alibaba failed %d requests at router A; router B then sent it %d of 12%n",
          failedAtA - before, triedByB);
      // Unaware, B would try alibaba first about 7 times in 12 (weights 1/price^2).
      assertThat(triedByB).as("requests router B sent to the provider router A saw failing").isZero();
    } finally {
      stack.sim.update("alibaba", k -> k.toBuilder().errorRate(0).build());
    }
  }

  /**
   * One key with 30 requests a minute and credit for about five requests at their worst case: 60
   * requests at once, split over both routers. Together the routers admit at most 30, and spend no
   * more than the credit; Redis, the ledger and the statement agree.
   */
  @Test
  @Order(2)
  void oneKeysLimitsAndCreditHoldAcrossBothRouters() throws Exception {
    long credit = 3_000;
    int rpm = 30;
    int requests = 60;
    BillingAdmin admin = stack.admin();
    String customer = admin.call("POST", "/admin/customers", "{\"name\":\"Thrifty " + customers.incrementAndGet() + "\"}")
        .get("id").asText();
    String key = admin.call("POST", "/admin/customers/" + customer + "/keys", "{\"requests_per_minute\":" + rpm + "}")
        .get("key").asText();
    admin.call("POST", "/admin/customers/" + customer + "/credits", "{\"amount_micros\":" + credit + "}");
    List<ServiceProcess> routers = List.of(stack.routers.get("router-a"), stack.routers.get("router-b"));
    // Slow first tokens keep requests in flight together, so credit reservations overlap.
    stack.sim.update("together", k -> k.toBuilder().ttftMs(300).build());
    stack.sim.update("groq", k -> k.toBuilder().ttftMs(300).build());
    List<ReplicaStack.Answer> answers;
    try {
      answers = all(requests, requests,
          i -> ReplicaStack.chat(routers.get(i % 2), key, ReplicaStack.body(POOLED, 1000, false, false)));
    } finally {
      stack.sim.update("together", k -> k.toBuilder().ttftMs(5).build());
      stack.sim.update("groq", k -> k.toBuilder().ttftMs(5).build());
    }
    long ok = answers.stream().filter(a -> a.status() == 200).count();
    long noCredit = answers.stream().filter(a -> a.status() == 402).count();
    long limited = answers.stream().filter(a -> a.status() == 429).count();
    System.err.printf("[replicas] limits: %d requests, %d served, %d refused 402 (credit), %d refused 429 (%d/min)%n",
        requests, ok, noCredit, limited, rpm);
    assertThat(ok + noCredit + limited).isEqualTo(requests);
    assertThat(ok + noCredit).as("admitted past the per-minute limit, both routers together").isLessThanOrEqualTo(rpm);
    assertThat(ok).isPositive();
    assertThat(noCredit).as("the credit must not cover every admitted request at its worst case").isPositive();

    LedgerCheck.Figures figures = check.verify("one key over 2 routers", customer, requests, answers);
    long spent = check.ledger(customer).values().stream().mapToLong(Long::longValue).sum();
    long overdraw = Math.max(0, spent - credit);
    System.err.printf("[replicas] one key over 2 routers: credit %d micro-USD, spent %d, overdraw %d%n", credit, spent,
        overdraw);
    assertThat(overdraw).isZero();
    assertThat(figures.answered()).isEqualTo(ok);
    RedisClient redis = RedisClient.create(Infra.redis().uri());
    try (StatefulRedisConnection<String, String> connection = redis.connect()) {
      assertThat(connection.sync().get(new RedisKeys(stack.prefix).balance(customer)))
          .isEqualTo(String.valueOf(credit - spent));
    } finally {
      redis.shutdown();
    }
  }

  /**
   * A steady stream over both routers, half streamed; billing-1 is killed -9 a third of the way in
   * and billing-3 joins the group later. The group rebalances; every event is in the ledger once.
   */
  @Test
  @Order(3)
  void billingKilledMidStreamAndAnotherAdded() throws Exception {
    String[] account = stack.admin().customerWithKey("Rebalance Co " + customers.incrementAndGet(), 100_000_000);
    List<ServiceProcess> routers = List.of(stack.routers.get("router-a"), stack.routers.get("router-b"));
    int requests = 400;
    AtomicInteger sent = new AtomicInteger();
    ExecutorService events = Executors.newSingleThreadExecutor();
    Future<?> changes = events.submit(() -> {
      await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= requests / 3);
      stack.billings.remove("billing-1").kill();
      System.err.println("[replicas] billing-1 killed -9 after " + sent.get() + " requests");
      stack.startBilling("billing-3");
      System.err.println("[replicas] billing-3 joined after " + sent.get() + " requests");
      return null;
    });
    List<ReplicaStack.Answer> answers = all(requests, 8, i -> {
      sent.incrementAndGet();
      return ReplicaStack.chat(routers.get(i % 2), account[1], ReplicaStack.body(POOLED, 8, i % 2 == 0, false));
    });
    changes.get(120, TimeUnit.SECONDS);
    events.shutdown();
    assertThat(answers).extracting(ReplicaStack.Answer::status).containsOnly(200);
    check.verify("billing-1 killed -9, billing-3 added", account[0], requests, answers);
  }

  /**
   * A steady stream over both routers, half streamed; router A is killed -9 half-way and started
   * again on the same spool (a pod restarted on its volume). Every answer a client received, with
   * its cost, is in the ledger: its event was in Kafka or in the router's journal.
   */
  @Test
  @Order(4)
  void routerKilledUnderLoadLosesNoAnsweredRequest() throws Exception {
    String[] account = stack.admin().customerWithKey("Crash Co " + customers.incrementAndGet(), 100_000_000);
    int requests = 400;
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    ServiceProcess routerA = stack.routers.get("router-a");
    ServiceProcess routerB = stack.routers.get("router-b");
    List<ReplicaStack.Answer> answers = all(requests, 8, i -> {
      if (sent.incrementAndGet() == requests / 2 && killed.compareAndSet(false, true)) {
        try {
          routerA.kill();
          System.err.println("[replicas] router-a killed -9 after " + sent.get() + " requests");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ReplicaStack.chat(i % 2 == 0 ? routerA : routerB, account[1],
          ReplicaStack.body(POOLED, 8, i % 4 < 2, false));
    });
    long unanswered = answers.stream().filter(a -> a.status() == 0).count();
    System.err.printf("[replicas] router crash: %d requests had no answer (router-a was gone)%n", unanswered);
    assertThat(unanswered).as("requests to the killed router failed: the test killed it under load").isPositive();
    assertThat(answers).extracting(ReplicaStack.Answer::status).containsOnly(200, 0);
    stack.startRouter("router-a"); // recovers its journal into the spool and replays it
    check.verify("router-a killed -9 under load", account[0], requests, answers);
    // The killed run's worker charges were never released; restarted under its name, router-a
    // released them, so no worker stays "full" for the charges' 15 min lease.
    RedisClient redis = RedisClient.create(Infra.redis().uri());
    try (StatefulRedisConnection<String, String> connection = redis.connect()) {
      WorkerKeys keys = new WorkerKeys(stack.prefix);
      for (String worker : stack.workers.keySet()) {
        assertThat(connection.sync().zcard(keys.inflight(worker))).as("charges left on " + worker).isZero();
      }
      // The killed run never settled its requests in flight. Those whose usage it had published were
      // settled by billing from the ledger; the rest still hold their worst case until it is given
      // back. So the hot balance is the ledger's to the micro-USD, once the holds are counted.
      RedisKeys money = new RedisKeys(stack.prefix);
      String balanceKey = money.balance(account[0]);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        long held = 0;
        for (String record : connection.sync().hvals(money.creditHolds())) {
          CreditHolds.Hold hold = CreditHolds.Hold.parse(record);
          held += balanceKey.equals(hold.balanceKey()) && !hold.released() ? hold.worstMicros() : 0;
        }
        long ledgerSpent = check.ledger(account[0]).values().stream().mapToLong(Long::longValue).sum();
        assertThat(Long.parseLong(connection.sync().get(balanceKey)) + held)
            .as("Redis balance + credit still held = granted - ledger").isEqualTo(100_000_000 - ledgerSpent);
      });
    } finally {
      redis.shutdown();
    }
  }

  /**
   * Both routers send to the worker pool while worker-1 drains: no request is lost (each is answered
   * by worker-2 or finished by worker-1), and once worker-1 has drained it runs nothing new.
   */
  @Test
  @Order(5)
  void workerDrainedWhileTwoRoutersSendToIt() throws Exception {
    String[] account = stack.admin().customerWithKey("Drain Co " + customers.incrementAndGet(), 100_000_000);
    List<ServiceProcess> routers = List.of(stack.routers.get("router-a"), stack.routers.get("router-b"));
    stack.awaitWorkersKnown();
    ServiceProcess worker1 = stack.workers.get("worker-1");
    AtomicBoolean sending = new AtomicBoolean(true);
    List<ReplicaStack.Answer> answers = Collections.synchronizedList(new ArrayList<>());
    int clients = WORKER_SLOTS - 1; // worker-2 alone can take them all
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      int client = c;
      pool.submit(() -> {
        for (int i = 0; sending.get(); i++) {
          answers.add(ReplicaStack.chat(routers.get((client + i) % 2), account[1],
              ReplicaStack.body(POOLED, 20, i % 2 == 0, true)));
        }
      });
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() >= 10);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", stack.workerGrpcPorts.get("worker-1"))
        .usePlaintext().build();
    double ranBeforeDrain = ReplicaStack.sum(ReplicaStack.scrape(worker1), "silkroute_worker_requests_total");
    WorkerStatus drained;
    try {
      drained = WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .drain(DrainRequest.newBuilder().setTimeoutMs(20_000).build());
    } finally {
      channel.shutdownNow();
    }
    double ranAtDrained = ReplicaStack.sum(ReplicaStack.scrape(worker1), "silkroute_worker_requests_total");
    int answeredAtDrained = answers.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() >= answeredAtDrained + 20);
    sending.set(false);
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    String after = ReplicaStack.scrape(worker1);
    double ranAfter = ReplicaStack.sum(after, "silkroute_worker_requests_total");
    System.err.printf("[replicas] drain: worker-1 ran %.0f before the drain, %.0f when drained (running %d), %.0f after"
            + " %d more requests; turned away while draining: %.0f%n", ranBeforeDrain, ranAtDrained,
        drained.getRunning(), ranAfter, answers.size() - answeredAtDrained,
        ReplicaStack.sum(after, "silkroute_worker_rejections_total"));
    assertThat(drained.getDraining()).isTrue();
    assertThat(drained.getRunning()).isZero();
    assertThat(ranAfter).as("requests worker-1 ran after it drained").isEqualTo(ranAtDrained);
    List<ReplicaStack.Answer> copy = List.copyOf(answers);
    assertThat(copy).extracting(ReplicaStack.Answer::status).as("no request lost").containsOnly(200);
    check.verify("worker-1 drained under 2 routers", account[0], copy.size(), copy);
  }

  /** Runs {@code count} calls on {@code threads} threads, released together; their answers in order. */
  private static List<ReplicaStack.Answer> all(int count, int threads, IntFunction<ReplicaStack.Answer> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ReplicaStack.Answer>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
        go.await();
        return call.apply(n);
      }));
    }
    go.countDown();
    List<ReplicaStack.Answer> answers = new ArrayList<>();
    for (Future<ReplicaStack.Answer> future : futures) {
      answers.add(future.get(180, TimeUnit.SECONDS));
    }
    pool.shutdown();
    return answers;
  }

  private static double uptime(ServiceProcess router, String provider, String model) throws Exception {
    for (JsonNode endpoint : LiveStack.get(router.uri("/v1/providers/health")).get("endpoints")) {
      if (provider.equals(endpoint.path("provider").asText()) && model.equals(endpoint.path("model").asText())
          && !endpoint.path("uptime").isNull()) {
        return endpoint.path("uptime").asDouble();
      }
    }
    return 1.0;
  }
}
