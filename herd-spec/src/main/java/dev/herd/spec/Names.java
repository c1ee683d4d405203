package dev.herd.spec;

import java.util.regex.Pattern;

/** Name rules shared by the model and the loader. */
public final class Names {
  /** Project, role, environment, fleet and channel names. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  public static final String NAME_RULE = "lowercase letters, digits and '-', starting with a letter, at most 40 characters";
  /** Environment variable names (env, config, launch). */
  public static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  public static final String ENV_NAME_RULE = "letters, digits and '_', not starting with a digit";

  private Names() {}

  static String requireName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " name must be " + NAME_RULE + ", got " + (name == null ? "null" : Texts.quote(name)));
    }
    return name;
  }
}
