package io.github.capreport.kotlin

import io.github.capreport.CapReportClient
import io.github.capreport.CaptchaKind
import io.github.capreport.ReportTask
import io.github.capreport.testkit.CapMonsterEmulator
import io.github.capreport.testkit.CapMonsterEmulatorExtension
import java.nio.file.Files
import java.nio.file.Paths
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.RegisterExtension
import reportWrongAnswers

/**
 * The README's Kotlin block is `src/test/kotlin/ReadmeExample.kt`, whitespace aside: it-readme
 * compiles only its Java blocks, so this module compiles the Kotlin one, and runs it here.
 */
class ReadmeExampleTest {
  @Test
  fun theReadmesKotlinBlockIsReadmeExampleKt() {
    val readme = Files.readAllLines(Paths.get(System.getProperty("readme.path", "../README.md")))
    val section = readme.indexOf("## Kotlin: coroutines and Flow")
    assertTrue(section >= 0, "README.md has no \"## Kotlin: coroutines and Flow\"")
    val open = (section until readme.size).first { readme[it] == "```kotlin" }
    val close = (open + 1 until readme.size).first { readme[it].startsWith("```") }
    val block = readme.subList(open + 1, close).joinToString("\n")
    val example = String(Files.readAllBytes(Paths.get("src/test/kotlin/ReadmeExample.kt")))
    assertEquals(
      example.replace(Regex("\\s+"), ""),
      block.replace(Regex("\\s+"), ""),
      "the Kotlin block at README.md:${open + 1} is not, whitespace aside, ReadmeExample.kt",
    )
  }

  @Test
  fun theExampleReportsAndReturnsTheTasksToReportAgain() = runTest {
    capmonster.emulator().nextRequest().delay(0, java.util.concurrent.TimeUnit.MILLISECONDS)
    capmonster.emulator().nextRequest().closeConnection() // task 2: a retryable failure
    val batch = listOf(2L, 3L, 999L).map { ReportTask.of(CaptchaKind.IMAGE, it) }
    CapReportClient.builder()
      .clientKey(KEY)
      .baseUrl(capmonster.baseUrl())
      .transportId("jdk")
      .retryPolicy(io.github.capreport.RetryPolicy.none())
      .build()
      .use { client -> assertEquals(listOf(batch[0]), reportWrongAnswers(client, 1, batch)) }
    assertEquals(4, capmonster.emulator().requestCount())

    CapReportClient.builder()
      .clientKey("a-typo")
      .baseUrl(capmonster.baseUrl())
      .transportId("jdk")
      .build()
      .use { wrongKey ->
        // The refusal puts the account on hold; the image report after it is not sent.
        assertTrue(runCatching { wrongKey.reportImageAwait(1) }.isFailure)
        assertEquals(batch, reportWrongAnswers(wrongKey, 1, batch))
      }
    assertEquals(5, capmonster.emulator().requestCount())
  }

  companion object {
    private const val KEY = "kotlin-readme-key"

    @JvmField
    @RegisterExtension
    val capmonster =
      CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey(KEY).taskIds(1, 2, 3))
  }
}
