/** The image's software bill of materials (CycloneDX 1.5 JSON), byte-for-byte reproducible. */
package dev.herd.bake.sbom;
