/**
 * Bases: the tree a role starts from.
 *
 * <p>Debian bases are built by mmdebstrap ({@code --mode=root} as root, {@code unshare}
 * otherwise) from a {@link dev.herd.bake.base.Resolution}: the host's apt-get, pointed at a
 * private index under {@code $XDG_CACHE_HOME/herd/apt}, simulates the install to learn the
 * newest versions (about 3 s warm), and every resolved package is passed to mmdebstrap pinned.
 * Trees are cached under {@code $XDG_CACHE_HOME/herd/bases/<key>} where the key hashes the
 * recipe, the resolved versions and the epoch, so an unchanged resolution is a cache hit.
 *
 * <p>Reproducibility: SOURCE_DATE_EPOCH is the mirror's Release date recorded in herd.lock
 * (kept while the packages stay the same), mtimes are clamped to it, and host files mmdebstrap
 * copies in (resolv.conf, hostname), device nodes and, for {@code extract}, the apt skeleton
 * are removed. The extract variant writes no dpkg database, so an extract hook saves each .deb's
 * control data and herd writes {@code var/lib/dpkg/status} from it.
 *
 * <p>herd.lock ({@link dev.herd.bake.base.LockFile}) pins each role's packages. Without
 * {@code --locked} every bake resolves the newest versions and the pipeline writes the lock
 * back when it changed; with {@code --locked} a missing lock or any difference stops the bake.
 * The mirror must still serve the locked versions: use a snapshot mirror to rebuild old locks.
 */
package dev.herd.bake.base;
