/**
 * Audit of pets: how far a tree (a directory, or a container exported to one) is from what a
 * role declares. Resources are checked with {@link dev.herd.bake.tree.Applier#check} against
 * the owners found on disk, packages against the tree's dpkg database, and every file a package
 * owns against dpkg's md5sums. Nothing in the audited tree is ever written.
 */
package dev.herd.bake.audit;
