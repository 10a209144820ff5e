package io.github.capreport.kotlin

import java.io.DataInputStream
import java.io.File
import java.io.InputStream
import java.lang.reflect.Member
import java.util.jar.JarFile
import kotlinx.coroutines.Job
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * capreport-kotlin ships kotlinx-coroutines-core with the kotlin-stdlib the rest of capreport names
 * (kotlin.version in the root pom, for Retrofit), not the newer one coroutines' POM asks for, so
 * that a consumer gets one stdlib. This checks that every stdlib class, method and field that
 * coroutines' bytecode and ours refer to exists in that stdlib, inherited members included: what
 * the JVM links, so no NoSuchMethodError or NoClassDefFoundError waits at run time (behaviour is
 * the other tests' business, which run on that stdlib too). It fails when a coroutines upgrade
 * starts using newer stdlib API; then raise kotlin.version, or keep coroutines.
 */
class StdlibLinkageTest {
  @Test
  fun theStdlibOnTheClasspathIsTheOneCapreportNames() {
    assertEquals(
      System.getProperty("capreport.kotlin-stdlib.version"),
      KotlinVersion.CURRENT.toString(),
    )
  }

  @Test
  fun everyStdlibReferenceOfCoroutinesAndOursResolves() {
    val coroutines = File(Job::class.java.protectionDomain.codeSource.location.toURI())
    val facade = Class.forName("io.github.capreport.kotlin.CapReportCoroutines")
    val ours = File(facade.protectionDomain.codeSource.location.toURI())
    val references = sortedSetOf<String>()
    JarFile(coroutines).use { jar ->
      for (entry in jar.entries()) {
        if (entry.name.endsWith(".class") && !entry.name.endsWith("module-info.class")) {
          jar.getInputStream(entry).use { kotlinReferences(it, references) }
        }
      }
    }
    ours
      .walk()
      .filter { it.name.endsWith(".class") }
      .forEach { file -> file.inputStream().use { kotlinReferences(it, references) } }
    assertTrue(references.size > 100, "references found: ${references.size}")
    val missing = references.filterNot { resolves(it) }
    assertEquals(emptyList<String>(), missing)
  }

  /**
   * Adds the class, method and field references to `kotlin.*` in one class file's constant pool.
   */
  private fun kotlinReferences(raw: InputStream, into: MutableSet<String>) {
    val input = DataInputStream(raw.buffered())
    input.readInt()
    input.readUnsignedShort()
    input.readUnsignedShort()
    val count = input.readUnsignedShort()
    val tags = IntArray(count)
    val utf8 = arrayOfNulls<String>(count)
    val first = IntArray(count)
    val second = IntArray(count)
    var i = 1
    while (i < count) {
      val tag = input.readUnsignedByte()
      tags[i] = tag
      when (tag) {
        1 -> utf8[i] = input.readUTF()
        3,
        4 -> input.readInt()
        5,
        6 -> {
          input.readLong()
          i++
        }
        7,
        8,
        16,
        19,
        20 -> first[i] = input.readUnsignedShort()
        9,
        10,
        11,
        12,
        17,
        18 -> {
          first[i] = input.readUnsignedShort()
          second[i] = input.readUnsignedShort()
        }
        15 -> {
          input.readUnsignedByte()
          input.readUnsignedShort()
        }
        else -> error("constant pool tag $tag")
      }
      i++
    }
    for (k in 1 until count) {
      when (tags[k]) {
        7 -> {
          val name = utf8[first[k]]!!.trimStart('[').removePrefix("L").removeSuffix(";")
          if (name.startsWith("kotlin/")) into += "class $name"
        }
        9,
        10,
        11 -> {
          val owner = utf8[first[first[k]]]!!
          if (owner.startsWith("kotlin/")) {
            val nameAndType = second[k]
            val kind = if (tags[k] == 9) "field" else "method"
            into += "$kind $owner.${utf8[first[nameAndType]]}:${utf8[second[nameAndType]]}"
          }
        }
      }
    }
  }

  private fun resolves(reference: String): Boolean {
    val (kind, rest) = reference.split(' ', limit = 2)
    val owner =
      try {
        Class.forName(
          (if (kind == "class") rest else rest.substringBefore(':').substringBeforeLast('.'))
            .replace('/', '.'),
          false,
          javaClass.classLoader,
        )
      } catch (e: ClassNotFoundException) {
        return false
      }
    if (kind == "class") {
      return true
    }
    val name = rest.substringBefore(':').substringAfterLast('.')
    val descriptor = rest.substringAfter(':')
    return hierarchy(owner).any { type ->
      val members: List<Member> =
        when {
          kind == "field" -> type.declaredFields.toList()
          name == "<init>" -> type.declaredConstructors.toList()
          else -> type.declaredMethods.toList()
        }
      members.any { (it.name == name || name == "<init>") && descriptorOf(it) == descriptor }
    }
  }

  private fun hierarchy(type: Class<*>): Sequence<Class<*>> = sequence {
    yield(type)
    type.superclass?.let { yieldAll(hierarchy(it)) }
    type.interfaces.forEach { yieldAll(hierarchy(it)) }
  }

  private fun descriptorOf(member: Member): String =
    when (member) {
      is java.lang.reflect.Field -> descriptorOf(member.type)
      is java.lang.reflect.Method ->
        member.parameterTypes.joinToString("", "(", ")") { descriptorOf(it) } +
          descriptorOf(member.returnType)
      is java.lang.reflect.Constructor<*> ->
        member.parameterTypes.joinToString("", "(", ")V") { descriptorOf(it) }
      else -> error("$member")
    }

  private fun descriptorOf(type: Class<*>): String =
    when {
      type.isArray -> type.name.replace('.', '/')
      type == Void.TYPE -> "V"
      type == Integer.TYPE -> "I"
      type == java.lang.Long.TYPE -> "J"
      type == java.lang.Boolean.TYPE -> "Z"
      type == java.lang.Byte.TYPE -> "B"
      type == Character.TYPE -> "C"
      type == java.lang.Short.TYPE -> "S"
      type == java.lang.Float.TYPE -> "F"
      type == java.lang.Double.TYPE -> "D"
      else -> "L" + type.name.replace('.', '/') + ";"
    }
}
