package dev.herd.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One body limit for every request, declared length or chunked: a Content-Length over the
 * limit is refused before anything is read, and a body that grows past it while a handler reads
 * it fails that read, so no request holds more than the limit in memory. Both answer 413 with
 * the API's JSON error and close the connection instead of draining the rest.
 */
final class BodyLimit implements Filter {
  private final long maxBytes;

  BodyLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  String reason() {
    return "request body is larger than the API's limit of " + maxBytes + " bytes";
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) req;
    if (http.getContentLengthLong() > maxBytes) {
      HttpServletResponse out = (HttpServletResponse) res;
      out.setStatus(413);
      out.setHeader("Connection", "close");
      out.setContentType("application/json");
      out.getOutputStream().write(JsonErrors.body(reason()).getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(new Limited(http), res);
  }

  private final class Limited extends HttpServletRequestWrapper {
    private ServletInputStream stream;

    Limited(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counted(super.getInputStream());
      }
      return stream;
    }
  }

  private final class Counted extends ServletInputStream {
    private final ServletInputStream in;
    private long read;

    Counted(ServletInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      // never read more than one byte past the limit, so a breach is seen at once
      int n = in.read(buf, off, (int) Math.min(len, maxBytes - read + 1));
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      read += n;
      if (read > maxBytes) {
        throw new ApiError(413, reason());
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
