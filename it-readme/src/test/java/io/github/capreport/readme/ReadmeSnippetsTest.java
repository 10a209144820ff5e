package io.github.capreport.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Every {@code ```java} block of the README compiles, against the modules, as it stands.
 *
 * <p>The rule for a block (the README's "Code in this README" says it too):
 *
 * <ul>
 *   <li>A block with a top-level {@code import}, {@code package} or type declaration at the start
 *       of a line is a compilation unit: compiled as it is, in one compilation with the other such
 *       blocks, so that one may use a class another declares. Those with {@code @Test} methods are
 *       then run with JUnit against the emulator, and must pass.
 *   <li>Any other block is a fragment: the body of a method of a class that imports {@link
 *       #IMPORTS}, with the placeholder variables of {@link #PLACEHOLDERS} as its parameters, and
 *       that may throw anything.
 *   <li>{@code ```java no-compile} marks a block that is not to be compiled; none is today.
 * </ul>
 *
 * <p>The Quickstart block must also appear, whitespace aside, in the examples module's {@code
 * Quickstart.java}, which the README runs against the emulator.
 */
class ReadmeSnippetsTest {
  static final List<String> IMPORTS =
      Arrays.asList(
          "io.github.capreport.*",
          "io.github.capreport.spi.*",
          "io.github.capreport.testkit.*",
          "io.github.capreport.transport.jdk.*",
          "io.github.capreport.transport.apache.*",
          "io.github.capreport.transport.retrofit.*",
          "java.util.*");

  static final List<String> PLACEHOLDERS =
      Arrays.asList(
          "long taskId",
          "String key",
          "java.net.http.HttpClient myHttpClient",
          "org.apache.hc.client5.http.impl.classic.CloseableHttpClient myCloseableHttpClient",
          "okhttp3.OkHttpClient myOkHttpClient");

  private static final Pattern FENCE = Pattern.compile("^```(\\S*)(.*)$");
  private static final Pattern UNIT =
      Pattern.compile(
          "^(?:package |import |(?:@\\w+\\s+)*(?:public |final |abstract )*(?:class|interface|enum|record) (\\w+))",
          Pattern.MULTILINE);
  private static final Pattern TYPE =
      Pattern.compile(
          "^(?:public |final |abstract )*(?:class|interface|enum|record) (\\w+)",
          Pattern.MULTILINE);

  /** A ```java block: where it starts in the README (the fence's line) and its text. */
  static final class Block {
    final int fenceLine;
    final String info;
    final String text;

    Block(int fenceLine, String info, String text) {
      this.fenceLine = fenceLine;
      this.info = info;
      this.text = text;
    }

    boolean isUnit() {
      return UNIT.matcher(text).find();
    }
  }

  /** A source file made from a block, and how many lines come before the block's first. */
  static final class Source {
    final Block block;
    final Path file;
    final int headerLines;

    Source(Block block, Path file, int headerLines) {
      this.block = block;
      this.file = file;
      this.headerLines = headerLines;
    }
  }

  static List<Block> javaBlocks(List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches() || open.group(1).isEmpty()) {
        continue;
      }
      int start = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
        text.append(lines.get(i)).append('\n');
      }
      if (i == lines.size()) {
        fail("README.md:" + (start + 1) + ": a code block that is never closed");
      }
      if (open.group(1).equals("java")) {
        blocks.add(new Block(start + 1, open.group(2).trim(), text.toString()));
      }
    }
    return blocks;
  }

  private static Path readme() {
    return Paths.get(System.getProperty("readme.path", "../README.md"));
  }

  @Test
  void everyJavaBlockCompilesAndItsTestsPass() throws Exception {
    List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
    List<Block> blocks = javaBlocks(lines);
    assertTrue(blocks.size() >= 4, "README.md has only " + blocks.size() + " Java blocks");

    Path dir = Paths.get(System.getProperty("snippets.dir", "target/readme-snippets"));
    Path src = dir.resolve("src");
    Path classes = dir.resolve("classes");
    deleteRecursively(dir);
    Files.createDirectories(src);
    Files.createDirectories(classes);

    List<Source> sources = new ArrayList<>();
    List<String> testClasses = new ArrayList<>();
    for (Block block : blocks) {
      if (block.info.contains("no-compile")) {
        continue;
      }
      if (block.isUnit()) {
        Matcher type = TYPE.matcher(block.text);
        assertTrue(type.find(), "README.md:" + block.fenceLine + ": a unit without a class");
        Path file = src.resolve(type.group(1) + ".java");
        assertFalse(Files.exists(file), "README.md:" + block.fenceLine + ": a second " + file);
        Files.write(file, block.text.getBytes(StandardCharsets.UTF_8));
        sources.add(new Source(block, file, 0));
        if (block.text.contains("@Test")) {
          testClasses.add(type.group(1));
        }
      } else {
        String name = "ReadmeLine" + block.fenceLine;
        StringBuilder header = new StringBuilder();
        for (String imported : IMPORTS) {
          header.append("import ").append(imported).append(";\n");
        }
        header
            .append("class ")
            .append(name)
            .append(" {\n  void snippet(")
            .append(String.join(", ", PLACEHOLDERS))
            .append(") throws Exception {\n");
        int headerLines = header.toString().split("\n", -1).length - 1;
        Path file = src.resolve(name + ".java");
        Files.write(file, (header + block.text + "  }\n}\n").getBytes(StandardCharsets.UTF_8));
        sources.add(new Source(block, file, headerLines));
      }
    }

    compile(sources, classes);
    runTests(testClasses, classes);
  }

  private static void compile(List<Source> sources, Path classes) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isEmpty()) {
      classpath = System.getProperty("java.class.path");
    }
    List<File> files = new ArrayList<>();
    for (Source source : sources) {
      files.add(source.file.toFile());
    }
    boolean ok;
    try (StandardJavaFileManager fileManager =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      ok =
          javac
              .getTask(
                  null,
                  fileManager,
                  diagnostics,
                  Arrays.asList(
                      "-proc:none",
                      "-classpath",
                      classpath,
                      "-d",
                      classes.toString(),
                      "--release",
                      "17"),
                  null,
                  fileManager.getJavaFileObjectsFromFiles(files))
              .call();
    }
    StringBuilder errors = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      String where = d.getSource() == null ? "?" : d.getSource().getName();
      for (Source source : sources) {
        if (d.getSource() != null && Paths.get(d.getSource().toUri()).equals(source.file)) {
          where =
              "README.md:"
                  + (source.block.fenceLine + d.getLineNumber() - source.headerLines)
                  + " (the block at line "
                  + source.block.fenceLine
                  + ")";
        }
      }
      errors.append(where).append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
    }
    assertTrue(ok && errors.length() == 0, "README.md's Java does not compile:\n" + errors);
  }

  private static void runTests(List<String> testClasses, Path classes) throws Exception {
    assertFalse(testClasses.isEmpty(), "README.md shows no test class");
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ReadmeSnippetsTest.class.getClassLoader())) {
      LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
      for (String name : testClasses) {
        request.selectors(selectClass(loader.loadClass(name)));
      }
      LauncherDiscoveryRequest discovery = request.build();
      Launcher launcher = LauncherFactory.create();
      SummaryGeneratingListener listener = new SummaryGeneratingListener();
      launcher.execute(discovery, listener);
      TestExecutionSummary summary = listener.getSummary();
      StringBuilder failures = new StringBuilder();
      for (TestExecutionSummary.Failure f : summary.getFailures()) {
        failures
            .append(f.getTestIdentifier().getDisplayName())
            .append(": ")
            .append(f.getException())
            .append('\n');
      }
      assertEquals(0, summary.getTotalFailureCount(), "README.md's tests fail:\n" + failures);
      assertTrue(summary.getTestsSucceededCount() > 0, "README.md's tests ran no test");
    }
  }

  @Test
  void theQuickstartIsTheExamplesQuickstart() throws IOException {
    List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
    int section = lines.indexOf("## Quickstart");
    assertTrue(section >= 0, "README.md has no \"## Quickstart\"");
    Block quickstart = null;
    for (Block block : javaBlocks(lines)) {
      if (block.fenceLine > section) {
        quickstart = block;
        break;
      }
    }
    assertTrue(quickstart != null, "README.md's Quickstart has no Java block");
    Path example = Paths.get(System.getProperty("quickstart.path"));
    String source = new String(Files.readAllBytes(example), StandardCharsets.UTF_8);
    assertTrue(
        source.replaceAll("\\s+", "").contains(quickstart.text.replaceAll("\\s+", "")),
        "the Quickstart block at README.md:"
            + quickstart.fenceLine
            + " is not, whitespace aside, in "
            + example);
  }

  @Test
  void theRuleFindsUnitsAndFragments() {
    List<Block> blocks =
        javaBlocks(
            Arrays.asList(
                "```java",
                "import java.util.List;",
                "class A {}",
                "```",
                "```sh",
                "echo",
                "```",
                "```java no-compile",
                "client.report(x);",
                "```"));
    assertEquals(2, blocks.size());
    assertTrue(blocks.get(0).isUnit());
    assertFalse(blocks.get(1).isUnit());
    assertEquals("no-compile", blocks.get(1).info);
    assertEquals(8, blocks.get(1).fenceLine);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted((a, b) -> b.compareTo(a))::iterator) {
        Files.delete(p);
      }
    }
  }
}
