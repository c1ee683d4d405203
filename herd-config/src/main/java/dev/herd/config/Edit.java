package dev.herd.config;

import java.util.Objects;

/** Who makes a change and why; recorded with every revision. */
public record Edit(String author, String message) {
  public static final int MAX_AUTHOR = 200;
  public static final int MAX_MESSAGE = 2000;

  public Edit {
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(message, "message");
    if (author.isBlank() || author.length() > MAX_AUTHOR || author.chars().anyMatch(Character::isISOControl)) {
      throw ConfigException.invalid("author must be 1-" + MAX_AUTHOR + " printable characters, got " + Texts.quote(author));
    }
    if (message.length() > MAX_MESSAGE) {
      throw ConfigException.invalid("message is " + message.length() + " characters, at most " + MAX_MESSAGE + " allowed");
    }
  }

  public static Edit by(String author) {
    return new Edit(author, "");
  }
}
