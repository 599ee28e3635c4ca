package io.llmcap.workload;

import io.llmcap.base.ConfigException;
import io.llmcap.workload.SessionSource.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Reads an llmcap session file (docs/sessions.md): a CSV with one row per turn, {@code
 * session_id,start,new_tokens,output_tokens,think_time}. A session's rows are its turns in file
 * order; its first row gives {@code start} (seconds) and leaves {@code think_time} empty or 0,
 * later rows leave {@code start} empty and give {@code think_time} (seconds from the previous
 * turn's completion). Token counts are at least 1; other columns are ignored.
 */
public final class SessionTrace {
  private SessionTrace() {}

  /** The columns a session file needs. */
  static final List<String> COLUMNS =
      List.of("session_id", "start", "new_tokens", "output_tokens", "think_time");

  private static final class Turns {
    final double start;
    final List<int[]> tokens = new ArrayList<>();
    final List<Double> think = new ArrayList<>();

    Turns(double start) {
      this.start = start;
    }
  }

  /**
   * The file's sessions in start order (ties in file order), numbered 0, 1, 2, … in that order;
   * each draws its system prompt (of {@code systemPrompts}; none when {@code systemPromptTokens} is
   * 0) and its segment ids from {@code seed}.
   */
  public static List<Session> read(
      Path file, int systemPrompts, int systemPromptTokens, long seed) {
    Map<String, Turns> byId = new LinkedHashMap<>();
    try (Csv csv = Csv.open(file)) {
      int[] c = new int[COLUMNS.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = csv.column(COLUMNS.get(i));
      }
      while (csv.next()) {
        String id = csv.text(c[0]);
        Turns t = byId.get(id);
        if (t == null) {
          if (csv.empty(c[1])) {
            throw new ConfigException(
                csv.where(),
                "column 'start': empty on session '" + id + "''s first row; give its start time");
          }
          if (!csv.empty(c[4]) && csv.nonNegative(c[4]) != 0) {
            throw new ConfigException(
                csv.where(),
                "column 'think_time': session '"
                    + id
                    + "''s first row has no previous turn; leave it empty or 0");
          }
          t = new Turns(csv.nonNegative(c[1]));
          byId.put(id, t);
          t.think.add(0.0);
        } else {
          if (!csv.empty(c[1])) {
            throw new ConfigException(
                csv.where(),
                "column 'start': session '"
                    + id
                    + "' started on an earlier row; leave start empty on later turns");
          }
          t.think.add(csv.nonNegative(c[4]));
        }
        t.tokens.add(new int[] {count(csv, c[2]), count(csv, c[3])});
      }
      if (byId.isEmpty()) {
        throw csv.fileError("the session file has no data rows");
      }
    }
    List<Turns> all = new ArrayList<>(byId.values());
    all.sort(Comparator.comparingDouble(t -> t.start));
    SplittableRandom random = new SplittableRandom(seed);
    List<Session> sessions = new ArrayList<>(all.size());
    for (Turns t : all) {
      int n = t.tokens.size();
      int[] fresh = new int[n];
      int[] output = new int[n];
      double[] think = new double[n];
      for (int k = 0; k < n; k++) {
        fresh[k] = t.tokens.get(k)[0];
        output[k] = t.tokens.get(k)[1];
        think[k] = t.think.get(k);
      }
      int prompt = systemPromptTokens > 0 ? random.nextInt(systemPrompts) : -1;
      sessions.add(
          new Session(sessions.size(), t.start, prompt, fresh, output, think, random.nextLong()));
    }
    return sessions;
  }

  /** A whole token count of at least 1. */
  private static int count(Csv csv, int column) {
    double v = csv.tokens(column);
    if (v != Math.rint(v) || v > Integer.MAX_VALUE) {
      throw new ConfigException(
          csv.where(),
          "column '" + csv.header().get(column) + "': '" + v + "' is not a whole count");
    }
    return (int) v;
  }
}
