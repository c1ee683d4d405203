package dev.herd.spec;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * Counts aliases to maps and lists as the composer reads them and stops at a limit, so an
 * alias bomb ("billion laughs") fails at the alias that crosses it, with its line and column.
 */
final class AliasLimit implements Parser {
  private final Parser parser;
  private final int max;
  private final Set<Anchor> collections = new HashSet<>();
  private int aliases;

  /** The alias that crossed the limit. */
  static final class Exceeded extends RuntimeException {
    final transient Optional<Mark> mark;

    Exceeded(Optional<Mark> mark) {
      super(null, null, false, false);
      this.mark = mark;
    }
  }

  AliasLimit(Parser parser, int max) {
    this.parser = parser;
    this.max = max;
  }

  @Override
  public boolean checkEvent(Event.ID choice) {
    return parser.checkEvent(choice);
  }

  @Override
  public Event peekEvent() {
    return parser.peekEvent();
  }

  @Override
  public boolean hasNext() {
    return parser.hasNext();
  }

  @Override
  public Event next() {
    Event e = parser.next();
    if ((e.getEventId() == Event.ID.MappingStart || e.getEventId() == Event.ID.SequenceStart)
        && e instanceof NodeEvent n) {
      n.getAnchor().ifPresent(collections::add);
    }
    if (e instanceof AliasEvent a && collections.contains(a.getAlias()) && ++aliases > max) {
      throw new Exceeded(e.getStartMark());
    }
    return e;
  }
}
