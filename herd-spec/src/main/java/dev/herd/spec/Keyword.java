package dev.herd.spec;

/** An enum constant's spelling in herd.yaml ({@code oci-archive}, {@code blue_green}). */
public interface Keyword {
  String keyword();
}
