package dev.herd.cli.it;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A client of a fleet the way a client-side balancer uses herd's discovery: before every request
 * it asks the controller which endpoints are in service ({@code GET /v1/fleets/F/endpoints}) and
 * sends the request round-robin to one of those.
 *
 * <p>What "no failed request" can honestly mean here: nodes listen on host ports and there is no
 * load balancer, so a node the controller retires is gone the moment it is removed. herd records a
 * node as {@code removing} (out of service) before it removes it, so the guarantee a client can
 * hold herd to is: <em>an endpoint the controller still lists as in service answers</em>. A
 * request can still race a removal: the list was read just before the node went out of service
 * and the request arrived just after it died. That is told apart by asking again after a failure:
 * <ul>
 *   <li>the endpoint is still listed: herd listed a node that does not serve, a real failure;</li>
 *   <li>the endpoint is gone from the list: a race with a removal; the client retries once on the
 *       fresh list (what any client-side balancer does), and that retry must succeed.</li>
 * </ul>
 * Races are counted; a test bounds them by the removals herd made in the meantime (one request
 * is in flight at a time, so each removal can catch at most one).
 */
final class EndpointLoad implements AutoCloseable {
  private final Supplier<ApiClient> api;
  private final String fleet;
  private final Function<String, String> versionOf;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();
  private final ScheduledExecutorService runner = Executors.newSingleThreadScheduledExecutor(
      r -> Thread.ofPlatform().name("endpoint-load").daemon().unstarted(r));
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger emptyLists = new AtomicInteger();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<String> races = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
  private final Set<String> nodesSeen = ConcurrentHashMap.newKeySet();

  /**
   * @param versionOf names the release a response body came from (e.g. "v1"), null when the body is wrong
   */
  EndpointLoad(Supplier<ApiClient> api, String fleet, Function<String, String> versionOf) {
    this.api = api;
    this.fleet = fleet;
    this.versionOf = versionOf;
  }

  /** Starts sending, one request at a time, with {@code pause} between the end of one and the next. */
  EndpointLoad start(Duration pause) {
    runner.scheduleWithFixedDelay(this::once, 0, pause.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void once() {
    try {
      List<Api.Endpoint> in = endpoints();
      if (in.isEmpty()) {
        emptyLists.incrementAndGet();
        failures.add("the controller listed no endpoint in service");
        return;
      }
      Api.Endpoint e = in.get(Math.floorMod(next.getAndIncrement(), in.size()));
      String problem = request(e);
      if (problem == null) {
        return;
      }
      List<Api.Endpoint> after = endpoints();
      if (after.stream().anyMatch(a -> a.address().equals(e.address()))) {
        failures.add(e.node() + " at " + e.address() + " is listed in service but " + problem);
        return;
      }
      races.add(e.node() + " at " + e.address() + " left service while the request was in flight (" + problem + ")");
      if (after.isEmpty()) {
        failures.add("after " + e.node() + " left service, no endpoint was in service");
        return;
      }
      Api.Endpoint retry = after.get(Math.floorMod(next.getAndIncrement(), after.size()));
      String again = request(retry);
      if (again != null) {
        failures.add("retry on " + retry.node() + " at " + retry.address() + " after a race: " + again);
      }
    } catch (RuntimeException ex) {
      failures.add("client error: " + ex);
    }
  }

  private List<Api.Endpoint> endpoints() {
    return api.get().get("/v1/fleets/" + fleet + "/endpoints", Api.Endpoints.class).endpoints();
  }

  /** Null when the node served a good page, else what went wrong. */
  private String request(Api.Endpoint e) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + e.address() + "/")).timeout(Duration.ofSeconds(3)).build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return "answered HTTP " + r.statusCode();
      }
      String version = versionOf.apply(r.body());
      if (version == null) {
        return "served an unexpected page: " + r.body().strip().lines().findFirst().orElse("");
      }
      ok.incrementAndGet();
      versions.computeIfAbsent(version, k -> new AtomicInteger()).incrementAndGet();
      nodesSeen.add(e.node() + "@" + e.address());
      return null;
    } catch (IOException ex) {
      return "failed: " + ex;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  int ok() {
    return ok.get();
  }

  int served(String version) {
    AtomicInteger n = versions.get(version);
    return n == null ? 0 : n.get();
  }

  List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  List<String> races() {
    synchronized (races) {
      return List.copyOf(races);
    }
  }

  /** Distinct node@address pairs that served a good page. */
  Set<String> nodesSeen() {
    return Set.copyOf(nodesSeen);
  }

  String summary() {
    return ok() + " ok, versions " + versions + ", " + races().size() + " races, " + failures().size() + " failures "
        + failures().stream().limit(5).toList() + ", nodes " + nodesSeen.size();
  }

  @Override
  public void close() throws InterruptedException {
    // Let the request in flight finish: interrupting it would count as a failure of herd's.
    runner.shutdown();
    if (!runner.awaitTermination(15, TimeUnit.SECONDS)) {
      runner.shutdownNow();
    }
  }
}
