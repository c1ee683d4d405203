package dev.herd.bake.base;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names a cached root filesystem by everything that decides its content: suite, variant,
 * architecture, sources, requested packages, the resolved versions and the epoch. The text hashed
 * is versioned so that a change in how herd builds a base invalidates old entries.
 */
public final class CacheKey {
  /** Bump when the build or clean-up of a base changes what ends up in the tree. */
  static final String RECIPE_VERSION = "herd-base/1";

  private CacheKey() {}

  public static String of(Resolution resolution) {
    return HexFormat.of().formatHex(sha256(canonical(resolution)));
  }

  static String canonical(Resolution resolution) {
    BaseRecipe recipe = resolution.recipe();
    StringBuilder text = new StringBuilder(RECIPE_VERSION).append('\n');
    text.append("suite ").append(recipe.suite()).append('\n');
    text.append("variant ").append(recipe.variant().name().toLowerCase()).append('\n');
    text.append("architecture ").append(recipe.architecture()).append('\n');
    recipe.sources().forEach(s -> text.append("source ").append(s).append('\n'));
    recipe.packages().forEach(p -> text.append("request ").append(p).append('\n'));
    resolution.packages().forEach(p -> text.append("resolved ").append(p.name()).append(' ')
        .append(p.architecture()).append(' ').append(p.version()).append('\n'));
    text.append("epoch ").append(resolution.epoch().getEpochSecond()).append('\n');
    return text.toString();
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
