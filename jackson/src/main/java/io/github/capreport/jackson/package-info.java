@NullMarked
package io.github.capreport.jackson;

import org.jspecify.annotations.NullMarked;
