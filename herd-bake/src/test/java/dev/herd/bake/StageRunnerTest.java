package dev.herd.bake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.image.Images;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bake as a runner over stage classes: which stages a role has, in order, and what each reports. */
class StageRunnerTest {
  static final String SPEC = """
      project: {name: oven, ports: 20000-20009}
      roles:
        web:
          base: {scratch: {}}
          vars: {greeting: hello}
          resources:
            - file: /bin/app
              content: "#!/bin/sh\\n"
              mode: "0755"
            - template: /etc/app.conf
              source: app.conf.j2
          command: ["/bin/app"]
        worker:
          base: {scratch: {}}
          run:
            - {name: compile, shell: "true"}
            - {shell: "true"}
          command: ["/bin/app"]
      """;

  @TempDir Path dir;

  record Event(String kind, Stage stage, String text, Duration took) {}

  @Test
  void aRoleHasItsStagesInOrderWithOneRunStagePerStep() throws IOException {
    Spec spec = spec();
    // role → the stages the runner holds for it (packages applies only with a tree of its own)
    record Row(String role, List<Stage> stages) {}
    for (Row row : List.of(
        new Row("web", List.of(Stage.RESOLVE, Stage.BASE, Stage.PACKAGES, Stage.RESOURCES, Stage.TESTS, Stage.SCAN, Stage.WRITE)),
        new Row("worker", List.of(Stage.RESOLVE, Stage.BASE, Stage.PACKAGES, Stage.RESOURCES, Stage.RUN, Stage.RUN, Stage.TESTS,
            Stage.SCAN, Stage.WRITE)))) {
      assertThat(Baker.stages(spec.role(row.role())).stream().map(BakeStep::stage).toList()).as(row.role())
          .isEqualTo(row.stages());
    }
  }

  @Test
  void eachStageIsStartedTimedAndFinishedAndACachedStageReportsNoDuration() throws IOException {
    Spec spec = spec();
    Path state = dir.resolve(".herd");
    try (Images images = Images.open(state)) {
      Baker baker = Baker.withCache(images, dir.resolve("cache"));
      List<Event> first = bake(baker, spec, state);
      // a scratch base has no separate packages tree: no packages stage
      assertThat(first.stream().filter(e -> e.kind().equals("finished")).map(Event::stage).toList())
          .containsExactly(Stage.RESOLVE, Stage.BASE, Stage.RESOURCES, Stage.TESTS, Stage.SCAN, Stage.WRITE);
      for (int i = 0; i < first.size(); i++) {
        if (first.get(i).kind().equals("finished")) {
          Stage s = first.get(i).stage();
          assertThat(first.subList(0, i)).as("%s started before it finished", s)
              .anyMatch(e -> e.kind().equals("started") && e.stage() == s);
        }
      }
      // two files and their parent directories
      assertThat(finished(first, Stage.RESOURCES).text()).startsWith("4 changed, 0 unchanged;");
      assertThat(first).anyMatch(e -> e.kind().equals("detail") && e.stage() == Stage.RESOURCES && e.text().contains("/etc/app.conf"));
      assertThat(finished(first, Stage.WRITE).text()).isEqualTo("new version web:1");

      List<Event> again = bake(baker, spec, state);
      for (Stage cached : List.of(Stage.RESOURCES, Stage.TESTS, Stage.SCAN)) {
        assertThat(finished(again, cached).took()).as("%s from the cache", cached).isZero();
        assertThat(finished(again, cached).text()).startsWith("cached");
      }
      assertThat(finished(again, Stage.WRITE).text()).isEqualTo("same digest as web:1, no new version");
    }
  }

  /** As root, owners go onto the staging tree; on one hard-linked to a cached tree, never onto the cached inode. */
  @Test
  void ownersOnALinkedStagingTreeLeaveTheCachedTreeAlone() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
    Path cached = Files.createDirectories(dir.resolve("cached/etc"));
    Files.writeString(cached.resolve("motd"), "hi\n");
    Path staging = Files.createDirectories(dir.resolve("staging"));
    assertThat(new ProcessBuilder("cp", "-a", "-l", dir.resolve("cached") + "/.", staging + "/").start().waitFor()).isZero();
    dev.herd.bake.tree.TreeMetadata metadata = new dev.herd.bake.tree.TreeMetadata();
    metadata.put("/etc/motd", new dev.herd.bake.tree.TreeMetadata.Attributes(100, 100, 0644));
    Baker.applyOwnershipOnDisk(staging, metadata, true);
    assertThat(Files.getAttribute(staging.resolve("etc/motd"), "unix:uid")).isEqualTo(100);
    assertThat(Files.getAttribute(cached.resolve("motd"), "unix:uid")).isEqualTo(0);
    assertThat(Files.readString(staging.resolve("etc/motd"))).isEqualTo("hi\n");
  }

  private static Event finished(List<Event> events, Stage stage) {
    return events.stream().filter(e -> e.kind().equals("finished") && e.stage() == stage).findFirst().orElseThrow();
  }

  private List<Event> bake(Baker baker, Spec spec, Path state) {
    List<Event> events = new ArrayList<>();
    baker.bake(new BakeRequest(spec, "web", state, false, Optional.empty()), new BakeListener() {
      @Override
      public void started(Stage stage, String detail) {
        events.add(new Event("started", stage, detail, null));
      }

      @Override
      public void finished(Stage stage, String summary, Duration took) {
        events.add(new Event("finished", stage, summary, took));
      }

      @Override
      public void detail(Stage stage, String line) {
        events.add(new Event("detail", stage, line, null));
      }
    });
    return events;
  }

  private Spec spec() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Files.writeString(dir.resolve("app.conf.j2"), "greeting={{ greeting }}\n");
    return SpecLoader.loadOrThrow(dir.resolve("herd.yaml"));
  }
}
