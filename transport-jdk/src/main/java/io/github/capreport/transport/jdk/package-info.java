@NullMarked
package io.github.capreport.transport.jdk;

import org.jspecify.annotations.NullMarked;
