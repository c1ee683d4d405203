package dev.herd.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TagCycleException;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.loader.ResourceLocator;
import com.hubspot.jinjava.tree.TagNode;
import dev.herd.common.Refusal;
import java.nio.charset.Charset;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * herd's one Jinja2 renderer (Jinjava), strict and bounded: an undefined name is an error, a
 * value is never rendered again as a template, and every {@link TemplateLimits} breach (output,
 * string size, loop iterations, {@code range()} size, time) is a {@link TemplateException} at the
 * template line where it happened, never a silent cut or an empty file. An include cycle is an
 * error too.
 *
 * <p>Jinjava cannot be interrupted, so the limits are checked cooperatively: before every node,
 * at every loop iteration, in {@code range()} and before the filters that build a string from a
 * number ({@code center}, {@code indent}, {@code format}, {@code replace}, {@code join}).
 */
public final class Renderer {
  /** The render running on this thread (Jinjava calls functions and filters statically). */
  private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

  private final TemplateLimits limits;
  private final Jinjava jinjava;

  public Renderer(TemplateLimits limits, Includes includes) {
    this.limits = Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(includes, "includes");
    this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
        .withFailOnUnknownTokens(true)
        // Values are data: a var containing "{{ ... }}" is not rendered again.
        .withNestedInterpretationEnabled(false)
        .withMaxOutputSize(limits.maxOutputChars())
        .withMaxStringLength(limits.maxOutputChars())
        .withMaxListSize(limits.maxRange())
        .withMaxMapSize(limits.maxRange())
        .withRangeLimit(limits.maxRange())
        .withNodePreProcessor((node, interpreter) -> budget().at(node.getLineNumber()).check())
        .build());
    jinjava.setResourceLocator(new Locator(includes));
    jinjava.getGlobalContext().registerTag(new CountedForTag());
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "range", Renderer.class, "range", Object.class, Object[].class));
    for (String name : List.of("center", "indent", "format", "replace", "join")) {
      jinjava.getGlobalContext().registerFilter(new GuardedFilter(jinjava.getGlobalContext().getFilter(name)));
    }
  }

  public TemplateLimits limits() {
    return limits;
  }

  /**
   * Renders {@code text}; {@code name} is how errors name it ({@code templates/x.j2}).
   *
   * @throws TemplateException when the template is wrong or breaks a limit
   */
  public String render(String name, String text, Map<String, ?> context) {
    Budget budget = new Budget(limits);
    Budget outer = CURRENT.get();
    CURRENT.set(budget);
    RenderResult result;
    try {
      result = jinjava.renderForResult(text, context);
    } catch (RuntimeException e) {
      throw budget.failure(name, e);
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
    if (budget.refusal != null) {
      throw budget.refusal;
    }
    if (budget.breach != null) {
      throw new TemplateException(name, budget.breachLine, budget.breach, budget.breachIsLimit, null);
    }
    for (TemplateError e : result.getErrors()) {
      if (e.getException() instanceof TagCycleException) {
        throw new TemplateException(name, line(e, budget), "include cycle: " + e.getMessage().replaceFirst("^.*?: ", ""), false,
            e.getException());
      }
      if (e.getSeverity() == TemplateError.ErrorType.FATAL || e.getReason() == TemplateError.ErrorReason.UNKNOWN) {
        boolean tooBig = e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG
            || (e.getMessage() != null && e.getMessage().contains("OutputTooBigException"));
        String detail = tooBig ? "output is larger than " + limits.maxOutputChars() + " characters" : e.getMessage();
        throw new TemplateException(name, line(e, budget), detail, tooBig, e.getException());
      }
    }
    return result.getOutput();
  }

  private static int line(TemplateError e, Budget budget) {
    return e.getLineno() > 0 ? e.getLineno() : budget.line;
  }

  private static Budget budget() {
    Budget b = CURRENT.get();
    if (b == null) {
      throw new IllegalStateException("herd bug: a template rendered outside Renderer.render");
    }
    return b;
  }

  /** What one render has spent, and the first limit it broke. */
  private static final class Budget {
    private final TemplateLimits limits;
    private final long deadline;
    private long iterations;
    private int line;
    private String breach;
    private int breachLine;
    private boolean breachIsLimit = true;
    private RuntimeException refusal;

    Budget(TemplateLimits limits) {
      this.limits = limits;
      this.deadline = System.nanoTime() + limits.timeLimit().toNanos();
    }

    Budget at(int lineNumber) {
      if (lineNumber > 0) {
        line = lineNumber;
      }
      return this;
    }

    void check() {
      if (breach == null && System.nanoTime() - deadline > 0) {
        breach("rendering takes longer than " + limits.timeLimit().toMillis() + " ms");
      }
      if (breach != null || refusal != null) {
        throw new LimitBreached(breach == null ? refusal.getMessage() : breach);
      }
    }

    void iteration() {
      if (++iterations > limits.maxIterations()) {
        breach("more than " + limits.maxIterations() + " loop iterations");
      }
      check();
    }

    void size(long chars, String what) {
      if (chars > limits.maxOutputChars()) {
        breach(what + " would be " + chars + " characters, more than " + limits.maxOutputChars());
      }
      check();
    }

    void breach(String what) {
      if (breach == null) {
        breach = what;
        breachLine = currentLine();
      }
      throw new LimitBreached(breach);
    }

    private int currentLine() {
      JinjavaInterpreter i = JinjavaInterpreter.getCurrent();
      return i != null && i.getLineNumber() > 0 ? i.getLineNumber() : line;
    }

    TemplateException failure(String name, RuntimeException e) {
      if (refusal != null) {
        throw refusal;
      }
      if (breach != null) {
        return new TemplateException(name, breachLine, breach, breachIsLimit, null);
      }
      return new TemplateException(name, line, e.getMessage() == null ? e.toString() : e.getMessage(), false, e);
    }
  }

  /** Thrown inside Jinjava to stop a render; the budget keeps what and where. */
  private static final class LimitBreached extends RuntimeException {
    LimitBreached(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code range()} that refuses, rather than cuts, a range over the limit. */
  public static List<Integer> range(Object first, Object... rest) {
    Budget budget = budget();
    long start = 0;
    long end;
    long step = 1;
    if (rest.length == 0) {
      end = number(first);
    } else {
      start = number(first);
      end = number(rest[0]);
      if (rest.length > 1) {
        step = number(rest[1]);
      }
    }
    if (step == 0) {
      throw new IllegalArgumentException("range() step must not be 0");
    }
    long count = step > 0 ? Math.max(0, Math.ceilDiv(end - start, step)) : Math.max(0, Math.ceilDiv(start - end, -step));
    if (count > budget.limits.maxRange()) {
      budget.breach("range() of " + count + " numbers, more than " + budget.limits.maxRange());
    }
    budget.check();
    List<Integer> out = new ArrayList<>((int) count);
    for (long i = 0, v = start; i < count; i++, v += step) {
      out.add((int) v);
    }
    return out;
  }

  private static long number(Object o) {
    if (o instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Math.abs(d) > 1e15) {
        budget().breach("range() bound " + o + " is out of range");
      }
      return n.longValue();
    }
    try {
      return (long) Double.parseDouble(String.valueOf(o).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("range() needs numbers, got \"" + o + "\"", e);
    }
  }

  /** {@code for}: every iteration of every loop counts against the budget and checks the clock. */
  private static final class CountedForTag extends ForTag {
    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars, Object collection) {
      Object counted = collection;
      if (collection instanceof Collection<?> c) {
        counted = new AbstractCollection<Object>() {
          @Override
          public int size() {
            return c.size();
          }

          @Override
          public Iterator<Object> iterator() {
            Iterator<?> it = c.iterator();
            return new Iterator<>() {
              @Override
              public boolean hasNext() {
                return it.hasNext();
              }

              @Override
              public Object next() {
                budget().at(tagNode.getLineNumber()).iteration();
                return it.next();
              }
            };
          }
        };
      } else {
        budget().at(tagNode.getLineNumber()).check();
      }
      return super.renderForCollection(tagNode, interpreter, loopVars, counted);
    }
  }

  private static final Pattern FORMAT_WIDTH = Pattern.compile("%[-#+ 0,(<]*(\\d+)?(?:\\.(\\d+))?");

  /** A filter that checks, before it runs, the size of the string it is asked to build. */
  private static final class GuardedFilter implements Filter {
    private final Filter inner;

    GuardedFilter(Filter inner) {
      this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public String getName() {
      return inner.getName();
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      guard(var, args);
      return inner.filter(var, interpreter, args);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      guard(var, args);
      for (Object v : kwargs.values()) {
        guard(var, new Object[] {v});
      }
      return inner.filter(var, interpreter, args, kwargs);
    }

    private void guard(Object var, Object[] args) {
      Budget b = budget();
      String text = var == null ? "" : String.valueOf(var);
      switch (getName()) {
        case "center" -> {
          if (args.length > 0) {
            b.size(Math.max(text.length(), width(args[0])), "center()");
          }
        }
        case "indent" -> {
          if (args.length > 0) {
            long lines = text.chars().filter(c -> c == '\n').count() + 1;
            b.size(text.length() + lines * width(args[0]), "indent()");
          }
        }
        case "format" -> {
          Matcher m = FORMAT_WIDTH.matcher(text);
          long total = text.length();
          while (m.find()) {
            total += Math.max(m.group(1) == null ? 0 : width(m.group(1)), m.group(2) == null ? 0 : width(m.group(2)));
          }
          for (Object a : args) {
            total += String.valueOf(a).length();
          }
          b.size(total, "format()");
        }
        case "replace" -> {
          if (args.length > 1) {
            String old = String.valueOf(args[0]);
            String with = String.valueOf(args[1]);
            long hits = old.isEmpty() ? text.length() + 1L : count(text, old);
            b.size(text.length() + hits * Math.max(0, with.length() - old.length()), "replace()");
          }
        }
        case "join" -> {
          long total = 0;
          long items = 0;
          if (var instanceof Iterable<?> it) {
            for (Object o : it) {
              total += String.valueOf(o).length();
              items++;
            }
          }
          String sep = args.length > 0 ? String.valueOf(args[0]) : "";
          b.size(total + Math.max(0, items - 1) * sep.length(), "join()");
        }
        default -> b.check();
      }
    }

    private static long count(String text, String part) {
      long n = 0;
      for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
        n++;
      }
      return n;
    }

    private static long width(Object o) {
      try {
        double d = o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o).strip());
        return Double.isNaN(d) ? 0 : (long) Math.min(Math.abs(d), 1e15);
      } catch (NumberFormatException e) {
        return 0;
      }
    }
  }

  /** Loads includes through {@link Includes}; its refusals are kept to be rethrown as they are. */
  private static final class Locator implements ResourceLocator {
    private final Includes includes;

    Locator(Includes includes) {
      this.includes = includes;
    }

    @Override
    public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter) {
      Budget b = budget();
      b.check();
      try {
        String text = includes.read(fullName);
        b.size(text.length(), "include \"" + fullName + "\"");
        return text;
      } catch (LimitBreached e) {
        throw e;
      } catch (RuntimeException e) {
        if (e instanceof Refusal) {
          b.refusal = b.refusal == null ? e : b.refusal;
        } else if (b.breach == null) {
          // Not a limit, but it must stop the render the same way and keep its own words.
          b.breach = e.getMessage();
          b.breachLine = b.currentLine();
          b.breachIsLimit = false;
        }
        throw new LimitBreached(String.valueOf(e.getMessage()));
      }
    }
  }
}
