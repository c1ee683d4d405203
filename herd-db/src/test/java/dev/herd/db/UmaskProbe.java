package dev.herd.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;

/** Run by {@link DbTest} in a child JVM under umask 000: opens herd.db, writes, dies without closing. */
public final class UmaskProbe {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createFile(dir.resolve("plain")); // shows the umask the child really ran with
    Db db = Db.open(dir.resolve(Db.FILE_NAME));
    db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t(x)");
        s.execute("INSERT INTO t VALUES (1)");
      }
      return null;
    });
    Runtime.getRuntime().halt(0); // keep -wal and -shm on disk, as a killed herd would
  }
}
