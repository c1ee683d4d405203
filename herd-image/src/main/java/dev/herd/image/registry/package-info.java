/**
 * Pushing images from the store to an OCI distribution registry and pulling them back. The
 * protocol itself (token auth, chunked upload, blob HEAD and cross-repository mounts, retries) is
 * skopeo's; herd hands it a one-image OCI layout and a private auth file, and checks digests.
 */
package dev.herd.image.registry;
