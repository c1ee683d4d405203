/** See the module's pom description. */
package dev.herd.config;
