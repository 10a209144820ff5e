package io.github.capreport.reproducible;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks that building {@code capreport-core} twice gives the same jar, byte for byte. Copies the
 * root pom and core's pom and sources into {@code it-reproducible/target/rebuild/} (another
 * directory, files with new modification times), builds that copy with a second Maven (offline:
 * this build has resolved everything it needs), and compares its jar with the one this build made
 * in {@code core/target/}. Without {@code project.build.outputTimestamp}, or with anything in the
 * build that depends on the time, the path or the machine, the jars differ and the build fails,
 * naming the entries that differ.
 *
 * <p>Arguments: the root directory of the build, the project version, Maven's home, and optionally
 * more arguments for the second Maven.
 */
public final class Reproducible {
  private static final String MODULE = "core";
  private static final String ARTIFACT = "capreport-core";

  private Reproducible() {}

  public static void main(String[] args) throws Exception {
    Path root = Paths.get(args[0]).toAbsolutePath().normalize();
    String version = args[1];
    Path mavenHome = Paths.get(args[2]);
    List<String> extra = new ArrayList<>();
    for (String arg : Arrays.asList(args).subList(3, args.length)) {
      if (arg != null && !arg.trim().isEmpty()) {
        extra.add(arg.trim());
      }
    }

    String jarName = ARTIFACT + "-" + version + ".jar";
    Path first = root.resolve(MODULE).resolve("target").resolve(jarName);
    if (!Files.isRegularFile(first)) {
      throw new IllegalStateException("not built: " + first);
    }

    Path work = root.resolve("it-reproducible/target/rebuild");
    delete(work);
    Files.createDirectories(work);
    Files.copy(root.resolve("pom.xml"), work.resolve("pom.xml"));
    copyTree(root.resolve(MODULE).resolve("pom.xml"), work.resolve(MODULE).resolve("pom.xml"));
    copyTree(root.resolve(MODULE).resolve("src/main"), work.resolve(MODULE).resolve("src/main"));

    boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    List<String> command = new ArrayList<>();
    command.add(mavenHome.resolve("bin").resolve(windows ? "mvn.cmd" : "mvn").toString());
    command.addAll(
        Arrays.asList(
            "-B",
            "-q",
            "-o",
            "-f",
            work.resolve(MODULE).resolve("pom.xml").toString(),
            "package",
            // Only the jar is compared: leave out what does not go into it.
            "-Dmaven.test.skip=true",
            "-Dmaven.javadoc.skip=true",
            "-Dmaven.source.skip=true",
            "-Dcyclonedx.skip=true",
            "-Dmdep.skip=true",
            "-Denforcer.skip=true"));
    command.addAll(extra);
    Path log = work.resolve("build.log");
    System.out.println("reproducible: building " + MODULE + " again in " + root.relativize(work));
    Process process =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the second build of " + MODULE + " took over 5 minutes");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "the second build of "
              + MODULE
              + " failed ("
              + String.join(" ", command)
              + "):\n"
              + new String(Files.readAllBytes(log), "UTF-8"));
    }

    Path second = work.resolve(MODULE).resolve("target").resolve(jarName);
    if (Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(second))) {
      System.out.println(
          "reproducible: "
              + jarName
              + " is byte-identical when built twice ("
              + Files.size(first)
              + " bytes)");
      return;
    }
    throw new IllegalStateException(
        jarName
            + " differs when built twice ("
            + root.relativize(first)
            + " and "
            + root.relativize(second)
            + "): "
            + differences(first, second)
            + ". Is project.build.outputTimestamp set in the root pom? Does a plugin put the"
            + " time, the path or the machine into the jar?");
  }

  /** The entries that differ in content, time or order, or the first few of them. */
  static String differences(Path first, Path second) throws IOException {
    Map<String, String> a = entries(first);
    Map<String, String> b = entries(second);
    List<String> found = new ArrayList<>();
    if (!new ArrayList<>(a.keySet()).equals(new ArrayList<>(b.keySet()))) {
      found.add("entries " + a.keySet() + " and " + b.keySet());
    }
    for (Map.Entry<String, String> entry : a.entrySet()) {
      String other = b.get(entry.getKey());
      if (other != null && !other.equals(entry.getValue())) {
        found.add(entry.getKey() + " (" + entry.getValue() + " and " + other + ")");
      }
    }
    if (found.isEmpty()) {
      return "the same entries, the bytes of the archive differ";
    }
    return String.join("; ", found.subList(0, Math.min(5, found.size())))
        + (found.size() > 5 ? " and " + (found.size() - 5) + " more" : "");
  }

  private static Map<String, String> entries(Path jar) throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        entries.put(
            entry.getName(),
            "time " + entry.getTime() + ", crc " + Long.toHexString(entry.getCrc()));
      }
    }
    return entries;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(file, target);
        }
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
