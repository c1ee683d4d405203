package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Each access-log line is read once: only a worker's ring not read before is read from its start. */
class AccessLogFollowerTest {
  @Test
  void aRingIsReadFromItsStartOnlyWhenItIsANewWorkers() {
    assertThat(AccessLogFollower.command(true, null, 41)).as("controller start").isEqualTo("show events herd-access -w -n");
    assertThat(AccessLogFollower.command(false, 41L, 41)).as("reconnect, same worker").isEqualTo("show events herd-access -w -n");
    assertThat(AccessLogFollower.command(false, 41L, 57)).as("after a reload").isEqualTo("show events herd-access -w");
    assertThat(AccessLogFollower.command(false, null, 57)).as("haproxy started after the controller").isEqualTo("show events herd-access -w");
  }

  @Test
  void theWorkerPidComesFromShowInfo() throws IOException {
    assertThat(AccessLogFollower.workerPid("Name: HAProxy\nVersion: 2.6.12\nRelease_date: 2023/03/10\nNbthread: 2\nNbproc: 1\nProcess_num: 1\nPid: 31330\nUptime: 0d 0h00m04s\n"))
        .isEqualTo(31330);
    assertThatThrownBy(() -> AccessLogFollower.workerPid("Unknown command.\n")).isInstanceOf(IOException.class);
  }
}
