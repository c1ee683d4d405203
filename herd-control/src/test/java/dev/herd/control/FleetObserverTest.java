package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetObserverTest {
  @TempDir Path dir;

  @Test
  void aFleetsRoundListsOnlyThatFleetOnTheEngine() {
    try (Sim sim = new Sim(dir)) {
      List<String> lists = new CopyOnWriteArrayList<>();
      sim.engine = (dev.herd.engine.Engine) java.lang.reflect.Proxy.newProxyInstance(dev.herd.engine.Engine.class.getClassLoader(),
          new Class<?>[] {dev.herd.engine.Engine.class}, (proxy, m, args) -> {
            if (m.getName().equals("listNodes")) {
              lists.add(args.length == 1 ? "project" : "fleet " + args[1]);
            }
            try {
              return m.invoke(sim.fake, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      sim.open();
      sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
      sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 3));

      lists.clear();
      sim.controller.touch("web");
      sim.controller.runPending();
      assertThat(lists).as("one label-filtered list per round, never the whole project").containsExactly("fleet web");
    }
  }
}
