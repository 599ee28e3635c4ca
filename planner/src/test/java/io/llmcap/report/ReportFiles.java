package io.llmcap.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** Checks shared by the report tests: a page's links, and the PNGs it shows. */
public final class ReportFiles {
  private ReportFiles() {}

  /** Every src="..." and href="..." of a page. */
  public static List<String> references(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * Asserts that every link of {@code page} names a file next to it, and that every PNG it shows is
   * a non-blank image of the charts' size; returns the PNGs.
   */
  public static List<String> checkPage(Path page) throws IOException {
    List<String> refs = references(Files.readString(page));
    for (String ref : refs) {
      assertTrue(Files.isRegularFile(page.resolveSibling(ref)), page + " links to missing " + ref);
    }
    List<String> pngs = refs.stream().filter(r -> r.endsWith(".png")).toList();
    for (String png : pngs) {
      checkPng(page.resolveSibling(png));
    }
    return pngs;
  }

  /** A PNG of {@link Charts#WIDTH} × {@link Charts#HEIGHT} with more than one colour. */
  public static void checkPng(Path png) throws IOException {
    assertTrue(Files.size(png) > 5_000, png + " is " + Files.size(png) + " bytes");
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(Charts.WIDTH, img.getWidth(), png.toString());
    assertEquals(Charts.HEIGHT, img.getHeight(), png.toString());
    assertFalse(isBlank(img), png + " has a single colour");
  }

  /** True when every pixel has the colour of the first one. */
  static boolean isBlank(BufferedImage img) {
    int first = img.getRGB(0, 0);
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        if (img.getRGB(x, y) != first) {
          return false;
        }
      }
    }
    return true;
  }
}
