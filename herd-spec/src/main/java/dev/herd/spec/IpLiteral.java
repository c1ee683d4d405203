package dev.herd.spec;

import java.util.regex.Pattern;

/** IP address literals as written in herd.yaml (checked without any name lookup). */
public final class IpLiteral {
  private IpLiteral() {}

  private static final Pattern V4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:]{2,39}");

  public static final String WHAT = "an IP address like 127.0.0.1 or ::1";

  public static boolean isValid(String s) {
    if (V4.matcher(s).matches()) {
      return true;
    }
    if (!V6.matcher(s).matches() || !s.contains(":")) {
      return false;
    }
    // A literal with no letters/dots beyond hex and colons is never looked up, so this cannot hit DNS.
    try {
      return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** 0.0.0.0 or :: — every address of the host. */
  public static boolean isWildcard(String s) {
    return s.equals("0.0.0.0") || s.equals("::") || s.equals("0:0:0:0:0:0:0:0");
  }
}
