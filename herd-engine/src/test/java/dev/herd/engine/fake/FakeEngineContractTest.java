package dev.herd.engine.fake;

import dev.herd.engine.Engine;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.contract.EngineContract;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The engine contract, held by the in-memory fake. */
class FakeEngineContractTest extends EngineContract {
  static final ImageSource IMAGE = new ImageSource("sha256:" + "ab".repeat(32), ImageSource.Format.OCI_ARCHIVE,
      out -> out.write("fake archive".getBytes(StandardCharsets.UTF_8)));

  private FakeEngine fake;
  private int nextPort = 20000;

  @Override
  protected Engine openEngine() {
    fake = new FakeEngine();
    return fake;
  }

  @Override
  protected Clock clock() {
    return fake.clock();
  }

  @Override
  protected ImageSource testImage() {
    return IMAGE;
  }

  @Override
  protected NodeSpec withProgram(NodeSpec spec, Program program) {
    fake.clearFaults(spec.node());
    switch (program) {
      case SERVE -> fake.logOnStart(spec.node(), STARTUP_LINE);
      case IGNORE_TERM -> fake.ignoreTerm(spec.node());
      case EXIT_3_AFTER_1S -> fake.crashAfter(spec.node(), Duration.ofSeconds(1), 3);
      case BURN_CPU -> {
        fake.logOnStart(spec.node(), STARTUP_LINE);
        fake.cpuLoad(spec.fleet(), 1.0);
      }
    }
    return spec.toBuilder().command(program.name().toLowerCase()).build();
  }

  @Override
  protected void letTimePass(Duration d) {
    fake.advance(d);
  }

  @Override
  protected void createForeignContainer(String name, Map<String, String> labels) {
    fake.addForeignContainer(name, labels);
  }

  @Override
  protected boolean containerExists(String name) {
    return fake.containerExists(name);
  }

  @Override
  protected void removeForeignContainer(String name) {
    // the fake is thrown away after each test
  }

  @Override
  protected void execByHand(NodeInfo node) {
    fake.execByHand(node.ref());
  }

  @Override
  protected boolean writeByHand(NodeInfo node, String path) {
    return fake.writeByHand(node.ref(), path);
  }

  @Override
  protected Optional<byte[]> readSecretInNode(NodeInfo node, String name) {
    return fake.secretFile(node.ref(), name);
  }

  @Override
  protected Optional<byte[]> readSecretInNodeAs(NodeInfo node, String name, int uid, int gid) {
    return fake.secretFileAs(node.ref(), name, uid);
  }

  @Override
  protected boolean secretsDirExists(NodeRef node) {
    return fake.secretsDirExists(node);
  }

  @Override
  protected void makeNodeLog(NodeInfo node, String marker) {
    fake.emitLog(node.ref(), marker);
  }

  @Override
  protected int freePort() {
    return nextPort++;
  }

  @Override
  protected Optional<byte[]> readFileInNode(NodeInfo node, String path) {
    return fake.readVolumeFile(node.ref(), path);
  }

  @Override
  protected Optional<byte[]> readFileInNodeAs(NodeInfo node, String path, int uid, int gid) {
    FakeEngine.ScratchFile f = fake.scratchFiles(node.ref()).get(path);
    return f == null || (uid != 0 && uid != f.owner().uid()) ? Optional.empty() : Optional.of(f.content());
  }

  @Override
  protected void createForeignVolume(String name) {
    fake.addForeignVolume(name);
  }

  @Override
  protected void removeForeignVolume(String name) {
    // the fake is thrown away after each test
  }

  @Override
  protected java.util.List<String> countCommand() {
    fake.program("seq", (volumes, stdout) -> {
      for (int i = 1; i <= 30000; i++) {
        stdout.write((i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return 0;
    });
    return java.util.List.of("seq");
  }

  @Override
  protected java.util.List<String> failingCommand() {
    return java.util.List.of("fail");
  }
}
