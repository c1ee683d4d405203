package dev.herd.control;

/** herd.yaml texts for controller tests: one role "web", one fleet "web" of the given shape. */
final class Specs {
  private Specs() {}

  static String fleet(int count, String rollout) {
    return fleet(count, rollout, "");
  }

  static String fleet(int count, String rollout, String fleetExtra) {
    return """
        project:
          name: shop
          ports: 20000-20999
        roles:
          web:
            base: {scratch: {}}
            command: ["/srv/web", "--port", "${PORT}"]
            health:
              http: {path: /health, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 2s
              failure_threshold: 3
        environments:
          prod:
            config:
              GREETING: hello
        fleets:
          web:
            role: web
            environment: prod
            count: %d
        %s
            rollout:
        %s
        """.formatted(count, indent(fleetExtra, 4), indent(rollout, 6));
  }

  static String rolling(int surge, int unavailable) {
    return """
        strategy: rolling
        max_surge: %d
        max_unavailable: %d
        min_healthy_time: 2s
        progress_deadline: 30s
        """.formatted(surge, unavailable);
  }

  static String blueGreen() {
    return """
        strategy: blue_green
        min_healthy_time: 2s
        progress_deadline: 30s
        blue_green: {remove_old_after: 10s}
        """;
  }

  static String canary(int n, String promoteAfter) {
    return """
        strategy: canary
        max_surge: 1
        max_unavailable: 0
        min_healthy_time: 2s
        progress_deadline: 30s
        canary: {count: %d, promote_after: %s}
        """.formatted(n, promoteAfter);
  }

  private static String indent(String text, int n) {
    String pad = " ".repeat(n);
    return text.isBlank() ? "" : text.strip().lines().map(l -> pad + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }
}
