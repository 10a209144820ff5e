/**
 * Not API: classes that other capreport modules share. They may change in any release; do not use
 * them from outside the library.
 */
package io.github.capreport.internal;
