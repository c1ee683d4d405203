package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.control.frontdoor.RuntimeApi.ServerState;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RuntimeApiTest {
  @Test
  void readsServerRowsOfOneBackendByColumnName() throws Exception {
    String csv = """
        # pxname,svname,qcur,qmax,scur,smax,slim,stot,status,weight,addr
        fleet_web,FRONTEND,,,0,1,,5,OPEN,,
        fleet_web,web-1_18081,0,0,2,3,,9,UP,100,127.0.0.1:18081
        fleet_web,web-2_18082,0,0,0,1,8,4,DRAIN,100,127.0.0.1:18082
        fleet_api,api-1_18090,0,0,1,1,,1,UP,100,127.0.0.1:18090
        fleet_web,BACKEND,0,0,2,3,,13,UP,200,
        """;
    assertThat(RuntimeApi.parseStat(csv, "fleet_web")).containsExactly(
        new ServerState("web-1_18081", "127.0.0.1:18081", "UP", 100, 2, 0),
        new ServerState("web-2_18082", "127.0.0.1:18082", "DRAIN", 100, 0, 8));
  }

  @Test
  void anAnswerWithoutHeaderIsAnError() {
    assertThatThrownBy(() -> RuntimeApi.parseStat("Unknown command\n", "fleet_web"))
        .isInstanceOf(IOException.class).hasMessageContaining("without a header");
  }
}
