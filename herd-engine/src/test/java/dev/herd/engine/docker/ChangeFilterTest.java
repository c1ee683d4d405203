package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.FsChange;
import dev.herd.engine.FsChange.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeFilterTest {
  @Test
  void mountPointsTheEngineMadeAndParentsOfRealChangesAreDropped() {
    List<FsChange> raw = List.of(
        new FsChange("/etc", Kind.ADDED), new FsChange("/etc/herd", Kind.ADDED),
        new FsChange("/scratch", Kind.ADDED), new FsChange("/run", Kind.ADDED),
        new FsChange("/run/.containerenv", Kind.ADDED),
        new FsChange("/www", Kind.MODIFIED), new FsChange("/www/drift.txt", Kind.ADDED),
        new FsChange("/etc/passwd", Kind.MODIFIED), new FsChange("/bin/sh", Kind.DELETED));
    assertThat(ChangeFilter.filter(raw, List.of("/etc/herd", "/run/secrets", "/scratch"))).containsExactly(
        new FsChange("/bin/sh", Kind.DELETED), new FsChange("/etc/passwd", Kind.MODIFIED),
        new FsChange("/www/drift.txt", Kind.ADDED));
  }

  @Test
  void aModifiedDirectoryWithNothingChangedBelowItIsKept() {
    assertThat(ChangeFilter.filter(List.of(new FsChange("/www", Kind.MODIFIED)), List.of()))
        .containsExactly(new FsChange("/www", Kind.MODIFIED));
  }
}
