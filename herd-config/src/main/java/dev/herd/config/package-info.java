/**
 * Dynamic configuration: versioned config per environment and role ({@link dev.herd.config.ConfigStore}),
 * secrets encrypted at rest ({@link dev.herd.config.SecretStore}), feature flags with sticky percentage
 * rollout ({@link dev.herd.config.Flags}), the per-node files mounted at /etc/herd
 * ({@link dev.herd.config.NodeFiles}), launch settings ({@link dev.herd.config.LaunchSettings}), change
 * watches and node tokens. {@link dev.herd.config.HerdConfig} opens all of them on one state directory.
 */
package dev.herd.config;
